-- Issue 13: a secret message (an SMS code, a certificate's PIN) is sealed in its outbox row
-- (AES-256-GCM under the PII key, aad "outbox.secret": {"params": ..., "text": ...}); params and
-- body stay '{}' and '' so that no column holds it readable, and the sealed copy goes too once
-- the row is final (sent or failed).
ALTER TABLE outbox
  ADD COLUMN secret_enc VARBINARY(8400) NULL;
