/* QR codes as inline SVG (src/lib/qr.c). */
#include "unit.h"

static void
test_qr(void **state)
{
	struct buf	out;

	(void)state;
	buf_init(&out, 64);
	assert_true(qr_svg("ABCD-EFGH", "收据码 <ABCD-EFGH>", &out));
	assert_true(!strncmp(out.data, "<svg class=\"qr\"", 15));
	assert_non_null(strstr(out.data, "收据码 &lt;ABCD-EFGH&gt;"));
	assert_non_null(strstr(out.data, "viewBox=\"0 0 29 29\""));	/* v1: 21+8 */
	assert_non_null(strstr(out.data, "</svg>"));
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qr),
	};

	return (cmocka_run_group_tests_name("qr", tests, NULL, NULL));
}
