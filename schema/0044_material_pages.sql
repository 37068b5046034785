-- Pages of one material (issue 17): a hall that takes several pages of a material (an ID card
-- copy's two sides, a two-page form) takes them as pages of that one material. A rule says how
-- many pages its material takes; every upload row its page; versions, and the replace of a
-- pending or rejected scan, go per material and page. Guide 002: "经办人有效身份证件的复印件一份
-- （二代身份证，正反面都复印清晰且加盖公章）": one copy, both sides on one page or on two.

ALTER TABLE material_rules
  ADD COLUMN pages TINYINT UNSIGNED NOT NULL DEFAULT 1 COMMENT 'the most pages the material takes';

-- The new key has order_id first: the order's foreign key keeps an index throughout.
ALTER TABLE materials
  ADD COLUMN page TINYINT UNSIGNED NOT NULL DEFAULT 1 AFTER material,
  DROP KEY uq_materials_version,
  ADD UNIQUE KEY uq_materials_version (order_id, material, page, version);

-- The ID card was two materials, its front and its back: one each now, of up to 2 pages.
-- A database seeded before gets the new kinds from the old (a fresh one: materials.sql).
INSERT IGNORE INTO material_kinds (code, name, hint, sort)
 SELECT 'handler_id', '经办人身份证复印件',
        '经办人身份证正反面复印件，加盖单位公章：正反面可复印在同一页，也可分两页上传（第 1 页人像面，第 2 页国徽面）。',
        sort FROM material_kinds WHERE code = 'handler_id_front';
INSERT IGNORE INTO material_kinds (code, name, hint, sort)
 SELECT 'applicant_id', '申请人身份证复印件',
        '证书持有人身份证正反面复印件：正反面可复印在同一页，也可分两页上传（第 1 页人像面，第 2 页国徽面）。',
        sort FROM material_kinds WHERE code = 'applicant_id_front';

-- Each hall's rule of the front stands for the new material (the back's had the same values
-- wherever it was seeded); a hall that had only a back rule keeps that one.
INSERT IGNORE INTO material_rules
 (channel_id, material, formats, max_bytes, min_pixels, max_pixels, max_side, businesses, cert_kinds, required,
  ink_min, sharp_min, paper_min, area_min, seal, qr_form, pages)
 SELECT channel_id, IF(material LIKE 'handler_id_%', 'handler_id', 'applicant_id'), formats, max_bytes,
        min_pixels, max_pixels, max_side, businesses, cert_kinds, required, ink_min, sharp_min, paper_min,
        area_min, seal, qr_form, 2
 FROM material_rules
 WHERE material IN ('handler_id_front', 'applicant_id_front', 'handler_id_back', 'applicant_id_back')
 ORDER BY channel_id, material LIKE '%_back';

-- Every upload kept: a front is page 1, a back page 2, each with its versions.
UPDATE materials SET material = 'handler_id', page = 1 WHERE material = 'handler_id_front';
UPDATE materials SET material = 'handler_id', page = 2 WHERE material = 'handler_id_back';
UPDATE materials SET material = 'applicant_id', page = 1 WHERE material = 'applicant_id_front';
UPDATE materials SET material = 'applicant_id', page = 2 WHERE material = 'applicant_id_back';

-- A returned order's list of what may be sent again names the new material, once.
UPDATE orders SET editable = TRIM(BOTH ',' FROM REPLACE(REPLACE(CONCAT(',', editable, ','),
         ',handler_id_front,', ',handler_id,'), ',applicant_id_front,', ',applicant_id,'))
 WHERE editable LIKE '%_id_front%';
UPDATE orders SET editable = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', editable, ','), ',handler_id_back,',
         IF(FIND_IN_SET('handler_id', editable), ',', ',handler_id,')))
 WHERE FIND_IN_SET('handler_id_back', editable);
UPDATE orders SET editable = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', editable, ','), ',applicant_id_back,',
         IF(FIND_IN_SET('applicant_id', editable), ',', ',applicant_id,')))
 WHERE FIND_IN_SET('applicant_id_back', editable);

DELETE FROM material_rules
 WHERE material IN ('handler_id_front', 'handler_id_back', 'applicant_id_front', 'applicant_id_back');
DELETE FROM material_kinds
 WHERE code IN ('handler_id_front', 'handler_id_back', 'applicant_id_front', 'applicant_id_back');
