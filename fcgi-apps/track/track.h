/* track: public order and certificate look-ups. */
#ifndef CERTHALL_TRACK_H
#define CERTHALL_TRACK_H

#include "req.h"

int track_order(struct req *r);
int track_cert(struct req *r);

/* paper.c: POST /api/track/orders/:no/waybill (the applicant, the paper sent in). */
int track_paper_waybill(struct req *r);

/* parcels.c: the order's waybills, both ways, each with the courier's state and events (or
 * what the courier said last, "live": false, when it cannot be asked now). Never NULL but
 * when out of memory. */
json_t *track_waybills(struct req *r, long long order_id);

#endif
