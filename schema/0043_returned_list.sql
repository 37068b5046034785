-- The review console's list of returned orders, waiting for their applicant (issue 17, point 5:
-- "the list of returned orders shows the reason"). A returned order waits in no staff queue
-- (orders.queue is NULL), so GET /api/review/queue?queue=returned reads it by its state. Its
-- rows come off this index oldest first (the primary key breaks ties), and the console's
-- filters (channel, business, kind) are checked on the index entries themselves (index
-- condition pushdown): a page reads the returned orders' entries in order and only the rows
-- it lists, never a sort, whatever the filter. One ALTER, online (in place, no lock), as
-- Galera replicates it (TOI); no data changes.
ALTER TABLE orders
  ADD KEY ix_orders_returned (state, submitted_at, channel_id, business_type, cert_kind),
  ALGORITHM = INPLACE, LOCK = NONE;
