-- The five halls of the reference guides (shared/reference/guides/), as demo channels: what each
-- offers (comma lists; shared/domain/order.c and fcgi-apps/wizard/catalog.c name the codes), where
-- its payments and paper go. INSERT IGNORE: the hall's admin edits them (the admin routes) and
-- every later seed leaves the edits alone. Where a guide says nothing of a column, it keeps the
-- default of schema/0006_wizard.sql. Desk accounts marked 演示 are made up (their bank names say
-- so); a CA puts its real accounts here before going live.
INSERT IGNORE INTO channels (code, name, ca_name, flow, review_days_min, review_days_max, guide,
  businesses, kinds, verify_methods, handler_methods, pay_methods, mail_in, renew_expired_online,
  desk_payee, desk_bank, desk_account, desk_memo, desk_address, desk_hours, desk_phone,
  paper_org, paper_recipient, paper_address, paper_phone, paper_note,
  paper_businesses, counter_businesses, seal_change_online, unlock_auto,
  invoice_when, invoice_via, invoice_promise, invoice_purpose, uploads_after_verify,
  form_lr_clause, letter_face_qr, paper_renew_items, fin_after_approval, review_days_public,
  change_items, desk_only_businesses, seal_sheet_lr, person_self, invoice_title_edit) VALUES
-- cecep (000). The page is the 证书补办 part of a wider 业务办理指南; its steps (①选择核验方式 ……
-- ⑤资料上传) are BJCA's hall's (002), whose businesses it offers. Kinds: only "单位证书补办流程".
-- Verification: "【企业对公打款认证】、【法定代表人手机号认证】、【法定代表人银行卡信息认证】、【法定代表人
-- 刷脸认证】四种方式"; handler: "【经办人手机实名认证】、【经办人银行卡信息认证】、【经办人实人人脸认证】".
-- Payment: not mentioned (default). Mail-in: the guide has no paper route and no address to mail to.
  ('cecep', '中国节能环保集团电子采购平台 数字证书网上营业厅', '北京数字认证股份有限公司 (BJCA)', 'pay_first', 3, 5, '000',
   'new,renew,lost,damaged,change,unlock,revoke', 'org', 'transfer,lr_mobile,lr_card,lr_face', 'mobile,card,face',
   'wechat,alipay,transfer,counter', 0, 1,
   '北京数字认证股份有限公司', '演示银行北京海淀支行（演示账户）', '6200 0000 0000 0000 001', '',
   '北京市海淀区（演示地址）', '周一至周五 9:00-12:00，13:30-17:00（节假日除外）', '010-00000000',
   '', '', '', '', '',
   '', '', 1, 0,
   -- 000 says only "发票抬头默认为证书申请单位": its invoices are 002's.
   'paid', 'email', '24小时内', '', 0, 0, 0, '', 0, 1, 'name,address,seal,handler', '', 0, 0, 0),
-- szca (001). Businesses: 介质遗失补办, and 证书新办 in its order list; silent on the rest (default).
-- Kinds: "证书类型 机构个人证书", "机构证书PIN码……个人证书PIN码". Verification: "认证方式 ● 银行金融认证";
-- handler: "经办人扫描二维码，在线上传身份证件并完成活体认证" (face). Payment: "支付平台 对公账号付款",
-- "支付宝 微信支付". Mail-in: a failed financial check is redone online: no paper route.
  ('szca', '深圳CA 数字证书网上营业厅', '深圳市电子商务安全证书管理有限公司 (SZCA)', 'pay_first', 3, 3, '001',
   'new,add,renew,lost,damaged,change,unlock,revoke', 'org,legal_rep,person', 'transfer', 'face',
   'wechat,alipay,transfer', 0, 1,
   '深圳市电子商务安全证书管理有限公司', '演示银行深圳南山支行（演示账户）', '6200 0000 0000 0000 002', '',
   '深圳市南山区（演示地址）', '周一至周五 9:00-12:00，14:00-17:30（节假日除外）', '0755-00000000',
   '', '', '', '', '',
   '', '', 1, 0,
   -- "证书申请通过后，电子发票链接会发送至经办人手机或电子邮箱"; "发票用途: * 介质服务费".
   'approved', 'both', '申请通过后', '介质服务费', 0,
   -- "申请单位法定代表人授权委托及单位声明" inside the form; the handler's ID at the face check.
   1, 0, '',
   -- "深圳 CA 审核成功后 SZCA 将向申请单位对公账户打款 0.01 元，并下发证书 PIN 码".
   1, 1, 'name,address,seal,handler', '', 0, 0,
   -- "* 发票抬头 发票名称请完整填写".
   1),
