/* fuzz_conf: libFuzzer harness for conf_load (the INI file every program reads at start). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

/*
 * The input is read from memory (fmemopen) through conf_load_stream, the reader conf_load
 * wraps, and the defaults are copied from one struct made at the first run. Writing each input
 * to a file and removing it (as conf_load needs a path) cost five system calls and a tmpfs
 * inode per run, and each stream's stdio buffer (malloc'd at the first read, 4-8 KiB) went
 * through ASan's 256 MiB quarantine, so that every run touched fresh pages: page faults and TLB
 * shootdowns were most of the time, about 1,000 runs a second, the parse a few percent. The
 * stream reads through a static buffer instead.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf c, defaults;
	static char buf[4096];
	static int ready;
	char err[512];
	FILE *f;
	int rc;

	if (!ready) {
		conf_defaults(&defaults);
		ready = 1;
	}
	/* fmemopen refuses an empty buffer; an empty file leaves the defaults, as tested by
	 * the unit tests. */
	if (size == 0)
		return 0;
	f = fmemopen((void *)(uintptr_t)data, size, "r");
	if (!f)
		return 0;
	if (setvbuf(f, buf, _IOFBF, sizeof(buf)) != 0) {
		fclose(f);
		return 0;
	}
	memcpy(&c, &defaults, sizeof(c));
	err[0] = '\0';
	rc = conf_load_stream(&c, f, "fuzz.conf", err, sizeof(err));
	fclose(f);
	CHECK(rc == 0 || rc == -1);
	CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	if (rc == -1) {
		CHECK(err[0] != '\0');
	} else {
		/* Every number within its bounds (a sample of the table's). */
		CHECK(c.workers >= 1 && c.node_id >= 0 && c.node_id <= 99);
		CHECK(c.socket_mode >= 0 && c.socket_mode <= 0777);
		CHECK(memchr(c.socket_dir, '\0', sizeof(c.socket_dir)) != NULL);
		CHECK(memchr(c.public_url, '\0', sizeof(c.public_url)) != NULL);
	}
	return 0;
}
