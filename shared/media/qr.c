/* qr: QR symbols as SVG: one path of unit squares inside a quiet zone. */
#include "media/qr.h"

#include <errno.h>
#include <qrencode.h>
#include <stdio.h>
#include <string.h>

/* "M" x " " y "h1v1h-1z" with x, y < 200: at most 16 bytes a module. */
#define QR_SQUARE_MAX 16

int qr_svg(struct arena *a, const char *text, struct qr_svg *out)
{
	QRcode *q;
	size_t n, cap, len;
	int side, rc = QR_OK;
	char *buf;

	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return QR_EINVAL;
	n = strnlen(text, QR_MAX_TEXT + 1);
	if (n > QR_MAX_TEXT)
		return QR_TOO_LONG;
	errno = 0;
	q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return errno == ERANGE ? QR_TOO_LONG : errno == EINVAL ? QR_EINVAL : QR_ENOMEM;
	if (q->width < 21 || q->width > 177) {
		QRcode_free(q);
		return QR_ENOMEM;
	}
	side = q->width + 2 * QR_QUIET;
	cap = 512 + (size_t)q->width * (size_t)q->width * QR_SQUARE_MAX;
	buf = arena_alloc(a, cap);
	if (!buf) {
		QRcode_free(q);
		return QR_ENOMEM;
	}
	len = (size_t)snprintf(buf, cap,
			       "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 %d %d\" "
			       "shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR\">"
			       "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
			       side, side, side, side);
	for (int y = 0; y < q->width && len < cap; y++)
		for (int x = 0; x < q->width && len < cap; x++)
			/* Bit 0 of each byte is the module's colour; the others are encoder notes. */
			if (q->data[y * q->width + x] & 1)
				len += (size_t)snprintf(buf + len, cap - len, "M%d %dh1v1h-1z",
							x + QR_QUIET, y + QR_QUIET);
	if (len < cap)
		len += (size_t)snprintf(buf + len, cap - len, "\"/></svg>");
	if (len >= cap) {
		rc = QR_ENOMEM; /* the bound above rules it out; still, never hand out a cut SVG */
	} else {
		out->svg = buf;
		out->len = len;
		out->version = q->version;
		out->width = q->width;
	}
	QRcode_free(q);
	return rc;
}
