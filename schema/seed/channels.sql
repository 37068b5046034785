-- The five halls of the reference guides (shared/reference/guides/), as demo channels.
INSERT IGNORE INTO channels (code, name, ca_name, flow, review_days_min, review_days_max, guide) VALUES
  ('cecep', '中国节能环保集团电子采购平台 数字证书网上营业厅', '北京数字认证股份有限公司 (BJCA)', 'pay_first', 3, 5, '000'),
  ('szca', '深圳CA 数字证书网上营业厅', '深圳市电子商务安全证书管理有限公司 (SZCA)', 'pay_first', 3, 3, '001'),
  ('bjca-zycg', '中央政府采购 数字证书网上营业厅', '北京数字认证股份有限公司 (BJCA)', 'pay_first', 3, 5, '002'),
  ('netca-gd', '广东省政府采购 数字证书网上营业厅', '广东省电子商务认证有限公司 (NETCA)', 'pay_first', 3, 5, '003'),
  ('jxca-js', '江西省建设项目 数字证书网上营业厅', '江西省数字证书有限公司 (JXCA)', 'two_stage', 3, 5, '004');
