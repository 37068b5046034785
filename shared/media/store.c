/* store: content-addressed, atomically written files (temp file, fsync, rename, fsync dir). */
#include "media/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "base/fdio.h"

static int mkdir_one(const char *path)
{
	return mkdir(path, 0750) == 0 || errno == EEXIST ? 0 : -1;
}

static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int store_put(const char *dir, const void *data, size_t n, const char *ext, char sha[65],
	      char rel[STORE_REL_MAX])
{
	char folder[4096], final[4200], tmp[4300], rnd[17];
	struct stat st;
	int fd = -1, saved;

	crypto_sha256_hex(data, n, sha);
	snprintf(rel, STORE_REL_MAX, "%.2s/%.2s/%s.%s", sha, sha + 2, sha, ext);
	if (snprintf(folder, sizeof(folder), "%s/%.2s", dir, sha) >= (int)sizeof(folder) ||
	    mkdir_one(folder) < 0)
		return -1;
	snprintf(folder, sizeof(folder), "%s/%.2s/%.2s", dir, sha, sha + 2);
	if (mkdir_one(folder) < 0)
		return -1;
	snprintf(final, sizeof(final), "%s/%s.%s", folder, sha, ext);
	/* Same bytes, same name: stored already (a rename never shows a partial file). */
	if (stat(final, &st) == 0 && (size_t)st.st_size == n)
		return 0;
	if (crypto_token_hex(rnd, sizeof(rnd), 8) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%d-%s", folder, (int)getpid(), rnd);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	if (fdio_write_all(fd, data, n) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, final) < 0 || fsync_dir(folder) < 0)
		goto fail;
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

/* Walks the two levels of ab/cd folders. */
static int sweep_folder(const char *path, int depth)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int removed = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char sub[4200];
		long pid;

		if (e->d_name[0] == '.' && strncmp(e->d_name, ".tmp-", 5) != 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (strncmp(e->d_name, ".tmp-", 5) == 0) {
			pid = strtol(e->d_name + 5, NULL, 10);
			if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH && unlink(sub) == 0)
				removed++;
		} else if (depth < 2 && strlen(e->d_name) == 2) {
			removed += sweep_folder(sub, depth + 1);
		}
	}
	closedir(d);
	return removed;
}

int store_sweep(const char *dir)
{
	return sweep_folder(dir, 0);
}
