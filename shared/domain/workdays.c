/* workdays: working-day arithmetic over the holidays calendar (pure, but for the loader). */
#include "domain/workdays.h"

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "db/db.h"

/* Floor division and modulo: days before 1970 are negative. */
static long long fdiv(long long a, long long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static long long fmod7(long long a)
{
	return a - 7 * fdiv(a, 7);
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* H. Hinnant's days_from_civil. */
static long long from_civil(long long y, unsigned m, unsigned d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = fdiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void to_civil(long long z, int *y, unsigned *m, unsigned *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = fdiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

bool workdays_day(int year, int month, int mday, int32_t *day)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (year < 1970 || year > 9999 || month < 1 || month > 12 || mday < 1)
		return false;
	if (mday > mdays[month - 1] + (month == 2 && leap(year)))
		return false;
	*day = (int32_t)from_civil(year, (unsigned)month, (unsigned)mday);
	return true;
}

static int num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool workdays_parse(const char *ymd, int32_t *day)
{
	if (!ymd || strlen(ymd) != 10 || ymd[4] != '-' || ymd[7] != '-')
		return false;
	return workdays_day(num(ymd, 4), num(ymd + 5, 2), num(ymd + 8, 2), day);
}

void workdays_format(int32_t day, char *out, size_t outsz)
{
	int y;
	unsigned m, d;

	to_civil(day, &y, &m, &d);
	snprintf(out, outsz, "%04d-%02u-%02u", y, m, d);
}

int32_t workdays_china_day(time_t t)
{
	return (int32_t)fdiv((long long)t + 8 * 3600, 86400);
}

int workdays_weekday(int32_t day)
{
	return (int)fmod7((long long)day + 3); /* 1970-01-01 was a Thursday */
}

/* Index of the first element > day. */
static size_t upper(const int32_t *a, size_t n, int32_t day)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool listed(const int32_t *a, size_t n, int32_t day)
{
	size_t i = upper(a, n, day);

	return i > 0 && a[i - 1] == day;
}

bool workdays_is_working(int32_t day, const struct workdays_cal *cal)
{
	if (workdays_weekday(day) < 5)
		return !cal || !listed(cal->off, cal->noff, day);
	return cal && listed(cal->on, cal->non, day);
}

/* Monday to Friday among the days up to and including day, counted from a Monday. */
static long long weekdays_upto(long long day)
{
	long long k = day + 4; /* days from Monday 1969-12-29 through day */

	return 5 * fdiv(k, 7) + (fmod7(k) < 5 ? fmod7(k) : 5);
}

long workdays_count(int32_t from_day, int32_t to_day, const struct workdays_cal *cal)
{
	long long n;

	if (from_day > to_day)
		return -workdays_count(to_day, from_day, cal);
	n = weekdays_upto(to_day) - weekdays_upto(from_day);
	if (!cal)
		return (long)n;
	/* Holidays on a weekday are lost; weekend days worked are gained. A holiday listed on a
	 * weekend (the whole 春节 week is listed) changes nothing. */
	for (size_t i = upper(cal->off, cal->noff, from_day); i < cal->noff && cal->off[i] <= to_day; i++)
		if (workdays_weekday(cal->off[i]) < 5)
			n--;
	for (size_t i = upper(cal->on, cal->non, from_day); i < cal->non && cal->on[i] <= to_day; i++)
		if (workdays_weekday(cal->on[i]) >= 5)
			n++;
	return (long)n;
}

long workdays_between(time_t from, time_t to, const struct workdays_cal *cal)
{
	return workdays_count(workdays_china_day(from), workdays_china_day(to), cal);
}

int32_t workdays_add(int32_t day, long n, const struct workdays_cal *cal)
{
	while (n > 0) {
		day++;
		if (workdays_is_working(day, cal))
			n--;
	}
	return day;
}

static const char sql_load[] =
	"SELECT DATE_FORMAT(day, '%Y-%m-%d'), kind FROM holidays ORDER BY day";

int workdays_load(struct db *db, struct arena *a, struct workdays_cal *cal)
{
	struct db_rows rows;
	int32_t *off, *on;
	size_t noff = 0, non = 0;
	int rc;

	memset(cal, 0, sizeof(*cal));
	rc = db_query(db, a, sql_load, DB_NOARGS, &rows);
	if (rc != DB_OK)
		return rc;
	off = arena_calloc(a, rows.nrows + 1, sizeof(*off));
	on = arena_calloc(a, rows.nrows + 1, sizeof(*on));
	if (!off || !on)
		return DB_ERR;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *kind = db_cell(&rows, i, 1);
		int32_t d;

		if (!workdays_parse(db_cell(&rows, i, 0), &d) || !kind)
			continue;
		if (strcmp(kind, "holiday") == 0)
			off[noff++] = d;
		else if (strcmp(kind, "workday") == 0)
			on[non++] = d;
	}
	*cal = (struct workdays_cal){ .off = off, .noff = noff, .on = on, .non = non };
	return DB_OK;
}
