/* CSV cells: quoting, and formulas defused. */
#include "unit.h"

static void
test_cells(void **state)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ NULL, "\"\"" },
		{ "", "\"\"" },
		{ "王女士", "\"王女士\"" },
		{ "a\"b", "\"a\"\"b\"" },
		{ "line\nbreak, comma", "\"line\nbreak, comma\"" },
		{ "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"" },
		{ "+1", "\"'+1\"" },
		{ "-1+2", "\"'-1+2\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "\t=1", "\"'\t=1\"" },
		{ "\r=1", "\"'\r=1\"" },
		{ "a=1", "\"a=1\"" },
		{ "爱心人士", "\"爱心人士\"" },
	};
	struct buf	b;
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b, 16);
		csv_cell(&b, cases[i].in);
		assert_string_equal(buf_cstr(&b), cases[i].out);
		buf_free(&b);
	}
	buf_init(&b, 16);
	csv_int(&b, -5);
	buf_putc(&b, ',');
	csv_int(&b, 9007199254740991LL);
	assert_string_equal(buf_cstr(&b), "-5,9007199254740991");
	buf_reset(&b);
	csv_yuan(&b, 0);
	buf_putc(&b, ',');
	csv_yuan(&b, 5);
	buf_putc(&b, ',');
	csv_yuan(&b, 123450);
	buf_putc(&b, ',');
	csv_yuan(&b, -105);
	buf_putc(&b, ',');
	csv_yuan(&b, INT64_MIN);
	assert_string_equal(buf_cstr(&b),
	    "0.00,0.05,1234.50,-1.05,-92233720368547758.08");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cells),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