-- bjca-zycg (002). Businesses: 新办, 更新, 丢失补办, 损坏补办, 信息变更, 解锁, 吊销; it never mentions
-- 新增 (add). Kinds: "注册成功后登陆平台申请办理【单位证书】". Payment: "请您使用微信或支付宝进行支付".
-- Mail-in: "提供纸质材料，转为线下邮寄，跳转至【线下邮寄】流程", to "邮寄地址：北京市西城区裕民东路3号京版信息港
-- 一层（100029） 收件人：中共中央直属采购中心渠道 在线受理点 王明明 电话：010-58515511".
  ('bjca-zycg', '中央政府采购 数字证书网上营业厅', '北京数字认证股份有限公司 (BJCA)', 'pay_first', 3, 5, '002',
   'new,renew,lost,damaged,change,unlock,revoke', 'org', 'transfer,lr_mobile,lr_card,lr_face', 'mobile,card,face',
   'wechat,alipay', 1, 1,
   '北京数字认证股份有限公司', '演示银行北京海淀支行（演示账户）', '6200 0000 0000 0000 003', '',
   '北京市海淀区（演示地址）', '周一至周五 9:00-12:00，13:30-17:00（节假日除外）', '010-00000000',
   '北京数字认证股份有限公司', '中共中央直属采购中心渠道 在线受理点 王明明', '北京市西城区裕民东路3号京版信息港一层（100029）',
   '010-58515511', '',
   -- 吊销 "现场办理" or "邮寄办理"; a seal is not changed online.
   'revoke', '', 0, 0,
   -- "电子发票将在24小时内发送至您的邮箱".
   'paid', 'email', '24小时内', '', 0, 0, 0, '', 0, 1,
   -- "证书信息变更业务支持用户在线修改证书的单位名称，修改经办人信息，目前不支持在线变更签章" (the seal
   -- by mail, above); the address is not among them.
   'name,seal,handler', '', 0, 0, 0),
