/* Test corpus helper: builds the hand-made hostile images make_corpus.sh cannot make with convert. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CRC-32 of PNG chunks (ISO 3309, the zlib polynomial), bitwise: a test tool, not a hot path. */
static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static int write_chunk(FILE *f, const char *type, const unsigned char *data, uint32_t len)
{
	unsigned char hdr[8], crc[4];
	uint32_t c;

	put32(hdr, len);
	memcpy(hdr + 4, type, 4);
	c = crc32_update(0, hdr + 4, 4);
	c = crc32_update(c, data, len);
	put32(crc, c);
	return fwrite(hdr, 1, 8, f) != 8 || (len && fwrite(data, 1, len, f) != len) ||
	       fwrite(crc, 1, 4, f) != 4;
}

/* A PNG of a few dozen bytes whose IHDR declares width x height (8-bit RGB), followed by one
 * tiny IDAT (an empty zlib stream) and IEND: a decoder that trusts the header allocates
 * width*height*pixel bytes before it finds out there is no data. */
static int png_header(unsigned long w, unsigned long h, const char *out)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	static const unsigned char idat[8] = {0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01};
	unsigned char ihdr[13];
	FILE *f = fopen(out, "wb");
	int bad;

	if (!f)
		return 1;
	put32(ihdr, (uint32_t)w);
	put32(ihdr + 4, (uint32_t)h);
	ihdr[8] = 8;   /* bit depth */
	ihdr[9] = 2;   /* colour type: RGB */
	ihdr[10] = 0;  /* deflate */
	ihdr[11] = 0;  /* adaptive filtering */
	ihdr[12] = 0;  /* not interlaced */
	bad = fwrite(sig, 1, 8, f) != 8 || write_chunk(f, "IHDR", ihdr, sizeof(ihdr)) ||
	      write_chunk(f, "IDAT", idat, sizeof(idat)) || write_chunk(f, "IEND", NULL, 0);
	return fclose(f) != 0 || bad;
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)len)) && fread(buf, 1, (size_t)len, f) == (size_t)len) {
		*n = (size_t)len;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Writes in[0..2) (SOI), then mid, then in[2..n): a segment spliced right after SOI. */
static int splice(const char *in, const char *out, const unsigned char *mid, size_t midn)
{
	size_t n;
	unsigned char *buf = slurp(in, &n);
	FILE *f;
	int bad;

	if (!buf || n < 4 || buf[0] != 0xFF || buf[1] != 0xD8) {
		free(buf);
		return 1;
	}
	f = fopen(out, "wb");
	if (!f) {
		free(buf);
		return 1;
	}
	bad = fwrite(buf, 1, 2, f) != 2 || (midn && fwrite(mid, 1, midn, f) != midn) ||
	      fwrite(buf + 2, 1, n - 2, f) != n - 2;
	free(buf);
	return fclose(f) != 0 || bad;
}

/* An APP1 Exif segment (big-endian TIFF): IFD0 holds Orientation = 6 ("rotate 90° clockwise
 * to display") and a GPSInfo pointer; the GPS IFD holds GPSLatitudeRef "N", GPSLatitude
 * 39/1 54/1 1234/100, and GPSMapDatum "CERTHALL-GPS-MARK", a string the test looks for. */
static int exif_splice(const char *in, const char *out)
{
	static const char mark[] = "CERTHALL-GPS-MARK";
	unsigned char seg[4 + 6 + 122];
	unsigned char *t = seg + 10; /* TIFF header: offsets below are relative to it */
	size_t i = 0;

	memset(seg, 0, sizeof(seg));
	seg[0] = 0xFF;
	seg[1] = 0xE1;
	seg[2] = (unsigned char)((sizeof(seg) - 2) >> 8);
	seg[3] = (unsigned char)(sizeof(seg) - 2);
	memcpy(seg + 4, "Exif\0\0", 6);
	memcpy(t, "MM\0\x2a\0\0\0\x08", 8);
	i = 8;
	/* IFD0 @8: 2 entries */
	t[i++] = 0, t[i++] = 2;
	memcpy(t + i, "\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00", 12), i += 12;
	memcpy(t + i, "\x88\x25\x00\x04\x00\x00\x00\x01\x00\x00\x00\x26", 12), i += 12; /* GPS @38 */
	i += 4; /* no next IFD */
	/* GPS IFD @38: 3 entries */
	t[i++] = 0, t[i++] = 3;
	memcpy(t + i, "\x00\x01\x00\x02\x00\x00\x00\x02N\0\0\0", 12), i += 12;
	memcpy(t + i, "\x00\x02\x00\x05\x00\x00\x00\x03\x00\x00\x00\x50", 12), i += 12; /* @80 */
	memcpy(t + i, "\x00\x12\x00\x02\x00\x00\x00\x12\x00\x00\x00\x68", 12), i += 12; /* @104 */
	i += 4;
	/* @80: three RATIONALs */
	put32(t + i, 39), put32(t + i + 4, 1), i += 8;
	put32(t + i, 54), put32(t + i + 4, 1), i += 8;
	put32(t + i, 1234), put32(t + i + 4, 100), i += 8;
	/* @104: the datum string, 18 bytes with its NUL */
	memcpy(t + i, mark, sizeof(mark)), i += sizeof(mark);
	if (i != 122)
		return 1;
	return splice(in, out, seg, sizeof(seg));
}

/* Pads a JPEG to exactly total bytes with COM segments right after SOI (a COM segment carries
 * at most 65533 bytes; none is shorter than 4). Decoders skip COM, so the image is unchanged. */
static int pad_jpeg(const char *in, const char *out, unsigned long total)
{
	size_t n;
	unsigned char *src = slurp(in, &n), *pad = NULL;
	size_t need, off = 0;
	int rc = 1;

	if (!src || total < n + 4)
		goto out;
	need = total - n;
	pad = malloc(need);
	if (!pad)
		goto out;
	while (need > 0) {
		size_t seg = need > 65537 ? 65537 : need;

		if (need > 65537 && need - seg < 4)
			seg = need - 4; /* leave room for a last, minimal segment */
		pad[off] = 0xFF;
		pad[off + 1] = 0xFE;
		pad[off + 2] = (unsigned char)((seg - 2) >> 8);
		pad[off + 3] = (unsigned char)(seg - 2);
		memset(pad + off + 4, 'P', seg - 4);
		off += seg;
		need -= seg;
	}
	free(src);
	src = NULL;
	rc = splice(in, out, pad, off);
out:
	free(src);
	free(pad);
	return rc;
}

/* Rewrites the width and height in a JPEG's SOF0/SOF2 header: a JPEG that declares a pixel
 * flood while its data is that of a small image. */
static int jpeg_size(const char *in, const char *out, unsigned long w, unsigned long h)
{
	size_t n, i = 2;
	unsigned char *buf = slurp(in, &n);
	FILE *f;
	int bad;

	if (!buf)
		return 1;
	while (i + 9 < n && buf[i] == 0xFF && buf[i + 1] != 0xC0 && buf[i + 1] != 0xC2)
		i += 2 + ((size_t)buf[i + 2] << 8 | buf[i + 3]);
	if (i + 9 >= n || buf[i] != 0xFF) {
		free(buf);
		return 1;
	}
	buf[i + 5] = (unsigned char)(h >> 8);
	buf[i + 6] = (unsigned char)h;
	buf[i + 7] = (unsigned char)(w >> 8);
	buf[i + 8] = (unsigned char)w;
	f = fopen(out, "wb");
	bad = !f || fwrite(buf, 1, n, f) != n;
	free(buf);
	return (f && fclose(f) != 0) || bad;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "png-header") == 0)
		return png_header(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10), argv[4]);
	if (argc == 4 && strcmp(argv[1], "exif") == 0)
		return exif_splice(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "pad-jpeg") == 0)
		return pad_jpeg(argv[2], argv[3], strtoul(argv[4], NULL, 10));
	if (argc == 6 && strcmp(argv[1], "jpeg-size") == 0)
		return jpeg_size(argv[2], argv[3], strtoul(argv[4], NULL, 10),
				 strtoul(argv[5], NULL, 10));
	fprintf(stderr,
		"usage: %s png-header W H OUT | exif IN OUT | pad-jpeg IN OUT BYTES | "
		"jpeg-size IN OUT W H\n",
		argv[0]);
	return 2;
}
