/* smsfit: a reviewer's free text fitted into a notice of bounded length, by whole sentences. */
#ifndef CERTHALL_SMSFIT_H
#define CERTHALL_SMSFIT_H

#include <stddef.h>

/* Writes into out (outsz bytes) s whole when it takes at most max bytes; else the whole
 * sentences of s (each ending in 。；！？ or their ASCII forms) that fit in max bytes together
 * with SMSFIT_MORE, without the last sentence's mark (the template closes it), then
 * SMSFIT_MORE. When not even the first sentence fits, its clauses (ending in ，、) instead;
 * with none of those either, as many whole characters as fit. Never cuts a UTF-8 character.
 * max must leave room for SMSFIT_MORE; outsz must exceed max. Returns out. */
#define SMSFIT_MORE "等（详见网上营业厅订单）"
char *smsfit_text(char *out, size_t outsz, const char *s, size_t max);

#endif
