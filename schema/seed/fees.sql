-- What each demo hall charges (schema/0014_hall.sql fees), one row per business and certificate
-- kind, each quoting its guide (shared/reference/guides/). INSERT IGNORE: a hall's own edits
-- (the admin routes) survive every seed. Where a guide names no price, the demo price is the
-- closest hall's that states one, and the row says so; no number here is invented.

-- ---- bjca-zycg (002): org certificates only ("申请办理【单位证书】").
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'new', 'org', 'priced', 1, 'cert_set', '数字证书（每套）', 26000, NULL, NULL, NULL, 1, 0, 0,
    '002 "证书费用：260元/套"; "证书有效期为一年"', NOW(3) FROM channels WHERE code = 'bjca-zycg';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'renew', 'org', 'priced', 1, NULL, NULL, NULL, 'annual_service', '证书年服务费', 18000, 1, 0, 0,
    '002 "使用原有证书介质USBkey，只收取证书年服务费用180元/张"; "新证书有效期在旧证书截止日期的基础上顺延一年"', NOW(3) FROM channels WHERE code = 'bjca-zycg';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'lost', 'org', 'priced', 5, 'media', '证书介质费（USBKey）', 8000, NULL, NULL, NULL, 1, 0, 0,
    '002 "证书丢失补办只收取证书介质费用80元/个，不收取证书服务费"', NOW(3) FROM channels WHERE code = 'bjca-zycg';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'damaged', 'org', 'priced', 5, 'media', '证书介质费（USBKey）', 8000, NULL, NULL, NULL, 1, 1, 0,
    '002 "只收取证书介质费用80元/个，不收取证书服务费"; "属于质量问题并在质保期内的可以免费办理"', NOW(3) FROM channels WHERE code = 'bjca-zycg';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'unlock', 'org', 'free', 5, 'unlock', '证书解锁（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '002 "证书解锁业务免费办理"', NOW(3) FROM channels WHERE code = 'bjca-zycg';

-- 002 prints no fee for change and revocation: the demo price is 003's (free), the closest hall that states one.
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'change', 'org', 'free', 5, 'change', '信息变更（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '002 states no fee for 信息变更: demo price borrowed from 003 变更 "三、收费标准 免费" (the closest hall that states one)', NOW(3) FROM channels WHERE code = 'bjca-zycg';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'revoke', 'org', 'free', 5, 'revoke', '证书注销（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '002 states no fee for 证书吊销: demo price borrowed from 003 注销 "三、收费标准 免费。" (the closest hall that states one)', NOW(3) FROM channels WHERE code = 'bjca-zycg';

