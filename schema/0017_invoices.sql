-- Invoices as each hall issues them: when (the event after which it is made), where it goes,
-- the words its guide uses for how long it takes, and the purpose it prints.
--   002 "电子发票将在24小时内发送至您的邮箱" (paid, email); 003 "电子发票1~2个工作日发送到经办人手机"
--   (paid, sms); 004 "证书发票将在证书制作后3个工作日内发送至发票接收人邮箱" (made, email);
--   001 "证书申请通过后，电子发票链接会发送至经办人手机或电子邮箱", "发票用途: 介质服务费"
--   (approved, both).
ALTER TABLE channels
  ADD COLUMN invoice_when VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT 'paid'
    COMMENT 'paid | approved | made',
  ADD COLUMN invoice_via VARCHAR(8) CHARACTER SET ascii NOT NULL DEFAULT 'email'
    COMMENT 'email | sms | both',
  ADD COLUMN invoice_promise VARCHAR(60) NOT NULL DEFAULT '',
  ADD COLUMN invoice_purpose VARCHAR(30) NOT NULL DEFAULT '';

-- When the order's invoice was asked of the hall's invoicing (once; NULL: not yet, or none).
ALTER TABLE orders
  ADD COLUMN invoice_at DATETIME(3) NULL;
