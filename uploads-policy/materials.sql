-- The per-material upload rules, seeded by certhall-admin seed (INSERT IGNORE: a CA's edits in
-- the database survive). A channel's own row of a material replaces the default's row for every
-- business: a business its row leaves out is not asked for there. Defaults: JPEG, PNG, GIF or
-- BMP up to 2 MB (guide 001 allows jpg/jpeg/bmp/gif up to 2 MB; guide 004 jpeg/jpg/png/bmp up
-- to 1 MB: those halls' rows below).
-- Pixels: at least 0.1 MP (a readable scan), at most 40 MP (an A4 at 600 dpi is 35 MP).
-- Stored: A4 papers at most 1754 px on the long side (A4 at 150 dpi: stamps, signatures and
-- print stay legible), ID cards at most 1600 px (a card at 600 dpi). At 1754 a 300 dpi scan
-- (3508 px) decodes at half scale inside libjpeg: a quarter of the pixel memory.

INSERT IGNORE INTO material_kinds (code, name, hint, sort, page_names) VALUES
 ('application_form', '数字证书申请表', '打印系统生成的申请表（含订单号），经办人签字并加盖单位公章后扫描上传。', 1, NULL),
 ('business_licence', '营业执照副本复印件', '三证合一营业执照副本或事业单位法人证书复印件，加盖单位公章。', 2, NULL),
 ('handler_id', '经办人身份证复印件', '经办人身份证正反面复印件，加盖单位公章：正反面可复印在同一页，也可分两页上传（第 1 页人像面，第 2 页国徽面）。', 3, '正面（人像面）,背面（国徽面）'),
 ('applicant_id', '申请人身份证复印件', '证书持有人身份证正反面复印件：正反面可复印在同一页，也可分两页上传（第 1 页人像面，第 2 页国徽面）。', 5, '正面（人像面）,背面（国徽面）'),
 ('authorisation_letter', '法定代表人授权书', '打印系统生成的授权书（含订单号和二维码），法定代表人签字并加盖单位公章。', 7, NULL),
 ('seal_sample', '电子印章采样表', '打印系统生成的采样表（含订单号和二维码），在方框内加盖实物印章原件，印迹清晰、无背景。', 8, NULL),
 ('change_notice', '变更通知书', '登记机关出具的名称或信息变更通知书，加盖单位公章。', 9, NULL),
 ('payment_voucher', '付款凭证', '对公转账付款凭证（线下邮寄办理时）。', 10, NULL);

-- The scan checks (schema/0010_scan_checks.sql, shared/media/scan.c): ink per mille, sharpness, paper
-- brightness, percent of the image inked (0: not checked), a seal expected, the printed form
-- whose QR must name the order (application form, authorisation letter, seal sample sheet).
-- An ID card copy fills a small part of its page: no area check.
INSERT IGNORE INTO material_rules
 (channel_id, material, formats, max_bytes, min_pixels, max_pixels, max_side, businesses, cert_kinds, required,
  ink_min, sharp_min, paper_min, area_min, seal, qr_form, pages) VALUES
 (0, 'application_form', 'jpeg,png,gif,bmp', 2097152, 100000, 40000000, 1754, '*', '*', 1, 3, 500, 110, 35, 1, 'application', 1),
 (0, 'business_licence', 'jpeg,png,gif,bmp', 2097152, 100000, 40000000, 1754, 'new,add,lost,damaged,change,unlock,revoke', 'org,legal_rep', 1, 3, 400, 110, 20, 1, NULL, 1),
 (0, 'handler_id', 'jpeg,png,gif,bmp', 2097152, 100000, 40000000, 1600, '*', '*', 1, 2, 400, 110, 0, 1, NULL, 2),
 (0, 'applicant_id', 'jpeg,png,gif,bmp', 2097152, 100000, 40000000, 1600, 'new,add,lost,damaged,change,revoke', 'legal_rep,person', 1, 2, 400, 110, 0, 0, NULL, 2),
 (0, 'authorisation_letter', 'jpeg,png,gif,bmp', 2097152, 100000, 40000000, 1754, 'new,add,lost,change', 'org,legal_rep', 1, 3, 500, 110, 35, 1, 'authorisation', 1),
 (0, 'seal_sample', 'jpeg,png,gif,bmp', 2097152, 100000, 40000000, 1754, 'new,add,change', 'org', 0, 1, 300, 110, 0, 1, 'seal', 1),
 (0, 'change_notice', 'jpeg,png,gif,bmp', 2097152, 100000, 40000000, 1754, 'change', '*', 1, 3, 400, 110, 20, 1, NULL, 1),
 (0, 'payment_voucher', 'jpeg,png,gif,bmp', 2097152, 100000, 40000000, 1754, '*', '*', 0, 2, 300, 100, 0, 0, NULL, 1);

-- SZCA (guide 001): jpg/jpeg/bmp/gif, 2 MB. The legal representative's authorisation is a clause of
-- the application form ("申请单位法定代表人授权委托及单位声明"), and the handler's ID is taken at the
-- face check ("经办人扫描二维码，在线上传身份证件并完成活体认证"): neither is a scan it asks for.
INSERT IGNORE INTO material_rules
 (channel_id, material, formats, max_bytes, min_pixels, max_pixels, max_side, businesses, cert_kinds, required,
  ink_min, sharp_min, paper_min, area_min, seal, qr_form, pages)
 SELECT c.id, r.material, 'jpeg,gif,bmp', 2097152, r.min_pixels, r.max_pixels, r.max_side, r.businesses, r.cert_kinds,
        IF(r.material IN ('authorisation_letter', 'handler_id'), 0, r.required),
        r.ink_min, r.sharp_min, r.paper_min, r.area_min, r.seal, r.qr_form, r.pages
 FROM channels c JOIN material_rules r ON r.channel_id = 0 WHERE c.code = 'szca';

-- JXCA (guide 004): jpeg/jpg/png/bmp, 1 MB; the seal sample sheet is required there, and its
-- process is 补办: "5.签章采集表 请下载签章采集表模板并打印，按项目印章要求在空白格内加盖相应的印模",
-- for every certificate it issues (the sheet takes the unit seal and "法人章").
INSERT IGNORE INTO material_rules
 (channel_id, material, formats, max_bytes, min_pixels, max_pixels, max_side, businesses, cert_kinds, required,
  ink_min, sharp_min, paper_min, area_min, seal, qr_form, pages)
 SELECT c.id, r.material, 'jpeg,png,bmp', 1048576, r.min_pixels, r.max_pixels, r.max_side,
        IF(r.material = 'seal_sample', 'new,add,lost,damaged,change', r.businesses),
        IF(r.material = 'seal_sample', 'org,legal_rep', r.cert_kinds),
        IF(r.material = 'seal_sample', 1, r.required), r.ink_min, r.sharp_min, r.paper_min, r.area_min, r.seal, r.qr_form, r.pages
 FROM channels c JOIN material_rules r ON r.channel_id = 0 WHERE c.code = 'jxca-js';

-- BJCA (guide 002): its online change is "【证书登陆】…【证书信息修改】…【经办人信息修改】…【证书下载】",
-- no upload among them: no scan is asked for a change (a seal change mails its paper with the key).
INSERT IGNORE INTO material_rules
 (channel_id, material, formats, max_bytes, min_pixels, max_pixels, max_side, businesses, cert_kinds, required,
  ink_min, sharp_min, paper_min, area_min, seal, qr_form, pages)
 SELECT c.id, r.material, r.formats, r.max_bytes, r.min_pixels, r.max_pixels, r.max_side,
        IF(r.businesses = '*', 'new,add,renew,lost,damaged,unlock,revoke',
           TRIM(BOTH ',' FROM REPLACE(CONCAT(',', r.businesses, ','), ',change,', ','))),
        r.cert_kinds, r.required, r.ink_min, r.sharp_min, r.paper_min, r.area_min, r.seal, r.qr_form, r.pages
 FROM channels c JOIN material_rules r ON r.channel_id = 0 WHERE c.code = 'bjca-zycg';

-- NETCA (guide 003): "A.《数字证书及电子印章申请表》… B.…《营业执照副本》… C.经办人身份证复印件" for an
-- organisation; for a person "A.《个人数字证书及电子印章申请表》一式两份(申请人签署处需手写签名); B.本人
-- 身份证复印件": no handler's ID for a person's certificate, and no authorisation letter anywhere.
-- An expired certificate renews offline ("证书已过有效期的，需要准备资料线下办理") with "三、申请材料",
-- those of a new application: "2)企业提供“三证合一”《营业执照副本》……复印件一份，需加盖公章" and
-- "4)法人代表数字证书须提供申请人本人身份证复印件一份，需加盖公章" join the renewal's application form
-- and handler's ID (a person's own ID, asked of its new application, is asked of its renewal too:
-- one row per material and hall). The key ("5)需要续期的电子密匙") and the transfer voucher
-- ("6)汇款凭证复印件一份") travel with the mailed paper.
INSERT IGNORE INTO material_rules
 (channel_id, material, formats, max_bytes, min_pixels, max_pixels, max_side, businesses, cert_kinds, required,
  ink_min, sharp_min, paper_min, area_min, seal, qr_form, pages)
 SELECT c.id, r.material, r.formats, r.max_bytes, r.min_pixels, r.max_pixels, r.max_side,
        IF(r.material IN ('business_licence', 'applicant_id') AND r.businesses <> '*'
           AND NOT FIND_IN_SET('renew', r.businesses), CONCAT(r.businesses, ',renew'), r.businesses),
        IF(r.material IN ('handler_id'), 'org,legal_rep', r.cert_kinds),
        IF(r.material = 'authorisation_letter', 0, r.required),
        r.ink_min, r.sharp_min, r.paper_min, r.area_min, r.seal, r.qr_form, r.pages
 FROM channels c JOIN material_rules r ON r.channel_id = 0 WHERE c.code = 'netca-gd';