-- ---- netca-gd (003): "所有证书均可办理1~5年".
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'new', 'org', 'priced', 5, 'first_year', '首年证书费（含介质费200元）', 60000, 'further_year', '次年起证书年费', 40000, 2, 0, 0,
    '003 "机构数字证书:首年:600元/张(包含介质费200元) 次年:400元/年/张"', NOW(3) FROM channels WHERE code = 'netca-gd';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'new', 'legal_rep', 'priced', 5, 'first_year', '首年证书费（含介质费200元）', 36000, 'further_year', '次年起证书年费', 16000, 2, 0, 0,
    '003 "法人代表数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张"; "自然人(个人)数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张"', NOW(3) FROM channels WHERE code = 'netca-gd';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'new', 'person', 'priced', 5, 'first_year', '首年证书费（含介质费200元）', 36000, 'further_year', '次年起证书年费', 16000, 2, 0, 0,
    '003 "法人代表数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张"; "自然人(个人)数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张"', NOW(3) FROM channels WHERE code = 'netca-gd';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'add', 'org', 'priced', 5, 'first_year', '首年证书费（含介质费200元）', 60000, 'further_year', '次年起证书年费', 40000, 2, 0, 0,
    '003 "机构数字证书:首年:600元/张(包含介质费200元) 次年:400元/年/张"', NOW(3) FROM channels WHERE code = 'netca-gd';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'add', 'legal_rep', 'priced', 5, 'first_year', '首年证书费（含介质费200元）', 36000, 'further_year', '次年起证书年费', 16000, 2, 0, 0,
    '003 "法人代表数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张"; "自然人(个人)数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张"', NOW(3) FROM channels WHERE code = 'netca-gd';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'add', 'person', 'priced', 5, 'first_year', '首年证书费（含介质费200元）', 36000, 'further_year', '次年起证书年费', 16000, 2, 0, 0,
    '003 "法人代表数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张"; "自然人(个人)数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张"', NOW(3) FROM channels WHERE code = 'netca-gd';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'renew', 'org', 'priced', 5, NULL, NULL, NULL, 'renew_year', '证书续期年费', 40000, 1, 0, 0,
    '003 续期 "四、收费标准 机构数字证书: 400元/年/张"', NOW(3) FROM channels WHERE code = 'netca-gd';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'renew', 'legal_rep', 'priced', 5, NULL, NULL, NULL, 'renew_year', '证书续期年费', 16000, 1, 0, 0,
    '003 续期 "法人代表数字证书:160元/年/张"; "自然人(个人)数字证书:160元/年/张"', NOW(3) FROM channels WHERE code = 'netca-gd';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'renew', 'person', 'priced', 5, NULL, NULL, NULL, 'renew_year', '证书续期年费', 16000, 1, 0, 0,
    '003 续期 "法人代表数字证书:160元/年/张"; "自然人(个人)数字证书:160元/年/张"', NOW(3) FROM channels WHERE code = 'netca-gd';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'lost', 'org', 'priced', 5, 'replacement', '补办费用（每次每张）', 20000, NULL, NULL, NULL, 1, 0, 0,
    '003 "证书丢失或损坏时,需要准备资料补办证书"; "费用:200元/次/张"', NOW(3) FROM channels WHERE code = 'netca-gd';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'lost', 'legal_rep', 'priced', 5, 'replacement', '补办费用（每次每张）', 20000, NULL, NULL, NULL, 1, 0, 0,
    '003 "证书丢失或损坏时,需要准备资料补办证书"; "费用:200元/次/张"', NOW(3) FROM channels WHERE code = 'netca-gd';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'lost', 'person', 'priced', 5, 'replacement', '补办费用（每次每张）', 20000, NULL, NULL, NULL, 1, 0, 0,
    '003 "证书丢失或损坏时,需要准备资料补办证书"; "费用:200元/次/张"', NOW(3) FROM channels WHERE code = 'netca-gd';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'damaged', 'org', 'priced', 5, 'replacement', '补办费用（每次每张）', 20000, NULL, NULL, NULL, 1, 0, 0,
    '003 "证书丢失或损坏时,需要准备资料补办证书"; "费用:200元/次/张"', NOW(3) FROM channels WHERE code = 'netca-gd';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'damaged', 'legal_rep', 'priced', 5, 'replacement', '补办费用（每次每张）', 20000, NULL, NULL, NULL, 1, 0, 0,
    '003 "证书丢失或损坏时,需要准备资料补办证书"; "费用:200元/次/张"', NOW(3) FROM channels WHERE code = 'netca-gd';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'damaged', 'person', 'priced', 5, 'replacement', '补办费用（每次每张）', 20000, NULL, NULL, NULL, 1, 0, 0,
    '003 "证书丢失或损坏时,需要准备资料补办证书"; "费用:200元/次/张"', NOW(3) FROM channels WHERE code = 'netca-gd';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'change', 'org', 'free', 5, 'change', '信息变更（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '003 变更 "三、收费标准 免费"', NOW(3) FROM channels WHERE code = 'netca-gd';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'change', 'legal_rep', 'free', 5, 'change', '信息变更（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '003 变更 "三、收费标准 免费"', NOW(3) FROM channels WHERE code = 'netca-gd';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'change', 'person', 'free', 5, 'change', '信息变更（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '003 变更 "三、收费标准 免费"', NOW(3) FROM channels WHERE code = 'netca-gd';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'revoke', 'org', 'free', 5, 'revoke', '证书注销（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '003 注销 "三、收费标准 免费。"', NOW(3) FROM channels WHERE code = 'netca-gd';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'revoke', 'legal_rep', 'free', 5, 'revoke', '证书注销（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '003 注销 "三、收费标准 免费。"', NOW(3) FROM channels WHERE code = 'netca-gd';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'revoke', 'person', 'free', 5, 'revoke', '证书注销（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '003 注销 "三、收费标准 免费。"', NOW(3) FROM channels WHERE code = 'netca-gd';

