/* fuzz_conf: libFuzzer harness for conf_load (the INI file every program reads at start). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static char path[64];

/* conf_load reads a path: the input goes to a file of this process (in memory, removed after
 * each run). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf c;
	char err[512];
	FILE *f;
	int rc;

	if (!path[0])
		snprintf(path, sizeof(path), "/dev/shm/certhall-fuzz-conf.%ld", (long)getpid());
	f = fopen(path, "wb");
	if (!f)
		return 0;
	if (size && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return 0;
	}
	fclose(f);
	conf_defaults(&c);
	err[0] = '\0';
	rc = conf_load(&c, path, err, sizeof(err));
	unlink(path);
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
