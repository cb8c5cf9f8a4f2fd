/* CSV: the mark and header, cells quoted, formulas defused, money exact,
   whole tables. */
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


static char *
csv_of(const char *columns, const char *rows)
{
	struct buf	 b;
	json_t		*c, *r;
	char		*s;

	c = json_loads(columns, 0, NULL);
	r = json_loads(rows, 0, NULL);
	buf_init(&b, 64);
	if (!csv_table(&b, c, r)) {
		buf_free(&b);
		s = NULL;
	} else
		s = b.data;
	json_decref(c);
	json_decref(r);
	return (s);
}

static void
test_table(void **state)
{
	static const struct {
		const char	*columns;
		const char	*rows;
		const char	*want;
	} cases[] = {
		{ "[\"项目\",\"数值\"]", "[[\"发布需求（件）\",12]]",
		    "\"项目\",\"数值\"\r\n\"发布需求（件）\",12\r\n" },
		{ "[\"a\"]", "[[\"x,y\"],[\"say \\\"hi\\\"\"],[\"l1\\nl2\"]]",
		    "\"a\"\r\n\"x,y\"\r\n\"say \"\"hi\"\"\"\r\n\"l1\nl2\"\r\n" },
		{ "[\"a\",\"b\",\"c\"]",
		    "[[{\"fen\":123456},{\"fen\":5},{\"fen\":-250}]]",
		    "\"a\",\"b\",\"c\"\r\n1234.56,0.05,-2.50\r\n" },
		{ "[\"a\",\"b\"]", "[[null,\"\"],[-3,true]]",
		    "\"a\",\"b\"\r\n,\"\"\r\n-3,true\r\n" },
		{ "[\"a\"]", "[[\"=SUM(A1:A9)\"],[\"-x,y\"]]",
		    "\"a\"\r\n\"'=SUM(A1:A9)\"\r\n\"'-x,y\"\r\n" },
		{ "[\"a\"]", "[]", "\"a\"\r\n" },
	};
	size_t	i;
	char	*s;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		s = csv_of(cases[i].columns, cases[i].rows);
		assert_non_null(s);
		assert_string_equal(s, cases[i].want);
		free(s);
	}
	assert_null(csv_of("{}", "[]"));
	assert_null(csv_of("[]", "{}"));
}

/* Every file opens with the byte-order mark, then its header line. */
static void
test_begin(void **state)
{
	static const char *const head[] = { "日期", "=x", "a\"b", NULL };
	static const char *const none[] = { NULL };
	struct buf	b;

	(void)state;
	buf_init(&b, 16);
	csv_begin(&b, NULL);
	assert_string_equal(buf_cstr(&b), "\xef\xbb\xbf");
	buf_reset(&b);
	csv_begin(&b, head);
	assert_string_equal(buf_cstr(&b),
	    "\xef\xbb\xbf\"日期\",\"'=x\",\"a\"\"b\"\r\n");
	buf_reset(&b);
	csv_begin(&b, none);
	assert_string_equal(buf_cstr(&b), "\xef\xbb\xbf\r\n");
	buf_free(&b);
}

/* A later page of a streamed table: its rows, no header line. */
static void
test_rows(void **state)
{
	struct buf	 b;
	json_t		*r;

	(void)state;
	r = json_loads("[[7,\"=x\",{\"fen\":150}],[null]]", 0, NULL);
	buf_init(&b, 64);
	assert_int_equal(csv_rows(&b, r), 1);
	assert_string_equal(b.data, "7,\"'=x\",1.50\r\n\r\n");
	assert_int_equal(csv_rows(&b, json_object_get(r, "x")), 0);
	buf_free(&b);
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_begin),
		cmocka_unit_test(test_rows),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
