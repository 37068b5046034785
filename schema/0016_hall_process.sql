-- Each hall's own process, as its configuration (the admin edits it), not as code.
--   paper_businesses: the businesses whose signed paper originals (and the key, where the
--     business needs it) are mailed to the hall, which reviews them on arrival, after payment
--     (003 "必须等纸质资料寄达，并且汇款到账才能办理"; 002 吊销 by mail).
--   counter_businesses: the businesses done only at the hall's counter (003 注销 "现场办理"):
--     shown with the counter's address, never opened as an online order.
--   seal_change_online: 0 when a change of the seal needs the key sent in (002 "目前不支持在线
--     变更签章，如需变更签章，请您至现场或邮寄介质到受理点").
--   unlock_auto: an unlock is approved without a reviewer when its handler is the one of the
--     certificate's previous order (003 "如经办人信息与上笔业务的经办人信息相符合,可自动审核").
ALTER TABLE channels
  ADD COLUMN paper_businesses VARCHAR(100) CHARACTER SET ascii NOT NULL DEFAULT '',
  ADD COLUMN counter_businesses VARCHAR(100) CHARACTER SET ascii NOT NULL DEFAULT '',
  ADD COLUMN seal_change_online TINYINT(1) NOT NULL DEFAULT 1,
  ADD COLUMN unlock_auto TINYINT(1) NOT NULL DEFAULT 0;

-- The order's paper originals are mailed and it waits for them (paper_businesses, or a seal
-- change where that is not online); unlike mail_in, the scans are uploaded as well.
ALTER TABLE orders
  ADD COLUMN paper_mail TINYINT(1) NOT NULL DEFAULT 0 AFTER mail_in;
