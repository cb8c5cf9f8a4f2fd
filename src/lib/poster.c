/*
 * Share posters: a PNG of a need or a campaign to forward on WeChat,
 * with its title, one line of where and who, its progress and the QR
 * code of its page.  Nothing of a child but what the caller gives: the
 * caller passes public text only, and no photo is ever drawn.
 *
 * The canvas is plain memory: rectangles and QR modules are filled by
 * hand, text is laid out by libvips (vips_text: Pango and fontconfig,
 * CJK from the fonts-wqy-microhei package) as a coverage mask blended
 * in, and libvips writes the PNG.  Slow enough (tens of milliseconds)
 * that the module calls poster_png on a task thread; photo_init has
 * started libvips and unblocked its PNG writer.
 *
 * Not in LIB_OBJ: it links libvips, like photo.c (see the Makefile).
 */
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>
#include <vips/vips.h>

#include "lib.h"

#define MARGIN	40

struct canvas {
	unsigned char	*px;		/* POSTER_W x POSTER_H, RGB */
};

static void	fill(struct canvas *, int, int, int, int, unsigned int);
static int	text(struct canvas *, const char *, const char *, int, int,
		    int, int, int, unsigned int);
static int	qr(struct canvas *, const char *, int, int);

/*
 * The poster p as a PNG of POSTER_W x POSTER_H appended to out.  Strings
 * are UTF-8 text (not markup), any may be empty; pct is clamped to
 * 0..100.  Returns 1, or 0 when libvips or libqrencode failed.
 */
int
poster_png(const struct poster *p, struct buf *out)
{
	struct canvas	 c;
	VipsImage	*im;
	void		*png = NULL;
	size_t		 len;
	int		 y, pct, ok;

	c.px = malloc((size_t)POSTER_W * POSTER_H * 3);
	if (c.px == NULL)
		return (0);
	memset(c.px, 0xff, (size_t)POSTER_W * POSTER_H * 3);
	pct = p->pct < 0 ? 0 : p->pct > 100 ? 100 : p->pct;

	/* The site's band, its red (style.css --red). */
	fill(&c, 0, 0, POSTER_W, 120, 0xc8102e);
	ok = text(&c, p->site, "sans bold 34", MARGIN, 40,
	    POSTER_W - 2 * MARGIN, 60, 0, 0xffffff);
	/* The title: three lines at most, what does not fit is cut. */
	y = 160;
	ok = ok && text(&c, p->title, "sans bold 46", MARGIN, y,
	    POSTER_W - 2 * MARGIN, 200, 0, 0x1f2328);
	ok = ok && text(&c, p->line, "sans 28", MARGIN, 380,
	    POSTER_W - 2 * MARGIN, 90, 0, 0x5f6b76);
	/* Progress: the bar, then its words. */
	fill(&c, MARGIN, 500, POSTER_W - 2 * MARGIN, 28, 0xeceff2);
	fill(&c, MARGIN, 500, (POSTER_W - 2 * MARGIN) * pct / 100, 28,
	    0xf0a020);
	ok = ok && text(&c, p->progress, "sans 30", MARGIN, 548,
	    POSTER_W - 2 * MARGIN, 50, 0, 0x1f2328);
	ok = ok && qr(&c, p->url, 640, 340);
	ok = ok && text(&c, p->caption, "sans 26", MARGIN, 1000,
	    POSTER_W - 2 * MARGIN, 40, 1, 0x5f6b76);
	ok = ok && text(&c, p->url, "sans 20", MARGIN, 1045,
	    POSTER_W - 2 * MARGIN, 30, 1, 0x5f6b76);

	if (ok) {
		im = vips_image_new_from_memory(c.px,
		    (size_t)POSTER_W * POSTER_H * 3, POSTER_W, POSTER_H, 3,
		    VIPS_FORMAT_UCHAR);
		ok = im != NULL && vips_pngsave_buffer(im, &png, &len,
		    "compression", 6, "strip", TRUE, NULL) == 0;
		if (im != NULL)
			g_object_unref(im);
		if (ok)
			buf_append(out, png, len);
		g_free(png);
	}
	vips_error_clear();
	free(c.px);
	return (ok);
}

/* A w x h rectangle at x, y in colour rgb (0xRRGGBB), clipped. */
static void
fill(struct canvas *c, int x, int y, int w, int h, unsigned int rgb)
{
	unsigned char	*p;
	int		 i, j;

	for (j = y < 0 ? 0 : y; j < y + h && j < POSTER_H; j++) {
		for (i = x < 0 ? 0 : x; i < x + w && i < POSTER_W; i++) {
			p = c->px + ((size_t)j * POSTER_W + i) * 3;
			p[0] = rgb >> 16;
			p[1] = (rgb >> 8) & 0xff;
			p[2] = rgb & 0xff;
		}
	}
}

/*
 * s laid out in font, wrapped at width w, at x, y (centred in w when
 * centre), cut at h pixels, blended in colour rgb.  Pango reads markup:
 * s is escaped first.  Returns 0 when libvips failed.
 */
static int
text(struct canvas *c, const char *s, const char *font, int x, int y,
    int w, int h, int centre, unsigned int rgb)
{
	VipsImage	*m = NULL;
	struct buf	 markup;
	unsigned char	*mask, *p, ink[3];
	size_t		 n;
	int		 mw, mh, i, j, k, a;

	if (s == NULL || *s == '\0')
		return (1);
	buf_init(&markup, strlen(s) + 16);
	esc_html(&markup, s, strlen(s));
	i = vips_text(&m, markup.data, "font", font, "width", w, "dpi", 72,
	    NULL);
	buf_free(&markup);
	if (i != 0)
		return (0);
	mask = vips_image_write_to_memory(m, &n);
	mw = vips_image_get_width(m);
	mh = vips_image_get_height(m);
	g_object_unref(m);
	if (mask == NULL || n < (size_t)mw * mh)
		return (0);
	if (centre && mw < w)
		x += (w - mw) / 2;
	ink[0] = rgb >> 16;
	ink[1] = (rgb >> 8) & 0xff;
	ink[2] = rgb & 0xff;
	for (j = 0; j < mh && j < h && y + j < POSTER_H; j++) {
		for (i = 0; i < mw && x + i < POSTER_W; i++) {
			if ((a = mask[(size_t)j * mw + i]) == 0)
				continue;
			p = c->px + ((size_t)(y + j) * POSTER_W + x + i) * 3;
			for (k = 0; k < 3; k++)
				p[k] = (p[k] * (255 - a) + ink[k] * a) / 255;
		}
	}
	g_free(mask);
	return (1);
}

/*
 * The QR code of url (error correction M, a 4-module quiet zone) in a
 * square of at most side pixels, centred, its top at y.  0 when
 * libqrencode failed.
 */
static int
qr(struct canvas *c, const char *url, int y, int side)
{
	QRcode	*q;
	int	 m, x0, i, j;

	if ((q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) ==
	    NULL)
		return (0);
	m = side / (q->width + 8);
	if (m < 1)
		m = 1;
	x0 = (POSTER_W - m * (q->width + 8)) / 2 + 4 * m;
	for (j = 0; j < q->width; j++)
		for (i = 0; i < q->width; i++)
			if (q->data[j * q->width + i] & 1)
				fill(c, x0 + i * m, y + 4 * m + j * m, m, m,
				    0x000000);
	QRcode_free(q);
	return (1);
}
