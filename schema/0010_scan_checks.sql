-- Scans that prove themselves (issue 18): per material kind, the legibility thresholds, whether
-- a seal is expected and which printed form's QR the scan must carry; per hall, whether a
-- missing seal refuses the upload; per upload, what the checks found.
-- Thresholds (0 leaves a check out): ink per mille of the page, the sharpness score of
-- shared/scan.c, the paper's brightness 0..255, the percent of the image the inked part spans.

ALTER TABLE material_rules
  ADD COLUMN ink_min SMALLINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'per mille of the page that is ink',
  ADD COLUMN sharp_min SMALLINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'shared/scan.c sharpness score',
  ADD COLUMN paper_min TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'brightness of the paper, 0..255',
  ADD COLUMN area_min TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'percent of the image the inked part spans',
  ADD COLUMN seal TINYINT(1) NOT NULL DEFAULT 0 COMMENT 'a red seal is expected on it',
  ADD COLUMN qr_form VARCHAR(16) CHARACTER SET ascii NULL DEFAULT NULL
    COMMENT 'application | authorisation: the printed form whose QR must name this order';

ALTER TABLE channels
  ADD COLUMN seal_refuses TINYINT(1) NOT NULL DEFAULT 0
    COMMENT '1: a scan without the expected seal is refused; 0: accepted with a warning';

ALTER TABLE materials
  ADD COLUMN qr_state VARCHAR(12) CHARACTER SET ascii NULL DEFAULT NULL
    COMMENT 'verified: the QR names this order and form with its check tag; NULL: not checked',
  ADD COLUMN seal_state VARCHAR(8) CHARACTER SET ascii NULL DEFAULT NULL
    COMMENT 'found | missing; NULL: not checked',
  ADD COLUMN ink_pm SMALLINT UNSIGNED NULL DEFAULT NULL,
  ADD COLUMN sharpness INT UNSIGNED NULL DEFAULT NULL,
  ADD COLUMN paper TINYINT UNSIGNED NULL DEFAULT NULL,
  ADD COLUMN area_pct TINYINT UNSIGNED NULL DEFAULT NULL;

-- Rules seeded before this migration get the defaults uploads-policy/materials.sql gives new
-- ones (a CA that wants other values edits them afterwards).
UPDATE material_rules SET ink_min = 3, sharp_min = 500, paper_min = 110, area_min = 35, seal = 1,
  qr_form = 'application' WHERE material = 'application_form';
UPDATE material_rules SET ink_min = 3, sharp_min = 500, paper_min = 110, area_min = 35, seal = 1,
  qr_form = 'authorisation' WHERE material = 'authorisation_letter';
UPDATE material_rules SET ink_min = 3, sharp_min = 400, paper_min = 110, area_min = 20, seal = 1
  WHERE material IN ('business_licence', 'change_notice');
UPDATE material_rules SET ink_min = 2, sharp_min = 400, paper_min = 110, seal = 1
  WHERE material IN ('handler_id_front', 'handler_id_back');
UPDATE material_rules SET ink_min = 2, sharp_min = 400, paper_min = 110
  WHERE material IN ('applicant_id_front', 'applicant_id_back');
UPDATE material_rules SET ink_min = 1, sharp_min = 300, paper_min = 110, seal = 1
  WHERE material = 'seal_sample';
UPDATE material_rules SET ink_min = 2, sharp_min = 300, paper_min = 100
  WHERE material = 'payment_voucher';
