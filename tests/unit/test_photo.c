/*
 * Hand-over photos through libvips (src/lib/photo.c), on the fixtures of
 * tests/fixtures/photos (see its README for what each one is).
 */
#include <vips/vips.h>

#include "unit.h"

#define FIXTURES	"tests/fixtures/photos/"

static void
slurp(const char *name, struct buf *b)
{
	char	 path[256];
	FILE	*f;
	char	 chunk[8192];
	size_t	 n;

	(void)snprintf(path, sizeof(path), FIXTURES "%s", name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	buf_init(b, 8192);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(b, chunk, n);
	fclose(f);
}

static int
clean(const char *name, struct buf *full, struct buf *thumb)
{
	struct buf	in;
	int		r;

	slurp(name, &in);
	buf_init(full, 1024);
	buf_init(thumb, 1024);
	r = photo_clean((unsigned char *)in.data, in.len, full, thumb);
	buf_free(&in);
	return (r);
}

/* A JPEG's size and the colour of one of its pixels. */
static void
look(struct buf *b, int *w, int *h, int x, int y, double rgb[3])
{
	VipsImage	*im;
	double		*v;
	int		 n;

	assert_int_equal(vips_jpegload_buffer(b->data, b->len, &im, NULL), 0);
	*w = vips_image_get_width(im);
	*h = vips_image_get_height(im);
	assert_int_equal(vips_getpoint(im, &v, &n, x, y, NULL), 0);
	assert_int_equal(n, 3);
	memcpy(rgb, v, sizeof(double) * 3);
	g_free(v);
	g_object_unref(im);
}

/* Nothing of the original file's metadata is in b. */
static void
no_metadata(struct buf *b)
{
	static const char *const secrets[] = { "Exif", "Secret", "TRAILER",
	    "35.1N", "35.0871", "GPS", "Wang", "http://ns.adobe.com", NULL };
	size_t	i;

	assert_true(b->len > 4 && (unsigned char)b->data[0] == 0xff &&
	    (unsigned char)b->data[1] == 0xd8);
	for (i = 0; secrets[i] != NULL; i++)
		assert_null(memmem(b->data, b->len, secrets[i],
		    strlen(secrets[i])));
	/* Ends at its end of image: no trailer. */
	assert_true((unsigned char)b->data[b->len - 2] == 0xff &&
	    (unsigned char)b->data[b->len - 1] == 0xd9);
}

/* Orientation 6, stored 300 x 200 red | blue: upright 200 x 300, red on top. */
static void
test_rotated(void **state)
{
	struct buf	full, thumb;
	double		top[3], bottom[3];
	int		w, h;

	(void)state;
	assert_int_equal(clean("rotated.jpg", &full, &thumb), PHOTO_OK);
	no_metadata(&full);
	no_metadata(&thumb);
	look(&full, &w, &h, 100, 20, top);
	assert_int_equal(w, 200);
	assert_int_equal(h, 300);
	look(&full, &w, &h, 100, 280, bottom);
	assert_true(top[0] > 180 && top[2] < 80);
	assert_true(bottom[2] > 180 && bottom[0] < 80);
	buf_free(&full);
	buf_free(&thumb);
}

static void
test_png_text(void **state)
{
	struct buf	full, thumb;
	double		px[3];
	int		w, h;

	(void)state;
	assert_int_equal(clean("text.png", &full, &thumb), PHOTO_OK);
	no_metadata(&full);
	no_metadata(&thumb);
	look(&full, &w, &h, 10, 10, px);
	assert_int_equal(w, 300);
	assert_int_equal(h, 200);
	/* Half-transparent red on white. */
	assert_true(px[0] > 220 && px[1] > 100 && px[1] < 160);
	buf_free(&full);
	buf_free(&thumb);
}

static void
test_heic(void **state)
{
	struct buf	full, thumb;
	double		px[3];
	int		w, h;

	(void)state;
	if (vips_type_find("VipsOperation", "heifload_buffer") == 0)
		skip();
	assert_int_equal(clean("phone.heic", &full, &thumb), PHOTO_OK);
	no_metadata(&full);
	look(&full, &w, &h, 250, 100, px);
	assert_int_equal(w, 300);
	assert_true(px[2] > 150);
	buf_free(&full);
	buf_free(&thumb);
}

static void
test_refused(void **state)
{
	static const struct {
		const char	*name;
		int		 want;
	} cases[] = {
		{ "truncated.jpg", PHOTO_BAD },
		{ "bomb.png", PHOTO_TOO_MANY_PIXELS },
		{ "bomb.jpg", PHOTO_TOO_MANY_PIXELS },
		{ "liar.gif", PHOTO_UNSUPPORTED },
	};
	struct buf	full, thumb;
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		assert_int_equal(clean(cases[i].name, &full, &thumb),
		    cases[i].want);
		buf_free(&full);
		buf_free(&thumb);
	}
	buf_init(&full, 16);
	buf_init(&thumb, 16);
	assert_int_equal(photo_clean((const unsigned char *)"", 0, &full,
	    &thumb), PHOTO_UNSUPPORTED);
	assert_int_equal(photo_clean((const unsigned char *)"\xff\xd8\xff",
	    3, &full, &thumb), PHOTO_BAD);
	buf_free(&full);
	buf_free(&thumb);
}

/* Every prefix of a real photo: refused or cleaned, never a crash. */
static void
test_prefixes(void **state)
{
	struct buf	in, full, thumb;
	size_t		n;
	int		r;

	(void)state;
	slurp("rotated.jpg", &in);
	for (n = 0; n < in.len; n += 97) {
		buf_init(&full, 16);
		buf_init(&thumb, 16);
		r = photo_clean((unsigned char *)in.data, n, &full, &thumb);
		assert_true(r == PHOTO_BAD || r == PHOTO_UNSUPPORTED);
		buf_free(&full);
		buf_free(&thumb);
	}
	buf_free(&in);
}

/* A large photo: 1600 on its long side, the thumbnail 400. */
static void
test_scaled(void **state)
{
	VipsImage	*im, *big;
	struct buf	 full, thumb;
	void		*data;
	size_t		 len;
	double		 px[3];
	int		 w, h;

	(void)state;
	assert_int_equal(vips_black(&im, 4000, 3000, "bands", 3, NULL), 0);
	assert_int_equal(vips_cast_uchar(im, &big, NULL), 0);
	g_object_unref(im);
	/* photo_init blocked every saver but JPEG's. */
	assert_int_equal(vips_jpegsave_buffer(big, &data, &len, NULL), 0);
	g_object_unref(big);
	buf_init(&full, 1024);
	buf_init(&thumb, 1024);
	assert_int_equal(photo_clean(data, len, &full, &thumb), PHOTO_OK);
	g_free(data);
	look(&full, &w, &h, 0, 0, px);
	assert_int_equal(w, 1600);
	assert_int_equal(h, 1200);
	look(&thumb, &w, &h, 0, 0, px);
	assert_int_equal(w, 400);
	assert_int_equal(h, 300);
	buf_free(&full);
	buf_free(&thumb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotated),
		cmocka_unit_test(test_png_text),
		cmocka_unit_test(test_heic),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_scaled),
	};

	if (!photo_init("test_photo"))
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
