/* fuzz_prepass: libFuzzer harness for prepass_png and prepass_gif. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/prepass.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

/* What prepass_png promises of its output: the signature, IHDR first, whole chunks only,
 * none of the left-out kinds, IEND last, no longer than the input. */
static void check_png(const unsigned char *in, const unsigned char *out, size_t n, size_t len)
{
	size_t pos = 8;
	int end = 0;

	CHECK(len <= n && len >= 8 + 25);
	CHECK(memcmp(out, in, 8) == 0);
	CHECK(memcmp(out + 12, "IHDR", 4) == 0);
	while (pos < len) {
		unsigned long k;

		CHECK(!end);
		CHECK(len - pos >= 12);
		k = be32(out + pos);
		CHECK(k <= len - pos - 12);
		CHECK(memcmp(out + pos + 4, "tEXt", 4) && memcmp(out + pos + 4, "zTXt", 4) &&
		      memcmp(out + pos + 4, "iTXt", 4) && memcmp(out + pos + 4, "iCCP", 4) &&
		      memcmp(out + pos + 4, "eXIf", 4));
		end = memcmp(out + pos + 4, "IEND", 4) == 0;
		pos += k + 12;
	}
	CHECK(end && pos == len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so a read past the end is an ASan report; the first byte picks
	 * the limits, the rest is the image (given a PNG signature one time in two). */
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned long long max_pixels;
	unsigned long max_side;
	struct prepass_info pi;
	unsigned char *in, *out;
	size_t n, len = 0, skip;
	int rc;

	if (size < 1)
		return 0;
	max_pixels = (data[0] & 1) ? 40000000ULL : 1ULL << 40;
	max_side = (data[0] & 2) ? 16000 : 0xffffffffUL;
	skip = (data[0] & 4) ? 0 : 8;
	n = size - 1 + skip;
	in = malloc(n ? n : 1);
	out = malloc(n ? n : 1);
	if (!in || !out)
		goto done;
	if (skip)
		memcpy(in, sig, 8);
	memcpy(in + skip, data + 1, size - 1);
	rc = prepass_png(in, n, out, &len, max_pixels, max_side, &pi);
	CHECK(rc == PREPASS_OK || rc == PREPASS_BAD || rc == PREPASS_BIG);
	if (rc == PREPASS_OK) {
		check_png(in, out, n, len);
		CHECK(len + pi.stripped_bytes <= n);
		CHECK(pi.width <= max_side && pi.height <= max_side);
		CHECK((unsigned long long)pi.width * pi.height <= max_pixels);
	} else {
		CHECK(len == 0);
	}
	rc = prepass_gif(data + 1, size - 1, max_pixels, max_side, &pi);
	CHECK(rc == PREPASS_OK || rc == PREPASS_BAD || rc == PREPASS_BIG);
	if (rc == PREPASS_OK) {
		CHECK(pi.fwidth > 0 && pi.fheight > 0);
		CHECK(pi.fwidth <= pi.width && pi.fheight <= pi.height);
		CHECK((unsigned long long)pi.fwidth * pi.fheight <= max_pixels);
	}
done:
	free(in);
	free(out);
	return 0;
}