-- netca-gd (003). Businesses: all eight ("增加机构数字证书个数" is add). Kinds: 机构, 法人代表, 自然人(个人).
-- Payment: "公对公转账", "在线支付宝扫码支付或对公转账", "现场缴费或提前汇款" (no WeChat). Renewal: "证书已过
-- 有效期的，需要准备资料线下办理". Desk: "五、收款账号 开户名:广东省电子商务认证有限公司 开户行:中信银行
-- 广州花园支行 账 号:7443 9001 8260 0096 874 备注:请在汇款备注或款项用途注明“办理广东政府采购智慧云CA”";
-- counter "广州市越秀区青龙坊38号首层101房 营业时间:8:30 - 12:00 14:00 - 17:00 (周一至周五,节假日除外)
-- 客服热线:020-89524338". Paper: "收件单位:广东省电子商务认证有限公司 收 件 人:蔡先生 收件地址:广州市海珠区
-- 海洲路38号东升云鼎大厦5楼 联系电话:4008301330"; "注意:不接收挂号信".
  ('netca-gd', '广东省政府采购 数字证书网上营业厅', '广东省电子商务认证有限公司 (NETCA)', 'pay_first', 3, 3, '003',
   'new,add,renew,lost,damaged,change,unlock,revoke', 'org,legal_rep,person', 'transfer,lr_mobile,lr_card,lr_face',
   'mobile,card,face', 'alipay,transfer,counter', 1, 0,
   '广东省电子商务认证有限公司', '中信银行广州花园支行', '7443 9001 8260 0096 874', '办理广东政府采购智慧云CA',
   '广州市越秀区青龙坊38号首层101房', '8:30 - 12:00 14:00 - 17:00 (周一至周五,节假日除外)', '020-89524338',
   '广东省电子商务认证有限公司', '蔡先生', '广州市海珠区海洲路38号东升云鼎大厦5楼', '4008301330', '不接收挂号信',
   -- New, replacement and change: "快递材料到网证通", "必须等纸质资料寄达"; 增加 and online 续期 and 解锁
   -- stay online; 注销 "现场办理" only; 解锁 "如经办人信息与上笔业务的经办人信息相符合,可自动审核".
   'new,lost,damaged,change', 'revoke', 1, 1,
   -- "电子发票1~2个工作日发送到经办人手机".
   'paid', 'sms', '1~2个工作日内', '', 0, 0, 0,
   -- 续期 "2、线下办理 证书已过有效期的，需要准备资料线下办理……所需材料请看“三、申请材料”".
   '按照“三、申请材料”准备材料，快递到网证通：1)数字证书及电子印章申请表，一式两份，经办人签名，需加盖公章；2)企业提供“三证合一”《营业执照副本》、事业单位提供《事业单位法人证书副本》复印件一份，需加盖公章；3)经办人身份证复印件一份，需加盖公章；4)法人代表数字证书须提供申请人本人身份证复印件一份，需加盖公章；5)需要续期的电子密匙(数字证书存储介质，外型像U盘)；6)汇款凭证复印件一份。', 0, 1,
   -- "单位名称(证书主题)、单位法定地址及印章发生变化时"; Alipay only where it is named: "增加机构数字证书
   -- 个数 …③在线支付宝扫码支付或对公转账"; the others "公对公转账", "现场缴费或提前汇款".
   'name,address,seal,handler', 'new,renew,lost,damaged,change,unlock,revoke', 0,
   -- 自然人: "申请人签名", "本人身份证复印件", "需要申请人本人带材料到现场办理": the holder is the handler.
   1, 0),
-- jxca-js (004), two-stage. Businesses: "补办申请" is one of several applications; the others are
-- not described (default). Kinds: accounts register by USCC only; the seal sheet takes the unit seal
-- and "法人章". Verification: "由法人亲自刷脸完成核验" (lr_face only). Mail-in: the paper is always
-- mailed after the pre-review; no fallback. The guide prints no address for the paper: the demo says so.
  ('jxca-js', '江西省建设项目 数字证书网上营业厅', '江西省数字证书有限公司 (JXCA)', 'two_stage', 3, 5, '004',
   'new,add,renew,lost,damaged,change,unlock,revoke', 'org,legal_rep', 'lr_face', 'mobile,card,face',
   'wechat,alipay,transfer,counter', 0, 1,
   '江西省数字证书有限公司', '演示银行南昌支行（演示账户）', '6200 0000 0000 0000 005', '',
   '南昌市（演示地址）', '周一至周五 9:00-12:00，14:00-17:30（节假日除外）', '0791-00000000',
   '江西省数字证书有限公司', '证书受理部（演示）', '南昌市（演示地址：以江西CA公布的收件地址为准）', '0791-00000000',
   '建议选择顺丰快递邮寄纸质资料；邮寄后请登录系统上传快递单号',
   '', '', 1, 0,
   -- "证书发票将在证书制作后3个工作日内发送至发票接收人邮箱".
   'made', 'email', '证书制作后3个工作日内', '',
   -- "法人核验反馈结果界面显示“认证成功”后，才能上传资料提交申请".
   1, 0,
   -- "法人授权委托书中所含二维码已绑定系统中订单号，请扫描二维码，由法人亲自刷脸完成核验".
   1, '', 0,
   -- It prints no review time (only "我们将在大约2个工作日制作证书"): applicants are promised none.
   0,
   'name,address,seal,handler', '',
   -- The seal sheet: "按项目印章要求在空白格内加盖相应的印模 …④法人章为在公安系统有备案红色方章".
   1, 0, 0);