-- 003 prints no fee for unlock: the demo price is 002's (free).
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'unlock', 'org', 'free', 5, 'unlock', '证书解锁（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '003 states no fee for 解锁: demo price borrowed from 002 "证书解锁业务免费办理" (the closest hall that states one)', NOW(3) FROM channels WHERE code = 'netca-gd';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'unlock', 'legal_rep', 'free', 5, 'unlock', '证书解锁（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '003 states no fee for 解锁: demo price borrowed from 002 "证书解锁业务免费办理" (the closest hall that states one)', NOW(3) FROM channels WHERE code = 'netca-gd';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'unlock', 'person', 'free', 5, 'unlock', '证书解锁（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '003 states no fee for 解锁: demo price borrowed from 002 "证书解锁业务免费办理" (the closest hall that states one)', NOW(3) FROM channels WHERE code = 'netca-gd';

-- ---- szca (001): only 遗失补办 is priced by its guide. The other businesses borrow the demo
-- prices of netca-gd (003), the hall of the same province (Guangdong) that states them, and
-- unlock 002's. The "480.0元" of a "证书新办" in 001's order list has no kind or years: not a price.
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'lost', 'org', 'free', 5, 'replacement', '遗失补办费用', 0, NULL, NULL, NULL, 1, 0, 0,
    '001 "补办费用:	0.00元"; the form "业务类型 迷失补办申请 * 证书金额 0.00元"', NOW(3) FROM channels WHERE code = 'szca';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'lost', 'legal_rep', 'free', 5, 'replacement', '遗失补办费用', 0, NULL, NULL, NULL, 1, 0, 0,
    '001 "补办费用:	0.00元"; the form "业务类型 迷失补办申请 * 证书金额 0.00元"', NOW(3) FROM channels WHERE code = 'szca';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'lost', 'person', 'free', 5, 'replacement', '遗失补办费用', 0, NULL, NULL, NULL, 1, 0, 0,
    '001 "补办费用:	0.00元"; the form "业务类型 迷失补办申请 * 证书金额 0.00元"', NOW(3) FROM channels WHERE code = 'szca';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'new', 'org', 'priced', 5, 'first_year', '首年证书费（含介质费200元）', 60000, 'further_year', '次年起证书年费', 40000, 2, 0, 0,
    '001 states no price: demo price borrowed from 003 "机构数字证书:首年:600元/张(包含介质费200元) 次年:400元/年/张"', NOW(3) FROM channels WHERE code = 'szca';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'new', 'legal_rep', 'priced', 5, 'first_year', '首年证书费（含介质费200元）', 36000, 'further_year', '次年起证书年费', 16000, 2, 0, 0,
    '001 states no price: demo price borrowed from 003 "法人代表数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张"', NOW(3) FROM channels WHERE code = 'szca';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'new', 'person', 'priced', 5, 'first_year', '首年证书费（含介质费200元）', 36000, 'further_year', '次年起证书年费', 16000, 2, 0, 0,
    '001 states no price: demo price borrowed from 003 "法人代表数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张"', NOW(3) FROM channels WHERE code = 'szca';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'add', 'org', 'priced', 5, 'first_year', '首年证书费（含介质费200元）', 60000, 'further_year', '次年起证书年费', 40000, 2, 0, 0,
    '001 states no price: demo price borrowed from 003 "机构数字证书:首年:600元/张(包含介质费200元) 次年:400元/年/张"', NOW(3) FROM channels WHERE code = 'szca';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'add', 'legal_rep', 'priced', 5, 'first_year', '首年证书费（含介质费200元）', 36000, 'further_year', '次年起证书年费', 16000, 2, 0, 0,
    '001 states no price: demo price borrowed from 003 "法人代表数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张"', NOW(3) FROM channels WHERE code = 'szca';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'add', 'person', 'priced', 5, 'first_year', '首年证书费（含介质费200元）', 36000, 'further_year', '次年起证书年费', 16000, 2, 0, 0,
    '001 states no price: demo price borrowed from 003 "法人代表数字证书:首年:360元/张(包含介质费200元)次年:160元/年/张"', NOW(3) FROM channels WHERE code = 'szca';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'renew', 'org', 'priced', 5, NULL, NULL, NULL, 'renew_year', '证书续期年费', 40000, 1, 0, 0,
    '001 states no price: demo price borrowed from 003 续期 "机构数字证书: 400元/年/张"', NOW(3) FROM channels WHERE code = 'szca';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'renew', 'legal_rep', 'priced', 5, NULL, NULL, NULL, 'renew_year', '证书续期年费', 16000, 1, 0, 0,
    '001 states no price: demo price borrowed from 003 续期 "法人代表数字证书:160元/年/张"', NOW(3) FROM channels WHERE code = 'szca';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'renew', 'person', 'priced', 5, NULL, NULL, NULL, 'renew_year', '证书续期年费', 16000, 1, 0, 0,
    '001 states no price: demo price borrowed from 003 续期 "法人代表数字证书:160元/年/张"', NOW(3) FROM channels WHERE code = 'szca';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'damaged', 'org', 'priced', 5, 'replacement', '补办费用（每次每张）', 20000, NULL, NULL, NULL, 1, 0, 0,
    '001 states no price for 损坏补办: demo price borrowed from 003 "证书丢失或损坏时……费用:200元/次/张"', NOW(3) FROM channels WHERE code = 'szca';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'damaged', 'legal_rep', 'priced', 5, 'replacement', '补办费用（每次每张）', 20000, NULL, NULL, NULL, 1, 0, 0,
    '001 states no price for 损坏补办: demo price borrowed from 003 "证书丢失或损坏时……费用:200元/次/张"', NOW(3) FROM channels WHERE code = 'szca';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'damaged', 'person', 'priced', 5, 'replacement', '补办费用（每次每张）', 20000, NULL, NULL, NULL, 1, 0, 0,
    '001 states no price for 损坏补办: demo price borrowed from 003 "证书丢失或损坏时……费用:200元/次/张"', NOW(3) FROM channels WHERE code = 'szca';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'change', 'org', 'free', 5, 'change', '信息变更（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '001 states no price: demo price borrowed from 003 变更 "三、收费标准 免费"', NOW(3) FROM channels WHERE code = 'szca';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'change', 'legal_rep', 'free', 5, 'change', '信息变更（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '001 states no price: demo price borrowed from 003 变更 "三、收费标准 免费"', NOW(3) FROM channels WHERE code = 'szca';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'change', 'person', 'free', 5, 'change', '信息变更（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '001 states no price: demo price borrowed from 003 变更 "三、收费标准 免费"', NOW(3) FROM channels WHERE code = 'szca';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'revoke', 'org', 'free', 5, 'revoke', '证书注销（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '001 states no price: demo price borrowed from 003 注销 "三、收费标准 免费。"', NOW(3) FROM channels WHERE code = 'szca';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'revoke', 'legal_rep', 'free', 5, 'revoke', '证书注销（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '001 states no price: demo price borrowed from 003 注销 "三、收费标准 免费。"', NOW(3) FROM channels WHERE code = 'szca';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'revoke', 'person', 'free', 5, 'revoke', '证书注销（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '001 states no price: demo price borrowed from 003 注销 "三、收费标准 免费。"', NOW(3) FROM channels WHERE code = 'szca';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'unlock', 'org', 'free', 5, 'unlock', '证书解锁（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '001 states no price: demo price borrowed from 002 "证书解锁业务免费办理"', NOW(3) FROM channels WHERE code = 'szca';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'unlock', 'legal_rep', 'free', 5, 'unlock', '证书解锁（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '001 states no price: demo price borrowed from 002 "证书解锁业务免费办理"', NOW(3) FROM channels WHERE code = 'szca';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'unlock', 'person', 'free', 5, 'unlock', '证书解锁（免费）', 0, NULL, NULL, NULL, 1, 0, 0,
    '001 states no price: demo price borrowed from 002 "证书解锁业务免费办理"', NOW(3) FROM channels WHERE code = 'szca';

