/* bench_scan: what the scan checks of issue 18 cost, run by tools/bench_scan.sh against a live
 * stack (CERTHALL_URL, CERTHALL_STACK, CERTHALL_CONF).
 *
 * It makes a 2 MB A4 scan at 300 dpi (2480 x 3508 JPEG) of a real order's application form (the
 * QR read off the page the wizard prints, text blocks, a red seal, scanner noise), then, in one
 * run, with the same machine load:
 *   (a) N uploads of it as application_form, end to end through nginx and certhall-upload
 *       (every check on: legibility, QR bound to the order, seal): each must answer 201 with the
 *       QR verified and the seal found;
 *  (a0) N uploads of it with the kind's checks off (bjca-zycg's own rule of the kind with every
 *       threshold 0, the seal and the QR off, for each of these runs only, then set back from
 *       the default rule it was seeded from), interleaved with (a): the difference is what the
 *       checks add end to end;
 *   (b) N runs of convert doing the upload's normalisation on the same file (as tools/bench.sh);
 *   (c) in this process, under uploads-policy/: image_process of the scan without and with the
 *       stored pixels handed out, then each check as the upload runs it on those pixels: the
 *       grey page (scan_grey, shared by the next two), legibility (scan_measure_grey), the QR
 *       (scan_qr), the seal (scan_seal); N runs each.
 * Prints medians, the ratio a/b and the time each check adds, and JSON to the file named by
 * argv[1]. */
#define _GNU_SOURCE /* environ */
#include <math.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <wand/MagickWand.h>

#include "../api/apiclient.h"
#include "../api/wizclient.h"
#include "../data/scanforge.h"
#include "media/image.h"
#include "media/scan.h"

extern char **environ;

#define LIMIT 2097152 /* application_form on bjca-zycg: 2 MB */
#define SIDE 1754     /* its max_side */
/* The hall's own rule of the kind as the seed made it, from the default rule it copies. */
#define RULE_BACK                                                                                 \
	"UPDATE material_rules r JOIN channels c ON c.id = r.channel_id JOIN material_rules d "    \
	"ON d.channel_id = 0 AND d.material = r.material SET r.ink_min = d.ink_min, "             \
	"r.sharp_min = d.sharp_min, r.paper_min = d.paper_min, r.area_min = d.area_min, "         \
	"r.seal = d.seal, r.qr_form = d.qr_form WHERE c.code = 'bjca-zycg' AND "                  \
	"r.material = 'application_form'"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The form page at 300 dpi with scanner noise, as the best JPEG under LIMIT. */
