-- 0027: two hall settings, each from its guide: the face-check QR on 004's authorisation letter, and
-- what 003's offline renewal of an expired certificate mails.

-- 004: "法人核验：法人授权委托书中所含二维码已绑定系统中订单号，请扫描二维码，由法人亲自刷脸完成核验。"
-- A hall whose letter always carries the legal representative's face-check QR bound to its
-- order (GET /api/wizard/face, fcgi-apps/wizard/face.c), printed whether or not a check is
-- pending then; elsewhere the letter carries a pending check's own link, when there is one.
ALTER TABLE channels
  ADD COLUMN letter_face_qr TINYINT(1) NOT NULL DEFAULT 0
  COMMENT '1: the authorisation letter always prints the order-bound face-check QR (004)';
UPDATE channels SET letter_face_qr = 1 WHERE code = 'jxca-js';

-- 003 "证书已过有效期的，需要准备资料线下办理，可以快递或者现场办理", "按照“三、申请材料”准备材料，快递到
-- 网证通": what the mailed renewal of an expired certificate holds besides the scans (the key and the
-- transfer voucher among them), in the hall's words, shown with its paper address.
ALTER TABLE channels
  ADD COLUMN paper_renew_items VARCHAR(500) NOT NULL DEFAULT ''
  COMMENT 'what an expired certificate''s renewal mails (003 三、申请材料), zh-CN';
UPDATE channels SET paper_renew_items =
  '按照“三、申请材料”准备材料，快递到网证通：1)数字证书及电子印章申请表，一式两份，经办人签名，需加盖公章；2)企业提供“三证合一”《营业执照副本》、事业单位提供《事业单位法人证书副本》复印件一份，需加盖公章；3)经办人身份证复印件一份，需加盖公章；4)法人代表数字证书须提供申请人本人身份证复印件一份，需加盖公章；5)需要续期的电子密匙(数字证书存储介质，外型像U盘)；6)汇款凭证复印件一份。'
  WHERE code = 'netca-gd' AND paper_renew_items = '';