-- ---- jxca-js (004), two-stage: "工作人员预审证件通过→付款". Its guide prices no business, only the
-- seal re-made on a replacement; the pre-reviewer states the price when passing the order.
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'lost', 'org', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 13000,
    '004 "工作人员预审证件通过→付款"; "注：补办含有电子印章的数字证书须重新制作电子印章，收费130元整。"', NOW(3) FROM channels WHERE code = 'jxca-js';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'lost', 'legal_rep', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 13000,
    '004 "工作人员预审证件通过→付款"; "注：补办含有电子印章的数字证书须重新制作电子印章，收费130元整。"', NOW(3) FROM channels WHERE code = 'jxca-js';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'damaged', 'org', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 13000,
    '004 "工作人员预审证件通过→付款"; "注：补办含有电子印章的数字证书须重新制作电子印章，收费130元整。"', NOW(3) FROM channels WHERE code = 'jxca-js';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'damaged', 'legal_rep', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 13000,
    '004 "工作人员预审证件通过→付款"; "注：补办含有电子印章的数字证书须重新制作电子印章，收费130元整。"', NOW(3) FROM channels WHERE code = 'jxca-js';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'new', 'org', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0,
    '004 describes only 补办; every application goes "工作人员预审证件通过→付款": the pre-reviewer states the price', NOW(3) FROM channels WHERE code = 'jxca-js';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'new', 'legal_rep', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0,
    '004 describes only 补办; every application goes "工作人员预审证件通过→付款": the pre-reviewer states the price', NOW(3) FROM channels WHERE code = 'jxca-js';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'add', 'org', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0,
    '004 describes only 补办; every application goes "工作人员预审证件通过→付款": the pre-reviewer states the price', NOW(3) FROM channels WHERE code = 'jxca-js';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'add', 'legal_rep', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0,
    '004 describes only 补办; every application goes "工作人员预审证件通过→付款": the pre-reviewer states the price', NOW(3) FROM channels WHERE code = 'jxca-js';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'renew', 'org', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0,
    '004 describes only 补办; every application goes "工作人员预审证件通过→付款": the pre-reviewer states the price', NOW(3) FROM channels WHERE code = 'jxca-js';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'renew', 'legal_rep', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0,
    '004 describes only 补办; every application goes "工作人员预审证件通过→付款": the pre-reviewer states the price', NOW(3) FROM channels WHERE code = 'jxca-js';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'change', 'org', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0,
    '004 describes only 补办; every application goes "工作人员预审证件通过→付款": the pre-reviewer states the price', NOW(3) FROM channels WHERE code = 'jxca-js';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'change', 'legal_rep', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0,
    '004 describes only 补办; every application goes "工作人员预审证件通过→付款": the pre-reviewer states the price', NOW(3) FROM channels WHERE code = 'jxca-js';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'unlock', 'org', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0,
    '004 describes only 补办; every application goes "工作人员预审证件通过→付款": the pre-reviewer states the price', NOW(3) FROM channels WHERE code = 'jxca-js';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'unlock', 'legal_rep', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0,
    '004 describes only 补办; every application goes "工作人员预审证件通过→付款": the pre-reviewer states the price', NOW(3) FROM channels WHERE code = 'jxca-js';

INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'revoke', 'org', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0,
    '004 describes only 补办; every application goes "工作人员预审证件通过→付款": the pre-reviewer states the price', NOW(3) FROM channels WHERE code = 'jxca-js';
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT id, 'revoke', 'legal_rep', 'quoted', 5, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0,
    '004 describes only 补办; every application goes "工作人员预审证件通过→付款": the pre-reviewer states the price', NOW(3) FROM channels WHERE code = 'jxca-js';

-- ---- cecep (000): its guide names neither fee nor CA, and its steps are BJCA's hall's (002): its
-- demo fees are 002's, copied. The hall's admin replaces them.
INSERT IGNORE INTO fees (channel_id, business, kind, basis, max_years, once_code, once_label, once_fen, year_code, year_label, year_fen, year_from, warranty_free, seal_fen, source, updated_at)
  SELECT c.id, f.business, f.kind, f.basis, f.max_years, f.once_code, f.once_label, f.once_fen, f.year_code,
    f.year_label, f.year_fen, f.year_from, f.warranty_free, f.seal_fen,
    CONCAT('000 states no fee: demo price copied from bjca-zycg (002), whose steps 000 follows: ', f.source), NOW(3)
  FROM fees f JOIN channels b ON b.id = f.channel_id AND b.code = 'bjca-zycg'
  JOIN channels c ON c.code = 'cecep';
