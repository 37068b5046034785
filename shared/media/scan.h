/* scan: what a scanned page shows: legibility measures, a red seal, the QR codes on it. */
#ifndef CERTHALL_SCAN_H
#define CERTHALL_SCAN_H

#include <stddef.h>

/* The largest page the checks look at, pixels (a stored scan is at most 1754 on a side). */
#define SCAN_MAX_SIDE 4096
#define SCAN_QR_MAX 4          /* QR codes read from one page */
#define SCAN_QR_TEXT_MAX 700   /* a payload's bytes: more is not one of ours (qr.h) */

/* The measures of a page, each on a scale independent of its pixel size. */
struct scan_measures {
	int ink_pm;    /* per mille of the page that is ink (clearly darker than the paper) */
	int sharpness; /* edge sharpness: 1000 x sum(Laplacian^2) / sum(gradient^2) on edges */
	int paper;     /* the paper's brightness, 0..255 (the 90th percentile of grey) */
	int area_pct;  /* percent of the image the inked part spans (its bounding box) */
};

/* Per material kind, from material_rules; 0 leaves a check out. */
struct scan_rules {
	int ink_min, sharp_min, paper_min, area_min;
};

enum scan_fault {
	SCAN_LEGIBLE = 0,
	SCAN_DARK,    /* paper < paper_min */
	SCAN_BLANK,   /* ink_pm < ink_min */
	SCAN_BLURRED, /* sharpness < sharp_min */
	SCAN_SMALL,   /* area_pct < area_min */
};

/* Measures an 8-bit RGB page of w x h (each side 1..SCAN_MAX_SIDE). Returns 0, or -1 on a
 * bad size or no memory (m zeroed). */
int scan_measure(const unsigned char *rgb, unsigned w, unsigned h, struct scan_measures *m);

/* The same on the page's grey (scan_grey), for a caller that has it already (the QR reads it
 * too). */
int scan_measure_grey(const unsigned char *grey, unsigned w, unsigned h, struct scan_measures *m);

/* The first check the measures fail, in the order dark, blank, blurred, small: the cause is
 * named, not its symptoms (a dark page also looks blank and blurred; on a blurred page the
 * fine strokes fade above the ink threshold, so its inked box shrinks with the blur and
 * the page may look small). */
enum scan_fault scan_judge(const struct scan_measures *m, const struct scan_rules *r);

/* Short English name of a fault, for logs and the API's "check" field. */
const char *scan_fault_name(enum scan_fault f);

/* 1 when the page shows a red seal impression: a red, roughly round region whose diameter
 * is 8 to 40 percent of the page's shorter side, with ink around its rim; else 0; -1 on a
 * bad size or no memory. */
int scan_seal(const unsigned char *rgb, unsigned w, unsigned h);

/* What scan_qr found. */
struct scan_qr {
	int n;                                   /* QR codes decoded, 0..SCAN_QR_MAX */
	size_t len[SCAN_QR_MAX];
	char text[SCAN_QR_MAX][SCAN_QR_TEXT_MAX + 1]; /* NUL-terminated; may hold NUL bytes */
	int finders; /* QR finder patterns seen (when none decoded): a code is there, unread */
};

/* Reads the QR codes of an 8-bit grey page (libzbar, QR only). Returns 0 (q->n may be 0),
 * or -1 on a bad size or no memory. Payloads over SCAN_QR_TEXT_MAX are skipped. */
int scan_qr(const unsigned char *grey, unsigned w, unsigned h, struct scan_qr *q);

/* The grey of an RGB page (Rec. 601 luma) into a malloc'd buffer of w x h, or NULL (a bad
 * size or no memory). */
unsigned char *scan_grey(const unsigned char *rgb, unsigned w, unsigned h);

#endif
