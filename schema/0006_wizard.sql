-- The applicant wizard: what each channel offers, agreements, the steps of an order, identity
-- verifications, payments, and certificates bound to accounts.

-- What a channel (hall) offers: comma lists of codes (shared/order.c names them).
ALTER TABLE channels
  ADD COLUMN businesses VARCHAR(100) CHARACTER SET ascii NOT NULL
    DEFAULT 'new,add,renew,lost,damaged,change,unlock,revoke',
  ADD COLUMN kinds VARCHAR(60) CHARACTER SET ascii NOT NULL DEFAULT 'org,legal_rep,person',
  ADD COLUMN verify_methods VARCHAR(100) CHARACTER SET ascii NOT NULL
    DEFAULT 'transfer,lr_mobile,lr_card,lr_face'
    COMMENT 'enterprise verification: corporate transfer, legal representative by mobile, bank card, face',
  ADD COLUMN handler_methods VARCHAR(60) CHARACTER SET ascii NOT NULL DEFAULT 'mobile,card,face',
  ADD COLUMN pay_methods VARCHAR(60) CHARACTER SET ascii NOT NULL
    DEFAULT 'wechat,alipay,transfer,counter',
  ADD COLUMN mail_in TINYINT(1) NOT NULL DEFAULT 1 COMMENT 'offers the mail-in fallback (002)',
  ADD COLUMN renew_expired_online TINYINT(1) NOT NULL DEFAULT 1
    COMMENT '002: expired up to 365 days renews online; 003: expired renews offline only';

