/*
 * import-certs --from-ca: the certificates the CA issued in a date range, found through its
 * search (shared/ext/ca.h ca_search_issued), written as the rows of an import-certs file, so
 * that they take the one path a CSV file takes: every row checked, nothing applied of a bad
 * set, a dry run unless --apply.
 *
 * What a certificate says, column by column: its serial; the hall given with --hall (a CA's
 * search does not know the hall); org when its subject names a USCC (organizationIdentifier,
 * 2.5.4.97), person when it names an ID number (serialNumber, 2.5.4.5) and no organisation;
 * holder_name its CN; subject_name its O (a person: its CN); not_before and not_after its
 * validity as China Standard Time dates; first_issued its not_before (the search does not link
 * a renewal to the first issue); seal 0 (a certificate does not say); state and revocation
 * from the CA's record. The hall's own enrolments (end entities "certhall-…") are left out:
 * the hall holds them already.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "ext/ca.h"

#define CST_OFFSET (8 * 3600)

struct ca_rows {
	FILE *out;
	const char *hall;
	long found, own;
};

/* RFC 5280 reason codes by EJBCA's names, for the revoke_reason column. */
static const char *reason_name(int code)
{
	static const char *const names[] = {
		"UNSPECIFIED", "KEY_COMPROMISE", "CA_COMPROMISE", "AFFILIATION_CHANGED", "SUPERSEDED",
		"CESSATION_OF_OPERATION", "CERTIFICATE_HOLD", "UNSPECIFIED", "REMOVE_FROM_CRL",
		"PRIVILEGES_WITHDRAWN", "AA_COMPROMISE",
	};

	return code >= 0 && code <= 10 ? names[code] : "UNSPECIFIED";
}

static void cst_date(time_t t, char out[11])
{
	struct tm tm;
	time_t local = t + CST_OFFSET;

	gmtime_r(&local, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* One field, always quoted, its quotes doubled (RFC 4180). */
static void put_field(FILE *f, const char *s, bool last)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputs(last ? "\"\r\n" : "\",", f);
}

static int put_row(void *arg, const struct ca_found *c)
{
	struct ca_rows *w = arg;
	const struct cert_info *i = &c->info;
	bool org = i->org_id[0] != '\0' || i->o[0] != '\0';
	char nb[11], na[11], rv[11] = "";
	const char *row[13];

	w->found++;
	if (c->username != NULL && strncmp(c->username, "certhall-", 9) == 0) {
		w->own++;
		return 0;
	}
	cst_date(i->not_before, nb);
	cst_date(i->not_after, na);
	if (c->revoked)
		cst_date(c->revoked_at, rv);
	row[0] = i->serial;
	row[1] = w->hall;
	row[2] = org ? "org" : "person";
	row[3] = i->cn;
	row[4] = org ? i->o : i->cn;
	row[5] = org ? i->org_id : i->person_id;
	row[6] = nb;
	row[7] = na;
	row[8] = nb;
	row[9] = "0";
	row[10] = c->revoked ? "revoked" : "valid";
	row[11] = rv;
	row[12] = c->revoked ? reason_name(c->reason) : "";
	for (int k = 0; k < 13; k++)
		put_field(w->out, row[k], k == 12);
	return ferror(w->out) ? 2 : 0;
}

int import_ca_rows(struct admin *ad, FILE *out, const char *header, const char *hall,
		   time_t after, time_t before, long *found, long *own)
{
	struct ca_rows w = { .out = out, .hall = hall };
	char err[512] = "";
	int rc;

	fprintf(out, "%s\r\n", header);
	rc = ca_search_issued(&ad->conf, after, before, put_row, &w, err, sizeof(err));
	*found = w.found;
	*own = w.own;
	if (rc == 2 || fflush(out) != 0 || ferror(out)) {
		fprintf(stderr, "import-certs: cannot write the CA's rows to a temporary file\n");
		return -1;
	}
	if (rc != CA_OK) {
		fprintf(stderr, "import-certs: the CA's search failed after %ld certificates: %s\n",
			w.found, err);
		return -1;
	}
	return 0;
}
