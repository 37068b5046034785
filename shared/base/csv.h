/* csv: a bounded, streaming reader of RFC 4180 records (the CA's certificate exports). */
#ifndef CERTHALL_CSV_H
#define CERTHALL_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CSV_MAX_FIELDS 32
#define CSV_ROW_MAX 4096 /* bytes of one record's fields together, NULs included */

enum csv_error {
	CSV_OK = 0,
	CSV_TOO_LONG,   /* the record is over CSV_ROW_MAX bytes */
	CSV_TOO_MANY,   /* more than CSV_MAX_FIELDS fields */
	CSV_BAD_QUOTE,  /* a quote inside an unquoted field, text after a closing quote, or an
			 * unterminated quoted field at the end of the file */
	CSV_NUL,        /* a NUL byte */
};

struct csv {
	FILE *f;
	long line;      /* the line the current record starts on (1-based) */
	long next_line; /* the line the next record starts on */
	bool started;   /* past the first record (its UTF-8 BOM, if any, is dropped) */
	enum csv_error err;
	int err_field;   /* the field (0-based) being read when err was found */
	int nfields;
	const char *field[CSV_MAX_FIELDS]; /* NUL-terminated, inside buf */
	size_t len[CSV_MAX_FIELDS];
	char buf[CSV_ROW_MAX];
};

/* Reads from f (not owned); lines are counted from 1. */
void csv_init(struct csv *c, FILE *f);

/*
 * Reads the next record: 1 with a record (c->err says whether it is well-formed; a bad one is
 * read to its end, so the next call starts on the next record), 0 at the end of the file, -1
 * on a read error. CRLF and LF both end a record; a quoted field may hold newlines and "".
 */
int csv_next(struct csv *c);

/* A short English description of an error. */
const char *csv_strerror(enum csv_error e);

#endif
