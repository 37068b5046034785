/*
 * certhall-admin import-certs FILE.csv [--apply]: the CA's existing certificates (issued at a
 * counter or by its old system) brought into the hall, so that their holders can renew online.
 *
 * Two passes over the file, both streamed. The first checks every row and reports each bad one
 * by line and column; a file with any bad row changes nothing. Without --apply that is all (a
 * dry run). With --apply and a clean file, the second pass writes 5000 rows per statement
 * (JSON_TABLE: one parameter a batch), inserting new serials and updating changed ones, so a
 * re-run is idempotent. Memory stays flat but for one 16-byte slot per distinct serial, which
 * finds a serial given twice with different data.
 *
 * import-certs --from-ca --hall CODE --since DATE [--until DATE] [--apply] asks the CA instead
 * (import_ca.c): its answer becomes such a file, in a temporary file, and goes the same way.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "admin.h"
#include "base/csv.h"
#include "domain/rules.h"
#include "base/valid.h"

#define BATCH 5000
#define MAX_CHANNELS 64
#define MAX_REPORTED 200 /* bad rows printed; the count goes on */

/* The columns, in the order the file must give them (its first row names them). */
enum col {
	C_SERIAL, C_HALL, C_KIND, C_HOLDER, C_SUBJECT, C_SUBJECT_ID, C_NOT_BEFORE, C_NOT_AFTER,
	C_FIRST_ISSUED, C_SEAL, C_STATE, C_REVOKED_ON, C_REVOKE_REASON, NCOLS
};
static const char *const col_names[NCOLS] = {
	"serial", "hall", "kind", "holder_name", "subject_name", "subject_id", "not_before",
	"not_after", "first_issued", "seal", "state", "revoked_on", "revoke_reason",
};
/* Characters each column may hold: the certificates table's widths. */
static const size_t col_max[NCOLS] = { 40, 32, 16, 100, 200, 18, 10, 10, 10, 1, 16, 10, 200 };

struct channel {
	char code[33];
	long long id;
};

/* One slot per distinct serial: its hash, a hash of the rest of its row, its line (0: free). */
struct seen {
	uint64_t serial;
	uint32_t row, line;
};

struct import {
	struct admin *ad;
	const char *path;
	bool apply, from_ca;
	struct channel ch[MAX_CHANNELS];
	size_t nch;
	struct seen *seen;
	size_t seen_cap, seen_n;
	long rows, bad, dups;
	time_t progress_at;
	bool tty;
};

static uint64_t fnv1a(const char *s, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void report(struct import *im, const struct csv *c, int col, const char *why)
{
	long line = c->line;

	im->bad++;
	if (im->bad > MAX_REPORTED)
		return;
	/* The CA's rows have no file to point into: its serial names the certificate. */
	if (im->from_ca && c->nfields > C_SERIAL && col >= 0)
		fprintf(stderr, "CA certificate %s: %s: %s\n", c->field[C_SERIAL], col_names[col], why);
	else if (im->from_ca)
		fprintf(stderr, "CA certificate %s: %s\n", c->nfields ? c->field[0] : "?", why);
	else if (col >= 0)
		fprintf(stderr, "%s:%ld: column %d (%s): %s\n", im->path, line, col + 1, col_names[col],
			why);
	else
		fprintf(stderr, "%s:%ld: %s\n", im->path, line, why);
}

static void progress(struct import *im, const char *what, bool last)
{
	time_t now = time(NULL);

	if (!im->tty || (!last && now == im->progress_at))
		return;
	im->progress_at = now;
	fprintf(stderr, "\rimport-certs: %s %ld rows%s", what, im->rows, last ? "\n" : "");
}

static long long channel_id(const struct import *im, const char *code)
{
	for (size_t i = 0; i < im->nch; i++)
		if (strcmp(im->ch[i].code, code) == 0)
			return im->ch[i].id;
	return 0;
}

static int load_channels(struct import *im)
{
	struct db_rows rows;

	if (db_query(&im->ad->db, &im->ad->arena, "SELECT id, code FROM channels", DB_NOARGS,
		     &rows) != DB_OK)
		return -1;
	for (size_t i = 0; i < rows.nrows && im->nch < MAX_CHANNELS; i++) {
		snprintf(im->ch[im->nch].code, sizeof(im->ch[0].code), "%s", db_cell(&rows, i, 1));
		im->ch[im->nch++].id = strtoll(db_cell(&rows, i, 0), NULL, 10);
	}
	return 0;
}

/* Open addressing, doubled at 3/4 full. Returns the slot of serial h (new if line is set). */
static struct seen *seen_find(struct import *im, uint64_t h)
{
	size_t mask, i;

	if (im->seen_n * 4 >= im->seen_cap * 3) {
		size_t cap = im->seen_cap ? im->seen_cap * 2 : 1 << 16;
		struct seen *t = calloc(cap, sizeof(*t));

		if (!t)
			return NULL;
		for (size_t k = 0; k < im->seen_cap; k++) {
			if (!im->seen[k].line)
				continue;
			for (i = im->seen[k].serial & (cap - 1); t[i].line; i = (i + 1) & (cap - 1))
				;
			t[i] = im->seen[k];
		}
		free(im->seen);
		im->seen = t;
		im->seen_cap = cap;
	}
	mask = im->seen_cap - 1;
	for (i = h & mask; im->seen[i].line && im->seen[i].serial != h; i = (i + 1) & mask)
		;
	return &im->seen[i];
}

static bool is_date(const char *s, struct rules_date *d)
{
	return strlen(s) == 10 && rules_date_parse(s, d);
}

static int cmp_date(struct rules_date a, struct rules_date b)
{
	long x = rules_days_from_civil(a), y = rules_days_from_civil(b);

	return x < y ? -1 : x > y;
}

/* Zero-width and bidirectional controls and the BOM: invisible in a name, or reordering what
 * staff read (U+200B-200F, U+202A-202E, U+2066-2069, U+FEFF). */
static bool has_invisible(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (p[0] == 0xE2 && p[1] == 0x80 && ((p[2] >= 0x8B && p[2] <= 0x8F) ||
						     (p[2] >= 0xAA && p[2] <= 0xAE)))
			return true;
		if (p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)
			return true;
		if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
			return true;
	}
	return false;
}

