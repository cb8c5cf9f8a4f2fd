/*
 * Share posters (src/lib/poster.c): a PNG of the right size, its
 * progress bar as long as the share pledged, text drawn (markup in it
 * taken as text), the QR code there.
 */
#include <vips/vips.h>

#include "unit.h"

/* The poster of p, decoded: the caller unrefs it. */
static VipsImage *
draw(const struct poster *p)
{
	struct buf	 png;
	VipsImage	*im = NULL, *tmp = NULL;

	buf_init(&png, 64 * 1024);
	assert_int_equal(poster_png(p, &png), 1);
	assert_true(png.len > 8 && !memcmp(png.data, "\x89PNG\r\n\x1a\n", 8));
	/* Decoded into memory at once: png's bytes go now. */
	assert_int_equal(vips_pngload_buffer(png.data, png.len, &tmp,
	    "access", VIPS_ACCESS_RANDOM, NULL), 0);
	assert_non_null(im = vips_image_copy_memory(tmp));
	g_object_unref(tmp);
	buf_free(&png);
	return (im);
}

static void
pixel(VipsImage *im, int x, int y, int rgb[3])
{
	double	*v;
	int	 n, i;

	assert_int_equal(vips_getpoint(im, &v, &n, x, y, NULL), 0);
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++)
		rgb[i] = (int)v[i];
	g_free(v);
}

/* How many pixels of the w x h area at x, y are not white. */
static int
inked(VipsImage *im, int x, int y, int w, int h)
{
	VipsImage	*a;
	unsigned char	*px;
	size_t		 n, i;
	int		 count = 0;

	assert_int_equal(vips_extract_area(im, &a, x, y, w, h, NULL), 0);
	px = vips_image_write_to_memory(a, &n);
	for (i = 0; i + 2 < n; i += 3)
		if (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200)
			count++;
	g_free(px);
	g_object_unref(a);
	return (count);
}

static const struct poster need = {
	.site = "共青扶贫超市",
	.title = "冬季棉衣 140 码 <b>&amp; 一件",
	.line = "王屋镇 · 王屋镇中心小学",
	.progress = "已认捐 50% · 还需 5 件",
	.pct = 50,
	.url = "http://127.0.0.1:8888/needs/12",
	.caption = "扫码查看，一起帮一把",
};

static void
test_size_and_bar(void **state)
{
	VipsImage	*im;
	int		 rgb[3];

	(void)state;
	im = draw(&need);
	assert_int_equal(vips_image_get_width(im), POSTER_W);
	assert_int_equal(vips_image_get_height(im), POSTER_H);
	/* Half the bar pledged: orange on the left, grey on the right. */
	pixel(im, 60, 510, rgb);
	assert_int_equal(rgb[0], 0xf0);
	assert_int_equal(rgb[1], 0xa0);
	pixel(im, POSTER_W - 60, 510, rgb);
	assert_int_equal(rgb[0], 0xec);
	/* The band, the title, the QR code. */
	pixel(im, 5, 5, rgb);
	assert_int_equal(rgb[0], 0xc8);
	assert_true(inked(im, 40, 160, 670, 200) > 500);
	assert_true(inked(im, 200, 640, 350, 340) > 10000);
	assert_true(inked(im, 40, 1000, 670, 40) > 100);
	g_object_unref(im);
}

static void
test_clamped_and_empty(void **state)
{
	struct poster	 p = need;
	VipsImage	*im;
	int		 rgb[3];

	(void)state;
	p.pct = 250;
	p.line = "";
	p.caption = NULL;
	im = draw(&p);
	pixel(im, POSTER_W - 41, 510, rgb);
	assert_int_equal(rgb[0], 0xf0);
	assert_int_equal(inked(im, 40, 380, 670, 90), 0);
	g_object_unref(im);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_and_bar),
		cmocka_unit_test(test_clamped_and_empty),
	};

	if (!photo_init("test_poster"))
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
