/* upload: material uploads (checks, normalisation, storage) and their authorised serving. */
#ifndef CERTHALL_UPLOAD_H
#define CERTHALL_UPLOAD_H

#include <stdbool.h>

#include "domain/order.h"
#include "web/req.h"

/* The order a request names, as far as this program needs it. */

/* The rule one material kind is uploaded under, for one order. */
struct upload_rule {
	const char *name;        /* zh-CN */
	unsigned formats;        /* IMAGE_* bits */
	const char *formats_text;
	long long max_bytes, min_pixels, max_pixels;
	int max_side;
	int ink_min, sharp_min, paper_min, area_min; /* the scan checks: 0 leaves one out */
	bool seal;                                   /* a red seal is expected */
	const char *qr_form;                         /* the printed form whose QR it carries, or NULL */
	bool awaits_check;  /* the hall takes scans only once the organisation's check passed (004) */
	int pages;          /* the most pages the material takes (1: one image) */
	const char *page_names; /* "正面（人像面）,背面（国徽面）", or NULL */
};

/* What the scan checks found on an accepted upload (checks.c). */
struct upload_checks {
	bool measured;
	int ink_pm, sharpness, paper, area_pct;
	const char *qr_state;   /* "verified" or NULL */
	const char *seal_state; /* "found", "missing" or NULL */
	const char *warning;    /* for the applicant, zh-CN, or NULL */
};

/* Whether the order takes a new version of material now: any in a draft; on a returned
 * order only what the reviewer sent back (editable_list). */
bool upload_material_open(enum order_state state, const char *editable_list, const char *material);

/* Whether the rule asks for any scan check (and so for the pixels). */
bool upload_checks_wanted(const struct upload_rule *rule);

/* Runs the rule's checks on the stored pixels (rgb, w x h) of order no: legibility, then the
 * QR of the printed form, then the seal. A refusal is answered (400 with the check named)
 * and returns -1; else 0 with c filled. */
int upload_check_scan(struct req *r, const struct order *o, const char *no,
		      const struct upload_rule *rule, const unsigned char *rgb, unsigned w, unsigned h,
		      struct upload_checks *c);

/* POST a page of a material (?page=N, 1..the rule's pages; 1 when absent), DELETE one. */
int upload_put(struct req *r);
int upload_remove(struct req *r);

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
int upload_find_order(struct req *r, const char *no, bool staff_may, struct order *o);

/* The rule of material for the order, and in *latest "accepted" when a page of it is, else the
 * state of the order's latest upload of it (NULL: none yet); 400 material_not_needed when no
 * rule applies. */
int upload_find_rule(struct req *r, const struct order *o, const char *material,
		     struct upload_rule *rule, const char **latest);

#endif
