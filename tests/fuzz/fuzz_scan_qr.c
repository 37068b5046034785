/* fuzz_scan_qr: libFuzzer harness for the image -> payload path of the scan checks: bytes as a
 * grey page for scan_qr (libzbar and the finder search), each payload read back through
 * formtag_parse and formtag_valid, the same bytes as an RGB page for scan_measure and scan_seal,
 * and the bytes themselves as a payload. Pages are at most 256 x 256. */
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
	if (n / 3 / w > 0) {
		unsigned rh = (unsigned)(n / 3 / w) > SIDE_MAX ? SIDE_MAX : (unsigned)(n / 3 / w);

		if (scan_measure(px, w, rh, &m) == 0)
			CHECK(m.ink_pm >= 0 && m.ink_pm <= 1000 && m.area_pct >= 0 && m.area_pct <= 100 &&
			      m.paper >= 0 && m.paper <= 255 && m.sharpness >= 0);
		CHECK(scan_seal(px, w, rh) >= 0);
	}
	return 0;
}
