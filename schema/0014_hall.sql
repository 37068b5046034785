-- What each hall keeps itself, as data its admin edits (fcgi-apps/review admin routes), instead
-- of tables compiled into the programs: its fees, where its payments and its paper go.

-- How a hall charges one business for one certificate kind. A (channel, business, kind) without
-- a row is not offered: the catalog offers only what can be finished.
--   basis priced: the items below are the price (once_fen and/or year_fen per year);
--   basis free:   nothing to pay (the once item, 0 fen, names it for the page);
--   basis quoted: the two-stage hall's pre-reviewer states the price when passing the order
--                 (004 "工作人员预审证件通过→付款"); the items below, if any, are what is stated.
-- seal_fen: the electronic seal re-made on a replacement of a sealed certificate (004).
-- warranty_free: a key with a quality defect inside the media warranty is replaced free (002).
-- source: the guide's words the row quotes, or where a borrowed demo price comes from.
CREATE TABLE fees (
  channel_id INT UNSIGNED NOT NULL,
  business VARCHAR(16) CHARACTER SET ascii NOT NULL,
  kind VARCHAR(16) CHARACTER SET ascii NOT NULL,
  basis VARCHAR(8) CHARACTER SET ascii NOT NULL COMMENT 'priced | free | quoted',
  max_years TINYINT UNSIGNED NOT NULL DEFAULT 5 COMMENT 'the longest validity sold, 1..5',
  once_code VARCHAR(32) CHARACTER SET ascii NULL,
  once_label VARCHAR(60) NULL,
  once_fen BIGINT NULL,
  year_code VARCHAR(32) CHARACTER SET ascii NULL,
  year_label VARCHAR(60) NULL,
  year_fen BIGINT NULL,
  year_from TINYINT UNSIGNED NOT NULL DEFAULT 1 COMMENT '1: every year; 2: each year after the first',
  warranty_free TINYINT(1) NOT NULL DEFAULT 0,
  seal_fen BIGINT NOT NULL DEFAULT 0,
  source VARCHAR(600) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  updated_by BIGINT UNSIGNED NULL COMMENT 'staff.id; NULL: the seed',
  PRIMARY KEY (channel_id, business, kind),
  CONSTRAINT fk_fees_channel FOREIGN KEY (channel_id) REFERENCES channels (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Where transfer and counter payments go (the bank desk), and where the paper is mailed.
-- paper_note: what the hall says of the mail ("不接收挂号信", 003).
ALTER TABLE channels
  ADD COLUMN desk_payee VARCHAR(100) NOT NULL DEFAULT '',
  ADD COLUMN desk_bank VARCHAR(100) NOT NULL DEFAULT '',
  ADD COLUMN desk_account VARCHAR(40) NOT NULL DEFAULT '',
  ADD COLUMN desk_memo VARCHAR(60) NOT NULL DEFAULT ''
    COMMENT 'what the transfer memo must say before the order number (003)',
  ADD COLUMN desk_address VARCHAR(200) NOT NULL DEFAULT '' COMMENT 'the counter',
  ADD COLUMN desk_hours VARCHAR(100) NOT NULL DEFAULT '',
  ADD COLUMN desk_phone VARCHAR(60) NOT NULL DEFAULT '',
  ADD COLUMN paper_org VARCHAR(100) NOT NULL DEFAULT '',
  ADD COLUMN paper_recipient VARCHAR(100) NOT NULL DEFAULT '',
  ADD COLUMN paper_address VARCHAR(200) NOT NULL DEFAULT '',
  ADD COLUMN paper_phone VARCHAR(60) NOT NULL DEFAULT '',
  ADD COLUMN paper_note VARCHAR(200) NOT NULL DEFAULT '',
  ADD COLUMN updated_at DATETIME(3) NULL,
  ADD COLUMN updated_by BIGINT UNSIGNED NULL COMMENT 'staff.id of the last admin edit';
