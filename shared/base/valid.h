/* valid: check rules for the identifiers of DOMAIN.md (USCC, resident ID, mobile, ...). */
#ifndef CERTHALL_VALID_H
#define CERTHALL_VALID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Unified social credit code, GB 32100-2015: 18 characters, its check character, and the
 * GB 11714 organisation code in characters 9-17 with its own check. Upper case only. */
bool valid_uscc(const char *s);

/* What is wrong with a USCC, so that a message can name it: VALID_USCC_OK, or the first fault
 * of length, alphabet (GB 32100's 31 characters, upper case), the organisation code's check
 * character (the 17th, GB 11714), or the USCC's own (the 18th). */
enum valid_uscc_fault { VALID_USCC_OK, VALID_USCC_LENGTH, VALID_USCC_CHARS, VALID_USCC_ORG_CHECK,
			VALID_USCC_CHECK };
enum valid_uscc_fault valid_uscc_fault(const char *s);

/* Completes a USCC whose first 16 characters are written: the organisation code's check
 * (character 17) and the USCC's (18), then the NUL. False if those 16 are not of the alphabet.
 * For generated test and bench data: one implementation of the rule. */
bool valid_uscc_finish(char s[19]);

/* GB 11714 organisation code: 8 characters over [0-9A-Z] and a check character (0-9 or X). */
bool valid_org_code(const char *s);

/* Resident ID, GB 11643-1999: 17 digits + check (digit or upper-case X), a real birth date
 * (1900-01-01 up to today) in digits 7-14. */
bool valid_resident_id(const char *s);

/* Completes a resident ID whose first 17 digits are written with its check character and the
 * NUL; false if they are not digits or the birth date is not a real one. */
bool valid_resident_id_finish(char s[19]);

/* Mainland mobile: 11 digits, 13x-19x, optionally prefixed by +86 or 86. On success writes
 * the bare 11 digits into out. */
bool valid_mobile(const char *s, char out[12]);

/* A plain address: local@domain, at most 254 bytes, printable ASCII, one '@', a dot in the
 * domain, no empty labels. Not RFC 5322 in full: what a mail provider will actually accept. */
bool valid_email(const char *s);

/* Postal code: exactly 6 digits. */
bool valid_postcode(const char *s);

/* Certificate serial: 1 to 40 hex characters, case kept (case-sensitive look-ups). */
bool valid_serial(const char *s);

/* A token's (USB key's) hardware serial, as token tools print it: 4 to VALID_TOKEN_SERIAL_MAX
 * of A-Z a-z 0-9 and '-', case kept. */
#define VALID_TOKEN_SERIAL_MAX 64
bool valid_token_serial(const char *s);

/* A token's PIN as token tools set them: 6 to 8 digits. */
bool valid_pin(const char *s);

/* Money in yuan: "260", "260.5", "260.00"; no sign, no exponent, at most 2 decimals, at most
 * 10,000,000.00. Writes the amount in fen (cents). Returns true if valid. */
bool valid_money(const char *s, int64_t *fen);

/* Formats fen as "260.00" into out (at least 24 bytes). */
void valid_money_format(int64_t fen, char *out, size_t outsz);

/* UTF-8 text a person typed: well-formed UTF-8 (no overlongs, no surrogates), no control
 * characters (C0 except none, DEL, C1), at most max_chars code points. n is the byte length. */
bool valid_text(const char *s, size_t n, size_t max_chars);

/* A name people type for an organisation or a person: none of < > " ' ` \ ; { }, which no
 * registered name needs and which markup and injections do. Length and UTF-8 are checked
 * elsewhere (valid_text). */
bool valid_plain_name(const char *s);

#endif
