/* Unit tests: content-addressed storage and the sweep of dead writers' temp files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto/crypto.h"
#include "media/store.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/certhall-store-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_put_names_by_content(void **state)
{
	char sha[65], rel[STORE_REL_MAX], want[65], path[256];
	const char data[] = "not really a jpeg";
	struct stat st;
	FILE *f;
	char back[64] = "";

	(void)state;
	assert_int_equal(store_put(dir, data, sizeof(data) - 1, "jpg", sha, rel), 0);
	crypto_sha256_hex(data, sizeof(data) - 1, want);
	assert_string_equal(sha, want);
	snprintf(path, sizeof(path), "%.2s/%.2s/%s.jpg", want, want + 2, want);
	assert_string_equal(rel, path);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, (off_t)(sizeof(data) - 1));
	assert_int_equal(st.st_mode & 0777, 0640);
	f = fopen(path, "r");
	assert_non_null(fgets(back, sizeof(back), f));
	fclose(f);
	assert_string_equal(back, data);
	/* Storing the same bytes again is a no-op with the same name. */
	assert_int_equal(store_put(dir, data, sizeof(data) - 1, "jpg", sha, rel), 0);
	assert_string_equal(sha, want);
}

static void test_sweep_only_dead_writers(void **state)
{
	char live[256], dead[256], sub[128];
	struct stat st;
	FILE *f;
	pid_t gone = fork();

	(void)state;
	if (gone == 0)
		_exit(0);
	/* Reaped: its pid names a writer that no longer exists. */
	waitpid(gone, NULL, 0);
	snprintf(sub, sizeof(sub), "%s/ab", dir);
	mkdir(sub, 0750);
	snprintf(sub, sizeof(sub), "%s/ab/cd", dir);
	mkdir(sub, 0750);
	snprintf(live, sizeof(live), "%s/.tmp-%d-aaaa", sub, (int)getpid());
	snprintf(dead, sizeof(dead), "%s/.tmp-%d-bbbb", sub, (int)gone);
	f = fopen(live, "w");
	fclose(f);
	f = fopen(dead, "w");
	fclose(f);
	assert_int_equal(store_sweep(dir), 1);
	assert_int_equal(stat(dead, &st), -1);
	assert_int_equal(stat(live, &st), 0); /* a writer still at work keeps its file */
	unlink(live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_names_by_content),
		cmocka_unit_test(test_sweep_only_dead_writers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
