/* track: public order and certificate look-ups. */
#ifndef CERTHALL_TRACK_H
#define CERTHALL_TRACK_H

#include "req.h"

int track_order(struct req *r);
int track_cert(struct req *r);

/* Counts the hit against the client's address; answers 429 (with Retry-After) or 503 and
 * returns -1 when the look-up must not go on. */
int track_limit(struct req *r);

#endif
