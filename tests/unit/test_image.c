/* Hand-over photos, cleaned of their metadata (src/lib/image.c). */
#include "unit.h"

static void
test_jpeg(void **state)
{
	/* SOI, APP0 (JFIF), APP1 (Exif with a GPS tag), COM, DQT, SOS+data, EOI */
	static const unsigned char jpeg[] = {
		0xff, 0xd8,
		0xff, 0xe0, 0x00, 0x07, 'J', 'F', 'I', 'F', 0x00,
		0xff, 0xe1, 0x00, 0x0c, 'E', 'x', 'i', 'f', 0, 0, 'G', 'P', 'S', '!',
		0xff, 0xfe, 0x00, 0x06, 'h', 'i', '!', '!',
		0xff, 0xdb, 0x00, 0x04, 0x01, 0x02,
		0xff, 0xda, 0x00, 0x04, 0x03, 0x04, 0x11, 0x22, 0x33,
		0xff, 0xd9,
	};
	struct buf	 out;
	const char	*type;

	(void)state;
	buf_init(&out, 64);
	assert_true(image_clean(jpeg, sizeof(jpeg), &out, &type));
	assert_string_equal(type, "image/jpeg");
	assert_null(memmem(out.data, out.len, "GPS", 3));
	assert_null(memmem(out.data, out.len, "Exif", 4));
	assert_null(memmem(out.data, out.len, "hi!!", 4));
	assert_non_null(memmem(out.data, out.len, "JFIF", 4));
	/* Everything from the scan on is kept byte for byte. */
	assert_memory_equal(out.data + out.len - 11, jpeg + sizeof(jpeg) - 11,
	    11);
	assert_int_equal(out.len, sizeof(jpeg) - 14 - 8);

	/*
	 * An APP1 after the scan and a trailer after the end of image (a
	 * second picture, a motion photo) are dropped too.
	 */
	{
		static const unsigned char tail[] = {
			0xff, 0xd8,
			0xff, 0xda, 0x00, 0x04, 0x03, 0x04, 0x11, 0xff, 0x00,
			0x22, 0xff, 0xd0, 0x33,
			0xff, 0xe1, 0x00, 0x06, 'G', 'P', 'S', '2',
			0xff, 0xda, 0x00, 0x03, 0x05, 0x44,
			0xff, 0xd9,
			'f', 't', 'y', 'p', 'G', 'P', 'S', '3', 0xff, 0xe1,
		};
		static const unsigned char want[] = {
			0xff, 0xd8,
			0xff, 0xda, 0x00, 0x04, 0x03, 0x04, 0x11, 0xff, 0x00,
			0x22, 0xff, 0xd0, 0x33,
			0xff, 0xda, 0x00, 0x03, 0x05, 0x44,
			0xff, 0xd9,
		};

		buf_reset(&out);
		assert_true(image_clean(tail, sizeof(tail), &out, &type));
		assert_int_equal(out.len, sizeof(want));
		assert_memory_equal(out.data, want, sizeof(want));
	}
	buf_free(&out);

	/* Truncated or not an image at all. */
	buf_init(&out, 64);
	assert_false(image_clean(jpeg, 20, &out, &type));
	buf_reset(&out);
	assert_false(image_clean((const unsigned char *)"GIF89a......", 12,
	    &out, &type));
	buf_free(&out);
}

static void
test_png(void **state)
{
	static const unsigned char png[] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
		0, 0, 0, 2, 'I', 'H', 'D', 'R', 1, 2, 0, 0, 0, 0,
		0, 0, 0, 4, 't', 'E', 'X', 't', 'G', 'P', 'S', '!', 0, 0, 0, 0,
		0, 0, 0, 3, 'e', 'X', 'I', 'f', 'x', 'y', 'z', 0, 0, 0, 0,
		0, 0, 0, 1, 's', 'R', 'G', 'B', 0, 0, 0, 0, 0,
		0, 0, 0, 1, 'I', 'D', 'A', 'T', 7, 0, 0, 0, 0,
		0, 0, 0, 0, 'I', 'E', 'N', 'D', 0, 0, 0, 0,
	};
	struct buf	 out;
	const char	*type;

	(void)state;
	buf_init(&out, 64);
	assert_true(image_clean(png, sizeof(png), &out, &type));
	assert_string_equal(type, "image/png");
	assert_null(memmem(out.data, out.len, "tEXt", 4));
	assert_null(memmem(out.data, out.len, "eXIf", 4));
	assert_non_null(memmem(out.data, out.len, "sRGB", 4));
	assert_non_null(memmem(out.data, out.len, "IDAT", 4));
	assert_int_equal(out.len, sizeof(png) - 16 - 15);
	buf_reset(&out);
	/* No IEND: not a whole image. */
	assert_false(image_clean(png, sizeof(png) - 12, &out, &type));
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jpeg),
		cmocka_unit_test(test_png),
	};

	return (cmocka_run_group_tests_name("image", tests, NULL, NULL));
}
