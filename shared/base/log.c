/* log: one-line log records to stderr with a request id. */
#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char log_name[32] = "certhall";
static enum log_level log_min = LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void log_init(const char *name, enum log_level min)
{
	log_set_name(name);
	log_min = min;
}

void log_set_name(const char *name)
{
	snprintf(log_name, sizeof(log_name), "%s", name);
}

int log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

void log_vrid(enum log_level lvl, const char *rid, const char *fmt, va_list ap)
{
	char msg[1024], line[1400], stamp[32];
	struct timeval tv;
	struct tm tm;
	size_t o = 0;

	if (lvl < log_min)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	o = (size_t)snprintf(line, sizeof(line), "%s.%03dZ %s[%d] %s [%s] ", stamp,
			     (int)(tv.tv_usec / 1000), log_name, (int)getpid(), level_names[lvl],
			     rid ? rid : "-");
	for (const unsigned char *p = (const unsigned char *)msg; *p && o + 5 < sizeof(line); p++) {
		if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(line + o, sizeof(line) - o, "\\x%02x", *p);
		else
			line[o++] = (char)*p;
	}
	line[o++] = '\n';
	/* One write per record keeps lines whole when several workers share the file. */
	if (write(STDERR_FILENO, line, o) < 0)
		return;
}

void log_rid(enum log_level lvl, const char *rid, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vrid(lvl, rid, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vrid(LOG_ERROR, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
