/* workdays: working days in China: weekends off, public holidays off, and the weekend days
 * worked instead of a bridging day (调休上班) on. */
#ifndef CERTHALL_WORKDAYS_H
#define CERTHALL_WORKDAYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * Days are counted from 1970-01-01 (day 0, a Thursday) in the proleptic Gregorian calendar.
 * The calendar is the holidays table (schema/0007_courier.sql, seeded from the State
 * Council's yearly notice) loaded by the caller: two sorted arrays of days. Outside the
 * years it lists, every Saturday and Sunday is off and every other day is worked.
 */
struct workdays_cal {
	const int32_t *off;     /* public holidays (any weekday), ascending */
	size_t noff;
	const int32_t *on;      /* weekend days worked (调休上班), ascending */
	size_t non;
};

/* The day of a date; false for a date that does not exist (2026-02-29) or a year outside
 * 1970..9999. */
bool workdays_day(int year, int month, int mday, int32_t *day);

/* The day of "YYYY-MM-DD" (exactly that form). */
bool workdays_parse(const char *ymd, int32_t *day);

/* "YYYY-MM-DD" of a day into out (at least 11 bytes). */
void workdays_format(int32_t day, char *out, size_t outsz);

/* The calendar day in China (UTC+8, no daylight saving) of an instant. */
int32_t workdays_china_day(time_t t);

/* 0 Monday .. 6 Sunday. */
int workdays_weekday(int32_t day);

/* Whether people work on day: a weekday that is no holiday, or a weekend day worked. */
bool workdays_is_working(int32_t day, const struct workdays_cal *cal);

/*
 * Working days from from_day to to_day: those d with from_day < d <= to_day (the day a thing
 * arrives does not count; the day it is answered does). Same day: 0. from_day > to_day: the
 * negative of the count the other way round, so a deadline already passed reads negative.
 */
long workdays_count(int32_t from_day, int32_t to_day, const struct workdays_cal *cal);

/* The same between two instants, each taken as its calendar day in China. */
long workdays_between(time_t from, time_t to, const struct workdays_cal *cal);

/* The n-th working day after day (n >= 0; n = 0 is day itself): "answered within 3 working
 * days" ends on workdays_add(received, 3). */
int32_t workdays_add(int32_t day, long n, const struct workdays_cal *cal);

/* Loads the whole holidays table into arrays of the arena and points cal at them. Returns
 * DB_OK or the DB_* error (shared/db/db.h); a row of an unknown kind or date is skipped. */
struct db;
struct arena;
int workdays_load(struct db *db, struct arena *a, struct workdays_cal *cal);

#endif
