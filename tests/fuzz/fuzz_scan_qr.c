/* fuzz_scan_qr: libFuzzer harness for the image -> payload path of the scan checks: bytes as a
 * grey page for scan_qr (libzbar and the finder search), each payload read back through
 * formtag_parse and formtag_valid, the same bytes as an RGB page for scan_measure and scan_seal,
 * and the bytes themselves as a payload. Pages are at most 256 x 256; when the first byte is
 * odd, the grey page is read once more enlarged (each pixel a square) into a 200 x 300 page,
 * so that the passes of an upright page (its top right sixth, plain, binarised and sharpened)
 * run too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/formtag.h"
#include "media/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

#define SIDE_MAX 256

static void payload(const struct crypto_key *key, const char *text, size_t len)
{
	struct formtag_ref ref;

	if (formtag_parse(text, len, &ref) != 0) {
		CHECK(ref.no[0] == '\0' && ref.form[0] == '\0' && ref.tag[0] == '\0');
		return;
	}
	CHECK(strlen(ref.no) == FORMTAG_NO_LEN && strlen(ref.tag) == FORMTAG_LEN);
	CHECK(formtag_is_form(ref.form));
	(void)formtag_valid(key, ref.no, ref.form, ref.tag);
}

/* The page enlarged by the least whole factor that makes it at least 200 x 300, its top left
 * 200 x 300 read: the smallest page scan_qr takes as upright, so that its passes over the top
 * right sixth run too, at a bounded cost per input. */
#define UPRIGHT_W 200
#define UPRIGHT_H 300
static void upright(const unsigned char *px, unsigned w, unsigned h, struct scan_qr *q)
{
	unsigned f = (UPRIGHT_W + w - 1) / w, fh = (UPRIGHT_H + h - 1) / h;
	unsigned char *big = malloc((size_t)UPRIGHT_W * UPRIGHT_H);

	CHECK(big != NULL);
	f = f > fh ? f : fh;
	for (unsigned y = 0; y < UPRIGHT_H; y++)
		for (unsigned x = 0; x < UPRIGHT_W; x++)
			big[(size_t)y * UPRIGHT_W + x] = px[(size_t)(y / f) * w + x / f];
	CHECK(scan_qr(big, UPRIGHT_W, UPRIGHT_H, q) == 0);
	CHECK(q->n >= 0 && q->n <= SCAN_QR_MAX);
	free(big);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct crypto_key key; /* all zero: the tag check runs, a match is chance */
	struct scan_qr q;
	struct scan_measures m;
	unsigned w, h;
	const unsigned char *px;
	size_t n;

	payload(&key, (const char *)data, size);
	if (size < 3)
		return 0;
	w = 8 + (unsigned)data[0] % (SIDE_MAX - 7);
	px = data + 1;
	n = size - 1;
	h = (unsigned)(n / w);
	if (h > SIDE_MAX)
		h = SIDE_MAX;
	if (h == 0)
		return 0;
	CHECK(scan_qr(px, w, h, &q) == 0);
	CHECK(q.n >= 0 && q.n <= SCAN_QR_MAX);
	for (int i = 0; i < q.n; i++) {
		CHECK(q.len[i] <= SCAN_QR_TEXT_MAX);
		payload(&key, q.text[i], q.len[i]);
	}
	if (data[0] & 1) {
		upright(px, w, h, &q);
		for (int i = 0; i < q.n; i++) {
			CHECK(q.len[i] <= SCAN_QR_TEXT_MAX);
			payload(&key, q.text[i], q.len[i]);
		}
	}
	if (n / 3 / w > 0) {
		unsigned rh = (unsigned)(n / 3 / w) > SIDE_MAX ? SIDE_MAX : (unsigned)(n / 3 / w);

		if (scan_measure(px, w, rh, &m) == 0)
			CHECK(m.ink_pm >= 0 && m.ink_pm <= 1000 && m.area_pct >= 0 && m.area_pct <= 100 &&
			      m.paper >= 0 && m.paper <= 255 && m.sharpness >= 0);
		CHECK(scan_seal(px, w, rh) >= 0);
	}
	return 0;
}
