-- Issue 14: the certificate's life after issue, as passes that run beside the outbox.
--
-- Expiry reminders (certhall-admin remind): one row per certificate, expiry date and threshold
-- (90, 30 or 7 days before) is claimed in the transaction that writes the outbox rows, so two
-- runs at once send once. The expiry date is in the key: a renewal moves not_after, and the new
-- expiry is reminded afresh. ix_certificates_expiry makes the pass one range scan of the valid
-- certificates expiring within 90 days; ix_orders_target finds a renewal under way.
ALTER TABLE certificates
  ADD KEY ix_certificates_expiry (state, not_after);
ALTER TABLE orders
  ADD KEY ix_orders_target (target_cert_id, business_type);

CREATE TABLE cert_reminders (
  cert_id BIGINT UNSIGNED NOT NULL,
  not_after DATE NOT NULL COMMENT 'the expiry reminded of',
  threshold SMALLINT UNSIGNED NOT NULL COMMENT 'days before expiry: 90, 30 or 7',
  days_left SMALLINT NOT NULL COMMENT 'days left when it was sent',
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (cert_id, not_after, threshold),
  CONSTRAINT fk_cert_reminders_cert FOREIGN KEY (cert_id) REFERENCES certificates (id)
) ENGINE=InnoDB;

-- Four-eyes (fcgi-apps/review/four_eyes.c): the businesses a hall wants approved by two staff
-- members (none by default: no guide asks for it), and the first approval of an order awaiting
-- its second. A return or a refusal clears it: a resubmitted order needs two approvals again.
ALTER TABLE channels
  ADD COLUMN four_eyes_businesses VARCHAR(120) CHARACTER SET ascii NOT NULL DEFAULT ''
    COMMENT 'businesses whose approval needs a second staff member';
ALTER TABLE orders
  ADD COLUMN first_approver_id BIGINT UNSIGNED NULL COMMENT 'four-eyes: staff.id of the first approval',
  ADD COLUMN first_approved_at DATETIME(3) NULL;

-- SLA escalation (certhall-admin escalate, shared/domain/escalate.c): an order in the review
-- queue past its hall's promised working days (review_days_max, as the queue counts them) is
-- escalated once, by mail to the addresses the hall names (its admins), and marked.
ALTER TABLE channels
  ADD COLUMN sla_mail VARCHAR(300) NOT NULL DEFAULT ''
    COMMENT 'comma-separated addresses of the hall admins told of overdue orders';
ALTER TABLE orders
  ADD COLUMN escalated_at DATETIME(3) NULL COMMENT 'the overdue mail to the hall admins went out';
