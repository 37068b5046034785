-- certhall-admin import-certs: the CA's existing certificates, issued at a counter or by its old
-- system, kept beside the hall's own. Re-imports update them in place (the serial is unique).
ALTER TABLE certificates
  ADD COLUMN source VARCHAR(8) CHARACTER SET ascii NOT NULL DEFAULT 'hall'
    COMMENT 'hall: issued through an order here; import: brought in from the CA',
  ADD COLUMN imported_at DATETIME(3) NULL COMMENT 'first brought in by import-certs';
