-- Each hall its own agreements (issue: the hall's admin edits "its agreements"): a hall's texts
-- say what its own guide says (a review promise, a renewal window, how the PIN goes out), so a
-- version is published at one hall and the others keep theirs. The global rows of 0006 become
-- each hall's copy; what an applicant accepted names the hall whose text it was.
ALTER TABLE agreements
  ADD COLUMN channel_id INT UNSIGNED NOT NULL DEFAULT 0 FIRST,
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (channel_id, code, version);
INSERT INTO agreements (channel_id, code, version, title, body, published_at, current)
  SELECT c.id, a.code, a.version, a.title, a.body, a.published_at, a.current
  FROM agreements a CROSS JOIN channels c WHERE a.channel_id = 0;
DELETE FROM agreements WHERE channel_id = 0;
ALTER TABLE agreements
  MODIFY COLUMN channel_id INT UNSIGNED NOT NULL,
  ADD CONSTRAINT fk_agreements_channel FOREIGN KEY (channel_id) REFERENCES channels (id);

-- Whether applicants are told the hall's review time: a guide that prints none (004) makes no
-- promise of one in the hall's texts (the queue still times the review by review_days_*).
ALTER TABLE channels
  ADD COLUMN review_days_public TINYINT(1) NOT NULL DEFAULT 1
    COMMENT 'the guide prints its review time: texts to applicants name it (004 prints none)';

-- An acceptance was of its order's hall's text (the order's channel never changes).
ALTER TABLE agreement_acceptances
  ADD COLUMN channel_id INT UNSIGNED NOT NULL DEFAULT 0 AFTER account_id;
UPDATE agreement_acceptances x JOIN orders o ON o.id = x.order_id SET x.channel_id = o.channel_id;
ALTER TABLE agreement_acceptances
  MODIFY COLUMN channel_id INT UNSIGNED NOT NULL,
  ADD CONSTRAINT fk_acceptances_agreement FOREIGN KEY (channel_id, code, version)
    REFERENCES agreements (channel_id, code, version);
