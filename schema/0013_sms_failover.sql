-- SMS through an ordered list of providers ([sms], then [sms2]): a circuit breaker per
-- provider, shared by every worker and host, and which provider an outbox row went through.

-- A provider that failed `fails` sends in a row ([sms] breaker_failures) is skipped until
-- open_until ([sms] breaker_open seconds later); after that one send tries it again.
CREATE TABLE sms_breaker (
  slot VARCHAR(8) CHARACTER SET ascii NOT NULL PRIMARY KEY COMMENT 'sms | sms2: the config section',
  fails INT UNSIGNED NOT NULL DEFAULT 0,
  open_until DATETIME(3) NULL,
  updated_at DATETIME(3) NOT NULL
) ENGINE=InnoDB;

-- provider: the section of the provider the row's last send went to: an unknown row is asked
-- about there. extra_sends: a code sent again through the next provider while the first send
-- was in doubt (the same code; a notice is never sent twice, it waits for the status query).
ALTER TABLE outbox
  ADD COLUMN provider VARCHAR(8) CHARACTER SET ascii NOT NULL DEFAULT '' AFTER provider_id,
  ADD COLUMN extra_sends INT UNSIGNED NOT NULL DEFAULT 0 AFTER attempts;