static unsigned char *make_scan(struct api_client *c, const char *no, size_t *len, int *quality)
{
	struct forge_page pg;
	unsigned char *best = NULL;
	unsigned s = 7;
	int lo = 50, hi = 98;

	/* The QR read off the page the wizard prints, redrawn at 300 dpi. */
	{
		static unsigned char modules[177 * 177];
		char path[128];
		struct api_resp r;
		int width;

		snprintf(path, sizeof(path), "/api/wizard/orders/%s/forms/application", no);
		api_call(c, "GET", path, NULL, NULL, &r);
		width = r.status == 200 ? forge_qr_from_svg(strstr(r.body, "<svg"), modules, sizeof(modules)) : 0;
		api_free(&r);
		if (width <= 0 || forge_page_new(&pg, 2480, 3508) != 0) {
			fprintf(stderr, "bench_scan: cannot print the form of %s\n", no);
			exit(1);
		}
		forge_form_body(&pg, 1);
		forge_qr_top_right(&pg, modules, width);
		forge_seal_in_box(&pg);
	}
	for (size_t i = 0; i < (size_t)pg.w * pg.h * 3; i++) {
		int v;

		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		v = pg.rgb[i] + (int)(s % 13) - 6;
		pg.rgb[i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
	while (lo <= hi) { /* the size grows with the quality */
		MagickWand *w = NewMagickWand();
		unsigned char *blob;
		size_t n;
		int q = (lo + hi) / 2;

		if (!MagickConstituteImage(w, pg.w, pg.h, "RGB", CharPixel, pg.rgb) ||
		    !MagickSetImageFormat(w, "JPEG") || !MagickSetImageCompressionQuality(w, (size_t)q) ||
		    !MagickSetImageResolution(w, 300, 300) || !(blob = MagickGetImageBlob(w, &n))) {
			fprintf(stderr, "bench_scan: cannot encode the scan\n");
			exit(1);
		}
		if (n < LIMIT) {
			free(best);
			best = malloc(n);
			memcpy(best, blob, n);
			*len = n;
			*quality = q;
			lo = q + 1;
		} else {
			hi = q - 1;
		}
		MagickRelinquishMemory(blob);
		DestroyMagickWand(w);
	}
	forge_page_free(&pg);
	if (!best) {
		fprintf(stderr, "bench_scan: the scan is over %d bytes\n", LIMIT);
		exit(1);
	}
	return best;
}

/* One convert run of the upload's normalisation (tools/bench.sh convert_run). */
static double convert_once(char *convert, char *scan, const char *dir)
{
	char size[32], out[600], thumb[600], resize[32];
	char *argv[] = { convert, "-define", size, scan, "-auto-orient", "-strip",
			 "-colorspace", "sRGB", "-resize", resize, "-sampling-factor", "2x2,1x1,1x1",
			 "-quality", "85", "-write", out, "-thumbnail", "240x240", thumb, NULL };
	pid_t pid;
	int st;
	double t0;

	snprintf(size, sizeof(size), "jpeg:size=%dx%d", SIDE * 2480 / 3508, SIDE);
	snprintf(resize, sizeof(resize), "%dx%d>", SIDE, SIDE);
	snprintf(out, sizeof(out), "%s/convert-out.jpg", dir);
	snprintf(thumb, sizeof(thumb), "%s/convert-thumb.jpg", dir);
	t0 = now_ms();
	if (posix_spawn(&pid, convert, NULL, NULL, argv, environ) != 0 || waitpid(pid, &st, 0) < 0 ||
	    !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench_scan: %s failed\n", convert);
		exit(1);
	}
	return now_ms() - t0;
}

int main(int argc, char **argv)
{
	const char *stack = getenv("CERTHALL_STACK");
	char *convert = getenv("BENCH_CONVERT");
	const char *root = getenv("CERTHALL_ROOT") ? getenv("CERTHALL_ROOT") : ".";
	long nl = getenv("BENCH_UPLOADS") ? strtol(getenv("BENCH_UPLOADS"), NULL, 10) : 20;
	int n = nl >= 1 && nl <= 1000 ? (int)nl : 0;
	struct api_client c = { 0 };
	char uscc[19], mobile[12], no[19], path[700], err[256];
	unsigned char *scan;
	size_t len = 0;
	int quality = 0, bad = 0;
	double *up, *up0, *cv, *ip, *ipr, *gr, *me, *qr, *se;
	double up_m, up0_m, cv_m, ip_m, ipr_m, gr_m, me_m, qr_m, se_m;
	FILE *f;

	(void)argc;
	if (!stack || !convert || n < 1) {
		fprintf(stderr, "usage: CERTHALL_URL=... CERTHALL_STACK=... CERTHALL_CONF=... BENCH_CONVERT=... %s OUT.json\n",
			argv[0]);
		return 2;
	}
	up = calloc((size_t)n, sizeof(double));
	up0 = calloc((size_t)n, sizeof(double));
	cv = calloc((size_t)n, sizeof(double));
	ip = calloc((size_t)n, sizeof(double));
	ipr = calloc((size_t)n, sizeof(double));
	gr = calloc((size_t)n, sizeof(double));
	me = calloc((size_t)n, sizeof(double));
	qr = calloc((size_t)n, sizeof(double));
	se = calloc((size_t)n, sizeof(double));
	snprintf(path, sizeof(path), "%s/uploads-policy", root);
	if (image_init(path, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_scan: %s\n", err);
		return 1;
	}
	wiz_register_org(&c, uscc, mobile);
	wiz_create(&c, "bjca-zycg", "new", "org", NULL, no);
	wiz_fill(&c, no, "测试示范有限公司", mobile);
	scan = make_scan(&c, no, &len, &quality);
	snprintf(path, sizeof(path), "%s/bench-scan.jpg", stack);
	f = fopen(path, "wb");
	if (!f || fwrite(scan, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "bench_scan: cannot write %s\n", path);
		return 1;
	}
	printf("scan: 2480x3508 JPEG, %zu bytes (quality %d), order %s\n", len, quality, no);

	/* (a), (a0) and (b) interleaved, after one warm-up of each, so that all see the same load. */
	for (int i = -1; i < n; i++) {
		struct api_resp r;
		double t0, t;
		json_t *ck;

		wiz_sql("UPDATE material_rules r JOIN channels c ON c.id = r.channel_id SET r.ink_min = 0, "
			"r.sharp_min = 0, r.paper_min = 0, r.area_min = 0, r.seal = 0, r.qr_form = NULL "
			"WHERE c.code = 'bjca-zycg' AND r.material = 'application_form'");
		t0 = now_ms();
		api_upload(&c, no, "application_form", (const char *)scan, len, "scan.jpg", "image/jpeg", &r);
		t = now_ms() - t0;
		wiz_sql(RULE_BACK);
		if (r.status != 201 || json_string_value(json_object_get(json_object_get(json_object_get(r.json,
						"material"), "checks"), "qr"))) {
			fprintf(stderr, "bench_scan: unchecked upload %d: %ld %.300s\n", i, r.status, r.body ? r.body : "");
			bad++;
		}
		api_free(&r);
		if (i >= 0)
			up0[i] = t;
		t0 = now_ms();

		api_upload(&c, no, "application_form", (const char *)scan, len, "scan.jpg", "image/jpeg", &r);
		t = now_ms() - t0;
		ck = json_object_get(json_object_get(r.json, "material"), "checks");
		if (r.status != 201 || !json_string_value(json_object_get(ck, "qr")) ||
		    strcmp(json_string_value(json_object_get(ck, "qr")), "verified") != 0 ||
		    !json_string_value(json_object_get(ck, "seal")) ||
		    strcmp(json_string_value(json_object_get(ck, "seal")), "found") != 0) {
			fprintf(stderr, "bench_scan: upload %d: %ld %.300s\n", i, r.status, r.body ? r.body : "");
			bad++;
		}
		api_free(&r);
		t0 = convert_once(convert, path, stack);
		if (i >= 0) {
			up[i] = t;
			cv[i] = t0;
		}
	}

	/* (c) in this process. */
	for (int i = -1; i < n; i++) {
		struct image_rules ir = { .formats = IMAGE_JPEG, .max_bytes = LIMIT, .min_pixels = 100000,
					  .max_pixels = 40000000, .max_side = SIDE, .thumb_side = 240,
					  .jpeg_quality = 85 };
		struct image_out o;
		struct scan_measures m;
		struct scan_qr *q = malloc(sizeof(*q));
		unsigned char *grey;
		double t0 = now_ms(), t1, t2, t3, t4, t5, t6;
		int found;

		if (image_process(scan, len, "jpg", "image/jpeg", &ir, &o) != IMAGE_OK)
			return 1;
		image_out_free(&o);
		t1 = now_ms();
		ir.want_rgb = 1;
		if (image_process(scan, len, "jpg", "image/jpeg", &ir, &o) != IMAGE_OK || !q)
			return 1;
		t2 = now_ms();
		grey = scan_grey(o.rgb, o.width, o.height);
		if (!grey)
			return 1;
		t3 = now_ms();
		if (scan_measure_grey(grey, o.width, o.height, &m) != 0)
			return 1;
		t4 = now_ms();
		if (scan_qr(grey, o.width, o.height, q) != 0 || q->n < 1)
			bad++;
		free(grey);
		t5 = now_ms();
		found = scan_seal(o.rgb, o.width, o.height);
		t6 = now_ms();
		if (found != 1)
			bad++;
		if (i >= 0) {
			ip[i] = t1 - t0;
			ipr[i] = t2 - t1;
			gr[i] = t3 - t2;
			me[i] = t4 - t3;
			qr[i] = t5 - t4;
			se[i] = t6 - t5;
		}
		if (i == 0)
			printf("stored: %ux%u; measures: ink %d per mille, sharpness %d, paper %d, area %d %%\n",
			       o.width, o.height, m.ink_pm, m.sharpness, m.paper, m.area_pct);
		image_out_free(&o);
		free(q);
	}
	up_m = median(up, n);
	up0_m = median(up0, n);
	cv_m = median(cv, n);
	ip_m = median(ip, n);
	ipr_m = median(ipr, n);
	gr_m = median(gr, n);
	me_m = median(me, n);
	qr_m = median(qr, n);
	se_m = median(se, n);
	printf("(a) upload end to end, every check on: median %.1f ms (%d runs)\n", up_m, n);
	printf("(a0) the same, the kind's checks off:   median %.1f ms: the checks add %.1f ms end to end\n",
	       up0_m, up_m - up0_m);
	printf("(b) convert, same normalisation:       median %.1f ms\n", cv_m);
	printf("    a/b = %.2f (target <= 1.00): %s; a0/b = %.2f\n", up_m / cv_m, up_m <= cv_m ? "PASS" : "MISS",
	       up0_m / cv_m);
	printf("(c) in process: image_process %.1f ms; the time each check adds (medians):\n", ip_m);
	printf("    pixels handed out %.1f ms, grey page %.1f ms (for the next two), legibility %.1f ms,\n"
	       "    QR %.1f ms, seal %.1f ms: all %.1f ms = %.0f %% of image_process\n",
	       ipr_m - ip_m, gr_m, me_m, qr_m, se_m, ipr_m - ip_m + gr_m + me_m + qr_m + se_m,
	       100.0 * (ipr_m - ip_m + gr_m + me_m + qr_m + se_m) / ip_m);
	f = argv[1] ? fopen(argv[1], "w") : NULL;
	if (f) {
		fprintf(f, "{\"scan_bytes\":%zu,\"runs\":%d,\"upload_ms\":%.2f,\"upload_unchecked_ms\":%.2f,\"convert_ms\":%.2f,"
			   "\"ratio\":%.3f,\"image_process_ms\":%.2f,\"export_ms\":%.2f,\"grey_ms\":%.2f,\"measure_ms\":%.2f,"
			   "\"qr_ms\":%.2f,\"seal_ms\":%.2f,\"bad\":%d}\n",
			len, n, up_m, up0_m, cv_m, up_m / cv_m, ip_m, ipr_m - ip_m, gr_m, me_m, qr_m, se_m, bad);
		fclose(f);
	}
	image_done();
	free(scan);
	if (bad)
		fprintf(stderr, "bench_scan: %d runs did not find the QR or the seal\n", bad);
	return bad ? 1 : 0;
}
