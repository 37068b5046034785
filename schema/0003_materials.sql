-- Materials (scans of stamped paper) and the rules each kind is uploaded under.

CREATE TABLE material_kinds (
  code VARCHAR(32) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  hint VARCHAR(500) NOT NULL DEFAULT '' COMMENT 'what the applicant must scan, in zh-CN',
  sort TINYINT UNSIGNED NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The rule of a kind: channel_id 0 is the default (not NULL: a unique key never sees two NULLs
-- as equal, so seeding again would duplicate them); a channel's own row wins over it.
-- businesses and cert_kinds are comma lists of codes, or '*' for all.
CREATE TABLE material_rules (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  channel_id INT UNSIGNED NOT NULL DEFAULT 0,
  material VARCHAR(32) CHARACTER SET ascii NOT NULL,
  formats VARCHAR(64) CHARACTER SET ascii NOT NULL COMMENT 'jpeg,png,gif,bmp',
  max_bytes INT UNSIGNED NOT NULL,
  min_pixels BIGINT UNSIGNED NOT NULL,
  max_pixels BIGINT UNSIGNED NOT NULL,
  max_side SMALLINT UNSIGNED NOT NULL COMMENT 'the stored image is downscaled to this longest side',
  businesses VARCHAR(200) CHARACTER SET ascii NOT NULL,
  cert_kinds VARCHAR(100) CHARACTER SET ascii NOT NULL,
  required TINYINT(1) NOT NULL DEFAULT 1,
  UNIQUE KEY uq_material_rules (channel_id, material),
  KEY ix_material_rules_material (material),
  CONSTRAINT fk_material_rules_kind FOREIGN KEY (material) REFERENCES material_kinds (code)
) ENGINE=InnoDB;

-- Every version of every upload stays: a replaced one is kept for the audit trail.
CREATE TABLE materials (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  material VARCHAR(32) CHARACTER SET ascii NOT NULL,
  version INT UNSIGNED NOT NULL,
  sha256 CHAR(64) CHARACTER SET ascii NOT NULL COMMENT 'of the normalised JPEG: its file name',
  thumb_sha256 CHAR(64) CHARACTER SET ascii NOT NULL,
  bytes INT UNSIGNED NOT NULL,
  width SMALLINT UNSIGNED NOT NULL,
  height SMALLINT UNSIGNED NOT NULL,
  src_type VARCHAR(16) CHARACTER SET ascii NOT NULL,
  src_bytes INT UNSIGNED NOT NULL,
  original_name VARCHAR(255) NOT NULL DEFAULT '',
  state VARCHAR(12) CHARACTER SET ascii NOT NULL COMMENT 'pending | accepted | rejected | replaced',
  reject_reason VARCHAR(500) NOT NULL DEFAULT '',
  uploaded_by BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_materials_version (order_id, material, version),
  CONSTRAINT fk_materials_order FOREIGN KEY (order_id) REFERENCES orders (id),
  CONSTRAINT fk_materials_kind FOREIGN KEY (material) REFERENCES material_kinds (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
