-- What each page of a material of several pages is (issue 17): the applicant's wizard and the
-- reviewer title the boxes by it, "正面（人像面）" and "背面（国徽面）" of an ID card copy, not by
-- a guess in the page. A comma list, one name per page in order; NULL (or a page past the list):
-- "第 N 页".

ALTER TABLE material_kinds
  ADD COLUMN page_names VARCHAR(200) NULL COMMENT 'comma list: the name of each page in order';

-- A database seeded before (a fresh one: materials.sql).
UPDATE material_kinds SET page_names = '正面（人像面）,背面（国徽面）'
 WHERE code IN ('handler_id', 'applicant_id') AND page_names IS NULL;
