/* hallday: the hall's calendar day ([limits] time_zone, Asia/Shanghai by default), so that
 * "a day" of a limit starts at the hall's midnight, not at 00:00 UTC. */
#ifndef CERTHALL_HALLDAY_H
#define CERTHALL_HALLDAY_H

#include <stdbool.h>
#include <time.h>

#define HALLDAY_ZONE_MAX 64

/* Whether zone names a time zone of the system's tz database: a relative name of letters,
 * digits and "_+-/" (no "..") whose file under /usr/share/zoneinfo (or $TZDIR) is TZif data,
 * or "UTC". glibc takes an unknown name as UTC without a word: this is the check it lacks. */
bool hallday_zone_ok(const char *zone);

/* The day of zone that holds now: *start its midnight, *end the next one (23 or 25 hours
 * later across a daylight-saving change). The process's TZ is set to zone the first time,
 * and again only when zone changes (workers are single-threaded; every time shown to people
 * is formatted from UTC or the database, never from the process's zone). Returns 0, or -1
 * if the C library cannot say. */
int hallday_bounds(const char *zone, time_t now, time_t *start, time_t *end);

#endif
