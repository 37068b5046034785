-- A database seeded before 0028–0030 keeps its rows (the seeds only add): what those changes
-- meant for the demo halls, applied once here.
-- 004 prints no review time ("我们将在大约2个工作日制作证书" is the making): 0028 added the flag on.
UPDATE channels SET review_days_public = 0 WHERE code = 'jxca-js';
-- 001's failed financial check had the provider template code of order_submitted_open.
UPDATE message_templates SET provider_template = 'SMS_000000013'
  WHERE channel = 'sms' AND event = 'fin_check_failed' AND provider_template = 'SMS_000000012';
