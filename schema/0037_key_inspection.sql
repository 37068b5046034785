-- Issue 14, damaged keys (002 七.损坏补办): "用户损坏补办时需携带原有数字证书介质USBkey进行检测鉴定，
-- 属于质量问题并在质保期内的可以免费办理，非质量问题的或已经超过质保期的需要支付证书介质费用".
-- At a hall whose damaged fees row is warranty_free, a signed damaged order waits in awaiting_key
-- for the old key (its waybill as the paper's: waybills, direction 'in'); a reviewer records
-- the inspection (fcgi-apps/review/inspect.c), which makes it free or due the media fee.
ALTER TABLE orders
  ADD COLUMN key_defect TINYINT(1) NULL
    COMMENT 'damaged: the inspection found a quality defect (1) or none (0); NULL: not inspected',
  ADD COLUMN key_in_warranty TINYINT(1) NULL
    COMMENT 'damaged: the certificate was within its media warranty when the order was signed',
  ADD COLUMN key_inspected_at DATETIME(3) NULL,
  ADD COLUMN key_inspected_by BIGINT UNSIGNED NULL COMMENT 'staff.id of the inspection';

-- The review queue lists an order awaiting its key, as one awaiting paper, once the applicant
-- entered the parcel's waybill (fcgi-apps/review/queue.c). The rest is 0008's.
ALTER TABLE orders
  MODIFY COLUMN queue VARCHAR(8) CHARACTER SET ascii AS (CASE
    WHEN refund_due = 1 THEN 'finance'
    WHEN state IN ('pre_review', 'reviewing', 'paper_review', 'awaiting_paper', 'awaiting_key')
      THEN 'review'
    WHEN state = 'refunding' THEN 'finance'
    WHEN state = 'pending_payment' AND pay_method IN ('transfer', 'counter') THEN 'finance'
    WHEN state IN ('approved', 'making') AND (business_type IN ('new', 'add', 'lost', 'damaged')
      OR (business_type = 'change' AND mail_in = 1)) THEN 'ship'
    ELSE NULL END) PERSISTENT;

-- 002 "证书介质质保期为一年，自证书初次发放日起计算": a certificate made for a replacement or a
-- change sent in started its warranty again on the day it was made (review/make.c wrote
-- CURDATE()); it carries the original's first issue.
UPDATE certificates n
  JOIN orders o ON o.id = n.order_id
  JOIN certificates old ON old.id = o.target_cert_id
  SET n.first_issued = old.first_issued
  WHERE o.business_type IN ('lost', 'damaged', 'change') AND n.first_issued > old.first_issued;