/* Checks one row; returns the column at fault (or -1 for the row) through *col, and the
 * reason, or NULL when the row is good. */
static const char *check_row(const struct import *im, const struct csv *c, int *col)
{
	struct rules_date nb, na, fi, rv;
	const char *kind = c->field[C_KIND], *state = c->field[C_STATE];

	*col = -1;
	if (c->err != CSV_OK) {
		if (c->err_field < NCOLS)
			*col = c->err_field;
		return csv_strerror(c->err);
	}
	if (c->nfields != NCOLS) {
		static char why[64];

		snprintf(why, sizeof(why), "%d columns, %d expected", c->nfields, NCOLS);
		return why;
	}
	for (int i = 0; i < NCOLS; i++) {
		static char why[96];

		*col = i;
		if (!valid_text(c->field[i], c->len[i], SIZE_MAX)) {
			return "not UTF-8 text, or a control character";
		} else if (!valid_text(c->field[i], c->len[i], col_max[i])) {
			snprintf(why, sizeof(why), "longer than %zu characters", col_max[i]);
			return why;
		} else if (has_invisible(c->field[i])) {
			return "an invisible or direction-changing character (zero-width, bidi, BOM)";
		}
	}
	*col = C_SERIAL;
	if (!valid_serial(c->field[C_SERIAL]))
		return "1 to 40 hexadecimal characters";
	*col = C_HALL;
	if (!channel_id(im, c->field[C_HALL]))
		return "no such hall (channels.code)";
	*col = C_KIND;
	if (strcmp(kind, "org") && strcmp(kind, "legal_rep") && strcmp(kind, "person"))
		return "org, legal_rep or person";
	*col = C_HOLDER;
	if (!c->len[C_HOLDER] || c->len[C_HOLDER] > 300 || !valid_plain_name(c->field[C_HOLDER]))
		return "a name, without < > \" ' ` \\ ; { }";
	*col = C_SUBJECT;
	if (!valid_plain_name(c->field[C_SUBJECT]))
		return "a name, without < > \" ' ` \\ ; { }";
	*col = C_SUBJECT_ID;
	if (strcmp(kind, "person") == 0 ? !valid_resident_id(c->field[C_SUBJECT_ID])
					: !valid_uscc(c->field[C_SUBJECT_ID]))
		return strcmp(kind, "person") == 0
			       ? "not a resident ID number (18 characters, check digit)"
			       : "not a USCC (18 characters, both check characters)";
	*col = C_NOT_BEFORE;
	if (!is_date(c->field[C_NOT_BEFORE], &nb))
		return "a date YYYY-MM-DD";
	*col = C_NOT_AFTER;
	if (!is_date(c->field[C_NOT_AFTER], &na))
		return "a date YYYY-MM-DD";
	if (cmp_date(nb, na) >= 0)
		return "not after not_before";
	*col = C_FIRST_ISSUED;
	if (!is_date(c->field[C_FIRST_ISSUED], &fi))
		return "a date YYYY-MM-DD";
	if (cmp_date(fi, nb) > 0)
		return "after not_before (a renewal keeps the first issue date)";
	*col = C_SEAL;
	if (strcmp(c->field[C_SEAL], "0") && strcmp(c->field[C_SEAL], "1"))
		return "0 or 1";
	*col = C_STATE;
	if (strcmp(state, "valid") == 0) {
		*col = c->len[C_REVOKED_ON] ? C_REVOKED_ON : C_REVOKE_REASON;
		if (c->len[C_REVOKED_ON] || c->len[C_REVOKE_REASON])
			return "empty for a valid certificate";
	} else if (strcmp(state, "revoked") == 0) {
		*col = C_REVOKED_ON;
		if (!is_date(c->field[C_REVOKED_ON], &rv))
			return "a date YYYY-MM-DD for a revoked certificate";
		if (cmp_date(rv, nb) < 0)
			return "before not_before";
		*col = C_REVOKE_REASON;
		if (!c->len[C_REVOKE_REASON])
			return "the reason a revoked certificate was revoked";
	} else {
		return "valid or revoked";
	}
	return NULL;
}

