-- The seal sample sheet is printed by the hall too (GET /api/wizard/orders/{no}/forms/seal), bound
-- to its order by a QR like the application form and the authorisation letter (issue 18): its
-- scan must carry that QR. A CA that takes sheets printed elsewhere sets qr_form back to NULL.
UPDATE material_rules SET qr_form = 'seal' WHERE material = 'seal_sample' AND qr_form IS NULL;
ALTER TABLE material_rules MODIFY COLUMN qr_form VARCHAR(16) CHARACTER SET ascii NULL DEFAULT NULL
  COMMENT 'application | authorisation | seal: the printed form whose QR must name this order';
UPDATE material_kinds SET hint = '打印系统生成的采样表（含订单号和二维码），在方框内加盖实物印章原件，印迹清晰、无背景。'
  WHERE code = 'seal_sample';
