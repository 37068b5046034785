/* smsfit: fitting a reviewer's reason into an SMS by whole sentences ("请盖章后重…" told the
 * applicant nothing). */
#include "domain/smsfit.h"

#include <stdio.h>
#include <string.h>

static const char *const sentence_ends[] = { "。", "；", "！", "？", ";", "!", "?", NULL };
static const char *const clause_ends[] = { "，", "、", ",", NULL };

/* The byte length of the mark from ends that starts at s, or 0. */
static size_t mark_at(const char *s, const char *const *ends)
{
	for (size_t i = 0; ends[i]; i++)
		if (strncmp(s, ends[i], strlen(ends[i])) == 0)
			return strlen(ends[i]);
	return 0;
}

/* The longest prefix of s within room bytes that ends just before a mark of ends (the mark
 * excluded), or 0 when none. */
static size_t last_end(const char *s, size_t room, const char *const *ends)
{
	size_t best = 0;

	for (size_t i = 0; s[i] && i < room; i++) {
		size_t m = mark_at(s + i, ends);

		if (m && i > 0)
			best = i;
		if (m)
			i += m - 1;
	}
	return best;
}

char *smsfit_text(char *out, size_t outsz, const char *s, size_t max)
{
	size_t n = strlen(s), more = strlen(SMSFIT_MORE), room, keep;

	if (n <= max || max <= more) {
		snprintf(out, outsz, "%.*s", (int)(n <= max ? n : 0), s);
		return out;
	}
	room = max - more;
	keep = last_end(s, room, sentence_ends);
	if (keep == 0)
		keep = last_end(s, room, clause_ends);
	if (keep == 0) {
		keep = room;
		while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
			keep--;
	}
	snprintf(out, outsz, "%.*s%s", (int)keep, s, SMSFIT_MORE);
	return out;
}
