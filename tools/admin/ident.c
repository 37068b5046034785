/* certhall-admin ident: fresh valid identifiers for scripts (make bench), made by the same
 * rules the programs check them with. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "orderno.h"
#include "valid.h"

/* A USCC of a company registered in Beijing (91 1100 00), its organisation code random: the
 * two check characters are the ones valid_uscc accepts (found by trying, not recomputed). */
static int uscc(void)
{
	static const char alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	unsigned char r[8];
	char s[19] = "91110000";

	if (crypto_random(r, sizeof(r)) != 0)
		return 1;
	for (int i = 0; i < 8; i++)
		s[8 + i] = (char)('0' + r[i] % 10);
	s[18] = '\0';
	for (const char *c1 = "0123456789X"; *c1; c1++)
		for (const char *c2 = alpha; *c2; c2++) {
			s[16] = *c1;
			s[17] = *c2;
			if (valid_uscc(s)) {
				printf("%s\n", s);
				return 0;
			}
		}
	return 1;
}

static int order_no(unsigned node)
{
	char no[ORDERNO_LEN + 1];

	if (orderno_make(no, time(NULL), node) != 0)
		return 1;
	printf("%s\n", no);
	return 0;
}

int admin_ident(struct admin *ad, int argc, char **argv)
{
	unsigned node = 1;

	(void)ad;
	if (argc == 4 && strcmp(argv[2], "--node") == 0) {
		char *end;
		long v;

		errno = 0;
		v = strtol(argv[3], &end, 10);
		if (errno || *end || v < 0 || v > 99) {
			fprintf(stderr, "ident: --node takes 0 to 99\n");
			return 2;
		}
		node = (unsigned)v;
		argc = 2;
	}
	if (argc == 2 && strcmp(argv[1], "uscc") == 0)
		return uscc();
	if (argc == 2 && strcmp(argv[1], "order-no") == 0)
		return order_no(node);
	fprintf(stderr, "usage: certhall-admin ident uscc | order-no [--node N]\n");
	return 2;
}
