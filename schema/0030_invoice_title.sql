-- invoice_title_edit: the applicant writes the invoice's title (001 "* 发票抬头 发票名称请完整填写"),
-- where the other halls print the applicant's own name (000 "发票抬头默认为证书申请单位，不可修改").
ALTER TABLE channels
  ADD COLUMN invoice_title_edit TINYINT(1) NOT NULL DEFAULT 0;

-- The demo hall of a database seeded before this column (a fresh one: schema/seed/channels.sql).
UPDATE channels SET invoice_title_edit = 1 WHERE code = 'szca';
