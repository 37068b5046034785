-- The change log of what the public look-up shows (issue 15: the look-up at the FastCGI
-- ceiling). certhall-track keeps the answers it gave in a cache its workers share; a row here
-- says an order's answer may have changed: its state or events, its handler's mobile or
-- subject, its waybills, its financial check. The writers add the row in the transaction
-- that makes the change (shared/domain/changes.c); the track workers of every host read the
-- rows of the last seconds (by `at`) and drop those orders' answers. The courier pass prunes
-- rows older than an hour. Written by the programs, not by triggers: a trigger needs SUPER
-- where binary logging is on, which a hosting provider's database user seldom has.
CREATE TABLE order_changes (
  seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  at DATETIME(3) NOT NULL DEFAULT NOW(3),
  KEY ix_order_changes_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
