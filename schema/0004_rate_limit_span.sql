-- Window numbers of different window lengths are not comparable (now/60 is ~30M, now/86400
-- ~20K): pruning must only ever compare rows of the same length. The span says which.
-- The counters are short-lived: those of before this migration are dropped.
DELETE FROM rate_limits;
ALTER TABLE rate_limits
  ADD COLUMN span INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'window length in seconds' AFTER win,
  DROP KEY ix_rate_limits_win,
  ADD KEY ix_rate_limits_span_win (span, win);
