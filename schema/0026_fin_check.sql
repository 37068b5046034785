-- 001's financial check (金融认证) after approval: "若使用微信支付，深圳 CA 审核成功后 SZCA 将向申请单位
-- 对公账户打款 0.01 元，并下发证书 PIN 码". At a hall with fin_after_approval, the wizard only records
-- the basic account; the approval of an order paid by WeChat or Alipay starts the 0.01 transfer,
-- whose memo carries the certificate's PIN.
ALTER TABLE channels
  ADD COLUMN fin_after_approval TINYINT(1) NOT NULL DEFAULT 0;
UPDATE channels SET fin_after_approval = 1 WHERE code = 'szca';

-- One row per transfer. pin_enc: the PIN sealed under the PII key (aad "fin_checks.pin:<ref>"),
-- dropped once the row is final; nothing else holds it. state: queued (to be sent; a gateway
-- that did not answer leaves it queued, next_at later) | credited (the 0.01 arrived with the
-- memo) | failed (the bank refused it: wrong account) | superseded (a newer transfer replaced it).
CREATE TABLE fin_checks (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  ref VARCHAR(64) CHARACTER SET ascii NOT NULL,
  state VARCHAR(12) CHARACTER SET ascii NOT NULL,
  pin_enc VARBINARY(64) NULL,
  message VARCHAR(200) NOT NULL DEFAULT '' COMMENT 'the bank refusal, masked',
  tries INT UNSIGNED NOT NULL DEFAULT 0,
  next_at DATETIME(3) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  decided_at DATETIME(3) NULL,
  UNIQUE KEY uq_fin_checks_ref (ref),
  KEY ix_fin_checks_order (order_id, id),
  KEY ix_fin_checks_due (state, next_at),
  CONSTRAINT fk_fin_checks_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
