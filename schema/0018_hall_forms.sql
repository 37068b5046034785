-- How a hall takes its paper: when scans may come, and what its application form holds.
-- 004 "法人核验反馈结果界面显示“认证成功”后，才能上传资料提交申请": a hall whose scans wait for the
-- organisation's check to pass.
ALTER TABLE channels
  ADD COLUMN uploads_after_verify TINYINT(1) NOT NULL DEFAULT 0;

-- 001's application form carries "申请单位法定代表人授权委托及单位声明" itself: no separate letter.
ALTER TABLE channels
  ADD COLUMN form_lr_clause TINYINT(1) NOT NULL DEFAULT 0;
