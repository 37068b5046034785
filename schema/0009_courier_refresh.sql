-- Courier states are refreshed in the background (shared/courier_refresh.c, run by
-- `certhall-admin courier`), never on a request's path: each waybill says when it is next
-- due and how many refreshes in a row have failed (the backoff). A new row is due at once;
-- a delivered one never again (refresh_due NULL).
ALTER TABLE waybills
  ADD COLUMN refresh_due DATETIME(3) NULL DEFAULT CURRENT_TIMESTAMP(3)
    COMMENT 'when the courier is next asked; NULL: never again (delivered)',
  ADD COLUMN refresh_failures INT UNSIGNED NOT NULL DEFAULT 0
    COMMENT 'failed refreshes since the last answer (backoff)',
  ADD KEY ix_waybills_refresh_due (refresh_due);
UPDATE waybills SET refresh_due = IF(last_state = 'delivered', NULL, NOW(3));
