-- Courier waybills both ways (the applicant's paper to the CA, the key to the applicant) and
-- the working-day calendar (public holidays and the weekend days worked instead, 调休上班).

-- A waybill as entered (number normalised: upper case, no spaces; shared/waybill.h) and what
-- the courier said about it when last asked (shared/courier.h), shown when it cannot be asked.
CREATE TABLE waybills (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  direction VARCHAR(3) CHARACTER SET ascii NOT NULL
    COMMENT 'in: the applicant paper to the CA | out: the key to the applicant',
  carrier VARCHAR(8) CHARACTER SET ascii NOT NULL COMMENT 'sf | ems | zto | yto | sto | yunda | jd | deppon',
  number VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_by_type VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'applicant | staff',
  created_by BIGINT UNSIGNED NOT NULL COMMENT 'accounts.id or staff.id',
  created_at DATETIME(3) NOT NULL,
  last_state VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT 'unknown'
    COMMENT 'unknown | collected | in_transit | delivering | delivered',
  last_events MEDIUMTEXT NULL COMMENT 'the courier events when last asked: JSON [{"at","text"}]',
  last_checked_at DATETIME(3) NULL,
  UNIQUE KEY uq_waybills_number (carrier, number, direction),
  KEY ix_waybills_order (order_id, direction, created_at),
  CONSTRAINT fk_waybills_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Days that differ from the plain Monday-to-Friday week, from the State Council's yearly
-- notice (国务院办公厅关于 YYYY 年部分节假日安排的通知); loaded by schema/seed/holidays.sql.
CREATE TABLE holidays (
  day DATE NOT NULL PRIMARY KEY,
  kind VARCHAR(8) CHARACTER SET ascii NOT NULL
    COMMENT 'holiday: no work (even on a weekday) | workday: a weekend day worked (调休上班)',
  name VARCHAR(60) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
