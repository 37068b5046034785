/* hallday: the hall's midnight through the C library's tz database. */
#include "base/hallday.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool hallday_zone_ok(const char *zone)
{
	const char *dir = getenv("TZDIR");
	char path[512], magic[4];
	size_t n = strlen(zone);
	FILE *f;
	bool ok;

	if (strcmp(zone, "UTC") == 0)
		return true;
	if (n == 0 || n >= HALLDAY_ZONE_MAX || zone[0] == '/' || zone[n - 1] == '/' ||
	    strspn(zone, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/") != n ||
	    strstr(zone, "..") || strstr(zone, "//"))
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir && dir[0] == '/' ? dir : "/usr/share/zoneinfo", zone);
	f = fopen(path, "rb");
	if (!f)
		return false;
	ok = fread(magic, 1, sizeof(magic), f) == sizeof(magic) && memcmp(magic, "TZif", 4) == 0;
	fclose(f);
	return ok;
}

int hallday_bounds(const char *zone, time_t now, time_t *start, time_t *end)
{
	static char current[HALLDAY_ZONE_MAX];
	struct tm tm;

	if (strcmp(current, zone) != 0) {
		if (strlen(zone) >= sizeof(current) || setenv("TZ", zone, 1) != 0)
			return -1;
		tzset();
		memcpy(current, zone, strlen(zone) + 1);
	}
	if (!localtime_r(&now, &tm))
		return -1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	*start = mktime(&tm);
	tm.tm_mday++;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	*end = mktime(&tm);
	return *start == (time_t)-1 || *end <= *start || *start > now ? -1 : 0;
}
