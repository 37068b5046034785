/* sqlsplit: splitting migration files into single statements. */
#include <stdbool.h>
#include <string.h>

#include "db/sqlsplit.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A statement runs from its first character of code to the ';' outside quotes and comments;
 * comment-only stretches (a file's header, a trailing note) are not statements. */
int sql_split(const char *s, size_t n, int (*fn)(const char *, size_t, int, void *), void *ctx)
{
	size_t i = 0, first = 0, last = 0;
	bool code = false;
	int line = 1, first_line = 1, rc;
	char quote = 0;

	while (i < n) {
		char c = s[i];

		if (!quote && ((c == '-' && i + 1 < n && s[i + 1] == '-' && (i + 2 == n || is_space(s[i + 2]))) ||
			       c == '#')) {
			while (i < n && s[i] != '\n')
				i++;
			continue;
		}
		if (!quote && c == '/' && i + 1 < n && s[i + 1] == '*') {
			for (i += 2; i < n && !(s[i] == '*' && i + 1 < n && s[i + 1] == '/'); i++)
				line += s[i] == '\n';
			i += 2;
			continue;
		}
		if (!quote && c == ';') {
			if (code && (rc = fn(s + first, last - first, first_line, ctx)) != 0)
				return rc;
			code = false;
			i++;
			continue;
		}
		if (!is_space(c) || quote) {
			if (!code) {
				code = true;
				first = i;
				first_line = line;
			}
			last = i + 1;
		}
		if (quote) {
			if (c == '\\' && quote != '`' && i + 1 < n) {
				i++;
				last = i + 1;
			} else if (c == quote) {
				quote = 0;
			}
		} else if (c == '\'' || c == '"' || c == '`') {
			quote = c;
		}
		if (s[i] == '\n')
			line++;
		i++;
	}
	return code ? fn(s + first, last - first, first_line, ctx) : 0;
}
