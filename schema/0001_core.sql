-- Channels (the halls a CA runs), orders, their event trail, certificates.
-- Every table InnoDB utf8mb4 with a primary key; no meaning in AUTO_INCREMENT values
-- (order numbers come from shared/orderno.c), so the schema is ready for Galera.

CREATE TABLE channels (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(32) CHARACTER SET ascii NOT NULL,
  name VARCHAR(100) NOT NULL,
  ca_name VARCHAR(100) NOT NULL,
  flow VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'pay_first | two_stage',
  review_days_min TINYINT UNSIGNED NOT NULL,
  review_days_max TINYINT UNSIGNED NOT NULL,
  guide VARCHAR(64) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY uq_channels_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE orders (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_no CHAR(18) CHARACTER SET ascii NOT NULL,
  channel_id INT UNSIGNED NOT NULL,
  account_id BIGINT UNSIGNED NULL,
  business_type VARCHAR(16) CHARACTER SET ascii NOT NULL,
  cert_kind VARCHAR(16) CHARACTER SET ascii NOT NULL,
  state VARCHAR(24) CHARACTER SET ascii NOT NULL,
  subject_name VARCHAR(200) NOT NULL DEFAULT '' COMMENT 'organisation or person the certificate is for',
  handler_mobile_enc VARBINARY(64) NULL COMMENT 'AES-256-GCM, aad orders.handler_mobile',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  submitted_at DATETIME(3) NULL,
  version INT UNSIGNED NOT NULL DEFAULT 0,
  UNIQUE KEY uq_orders_no (order_no),
  KEY ix_orders_account (account_id, created_at),
  KEY ix_orders_queue (state, submitted_at),
  CONSTRAINT fk_orders_channel FOREIGN KEY (channel_id) REFERENCES channels (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only: the code never updates or deletes a row here.
CREATE TABLE order_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  at DATETIME(3) NOT NULL,
  kind VARCHAR(32) CHARACTER SET ascii NOT NULL,
  state_from VARCHAR(24) CHARACTER SET ascii NULL,
  state_to VARCHAR(24) CHARACTER SET ascii NULL,
  actor_type VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'system | applicant | staff',
  actor_id BIGINT UNSIGNED NULL,
  public TINYINT(1) NOT NULL DEFAULT 1 COMMENT 'shown on the public tracking timeline',
  note VARCHAR(500) NOT NULL DEFAULT '',
  KEY ix_events_order (order_id, at, id),
  CONSTRAINT fk_events_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE certificates (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  serial VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'hex, case-sensitive',
  channel_id INT UNSIGNED NOT NULL,
  kind VARCHAR(16) CHARACTER SET ascii NOT NULL,
  holder_name VARCHAR(100) NOT NULL,
  subject_name VARCHAR(200) NOT NULL DEFAULT '',
  not_before DATE NOT NULL,
  not_after DATE NOT NULL,
  first_issued DATE NOT NULL COMMENT 'start of the one-year media warranty',
  has_seal TINYINT(1) NOT NULL DEFAULT 0,
  state VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT 'valid' COMMENT 'valid | revoked; expired is derived',
  revoked_at DATETIME(3) NULL,
  revoke_reason VARCHAR(200) NULL,
  order_id BIGINT UNSIGNED NULL,
  UNIQUE KEY uq_certificates_serial (serial),
  CONSTRAINT fk_certificates_channel FOREIGN KEY (channel_id) REFERENCES channels (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Fixed-window counters shared by every worker and host.
CREATE TABLE rate_limits (
  bucket VARCHAR(96) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  win INT UNSIGNED NOT NULL,
  hits INT UNSIGNED NOT NULL,
  PRIMARY KEY (bucket, win),
  KEY ix_rate_limits_win (win)
) ENGINE=InnoDB;

-- Small named values the tools keep (the demo summary, ...).
CREATE TABLE app_settings (
  name VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
