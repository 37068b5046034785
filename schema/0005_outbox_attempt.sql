-- When a claimed row's send really starts: a row whose claim ran out before its send started
-- was never offered to the provider and goes back to pending, not to unknown (an SMTP server,
-- with no status query, could otherwise never be asked about mail it never received). The
-- provider is asked about the day of the last attempt, not the first.
ALTER TABLE outbox
  ADD COLUMN in_flight TINYINT(1) NOT NULL DEFAULT 0 AFTER claim_until,
  ADD COLUMN last_attempt_at DATETIME(3) NULL AFTER first_attempt_at;
