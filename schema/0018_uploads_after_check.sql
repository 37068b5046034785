-- 004 "法人核验反馈结果界面显示“认证成功”后，才能上传资料提交申请": a hall whose scans wait for the
-- organisation's check to pass.
ALTER TABLE channels
  ADD COLUMN uploads_after_verify TINYINT(1) NOT NULL DEFAULT 0;