static bool blank(const struct csv *c)
{
	return c->err == CSV_OK && c->nfields == 1 && c->len[0] == 0;
}

static int check_header(struct import *im, struct csv *c)
{
	if (csv_next(c) != 1 || c->err != CSV_OK || c->nfields != NCOLS)
		goto bad;
	for (int i = 0; i < NCOLS; i++)
		if (strcmp(c->field[i], col_names[i]) != 0)
			goto bad;
	return 0;
bad:
	fprintf(stderr, "%s:1: the first row must name the columns: ", im->path);
	for (int i = 0; i < NCOLS; i++)
		fprintf(stderr, "%s%s", i ? "," : "", col_names[i]);
	fputc('\n', stderr);
	return -1;
}

/* Pass one: every row checked, a serial given twice with other data found. */
static int check_file(struct import *im, FILE *f)
{
	struct csv *c = malloc(sizeof(*c));
	int rc = -1, more;

	if (!c)
		return -1;
	csv_init(c, f);
	if (check_header(im, c) < 0)
		goto out;
	while ((more = csv_next(c)) == 1) {
		const char *why;
		struct seen *s;
		uint64_t h, row = 0xcbf29ce484222325ULL;
		int col;

		if (c->line > (long)UINT32_MAX) {
			fprintf(stderr, "%s: more than 4294967295 lines\n", im->path);
			goto out;
		}
		if (blank(c))
			continue;
		im->rows++;
		progress(im, "checked", false);
		why = check_row(im, c, &col);
		if (why) {
			report(im, c, col, why);
			continue;
		}
		for (int i = 1; i < NCOLS; i++)
			row = fnv1a(c->field[i], c->len[i] + 1, row);
		h = fnv1a(c->field[C_SERIAL], c->len[C_SERIAL], 0xcbf29ce484222325ULL);
		if (!(s = seen_find(im, h)))
			goto out;
		if (!s->line) {
			*s = (struct seen){ .serial = h, .row = (uint32_t)row, .line = (uint32_t)c->line };
			im->seen_n++;
		} else if (s->row != (uint32_t)row) {
			char why2[96];

			snprintf(why2, sizeof(why2), "serial given before (line %lu) with other data",
				 (unsigned long)s->line);
			report(im, c, C_SERIAL, why2);
		} else {
			im->dups++;
		}
	}
	progress(im, "checked", true);
	rc = more < 0 ? -1 : 0;
	if (more < 0)
		fprintf(stderr, "%s: read error: %s\n", im->path, strerror(errno));
out:
	free(c);
	return rc;
}

