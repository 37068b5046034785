/* log: one-line log records to stderr (nginx/systemd/the stack script collect them). */
#ifndef CERTHALL_LOG_H
#define CERTHALL_LOG_H

#include <stdarg.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Names this process in every line ("track", "track/w3"). */
void log_init(const char *name, enum log_level min);
void log_set_name(const char *name);
int log_level_parse(const char *s, enum log_level *out);

/* "2026-11-21T09:40:00.123Z track/w1 warn [rid] message". rid may be NULL (start-up, master).
 * Control characters in the message are escaped, so client data cannot forge log lines. */
void log_rid(enum log_level lvl, const char *rid, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vrid(enum log_level lvl, const char *rid, const char *fmt, va_list ap);

#define log_info(...) log_rid(LOG_INFO, NULL, __VA_ARGS__)
#define log_warn(...) log_rid(LOG_WARN, NULL, __VA_ARGS__)
#define log_error(...) log_rid(LOG_ERROR, NULL, __VA_ARGS__)

/* Logs and exits(1): start-up failures and broken invariants only, never inside a request. */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
