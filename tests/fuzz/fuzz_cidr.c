/* fuzz_cidr: libFuzzer harness for cidr_parse_list and cidr_match ([limits] trusted_networks). */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

/* The input up to its first NUL is the list; after it, an address to match. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), why[96];
	const char *addr;
	struct cidr_list l;
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	addr = text + strlen(text) < text + size ? text + strlen(text) + 1 : "";
	rc = cidr_parse_list(text, &l, why, sizeof(why));
	CHECK(rc == 0 || rc == -1);
	CHECK(strlen(why) < sizeof(why));
	CHECK(rc == 0 ? l.n <= CIDR_MAX : l.n == 0);
	for (size_t i = 0; i < l.n; i++) {
		char shown[64];

		CHECK(l.net[i].bits >= 1 && l.net[i].bits <= (l.net[i].v6 ? 128 : 32));
		/* A network's own address, written out again, is inside it. */
		CHECK(inet_ntop(l.net[i].v6 ? AF_INET6 : AF_INET, l.net[i].addr, shown, sizeof(shown)));
		CHECK(cidr_match(&l, shown));
	}
	(void)cidr_match(&l, addr);
	free(text);
	return 0;
}
