-- The five halls of the reference guides (shared/reference/guides/), as demo channels.
INSERT IGNORE INTO channels (code, name, ca_name, flow, review_days_min, review_days_max, guide) VALUES
  ('cecep', '中国节能环保集团电子采购平台 数字证书网上营业厅', '北京数字认证股份有限公司 (BJCA)', 'pay_first', 3, 5, '000'),
  ('szca', '深圳CA 数字证书网上营业厅', '深圳市电子商务安全证书管理有限公司 (SZCA)', 'pay_first', 3, 3, '001'),
  ('bjca-zycg', '中央政府采购 数字证书网上营业厅', '北京数字认证股份有限公司 (BJCA)', 'pay_first', 3, 5, '002'),
  ('netca-gd', '广东省政府采购 数字证书网上营业厅', '广东省电子商务认证有限公司 (NETCA)', 'pay_first', 3, 5, '003'),
  ('jxca-js', '江西省建设项目 数字证书网上营业厅', '江西省数字证书有限公司 (JXCA)', 'two_stage', 3, 5, '004');

-- What each hall offers, per its guide (comma lists; shared/order.c and fcgi-apps/wizard/catalog.c
-- name the codes). Runs on every seed: the guides are the source of these demo channels. Where a
-- guide says nothing about a list, the list keeps its default (schema/0006_wizard.sql).

-- cecep (000). Businesses: the page is the 证书补办 part of a wider 业务办理指南 and says nothing
-- of the others: default. Kinds: only "单位证书补办流程" is described, and the hall is BJCA's,
-- which sells 【单位证书】 only online (002). Verification: "【企业对公打款认证】、【法定代表人手机号
-- 认证】、【法定代表人银行卡信息认证】、【法定代表人刷脸认证】四种方式"; handler: "【经办人手机实名认证】、
-- 【经办人银行卡信息认证】、【经办人实人人脸认证】三种方式" (both the defaults). Payment and mail-in:
-- not mentioned: default.
UPDATE channels SET
  kinds = 'org',
  verify_methods = 'transfer,lr_mobile,lr_card,lr_face',
  handler_methods = 'mobile,card,face'
WHERE code = 'cecep';

-- szca (001). Businesses: 介质遗失补办, and 证书新办 in its order list; silent on the rest: default.
-- Kinds: the form's "证书类型 机构个人证书", and "机构证书PIN码……个人证书PIN码" name all three.
-- Verification: the only choice is "认证方式 ● 银行金融认证" (the CA's 0.01 transfer to the basic
-- account, "金融认证"). Handler: "经办人扫描二维码，在线上传身份证件并完成活体认证" (face only).
-- Payment: "支付方式: 支付平台 对公账号付款", "支付宝 微信支付" (no counter). Mail-in: a failed
-- financial check is redone online ("点击“金融认证”按钮，重新填写正确的单位基本账户信息"), no paper route.
UPDATE channels SET
  kinds = 'org,legal_rep,person',
  verify_methods = 'transfer',
  handler_methods = 'face',
  pay_methods = 'wechat,alipay,transfer',
  mail_in = 0
WHERE code = 'szca';

-- bjca-zycg (002). Businesses: 新办, 更新, 丢失补办, 信息变更, 解锁, 吊销, 损坏补办 shown; 新增 not
-- mentioned: default (all). Kinds: "注册成功后登陆平台申请办理【单位证书】" (org only). Verification:
-- the four enterprise methods and the three handler methods of 2.2 and 2.3 (defaults). Payment:
-- "请您使用微信或支付宝进行支付" (2.6) and "订单支持微信和支付宝支付" (renewal 2.5). Mail-in: "提供纸质
-- 材料，转为线下邮寄，跳转至【线下邮寄】流程" (2.2.2).
UPDATE channels SET
  businesses = 'new,add,renew,lost,damaged,change,unlock,revoke',
  kinds = 'org',
  verify_methods = 'transfer,lr_mobile,lr_card,lr_face',
  handler_methods = 'mobile,card,face',
  pay_methods = 'wechat,alipay',
  mail_in = 1
WHERE code = 'bjca-zycg';

-- netca-gd (003). Businesses: 新申请, "增加机构数字证书个数" (add), 续期, 变更, 丢失或损坏补办, 解锁,
-- 注销: all eight. Kinds: "机构数字证书", "法人代表数字证书", "自然人(个人)数字证书". Verification
-- methods: not described: default. Payment: "公对公转账", "在线支付宝扫码支付或对公转账", "支付方式:
-- 现场缴费或提前汇款" (no WeChat). Mail-in: "带齐纸质资料和付款凭证前往前台办理/或者选择邮寄给CA机构
-- 网证通"; "1、邮寄办理".
UPDATE channels SET
  businesses = 'new,add,renew,lost,damaged,change,unlock,revoke',
  kinds = 'org,legal_rep,person',
  pay_methods = 'alipay,transfer,counter',
  mail_in = 1,
  -- 003 续期: "证书过期前90天内" online; "证书已过有效期的，需要准备资料线下办理".
  renew_expired_online = 0
WHERE code = 'netca-gd';

-- jxca-js (004), two-stage. Businesses: "补办申请" is one of several applications; the others are
-- not described: default. Kinds: accounts register by USCC only ("注册时将使用统一社会信用代码作为
-- 登录名"), so no personal certificates; the seal sheet takes the unit seal and "法人章". Enterprise
-- verification: "法人核验：法人授权委托书中所含二维码已绑定系统中订单号，请扫描二维码，由法人亲自刷脸
-- 完成核验" (legal representative's face by QR, and nothing else). Handler and payment: not
-- described: default. Mail-in: the paper is always mailed after the pre-review ("邮寄纸质资料"), and
-- the face check "认证成功后，才能上传资料提交申请": no fallback to switch to.
UPDATE channels SET
  kinds = 'org,legal_rep',
  verify_methods = 'lr_face',
  mail_in = 0
WHERE code = 'jxca-js';
