-- An account proves its subject before it reaches anything of it (issue 20, part 2).
-- An organisation's USCC is claimed at registration (accounts.uscc) and proven by a passed
-- enterprise verification, a staff approval of its order, or (for one certificate) a binding by
-- key. Only one account can hold a proven USCC; another claimant is set aside when it is proven.
ALTER TABLE accounts
  ADD COLUMN uscc VARCHAR(18) CHARACTER SET ascii NULL
    COMMENT 'an organisation''s claimed USCC (public, on its licence); NULL once set aside',
  ADD COLUMN uscc_proven_at DATETIME(3) NULL
    COMMENT 'when the organisation proved the USCC (enterprise check or staff approval)',
  ADD COLUMN uscc_released_at DATETIME(3) NULL
    COMMENT 'set aside: another account proved the USCC this one claimed',
  ADD COLUMN uscc_proven VARCHAR(18) CHARACTER SET ascii AS (IF(uscc_proven_at IS NULL, NULL, uscc)) PERSISTENT
    COMMENT 'one proven account per USCC',
  ADD KEY ix_accounts_uscc (uscc),
  ADD UNIQUE KEY uq_accounts_uscc_proven (uscc_proven);

-- Organisations registered before: the USCC was their login; those whose enterprise check
-- passed once have proven it.
UPDATE accounts SET uscc = login_name WHERE kind = 'org';
UPDATE accounts a SET a.uscc_proven_at = NOW(3) WHERE a.kind = 'org' AND EXISTS (
  SELECT 1 FROM orders o JOIN verifications v ON v.order_id = o.id
  WHERE o.account_id = a.id AND v.subject = 'enterprise' AND v.state = 'passed');

-- The open key a draft takes once its subject is proven: a draft of an unproven subject
-- holds nothing (orders.open_key stays NULL until then).
ALTER TABLE orders
  ADD COLUMN claim_key CHAR(64) CHARACTER SET ascii NULL
    COMMENT 'keyed hash of subject + kind + target the order holds (open_key) once proven',
  ADD KEY ix_orders_claim (claim_key);
