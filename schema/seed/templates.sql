-- zh-CN message texts per channel and event. Safe to load again: existing rows are kept, so a
-- CA's edited texts survive.
INSERT IGNORE INTO message_templates (channel, event, provider_template, params, subject, body) VALUES
 ('sms', 'sms_code', 'SMS_000000001', 'code,minutes,purpose', '',
  '您的验证码为{code}，{minutes}分钟内有效，用于{purpose}。请勿将验证码告诉他人。'),
 ('sms', 'order_submitted', 'SMS_000000002', 'order_no,business,days', '',
  '您的订单{order_no}（{business}）已提交，我们将在{days}个工作日内完成审核，结果将以短信通知。'),
 ('sms', 'order_rejected', 'SMS_000000003', 'order_no,reason', '',
  '您的订单{order_no}审核未通过，原因：{reason}。请登录网上营业厅修改后重新提交。'),
 ('sms', 'order_approved', 'SMS_000000004', 'order_no,pin_hint', '',
  '您的订单{order_no}已审核通过。{pin_hint}'),
 ('sms', 'payment_confirmed', 'SMS_000000005', 'order_no,amount', '',
  '您的订单{order_no}已支付成功，金额{amount}元。'),
 ('sms', 'shipped', 'SMS_000000006', 'order_no,carrier,waybill', '',
  '您的订单{order_no}证书已寄出，{carrier}运单号{waybill}，可在网上营业厅查询物流。'),
 ('sms', 'pin_notice', 'SMS_000000007', 'order_no,pin', '',
  '您的订单{order_no}证书PIN码为{pin}，请妥善保管，切勿告诉他人。'),
 ('email', 'order_submitted', '', 'order_no,business,days', '订单{order_no}已提交',
  '您好：\n\n您的订单{order_no}（{business}）已提交，我们将在{days}个工作日内完成审核。\n\n数字证书网上营业厅'),
 ('email', 'order_rejected', '', 'order_no,reason', '订单{order_no}审核未通过',
  '您好：\n\n您的订单{order_no}审核未通过，原因：{reason}。\n请登录网上营业厅修改后重新提交。\n\n数字证书网上营业厅'),
 ('email', 'order_approved', '', 'order_no,pin_hint', '订单{order_no}已审核通过',
  '您好：\n\n您的订单{order_no}已审核通过。{pin_hint}\n\n数字证书网上营业厅'),
 ('email', 'payment_confirmed', '', 'order_no,amount', '订单{order_no}支付成功',
  '您好：\n\n您的订单{order_no}已支付成功，金额{amount}元。\n\n数字证书网上营业厅'),
 ('email', 'shipped', '', 'order_no,carrier,waybill', '订单{order_no}证书已寄出',
  '您好：\n\n您的订单{order_no}证书已寄出，{carrier}运单号{waybill}。\n\n数字证书网上营业厅');

-- The same at a hall whose guide prints no review time (004: channels.review_days_public = 0):
-- no promise of days it never gave.
INSERT IGNORE INTO message_templates (channel, event, provider_template, params, subject, body) VALUES
 ('sms', 'order_submitted_open', 'SMS_000000012', 'order_no,business', '',
  '您的订单{order_no}（{business}）已提交，审核结果将以短信通知。'),
 ('email', 'order_submitted_open', '', 'order_no,business', '订单{order_no}已提交',
  '您好：\n\n您的订单{order_no}（{business}）已提交，审核完成后将通知您。\n\n数字证书网上营业厅');

-- The face check link for the legal representative or handler (fcgi-apps/wizard/verify_start.c).
INSERT IGNORE INTO message_templates (channel, event, provider_template, params, subject, body) VALUES
 ('sms', 'verify_face', 'SMS_000000008', 'order_no,link', '',
  '您正在为订单{order_no}办理身份核验，请用本机打开链接完成刷脸及活体验证：{link}。如非本人操作，请忽略本短信。'),
 -- The invoice as its hall issues it (channels.invoice_*): only when one was asked for.
 ('sms', 'invoice_issued', 'SMS_000000011', 'order_no,title,purpose,amount,taxpayer_no,promise', '',
  '您的订单{order_no}的电子发票（抬头：{title}，{purpose}{amount}元）已申请开具，将于{promise}发送，请注意查收。'),
 ('email', 'invoice_issued', '', 'order_no,title,purpose,amount,taxpayer_no,promise', '订单{order_no}电子发票开具通知',
  '您好：\n\n您的订单{order_no}的电子发票已申请开具，将于{promise}发送。\n发票抬头：{title}\n纳税人识别号：{taxpayer_no}\n发票用途：{purpose}\n金额：{amount}元\n\n数字证书网上营业厅');

