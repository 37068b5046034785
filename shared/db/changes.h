/* changes: the log of orders whose public look-up answer may have changed (order_changes),
 * for the answers certhall-track caches. */
#ifndef CERTHALL_CHANGES_H
#define CERTHALL_CHANGES_H

#include "base/arena.h"
#include "db/db.h"

/* A reader reads the rows of the last CHANGES_WINDOW seconds at each poll, so that a row
 * whose transaction commits after a later row's (the sequence is not the commit order) is
 * still seen, if that transaction took less than this from the row to its commit. */
#define CHANGES_WINDOW 10

/* Notes that the order's answer may change (its state, public events, handler's mobile,
 * subject, verification method, financial check), in the caller's transaction if one is
 * open; the host's change epoch goes up once it ends (db_changed). */
int changes_note(struct db *db, long long order_id);

/* The same for the order of a waybill (a courier refresh knows only the waybill). */
int changes_note_waybill(struct db *db, long long waybill_id);

/* The server's clock now (DATETIME(3) text), for the next changes_recent. */
int changes_clock(struct db *db, struct arena *a, char *out, size_t size);

/* The order numbers with a change since `since` (a changes_clock answer) less
 * CHANGES_WINDOW seconds, one a row (an order may repeat). */
int changes_recent(struct db *db, struct arena *a, const char *since, struct db_rows *out);

/* Deletes rows older than an hour, at most 5,000 (the courier pass, now and then). */
int changes_prune(struct db *db);

#endif
