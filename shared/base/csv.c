/* csv: a bounded, streaming reader of RFC 4180 records (the CA's certificate exports). */
#include "base/csv.h"

#include <string.h>

void csv_init(struct csv *c, FILE *f)
{
	memset(c, 0, sizeof(*c));
	c->f = f;
	c->next_line = 1;
}

const char *csv_strerror(enum csv_error e)
{
	switch (e) {
	case CSV_OK:
		return "ok";
	case CSV_TOO_LONG:
		return "the row is longer than 4096 bytes";
	case CSV_TOO_MANY:
		return "too many columns";
	case CSV_BAD_QUOTE:
		return "malformed quoting";
	case CSV_NUL:
		return "a NUL byte";
	}
	return "unknown error";
}

/* The first error of a record is the one reported; the rest of the record is still read. */
static void fail(struct csv *c, enum csv_error e)
{
	if (c->err == CSV_OK) {
		c->err = e;
		c->err_field = c->nfields;
	}
}

static void put(struct csv *c, size_t *n, int ch)
{
	if (c->err != CSV_OK)
		return;
	if (*n + 1 >= sizeof(c->buf)) {
		fail(c, CSV_TOO_LONG);
		return;
	}
	c->buf[(*n)++] = (char)ch;
}

static void end_field(struct csv *c, size_t *n, size_t *start)
{
	if (c->err != CSV_OK)
		return;
	if (c->nfields == CSV_MAX_FIELDS) {
		fail(c, CSV_TOO_MANY);
		return;
	}
	put(c, n, '\0');
	if (c->err != CSV_OK)
		return;
	c->field[c->nfields] = c->buf + *start;
	c->len[c->nfields] = *n - 1 - *start;
	c->nfields++;
	*start = *n;
}

int csv_next(struct csv *c)
{
	enum { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED, AFTER_QUOTED } st = FIELD_START;
	size_t n = 0, start = 0;
	int ch;

	c->err = CSV_OK;
	c->nfields = 0;
	c->line = c->next_line;
	ch = getc(c->f);
	if (ch == EOF)
		return ferror(c->f) ? -1 : 0;
	if (!c->started) {
		c->started = true;
		/* A UTF-8 byte order mark, as spreadsheet programs write: not part of the data. */
		if (ch == 0xEF) {
			int b = getc(c->f), d = b == 0xBB ? getc(c->f) : EOF;

			if (b == 0xBB && d == 0xBF) {
				ch = getc(c->f);
			} else {
				if (d != EOF)
					ungetc(d, c->f);
				else if (b != EOF && b != 0xBB)
					ungetc(b, c->f);
				/* Not a BOM: the bytes are data; only one can go back, so an "EF BB x"
				 * start keeps EF and BB as a field's first bytes. */
				put(c, &n, 0xEF);
				if (b == 0xBB)
					put(c, &n, 0xBB);
				st = UNQUOTED;
				ch = getc(c->f);
			}
		}
	}
	for (;; ch = getc(c->f)) {
		if (ch == EOF) {
			if (ferror(c->f))
				return -1;
			if (st == QUOTED)
				fail(c, CSV_BAD_QUOTE);
			end_field(c, &n, &start);
			return 1;
		}
		if (ch == '\0')
			fail(c, CSV_NUL);
		switch (st) {
		case FIELD_START:
		case UNQUOTED:
			if (ch == '"' && st == FIELD_START) {
				st = QUOTED;
			} else if (ch == '"') {
				fail(c, CSV_BAD_QUOTE);
			} else if (ch == ',') {
				end_field(c, &n, &start);
				st = FIELD_START;
			} else if (ch == '\n' || ch == '\r') {
				goto end_record;
			} else {
				put(c, &n, ch);
				st = UNQUOTED;
			}
			break;
		case QUOTED:
			if (ch == '"') {
				st = QUOTE_IN_QUOTED;
			} else {
				if (ch == '\n')
					c->next_line++;
				put(c, &n, ch);
			}
			break;
		case QUOTE_IN_QUOTED:
			if (ch == '"') {
				put(c, &n, '"');
				st = QUOTED;
				break;
			}
			/* The character after a closing quote is handled as AFTER_QUOTED. */
			st = AFTER_QUOTED;
			/* fall through */
		case AFTER_QUOTED:
			if (ch == ',') {
				end_field(c, &n, &start);
				st = FIELD_START;
			} else if (ch == '\n' || ch == '\r') {
				goto end_record;
			} else {
				fail(c, CSV_BAD_QUOTE);
			}
			break;
		}
	}
end_record:
	/* CRLF is one end of line. */
	if (ch == '\r') {
		int next = getc(c->f);

		if (next != '\n' && next != EOF)
			ungetc(next, c->f);
	}
	c->next_line++;
	end_field(c, &n, &start);
	return 1;
}
