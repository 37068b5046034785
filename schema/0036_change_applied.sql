-- A change that applies (issue 14, 002 四.证书信息变更): a handler change moves who is told
-- about the certificate (expiry reminders) to the change order's handler; a name change's
-- certificate, re-issued with the new subject, is downloaded once.
ALTER TABLE certificates
  ADD COLUMN notice_order_id BIGINT UNSIGNED NULL
    COMMENT 'the order whose handler is told about this certificate; NULL: order_id';
ALTER TABLE orders
  ADD COLUMN change_downloaded_at DATETIME(3) NULL
    COMMENT 'a name change: when the certificate re-issued with the new subject was downloaded';