static const char sql_batch[] =
	"INSERT INTO certificates (serial, channel_id, kind, holder_name, subject_name, not_before, "
	"not_after, first_issued, has_seal, state, revoked_at, revoke_reason, subject_idx, source, "
	"imported_at) "
	"SELECT j.serial, j.ch, j.kind, j.holder, j.subject, j.nb, j.na, j.fi, j.seal, j.state, "
	"j.rv, NULLIF(j.reason, ''), j.idx, 'import', NOW(3) "
	"FROM JSON_TABLE(?, '$[*]' COLUMNS (serial VARCHAR(40) PATH '$[0]', ch INT PATH '$[1]', "
	"kind VARCHAR(16) PATH '$[2]', holder VARCHAR(100) PATH '$[3]', subject VARCHAR(200) PATH '$[4]', "
	"nb DATE PATH '$[5]', na DATE PATH '$[6]', fi DATE PATH '$[7]', seal INT PATH '$[8]', "
	"state VARCHAR(16) PATH '$[9]', rv DATETIME PATH '$[10]', reason VARCHAR(200) PATH '$[11]', "
	"idx CHAR(64) PATH '$[12]')) j "
	"ON DUPLICATE KEY UPDATE channel_id = VALUES(channel_id), kind = VALUES(kind), "
	"holder_name = VALUES(holder_name), subject_name = VALUES(subject_name), "
	"not_before = VALUES(not_before), not_after = VALUES(not_after), "
	"first_issued = VALUES(first_issued), has_seal = VALUES(has_seal), state = VALUES(state), "
	"revoked_at = VALUES(revoked_at), revoke_reason = VALUES(revoke_reason), "
	"subject_idx = VALUES(subject_idx)";

static int count_certs(struct import *im, long long *n)
{
	struct db_rows rows;

	if (db_query(&im->ad->db, &im->ad->arena, "SELECT COUNT(*) FROM certificates", DB_NOARGS,
		     &rows) != DB_OK)
		return -1;
	*n = strtoll(db_cell(&rows, 0, 0), NULL, 10);
	return 0;
}

static int flush(struct import *im, json_t *batch, unsigned long long *affected)
{
	unsigned long long a = 0;
	char *text;
	int rc;

	if (json_array_size(batch) == 0)
		return 0;
	text = json_dumps(batch, JSON_COMPACT);
	if (!text)
		return -1;
	rc = db_exec(&im->ad->db, sql_batch, DB_ARGS(DB_STR(text)), &a, NULL);
	free(text);
	json_array_clear(batch);
	arena_reset(&im->ad->arena);
	*affected += a;
	return rc == DB_OK ? 0 : -1;
}

