-- Issue 14, unlock as 002 does it: "审核资料后进行授权，并发送授权邮件；用户通过授权邮件中的链接
-- 重置密码". The approval of an unlock (or 003's rule) grants one link, sent by SMS and mail;
-- its page takes the challenge the key tool shows and answers with the CA's unblock code.
-- The link's token is kept only as its SHA-256; it expires, gives one response, and takes at
-- most ten challenges the CA refuses.
CREATE TABLE unlock_grants (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  token_sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  token_serial VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL COMMENT 'the token of the certificate, where the hall made it',
  expires_at DATETIME(3) NOT NULL,
  tries TINYINT UNSIGNED NOT NULL DEFAULT 0,
  used_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_unlock_grants_token (token_sha256),
  UNIQUE KEY uq_unlock_grants_order (order_id),
  CONSTRAINT fk_unlock_grants_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB;
