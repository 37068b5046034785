-- H5 payment (issue 17): a payer on a phone cannot scan their own screen, so the provider's
-- H5 / wap order gives a page the phone's browser opens (WeChat H5 h5_url, Alipay wap).
ALTER TABLE payments
  ADD COLUMN h5_url VARCHAR(500) NOT NULL DEFAULT ''
    COMMENT 'the provider page a phone opens to pay; empty: a QR order';

-- One name for the privacy agreement (issue 17): the wizard showed the seeded title
-- 《个人敏感信息处理授权书》, the form and messages 《敏感个人信息处理授权书》, the term of the
-- Personal Information Protection Law (and 001's 敏感个人信息授权书). Only the seeded title.
UPDATE agreements SET title = '敏感个人信息处理授权书'
  WHERE code = 'privacy' AND title = '个人敏感信息处理授权书';
