/* track: public order and certificate look-ups. */
#ifndef CERTHALL_TRACK_H
#define CERTHALL_TRACK_H

#include "web/req.h"

int track_order(struct req *r);
int track_cert(struct req *r);
int track_crl(struct req *r);

/* vocabulary.c: GET /api/track/vocabulary (public, cacheable). */
int track_vocabulary(struct req *r);

/* paper.c: POST /api/track/orders/:no/waybill (the applicant, the paper sent in). */
int track_paper_waybill(struct req *r);

/* cache.c: the answers of POST /api/track/order, shared by the workers of this host. */
enum { TRACK_CACHE_MISS, TRACK_CACHE_HIT, TRACK_CACHE_WRONG_TAIL };
struct app;
int track_cache_init(struct app *app); /* the master, before the workers */
/* Where an answer read from the database now is to go (track_cache_put's guard). */
unsigned long long track_cache_guard(void);
/* HIT: *text is the answer (arena copy). WRONG_TAIL: the order is there, the digits not. */
int track_cache_get(struct req *r, const char *no, const char *tail, char **text, size_t *len);
void track_cache_put(unsigned long long guard, const char *no, const char tail[4], const char *text,
		     size_t len);

/* parcels.c: at most this many waybills an order are shown (both ways, replacements). */
#define TRACK_MAX_WAYBILLS 8

/* parcels.c: the order's waybills, both ways, each with the courier's state and events as
 * last refreshed in the background, their time (refreshed_at, null before the first answer)
 * and whether the courier failed since (refresh_failing). Never NULL but when out of memory. */
json_t *track_waybills(struct req *r, long long order_id);

#endif
