-- The reviewer console: the queue each staff role works, claims on orders, reason codes, and the
-- staff audit trail.

-- Which staff queue an order waits in, derived from its state so that no code path that moves
-- an order (wizard, payment notifications, review) can forget to keep it right. The queue
-- query reads one value of it, in submitted order, straight off an index: no filesort.
--   review   pre_review, reviewing, paper_review; awaiting_paper (listed once the applicant
--            entered the paper's waybill: event paper_sent)
--   finance  refunding; pending_payment by transfer or at the counter (listed once the
--            payment awaits finance)
--   ship     approved or making, for a business that mails a key (shared/order.h)
--   finance  also any order with money to give back that its state does not show: a payment
--            that arrived after a cancel, or a second payment (orders.refund_due)
ALTER TABLE orders
  ADD COLUMN refund_due TINYINT(1) NOT NULL DEFAULT 0
    COMMENT 'a payment in refunding that the order state does not show (paid after cancel, paid twice)',
  ADD COLUMN queue VARCHAR(8) CHARACTER SET ascii AS (CASE
    WHEN refund_due = 1 THEN 'finance'
    WHEN state IN ('pre_review', 'reviewing', 'paper_review', 'awaiting_paper') THEN 'review'
    WHEN state = 'refunding' THEN 'finance'
    WHEN state = 'pending_payment' AND pay_method IN ('transfer', 'counter') THEN 'finance'
    WHEN state IN ('approved', 'making') AND (business_type IN ('new', 'add', 'lost', 'damaged')
      OR (business_type = 'change' AND mail_in = 1)) THEN 'ship'
    ELSE NULL END) PERSISTENT,
  -- Each filter shape of the queue has an index that yields its rows oldest first (the primary
  -- key, last in every InnoDB secondary index, breaks ties): state uses ix_orders_queue
  -- (state, submitted_at); date ranges are a range on submitted_at inside the first two.
  ADD KEY ix_orders_queue_role (queue, submitted_at),
  ADD KEY ix_orders_queue_channel (channel_id, queue, submitted_at),
  ADD KEY ix_orders_queue_business (business_type, queue, submitted_at),
  ADD KEY ix_orders_queue_kind (cert_kind, queue, submitted_at),
  -- A subject prefix is a range on subject_name: its matches are found here (covering) and
  -- put in order in the program when few; many matches are dense enough to scan in order.
  ADD KEY ix_orders_queue_subject (queue, subject_name, submitted_at);

-- Who is working on an order. Advisory: it tells the others, it locks nothing; a decision is
-- guarded by the order's version. A claim older than 30 minutes has lapsed.
CREATE TABLE review_claims (
  order_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  staff_id BIGINT UNSIGNED NOT NULL,
  claimed_at DATETIME(3) NOT NULL,
  KEY ix_review_claims_staff (staff_id),
  CONSTRAINT fk_review_claims_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB;

-- Why a material or an order was rejected or returned: the text is what the applicant reads.
CREATE TABLE review_reasons (
  code CHAR(3) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  scope VARCHAR(8) CHARACTER SET ascii NOT NULL COMMENT 'material | order | any',
  text VARCHAR(200) NOT NULL COMMENT 'zh-CN, sent to the applicant',
  sort SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  active TINYINT(1) NOT NULL DEFAULT 1
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only: what staff saw and did, when, from where. The code never updates or deletes a
-- row here (grep for it: audit_log appears in INSERT and SELECT only).
CREATE TABLE audit_log (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at DATETIME(3) NOT NULL,
  staff_id BIGINT UNSIGNED NOT NULL,
  staff_username VARCHAR(64) CHARACTER SET ascii NOT NULL COMMENT 'as it was then',
  staff_role VARCHAR(16) CHARACTER SET ascii NOT NULL,
  order_id BIGINT UNSIGNED NULL,
  order_no CHAR(18) CHARACTER SET ascii NULL,
  action VARCHAR(32) CHARACTER SET ascii NOT NULL,
  detail VARCHAR(500) NOT NULL DEFAULT '',
  remote_addr VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT '',
  KEY ix_audit_at (at),
  KEY ix_audit_order (order_id, at),
  KEY ix_audit_staff (staff_id, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
