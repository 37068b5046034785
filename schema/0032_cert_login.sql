-- Issue 13, 002 【证书绑定】 and 【证书登录】: an applicant binds a delivered key to the account by
-- the token's hardware serial; a certificate on a bound token then logs the account in by
-- signing a one-time challenge.
-- One account per token: a token a holder lost or handed over is unbound by the account, or
-- becomes unusable when its certificate is revoked (the login checks that first).
CREATE TABLE token_bindings (
  token_serial VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  account_id BIGINT UNSIGNED NOT NULL,
  bound_at DATETIME(3) NOT NULL,
  KEY ix_token_bindings_account (account_id),
  CONSTRAINT fk_token_bindings_account FOREIGN KEY (account_id) REFERENCES accounts (id)
    ON DELETE CASCADE
) ENGINE=InnoDB;

-- The challenges handed out for certificate login: each is signed once, within its lifetime;
-- used_at is set by the one login that takes it (a replay finds it set).
CREATE TABLE login_challenges (
  id CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  challenge VARCHAR(160) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  used_at DATETIME(3) NULL,
  KEY ix_login_challenges_expires (expires_at)
) ENGINE=InnoDB;

-- The binding finds a token's certificates by its serial.
ALTER TABLE certificates ADD KEY ix_certificates_token (token_serial);
