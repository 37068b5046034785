-- Staff prove themselves with a second factor: a TOTP authenticator (RFC 6238) or a client
-- certificate that nginx verifies. A session is "password only" until the factor passes.

-- At most one factor of each kind per staff member. A TOTP secret is sealed with the PII key
-- (aad staff_factors.secret); last_step is the last 30-second step whose code was taken, so a
-- code is used once. A certificate is named by the SHA-256 of its DER, which nginx's verified
-- copy gives. confirmed_at stays NULL until the first code proves the enrolment.
CREATE TABLE staff_factors (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  staff_id BIGINT UNSIGNED NOT NULL,
  kind VARCHAR(8) CHARACTER SET ascii NOT NULL COMMENT 'totp | cert',
  secret_enc VARBINARY(64) NULL COMMENT 'totp: sealed 20-byte secret',
  cert_sha256 CHAR(64) CHARACTER SET ascii NULL COMMENT 'cert: hex SHA-256 of the DER',
  last_step BIGINT NULL COMMENT 'totp: the last time step whose code was used',
  created_at DATETIME(3) NOT NULL,
  confirmed_at DATETIME(3) NULL,
  UNIQUE KEY uq_staff_factors_kind (staff_id, kind),
  UNIQUE KEY uq_staff_factors_cert (cert_sha256)
) ENGINE=InnoDB;

-- When this session's second factor last passed (NULL: password only), and by which kind.
ALTER TABLE sessions
  ADD COLUMN factor_at DATETIME(3) NULL AFTER expires_at,
  ADD COLUMN factor_kind VARCHAR(8) CHARACTER SET ascii NOT NULL DEFAULT '' AFTER factor_at;
