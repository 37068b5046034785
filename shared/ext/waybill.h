/* waybill: courier waybill numbers of the large mainland carriers: their formats, check rules
 * and zh-CN names. */
#ifndef CERTHALL_WAYBILL_H
#define CERTHALL_WAYBILL_H

#include <stdbool.h>
#include <stddef.h>

/* Characters in a normalised number (the longest format has 15; room for a new one). */
#define WAYBILL_MAX 32

/*
 * Carrier codes: sf (顺丰速运), ems (EMS / 中国邮政), zto (中通), yto (圆通), sto (申通),
 * yunda (韵达), jd (京东物流), deppon (德邦). The zh-CN name of a code, or NULL for another.
 */
const char *waybill_carrier_name(const char *code);

/* The carrier codes in display order, NULL-terminated (for pick lists and error messages). */
extern const char *const waybill_carriers[];

/*
 * The number as it is stored and shown: spaces dropped wherever they are (labels print the
 * number in groups; ASCII and U+3000 ideographic spaces), full-width letters and digits of a
 * Chinese input method made ASCII, letters upper case. out gets WAYBILL_MAX + 1 bytes.
 * Returns false (out "") when anything else is left, or when nothing or too much is.
 */
bool waybill_normalise(const char *in, char out[WAYBILL_MAX + 1]);

/*
 * Whether number (raw: normalised first) is a well-formed waybill of carrier. expected_zh,
 * if not NULL, gets the carrier's expected format in zh-CN for an error message (a sentence
 * naming the carrier, with an example), or NULL for an unknown carrier.
 */
bool waybill_check(const char *carrier, const char *number, const char **expected_zh);

/*
 * UPU S10 (13 characters: 2 letters, 8 digits, check digit, 2 letters): the check digit of
 * the 8 serial digits, weights 8 6 4 2 3 5 9 7, 11 - (sum mod 11), 10 -> 0, 11 -> 5.
 * Returns -1 if digits are not 8 decimal digits.
 */
int waybill_s10_check_digit(const char *digits);

/* A whole S10 identifier (upper case), its check digit included. */
bool waybill_s10_valid(const char *s);

#endif
