-- H5 payment (issue 17): a payer on a phone cannot scan their own screen, so the provider's
-- H5 / wap order gives a page the phone's browser opens (WeChat H5 h5_url, Alipay wap).
ALTER TABLE payments
  ADD COLUMN h5_url VARCHAR(500) NOT NULL DEFAULT ''
    COMMENT 'the provider page a phone opens to pay; empty: a QR order';
