/*
 * A QR code as inline SVG (libqrencode), for the receipt code on a
 * donor's pledge page: school staff scan it at hand-over.
 */
#include <string.h>

#include <qrencode.h>

#include "lib.h"

/*
 * Appends an <svg> of text's QR code (error correction M, 4-module quiet
 * zone) to out.  text is ASCII the caller controls (a receipt code or a
 * URL of ours).  Returns 0 when libqrencode fails.
 */
int
qr_svg(const char *text, const char *label, struct buf *out)
{
	QRcode	*qr;
	int	 x, y, size, run;

	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) ==
	    NULL)
		return (0);
	size = qr->width + 8;
	buf_printf(out, "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\" role=\"img\" "
	    "aria-label=\"", size, size);
	esc_html(out, label, strlen(label));
	buf_printf(out, "\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	    "<path fill=\"#000\" d=\"", size, size);
	/* One path: a horizontal run of dark modules per segment. */
	for (y = 0; y < qr->width; y++) {
		for (x = 0; x < qr->width; x += run) {
			run = 1;
			if (!(qr->data[y * qr->width + x] & 1))
				continue;
			while (x + run < qr->width &&
			    (qr->data[y * qr->width + x + run] & 1))
				run++;
			buf_printf(out, "M%d %dh%dv1h-%dz", x + 4, y + 4, run, run);
		}
	}
	buf_puts(out, "\"/></svg>");
	QRcode_free(qr);
	return (1);
}
