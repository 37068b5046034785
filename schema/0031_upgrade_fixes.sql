-- A database seeded before 0028–0030 keeps its rows (the seeds only add): what those changes
-- meant for the demo halls, applied once here.
-- 004 prints no review time ("我们将在大约2个工作日制作证书" is the making): 0028 added the flag on.
UPDATE channels SET review_days_public = 0 WHERE code = 'jxca-js';
-- 001's failed financial check had the provider template code of order_submitted_open.
UPDATE message_templates SET provider_template = 'SMS_000000013'
  WHERE channel = 'sms' AND event = 'fin_check_failed' AND provider_template = 'SMS_000000012';
-- 0028 copied 0006's one generic text to every hall, and the seeds only add, so a hall kept a
-- text its guide does not support (a review time, a renewal window, how the PIN goes). A copy
-- nobody edited (the very bytes of 0006's seed) and nobody accepted gives way: the seed then
-- loads that hall's own text under the same version. A copy an applicant accepted stays
-- readable, and current until the hall's admin publishes the hall's text.
DELETE a FROM agreements a
  WHERE a.version = '2026.1'
    AND SHA2(a.body, 256) IN ('bfd404d0c32c860bfd905d8e47277bff6f47eb16ec8eff9e68c644dae6ac854b',
                              '9965397b4bc95c6eda21f4ebe23854dc18ad9a65f7d362f63d8e09dd5e29455a')
    AND NOT EXISTS (SELECT 1 FROM agreement_acceptances x
                    WHERE x.channel_id = a.channel_id AND x.code = a.code AND x.version = a.version);
