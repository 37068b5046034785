/* upload: material uploads (checks, normalisation, storage) and their authorised serving. */
#ifndef CERTHALL_UPLOAD_H
#define CERTHALL_UPLOAD_H

#include <stdbool.h>

#include "req.h"

/* The order a request names, as far as this program needs it. */
struct upload_order {
	long long id, account_id, channel_id;
	const char *state, *business, *kind;
	const char *editable; /* returned: the comma list of what the reviewer sent back, else "" */
};

/* The rule one material kind is uploaded under, for one order. */
struct upload_rule {
	const char *name;        /* zh-CN */
	unsigned formats;        /* IMAGE_* bits */
	const char *formats_text;
	long long max_bytes, min_pixels, max_pixels;
	int max_side;
};

/* Whether the order takes a new version of material now: any in a draft; on a returned
 * order only what the reviewer sent back (editable_list). */
bool upload_material_open(const char *state, const char *editable_list, const char *material);

int upload_put(struct req *r);

/* The worker's address-space cap ([upload] address_space_mb); 0 or -1 (logged). */
int upload_guard_init(struct app *app);
/* Around image_process: past [upload] decode_timeout_ms + 2 s, the request is answered
 * corrupt_image (decode timed out) and the worker ends; the master starts another. */
void upload_guard_arm(struct req *r);
void upload_guard_disarm(void);
int upload_list(struct req *r);
int upload_serve(struct req *r);

/* Finds the order by number for whoever asks: the owner, or staff when staff_may is true.
 * Anyone else gets the same 404 as an unknown number. Returns 0 or -1 (answered). */
int upload_find_order(struct req *r, const char *no, bool staff_may, struct upload_order *o);

/* The rule of material for the order; 400 material_not_needed when none applies. */
int upload_find_rule(struct req *r, const struct upload_order *o, const char *material,
		     struct upload_rule *rule);

#endif