-- 001 金融认证: the 0.01 transfer to the basic account was refused (fcgi-apps/review, shared/domain/fincheck.c).
INSERT IGNORE INTO message_templates (channel, event, provider_template, params, subject, body) VALUES
 ('sms', 'fin_check_failed', 'SMS_000000013', 'order_no', '',
  '您的订单{order_no}金融认证失败：向单位基本户的 0.01 元打款未能入账。请登录网上营业厅，在“我的业务单”中点击“金融认证”，重新填写正确的单位基本账户信息后提交。');

-- 002 证书解锁: the authorisation with its one-time link (shared/domain/unlock.c). The link is a
-- secret: sealed in its outbox row and blanked once sent, as a PIN is.
INSERT IGNORE INTO message_templates (channel, event, provider_template, params, subject, body) VALUES
 ('sms', 'unlock_authorised', 'SMS_000000014', 'order_no,link,days', '',
  '您的订单{order_no}证书解锁已获授权，请在{days}天内用电脑打开链接，按页面提示插入介质输入解锁请求码并重置PIN码：{link}'),
 ('email', 'unlock_authorised', '', 'order_no,link,days', '订单{order_no}证书解锁授权',
  '您好：\n\n您的订单{order_no}证书解锁已获授权。请在{days}天内，在插有证书介质（USB-Key）的电脑上打开以下链接，按页面提示输入证书助手显示的解锁请求码，获取解锁码并重置PIN码：\n\n{link}\n\n该链接仅可使用一次，请勿转发他人。\n\n数字证书网上营业厅');

-- Expiry reminders (certhall-admin remind, shared/domain/remind.c): 90, 30 and 7 days before,
-- each once, with the link that opens a renewal of that certificate.
INSERT IGNORE INTO message_templates (channel, event, provider_template, params, subject, body) VALUES
 ('sms', 'cert_expiry', 'SMS_000000141', 'serial,holder,not_after,days,link', '',
  '您的数字证书（{holder}，序列号{serial}）将于{not_after}到期，剩余{days}天。请在到期前办理证书更新：{link}'),
 ('email', 'cert_expiry', '', 'serial,holder,not_after,days,link', '数字证书将于{not_after}到期',
  '您好：\n\n您的数字证书（{holder}，序列号{serial}）将于{not_after}到期，剩余{days}天。\n请在到期前登录网上营业厅办理证书更新：\n{link}\n\n证书已更新或已注销的，请忽略本邮件。\n\n数字证书网上营业厅');

-- An order past its hall's review promise, to the hall's admins (certhall-admin escalate).
INSERT IGNORE INTO message_templates (channel, event, provider_template, params, subject, body) VALUES
 ('email', 'order_overdue', '', 'order_no,hall,business,submitted,waited,promise,link', '订单{order_no}已超过审核时限',
  '您好：\n\n{hall}的订单{order_no}（{business}）于{submitted}提交，已等待{waited}个工作日，超过承诺的{promise}个工作日审核时限，请尽快安排审核。\n查看订单：{link}\n\n数字证书网上营业厅');

-- 002 损坏补办 "用户损坏补办时需携带原有数字证书介质USBkey进行检测鉴定": a signed damaged order
-- waits for the old key (fcgi-apps/wizard/sign.c).
INSERT IGNORE INTO message_templates (channel, event, provider_template, params, subject, body) VALUES
 ('sms', 'key_requested', 'SMS_000000015', 'order_no,business', '',
  '您的订单{order_no}（{business}）已提交。请将原证书介质（USBKey）寄回检测，并在网上营业厅填写快递运单号，检测结果将以短信通知。'),
 ('email', 'key_requested', '', 'order_no,business', '订单{order_no}已提交，请寄回原证书介质',
  '您好：\n\n您的订单{order_no}（{business}）已提交。请将原证书介质（USBKey）寄回检测，并在网上营业厅填写快递运单号，检测结果将以邮件和短信通知。\n\n数字证书网上营业厅');

-- An organisation account set aside: the company proved the USCC it had claimed first
-- (shared/domain/subject.c). It keeps its login by mobile.
INSERT IGNORE INTO message_templates (channel, event, provider_template, params, subject, body) VALUES
 ('sms', 'uscc_released', 'SMS_000000016', 'uscc,mobile', '',
  '您的账号登记的统一社会信用代码{uscc}已由该单位通过企业身份核验认领，本账号不再以该代码登录，也不能查看或办理该单位的证书。您仍可用手机号{mobile}登录。如有疑问请联系客服。');
