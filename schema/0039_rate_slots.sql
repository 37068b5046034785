-- Sliding-window and hall-day counters of the SMS-code and verification limits (issue 20):
-- a hit is counted in its slot (a tenth of the window; a day limit's slot is the hall's day)
-- and counts until `expires`, when the window has slid past the slot's end. The public
-- look-up's batched fixed windows stay in rate_limits.
CREATE TABLE rate_slots (
  bucket VARCHAR(96) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  slot INT UNSIGNED NOT NULL COMMENT 'start of the slot, unix seconds',
  hits INT UNSIGNED NOT NULL,
  expires INT UNSIGNED NOT NULL COMMENT 'unix seconds from which the slot counts for nothing',
  PRIMARY KEY (bucket, slot),
  KEY ix_rate_slots_expires (expires)
) ENGINE=InnoDB;
-- The fixed-window counters of codes and check starts are no longer read (the polls'
-- 'verify-poll:' and 'face-poll:' stay).
DELETE FROM rate_limits WHERE bucket LIKE 'code:%' OR bucket LIKE 'verify:%';
