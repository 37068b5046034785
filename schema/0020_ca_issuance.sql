-- Issue 13: certificates the CA issues through the hall (shared/ext/ca.h). The certificate as
-- the CA signed it (PEM: the look-up reads validity, subject, issuer and fingerprint from it);
-- the SHA-256 of its SubjectPublicKeyInfo (a key is certified once: a request with a key that
-- has a certificate, revoked or not, is refused, and this index holds that against a race);
-- the token's PKCS#10 request (an online renewal submits it again: the same key, signed by the
-- token); the token's hardware serial (002: the key is bound to an account by it).
ALTER TABLE certificates
  ADD COLUMN pem TEXT CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN key_sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN csr TEXT CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN token_serial VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD UNIQUE KEY uq_certificates_key (key_sha256);

-- The CA's latest CRL of each issuing CA (rsa, sm2) as the hall last fetched it:
-- GET /api/track/crl serves it, the certificate look-up reads revocations from it. Fetched
-- again after every revocation the hall makes, and when older than a few minutes.
CREATE TABLE ca_crls (
  kind VARCHAR(4) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  der MEDIUMBLOB NOT NULL,
  fetched_at DATETIME(3) NOT NULL
) ENGINE=InnoDB;
