-- Issue 13: the applicant's 【更新下载证书】 (002): the day an online renewal's certificate was
-- re-issued by the CA and taken onto the token (the old key, its stored request); once.
ALTER TABLE orders
  ADD COLUMN renew_downloaded_at DATETIME(3) NULL;
