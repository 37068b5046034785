-- 004: "法人核验：法人授权委托书中所含二维码已绑定系统中订单号，请扫描二维码，由法人亲自刷脸完成核验。"
-- A hall whose letter always carries the legal representative's face-check QR bound to its
-- order (GET /api/wizard/face, fcgi-apps/wizard/face.c), printed whether or not a check is
-- pending then; elsewhere the letter carries a pending check's own link, when there is one.
ALTER TABLE channels
  ADD COLUMN letter_face_qr TINYINT(1) NOT NULL DEFAULT 0
  COMMENT '1: the authorisation letter always prints the order-bound face-check QR (004)';
UPDATE channels SET letter_face_qr = 1 WHERE code = 'jxca-js';
