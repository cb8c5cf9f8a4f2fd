/* The CSV writer of the exports: quoting, money, formulas refused. */
#include "unit.h"

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
		    "项目,数值\r\n发布需求（件）,12\r\n" },
		{ "[\"a\"]", "[[\"x,y\"],[\"say \\\"hi\\\"\"],[\"l1\\nl2\"]]",
		    "a\r\n\"x,y\"\r\n\"say \"\"hi\"\"\"\r\n\"l1\nl2\"\r\n" },
		{ "[\"a\",\"b\",\"c\"]",
		    "[[{\"fen\":123456},{\"fen\":5},{\"fen\":-250}]]",
		    "a,b,c\r\n1234.56,0.05,-2.50\r\n" },
		{ "[\"a\",\"b\"]", "[[null,\"\"],[-3,\" padded \"]]",
		    "a,b\r\n,\r\n-3,\" padded \"\r\n" },
		{ "[\"a\"]", "[[\"=SUM(A1:A9)\"],[\"+1\"],[\"@cmd\"],[\"-x,y\"]]",
		    "a\r\n'=SUM(A1:A9)\r\n'+1\r\n'@cmd\r\n\"'-x,y\"\r\n" },
		{ "[\"a\"]", "[]", "a\r\n" },
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

static void
test_yuan(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b, 16);
	csv_yuan(&b, 0);
	buf_putc(&b, ' ');
	csv_yuan(&b, 2000000000);
	buf_putc(&b, ' ');
	csv_yuan(&b, INT64_MIN);
	assert_string_equal(b.data, "0.00 20000000.00 -92233720368547758.08");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_yuan),
	};

	return (cmocka_run_group_tests_name("csv", tests, NULL, NULL));
}