/* Pass two, on a clean file: every row written, BATCH a statement. */
static int apply_file(struct import *im, FILE *f, unsigned long long *affected)
{
	struct csv *c = malloc(sizeof(*c));
	json_t *batch = json_array();
	int rc = -1, more;

	if (!c || !batch)
		goto out;
	csv_init(c, f);
	if (csv_next(c) != 1) /* the header, checked in pass one */
		goto out;
	im->rows = 0;
	while ((more = csv_next(c)) == 1) {
		char idx[65];

		if (blank(c))
			continue;
		im->rows++;
		progress(im, "written", false);
		crypto_index_hex(&im->ad->key, "subject", c->field[C_SUBJECT_ID],
				 c->len[C_SUBJECT_ID], idx);
		json_array_append_new(batch, json_pack("[s, I, s, s, s, s, s, s, i, s, s?, s, s]",
			c->field[C_SERIAL], (json_int_t)channel_id(im, c->field[C_HALL]),
			c->field[C_KIND], c->field[C_HOLDER], c->field[C_SUBJECT],
			c->field[C_NOT_BEFORE], c->field[C_NOT_AFTER], c->field[C_FIRST_ISSUED],
			c->field[C_SEAL][0] == '1', c->field[C_STATE],
			c->len[C_REVOKED_ON] ? c->field[C_REVOKED_ON] : NULL,
			c->field[C_REVOKE_REASON], idx));
		if (json_array_size(batch) == BATCH && flush(im, batch, affected) < 0)
			goto out;
	}
	if (more == 0 && flush(im, batch, affected) == 0)
		rc = 0;
	progress(im, "written", true);
out:
	if (rc < 0)
		fprintf(stderr, "import-certs: stopped after %ld rows: %s\n", im->rows,
			im->ad->db.last_error[0] ? im->ad->db.last_error : "read error");
	json_decref(batch);
	free(c);
	return rc;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A date given on the command line as the start of that day, China Standard Time. */
static bool cst_day(const char *s, time_t *out)
{
	struct rules_date d;

	if (s == NULL || !is_date(s, &d))
		return false;
	*out = (time_t)rules_days_from_civil(d) * 86400 - 8 * 3600;
	return true;
}

/* The CA's certificates issued from since to until (both days included; until: today) as an
 * import file in a temporary file, read from its start; NULL when they cannot be had. */
static FILE *from_ca(struct import *im, const char *hall, const char *since, const char *until)
{
	char header[256] = "";
	time_t after, before = time(NULL) + 1;
	long found = 0, own = 0;
	FILE *f;

	if (!cst_day(since, &after) || (until && !cst_day(until, &before))) {
		fprintf(stderr, "import-certs: --since and --until take a date YYYY-MM-DD\n");
		return NULL;
	}
	if (until)
		before += 86400;
	if (before <= after) {
		fprintf(stderr, "import-certs: --until is before --since\n");
		return NULL;
	}
	for (int i = 0; i < NCOLS; i++)
		snprintf(header + strlen(header), sizeof(header) - strlen(header), "%s%s", i ? "," : "",
			 col_names[i]);
	if ((f = tmpfile()) == NULL) {
		fprintf(stderr, "import-certs: no temporary file: %s\n", strerror(errno));
		return NULL;
	}
	if (import_ca_rows(im->ad, f, header, hall, after, before, &found, &own) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	printf("import-certs: the CA issued %ld certificates from %s to %s; %ld of them are the "
	       "hall's own enrolments, left out\n", found, since, until ? until : "today", own);
	return f;
}

int admin_import_certs(struct admin *ad, int argc, char **argv)
{
	struct import im = { .ad = ad, .tty = isatty(STDERR_FILENO) == 1 };
	unsigned long long affected = 0;
	long long before = 0, after = 0, inserted, updated;
	struct timespec t0;
	FILE *f = NULL;
	int rc = 1;

	const char *hall = NULL, *since = NULL, *until = NULL;
	bool usage = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;

		if (strcmp(a, "--apply") == 0)
			im.apply = true;
		else if (strcmp(a, "--from-ca") == 0)
			im.from_ca = true;
		else if (strcmp(a, "--hall") == 0 && has_value)
			hall = argv[++i];
		else if (strcmp(a, "--since") == 0 && has_value)
			since = argv[++i];
		else if (strcmp(a, "--until") == 0 && has_value)
			until = argv[++i];
		else if (!im.path && a[0] != '-')
			im.path = a;
		else
			usage = true;
	}
	if (usage || (im.from_ca ? im.path || !hall || !since : !im.path || hall || since || until)) {
		fprintf(stderr, "usage: certhall-admin import-certs FILE.csv [--apply]\n"
				"       certhall-admin import-certs --from-ca --hall CODE --since YYYY-MM-DD "
				"[--until YYYY-MM-DD] [--apply]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (im.from_ca) {
		im.path = "CA search";
		if ((f = from_ca(&im, hall, since, until)) == NULL)
			return 1;
	} else if ((f = fopen(im.path, "rb")) == NULL) {
		fprintf(stderr, "import-certs: %s: %s\n", im.path, strerror(errno));
		return 1;
	}
	if (load_channels(&im) < 0 || check_file(&im, f) < 0)
		goto out;
	if (im.bad) {
		fprintf(stderr, "import-certs: %ld of %ld rows are bad%s: nothing imported\n", im.bad,
			im.rows, im.bad > MAX_REPORTED ? " (the first 200 listed)" : "");
		goto out;
	}
	if (!im.apply) {
		printf("import-certs: %ld rows checked, all good (%ld repeated as they were); dry run: "
		       "nothing written (--apply writes them)\n", im.rows, im.dups);
		rc = 0;
		goto out;
	}
	if (fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "import-certs: %s: cannot read it twice (a pipe?): give a file\n",
			im.path);
		goto out;
	}
	if (count_certs(&im, &before) < 0 || apply_file(&im, f, &affected) < 0 ||
	    count_certs(&im, &after) < 0)
		goto out;
	/* ON DUPLICATE KEY UPDATE with CLIENT_FOUND_ROWS (shared/db/db.c) counts 1 a new row, 2 a
	 * changed one, 1 one found as it was. */
	inserted = after - before;
	updated = (long long)affected - im.rows;
	printf("import-certs: %ld rows in %.1f s (%.0f rows/s): %lld new, %lld updated, %lld unchanged\n",
	       im.rows, seconds_since(&t0), (double)im.rows / seconds_since(&t0), inserted, updated,
	       (long long)im.rows - inserted - updated);
	rc = 0;
out:
	free(im.seen);
	fclose(f);
	return rc;
}
