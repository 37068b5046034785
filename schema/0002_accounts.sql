-- Applicant accounts, staff, sessions, SMS codes, message templates and the outbox.
-- Mobiles are PII: sealed with AES-256-GCM (*_enc) beside a keyed hash for look-ups (*_idx)
-- and the masked form pages show (*_mask).

CREATE TABLE accounts (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind VARCHAR(8) CHARACTER SET ascii NOT NULL COMMENT 'org | person',
  login_name VARCHAR(32) CHARACTER SET ascii NOT NULL COMMENT 'USCC of an organisation, mobile of a person',
  display_name VARCHAR(200) NOT NULL,
  password_hash VARCHAR(255) CHARACTER SET ascii NOT NULL,
  mobile_enc VARBINARY(64) NOT NULL COMMENT 'aad accounts.mobile',
  mobile_idx CHAR(64) CHARACTER SET ascii NOT NULL,
  mobile_mask VARCHAR(16) CHARACTER SET ascii NOT NULL,
  disabled TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_accounts_login (login_name),
  UNIQUE KEY uq_accounts_mobile (mobile_idx)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE staff (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(64) CHARACTER SET ascii NOT NULL,
  display_name VARCHAR(100) NOT NULL,
  role VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'reviewer | finance | shipping | admin',
  password_hash VARCHAR(255) CHARACTER SET ascii NOT NULL,
  disabled TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_staff_username (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Only the SHA-256 of a session token is stored: a copy of this table logs nobody in.
CREATE TABLE sessions (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash CHAR(64) CHARACTER SET ascii NOT NULL,
  subject_type VARCHAR(8) CHARACTER SET ascii NOT NULL COMMENT 'account | staff',
  subject_id BIGINT UNSIGNED NOT NULL,
  csrf_token CHAR(64) CHARACTER SET ascii NOT NULL,
  created_at DATETIME(3) NOT NULL,
  last_seen DATETIME(3) NOT NULL,
  expires_at DATETIME(3) NOT NULL COMMENT 'absolute end, whatever the activity',
  client_addr VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT '',
  UNIQUE KEY uq_sessions_token (token_hash),
  KEY ix_sessions_subject (subject_type, subject_id),
  KEY ix_sessions_expires (expires_at)
) ENGINE=InnoDB;

CREATE TABLE sms_codes (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  mobile_idx CHAR(64) CHARACTER SET ascii NOT NULL,
  purpose VARCHAR(16) CHARACTER SET ascii NOT NULL,
  code_hash CHAR(64) CHARACTER SET ascii NOT NULL COMMENT 'keyed hash of purpose, mobile and code',
  tries TINYINT UNSIGNED NOT NULL DEFAULT 0,
  expires_at DATETIME(3) NOT NULL,
  used_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  KEY ix_sms_codes_lookup (mobile_idx, purpose, id)
) ENGINE=InnoDB;

-- One text per channel and event; {name} placeholders are filled from the outbox row's params.
-- params lists the parameter names in order (Tencent templates take numbered parameters).
CREATE TABLE message_templates (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  channel VARCHAR(8) CHARACTER SET ascii NOT NULL COMMENT 'sms | email',
  event VARCHAR(32) CHARACTER SET ascii NOT NULL,
  provider_template VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'SMS_123456789 (Alibaba) or 1234567 (Tencent)',
  params VARCHAR(255) CHARACTER SET ascii NOT NULL DEFAULT '',
  subject VARCHAR(200) NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  UNIQUE KEY uq_templates (channel, event)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Written in the same transaction as the change it announces; sent after the answer.
CREATE TABLE outbox (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  idem_key CHAR(32) CHARACTER SET ascii NOT NULL COMMENT 'travels to the provider',
  channel VARCHAR(8) CHARACTER SET ascii NOT NULL,
  event VARCHAR(32) CHARACTER SET ascii NOT NULL,
  recipient_enc VARBINARY(600) NOT NULL COMMENT 'aad outbox.recipient',
  recipient_mask VARCHAR(128) NOT NULL,
  template_id VARCHAR(64) NOT NULL DEFAULT '',
  params TEXT NOT NULL COMMENT 'JSON object; blanked after sending for secrets (codes)',
  subject VARCHAR(200) NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  order_id BIGINT UNSIGNED NULL,
  state VARCHAR(12) CHARACTER SET ascii NOT NULL COMMENT 'pending | sending | unknown | checking | sent | failed',
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  next_at DATETIME(3) NOT NULL,
  claim_token CHAR(32) CHARACTER SET ascii NULL,
  claim_until DATETIME(3) NULL,
  first_attempt_at DATETIME(3) NULL,
  provider_id VARCHAR(128) NOT NULL DEFAULT '',
  last_error VARCHAR(300) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  sent_at DATETIME(3) NULL,
  UNIQUE KEY uq_outbox_idem (idem_key),
  KEY ix_outbox_due (state, next_at),
  KEY ix_outbox_claim (claim_token),
  KEY ix_outbox_order (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
