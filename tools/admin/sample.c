/* certhall-admin sample-certs / ident: certificate rows and fresh identifiers made from the one
 * implementation of their check rules (shared/base/valid.c, orderno.c), for benches and scripts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "admin.h"
#include "domain/orderno.h"
#include "base/valid.h"

static unsigned rnd(void)
{
	unsigned char b[4];

	crypto_random(b, sizeof(b));
	return (unsigned)b[0] << 24 | (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3];
}

static void digits(char *out, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = (char)('0' + rnd() % 10);
}

/* A USCC of an enterprise (91) registered in Beijing (110000), its organisation code random. */
static void make_uscc(char out[19])
{
	memcpy(out, "91110000", 8);
	digits(out + 8, 8);
	valid_uscc_finish(out);
}

/* A resident ID of Beijing, born 1960-1999. */
static void make_id(char out[19])
{
	char birth[9];

	do {
		memcpy(out, "110101", 6);
		snprintf(birth, sizeof(birth), "%04u%02u%02u", 1960 + rnd() % 40, 1 + rnd() % 12,
			 1 + rnd() % 28);
		memcpy(out + 6, birth, 8);
		digits(out + 14, 3);
	} while (!valid_resident_id_finish(out));
}

/* A whole number from min to max, or -1. */
static long number_arg(const char *s, long min, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	return errno || *end || end == s || n < min || n > max ? -1 : n;
}

/* ident uscc | id | order-no [--node N] [--count N]: one fresh identifier a line. */
int admin_ident(struct admin *ad, int argc, char **argv)
{
	const char *what = argc >= 2 ? argv[1] : "";
	long node = 1, n = 1;
	char id[ORDERNO_LEN + 1];

	(void)ad;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--node") == 0 && i + 1 < argc && node >= 0)
			node = number_arg(argv[++i], 0, 99);
		else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc && n >= 0)
			n = number_arg(argv[++i], 1, 10000000);
		else
			n = -1;
	}
	if (node < 0 || n < 0 || (strcmp(what, "uscc") && strcmp(what, "id") && strcmp(what, "order-no"))) {
		fprintf(stderr, "usage: certhall-admin ident uscc | id | order-no [--node N] [--count N]\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		if (what[0] == 'u')
			make_uscc(id);
		else if (what[0] == 'i')
			make_id(id);
		else if (orderno_make(id, time(NULL), (unsigned)node) != 0)
			return 1;
		puts(id);
	}
	return ferror(stdout) ? 1 : 0;
}

/* N rows for import-certs: a tenth personal certificates, a twentieth revoked, all of HALL. */
int admin_sample_certs(struct admin *ad, int argc, char **argv)
{
	const char *hall = "bjca-zycg";
	long n = -1;

	(void)ad;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--hall") == 0 && i + 1 < argc)
			hall = argv[++i];
		else if (n < 0)
			n = number_arg(argv[i], 1, 100000000);
		else
			n = -1;
	}
	if (n < 0) {
		fprintf(stderr, "usage: certhall-admin sample-certs N [--hall CODE]\n");
		return 2;
	}
	puts("serial,hall,kind,holder_name,subject_name,subject_id,not_before,not_after,"
	     "first_issued,seal,state,revoked_on,revoke_reason");
	for (long i = 0; i < n; i++) {
		unsigned y = 2022 + rnd() % 4, m = 1 + rnd() % 12, d = 1 + rnd() % 28;
		bool person = rnd() % 10 == 0, revoked = rnd() % 20 == 0;
		char id[19];

		if (person)
			make_id(id);
		else
			make_uscc(id);
		printf("%08X%08X,%s,%s,%s%ld,%s,%s,%04u-%02u-%02u,%04u-%02u-%02u,%04u-%02u-%02u,%u,%s,%s,%s\n",
		       rnd(), (unsigned)i, hall, person ? "person" : rnd() % 3 ? "org" : "legal_rep",
		       person ? "持有人" : "经办人", i % 100000,
		       person ? "" : "示范科技有限公司", id, y, m, d, y + 1, m, d, y - rnd() % 3, m, d,
		       rnd() % 4 == 0, revoked ? "revoked" : "valid",
		       revoked ? "2026-01-05" : "", revoked ? "密钥遗失" : "");
	}
	return ferror(stdout) ? 1 : 0;
}
