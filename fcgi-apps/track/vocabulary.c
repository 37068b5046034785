/* track: GET /api/track/vocabulary: the order vocabulary of the pages (states with their
 * zh-CN names and flags, the moves between them, businesses, kinds, events, payment states
 * and methods, carriers; shared/domain/vocab.h). Public and cacheable: the body changes only
 * with a build and its ETag is a hash of it. Like the pages (nginx/certhall-portal.conf), it
 * is revalidated on every use, so a page never mixes with another build's vocabulary; a
 * revalidation that names the tag gets 304 and no body. */
#include <stdio.h>
#include <string.h>

#include "domain/vocab.h"
#include "web/req.h"
#include "track.h"

/* FNV-1a, 64 bits: tells one build's vocabulary from another's. */
static unsigned long long fnv1a(const char *s, size_t n)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

/* Whether If-None-Match names the tag: "*", or a list of tags, each maybe weak (W/"..."). */
static bool tag_listed(const char *header, const char *tag)
{
	size_t n = strlen(tag);

	if (strcmp(header, "*") == 0)
		return true;
	for (const char *p = strstr(header, tag); p; p = strstr(p + 1, tag))
		if (p[n] == '\0' || p[n] == ',' || p[n] == ' ')
			return true;
	return false;
}

int track_vocabulary(struct req *r)
{
	const char *asked = req_param(r, "HTTP_IF_NONE_MATCH");
	char tag[24];

	resp_json(r, 200, vocab_json());
	if (r->status != 200)
		return 0; /* out of memory: resp_json answered 500 */
	snprintf(tag, sizeof(tag), "\"%016llx\"", fnv1a(r->body, r->body_len));
	resp_header(r, "ETag", tag);
	resp_header(r, "Cache-Control", "public, no-cache");
	if (asked && tag_listed(asked, tag))
		resp_not_modified(r);
	return 0;
}