-- Versioned texts the applicant accepts: a new version is a new row, old ones stay.
CREATE TABLE agreements (
  code VARCHAR(32) CHARACTER SET ascii NOT NULL,
  version VARCHAR(16) CHARACTER SET ascii NOT NULL,
  title VARCHAR(100) NOT NULL,
  body MEDIUMTEXT NOT NULL,
  published_at DATETIME NOT NULL,
  current TINYINT(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (code, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only: which version, when, by whom, from where.
CREATE TABLE agreement_acceptances (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  account_id BIGINT UNSIGNED NOT NULL,
  code VARCHAR(32) CHARACTER SET ascii NOT NULL,
  version VARCHAR(16) CHARACTER SET ascii NOT NULL,
  accepted_at DATETIME(3) NOT NULL,
  remote_addr VARCHAR(45) CHARACTER SET ascii NOT NULL DEFAULT '',
  KEY ix_acceptances_order (order_id, code),
  CONSTRAINT fk_acceptances_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE orders
  ADD COLUMN years TINYINT UNSIGNED NOT NULL DEFAULT 1,
  ADD COLUMN target_cert_id BIGINT UNSIGNED NULL
    COMMENT 'the certificate a renewal, replacement, change, unlock or revocation is for',
  ADD COLUMN verify_method VARCHAR(16) CHARACTER SET ascii NULL,
  ADD COLUMN handler_method VARCHAR(16) CHARACTER SET ascii NULL,
  ADD COLUMN pay_method VARCHAR(16) CHARACTER SET ascii NULL,
  ADD COLUMN mail_in TINYINT(1) NOT NULL DEFAULT 0,
  ADD COLUMN pin_delivery VARCHAR(24) CHARACTER SET ascii NULL,
  ADD COLUMN amount_fen BIGINT NULL COMMENT 'the quote the applicant confirmed',
  ADD COLUMN quote_json TEXT NULL,
  ADD COLUMN renew_mode VARCHAR(8) CHARACTER SET ascii NULL
    COMMENT 'online (inside the window: no materials, no review) | review (expired > 365 days)',
  ADD COLUMN renew_not_before DATE NULL,
  ADD COLUMN renew_not_after DATE NULL,
  ADD COLUMN open_key CHAR(64) CHARACTER SET ascii NULL
    COMMENT 'keyed hash of subject + kind + target while the order is open; NULL once closed',
  ADD COLUMN subject_idx CHAR(64) CHARACTER SET ascii NULL COMMENT 'keyed hash of USCC or ID number',
  ADD COLUMN editable VARCHAR(300) CHARACTER SET ascii NOT NULL DEFAULT ''
    COMMENT 'on a returned order: the steps and materials the reviewer rejected',
  ADD COLUMN return_state VARCHAR(24) CHARACTER SET ascii NULL
    COMMENT 'the stage a returned order goes back to on resubmission',
  ADD COLUMN signed_at DATETIME(3) NULL,
  ADD COLUMN paid_at DATETIME(3) NULL,
  ADD UNIQUE KEY uq_orders_open (open_key),
  ADD KEY ix_orders_account_state (account_id, state, created_at),
  ADD KEY ix_orders_draft (state, updated_at);

-- One row per step the applicant saved; the data is JSON sealed with AES-256-GCM under the
-- PII key (aad "order_steps:<order id>:<step>").
CREATE TABLE order_steps (
  order_id BIGINT UNSIGNED NOT NULL,
  step VARCHAR(16) CHARACTER SET ascii NOT NULL,
  data_enc MEDIUMBLOB NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (order_id, step),
  CONSTRAINT fk_steps_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB;

-- Identity checks, enterprise and handler, each attempt a row.
CREATE TABLE verifications (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  subject VARCHAR(12) CHARACTER SET ascii NOT NULL COMMENT 'enterprise | handler',
  method VARCHAR(16) CHARACTER SET ascii NOT NULL,
  provider_ref VARCHAR(64) CHARACTER SET ascii NULL,
  state VARCHAR(12) CHARACTER SET ascii NOT NULL COMMENT 'pending | passed | failed',
  memo_tries TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'wrong transfer memo codes entered',
  link VARCHAR(500) NOT NULL DEFAULT '' COMMENT 'face check: the link sent by SMS / shown as QR',
  message VARCHAR(200) NOT NULL DEFAULT '' COMMENT 'the provider reason of a failure, masked',
  created_at DATETIME(3) NOT NULL,
  decided_at DATETIME(3) NULL,
  UNIQUE KEY uq_verifications_ref (provider_ref),
  KEY ix_verifications_order (order_id, subject, id),
  CONSTRAINT fk_verifications_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE payments (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  method VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'wechat | alipay | transfer | counter',
  amount_fen BIGINT NOT NULL,
  pay_no CHAR(24) CHARACTER SET ascii NOT NULL COMMENT 'our merchant reference sent to the provider',
  provider_ref VARCHAR(64) CHARACTER SET ascii NULL,
  state VARCHAR(16) CHARACTER SET ascii NOT NULL
    COMMENT 'pending | awaiting_finance | paid | closed | refunding | refunded',
  qr_url VARCHAR(500) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  paid_at DATETIME(3) NULL,
  confirmed_by BIGINT UNSIGNED NULL COMMENT 'finance staff for transfer and counter',
  version INT UNSIGNED NOT NULL DEFAULT 0,
  UNIQUE KEY uq_payments_no (pay_no),
  UNIQUE KEY uq_payments_ref (provider_ref),
  KEY ix_payments_order (order_id, id),
  KEY ix_payments_state (state, created_at),
  CONSTRAINT fk_payments_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB;

-- Every payment notification received: a replay finds its event_id here and changes nothing.
CREATE TABLE payment_notifications (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  pay_no CHAR(24) CHARACTER SET ascii NOT NULL,
  kind VARCHAR(16) CHARACTER SET ascii NOT NULL,
  outcome VARCHAR(24) CHARACTER SET ascii NOT NULL,
  received_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_payment_notifications_event (event_id)
) ENGINE=InnoDB;

-- Certificates belong to an account (the key is bound to it, 002) and to a subject.
ALTER TABLE certificates
  ADD COLUMN account_id BIGINT UNSIGNED NULL,
  ADD COLUMN subject_idx CHAR(64) CHARACTER SET ascii NULL COMMENT 'keyed hash of USCC or ID number',
  ADD KEY ix_certificates_account (account_id, not_after),
  ADD KEY ix_certificates_subject (subject_idx);
