/* Escaping, UTF-8 checks and number formats: tables of cases. */
#include "unit.h"

static void
test_html(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain", "plain" },
		{ "<script>alert(1)</script>",
		  "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "a & b", "a &amp; b" },
		{ "\" onmouseover='x'", "&quot; onmouseover=&#39;x&#39;" },
		{ "棉衣 <140码>", "棉衣 &lt;140码&gt;" },
		{ "&amp;", "&amp;amp;" },
		{ "", "" },
	};
	struct buf	b;
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b, 8);
		esc_html(&b, cases[i].in, strlen(cases[i].in));
		assert_string_equal(b.data, cases[i].out);
		buf_free(&b);
	}
	/* A NUL inside the value is dropped, not passed on. */
	buf_init(&b, 8);
	esc_html(&b, "a\0b", 3);
	assert_int_equal(b.len, 2);
	assert_string_equal(b.data, "ab");
	buf_free(&b);
}

static void
test_url(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "wangwu", "wangwu" },
		{ "a b&c=d", "a%20b%26c%3Dd" },
		{ "王屋", "%E7%8E%8B%E5%B1%8B" },
		{ "-_.~", "-_.~" },
		{ "\"><script>", "%22%3E%3Cscript%3E" },
	};
	struct buf	b;
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b, 8);
		esc_url(&b, cases[i].in, strlen(cases[i].in));
		assert_string_equal(b.data, cases[i].out);
		buf_free(&b);
	}
}

static void
test_utf8(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;
		int		 lines, ok;
		size_t		 chars;
	} cases[] = {
		{ "hello", 5, 0, 1, 5 },
		{ "王屋镇", 9, 0, 1, 3 },
		{ "a\nb", 3, 0, 0, 0 },
		{ "a\r\nb\tc", 6, 1, 1, 6 },
		{ "a\x01", 2, 1, 0, 0 },
		{ "\xc0\xaf", 2, 0, 0, 0 },		/* overlong '/' */
		{ "\xed\xa0\x80", 3, 0, 0, 0 },		/* surrogate */
		{ "\xe7\x8e", 2, 0, 0, 0 },		/* truncated */
		{ "\xf4\x90\x80\x80", 4, 0, 0, 0 },	/* past U+10FFFF */
		{ "\xe2\x80\xae", 3, 0, 0, 0 },		/* RTL override */
		{ "\xf0\x9f\x98\x80", 4, 0, 1, 1 },	/* an emoji */
		{ "\x80", 1, 0, 0, 0 },
	};
	size_t	i, chars;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		chars = 0;
		assert_int_equal(utf8_check(cases[i].in, cases[i].len,
		    cases[i].lines, &chars), cases[i].ok);
		if (cases[i].ok)
			assert_int_equal(chars, cases[i].chars);
	}
}

static void
test_numbers(void **state)
{
	static const struct { int64_t v; const char *num, *yuan; } cases[] = {
		{ 0, "0", "¥0" },
		{ 5, "5", "¥0.05" },
		{ 100, "100", "¥1" },
		{ 123456, "123,456", "¥1,234.56" },
		{ 2000000000, "2,000,000,000", "¥20,000,000" },
		{ -150, "-150", "-¥1.50" },
	};
	struct buf	b;
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b, 8);
		fmt_int(&b, cases[i].v);
		assert_string_equal(b.data, cases[i].num);
		buf_reset(&b);
		fmt_yuan(&b, cases[i].v);
		assert_string_equal(b.data, cases[i].yuan);
		buf_free(&b);
	}
}

/* Amounts as the database gives them for display (api.amount). */
static void
test_amounts(void **state)
{
	static const struct { const char *json, *text; int ok; } cases[] = {
		{ "{\"fen\":120000}", "¥1,200", 1 },
		{ "{\"fen\":120050}", "¥1,200.50", 1 },
		{ "{\"fen\":0}", "¥0", 1 },
		{ "{\"quantity\":1200,\"unit\":\"件\"}", "1,200 件", 1 },
		{ "{\"quantity\":3,\"unit\":\"\"}", "3", 1 },
		{ "{\"quantity\":3,\"unit\":null}", "3", 1 },
		{ "{\"fen\":\"5\"}", "", 0 },
		{ "{\"unit\":\"件\"}", "", 0 },
		{ "\"¥5\"", "", 0 },
		{ "[1]", "", 0 },
		{ "5", "", 0 },
	};
	struct buf	 b;
	json_t		*v;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
		assert_non_null(v);
		buf_init(&b, 8);
		assert_int_equal(fmt_amount(&b, v), cases[i].ok);
		assert_string_equal(buf_cstr(&b), cases[i].text);
		buf_free(&b);
		json_decref(v);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_amounts),
	};

	return (cmocka_run_group_tests_name("esc+fmt", tests, NULL, NULL));
}
