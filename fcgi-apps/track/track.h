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

/* parcels.c: at most this many waybills an order are shown (both ways, replacements). */
#define TRACK_MAX_WAYBILLS 8

/* parcels.c: the order's waybills, both ways, each with the courier's state and events as
 * last refreshed in the background, their time (refreshed_at, null before the first answer)
 * and whether the courier failed since (refresh_failing). Never NULL but when out of memory. */
json_t *track_waybills(struct req *r, long long order_id);

#endif
