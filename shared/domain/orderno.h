/* orderno: 18-digit order numbers, unique across hosts, with a Damm check digit. */
#ifndef CERTHALL_ORDERNO_H
#define CERTHALL_ORDERNO_H

#include <stdbool.h>
#include <time.h>

#define ORDERNO_LEN 18

/* Layout: YYMMDD (UTC+8 date of creation) | NN node id (00-99, per host, from config) |
 * 9 random digits | 1 Damm check digit. Hosts differ in NN, so two hosts never make the same
 * number; within a host a collision of the random part is caught by the UNIQUE index and the
 * caller draws again. Random, not sequential, so numbers do not reveal volume.
 * Returns 0, or -1 if node > 99 or the RNG failed. out gets 18 digits and NUL. */
int orderno_make(char out[ORDERNO_LEN + 1], time_t now, unsigned node);

/* Exactly 18 ASCII digits whose Damm check holds. The Damm check catches every single-digit
 * error and every swap of two adjacent digits. */
bool orderno_valid(const char *s);

/* The Damm check digit ('0'-'9') of n ASCII digits. */
char orderno_check_digit(const char *digits, size_t n);

#endif
