/* Declared input: parsing and checking, as tables of cases. */
#include "unit.h"

static const char *const kinds[] = { "goods", "money", NULL };

static const struct field spec[] = {
	{ "kind", FIELD_CHOICE, 0, 0, 0, kinds },
	{ "town", FIELD_SLUG, 0, 0, 20, NULL },
	{ "q", FIELD_TEXT, 0, 0, 5, NULL },
	{ "story", FIELD_LINES, 0, 0, 100, NULL },
	{ "page", FIELD_INT, 0, 1, 100, NULL },
	{ "name", FIELD_TEXT, 1, 2, 10, NULL },
	{ "anon", FIELD_BOOL, 0, 0, 0, NULL },
	{ "email", FIELD_EMAIL, 0, 0, 0, NULL },
	{ "phone", FIELD_PHONE, 0, 0, 0, NULL },
	{ "since", FIELD_DATE, 0, 2000, 2099, NULL },
	{ "who", FIELD_CONTACT, 0, 0, 0, NULL },
	{ "token", FIELD_TOKEN, 0, 0, 0, NULL },
	{ "code", FIELD_DIGITS, 0, 0, 6, NULL },
	{ "key", FIELD_KEY, 0, 0, 0, NULL },
	{ "yuan", FIELD_YUAN, 0, 0, 999999999999LL, NULL },
};

static void
test_query(void **state)
{
	static const struct {
		const char	*in;
		int		 strict, ok;
		const char	*field, *code;
	} cases[] = {
		{ "name=ab", 0, 1, NULL, NULL },
		{ "name=ab&kind=money&town=wangwu&page=3&q=%E6%A3%89", 0, 1,
		  NULL, NULL },
		{ "name=ab&utm=x", 0, 1, NULL, NULL },
		{ "name=ab&utm=x", 1, 0, "utm", "unknown_field" },
		{ "kind=goods", 0, 0, "name", "required" },
		{ "name=", 0, 0, "name", "required" },
		{ "name=a", 0, 0, "name", "too_short" },
		{ "name=abcdefghijk", 0, 0, "name", "too_long" },
		{ "name=ab&kind=food", 0, 0, "kind", "unknown_value" },
		{ "name=ab&kind=goods&kind=money", 0, 0, "kind", "duplicate" },
		{ "name=ab&town=Wang", 0, 0, "town", "unknown_value" },
		{ "name=ab&page=0", 0, 0, "page", "bad_number" },
		{ "name=ab&page=101", 0, 0, "page", "bad_number" },
		{ "name=ab&page=1x", 0, 0, "page", "bad_number" },
		{ "name=ab&page=99999999999999999999", 0, 0, "page",
		  "bad_number" },
		{ "name=ab&q=%ZZ", 0, 0, "q", "bad_encoding" },
		{ "name=ab&q=%00", 0, 0, "q", "bad_encoding" },
		{ "name=ab&q=%0A", 0, 0, "q", "bad_text" },
		{ "name=ab&story=line1%0D%0Aline2", 0, 1, NULL, NULL },
		{ "name=ab&story=%01", 0, 0, "story", "bad_text" },
		{ "name=ab&q=%E6%A3%89%E8%A1%A3%E5%92%8C%E9%9E%8B%E5%AD%90%E4%BB%AC", 0, 0, "q",
		  "too_long" },
		{ "name=a+b", 0, 1, NULL, NULL },
		{ "name=ab&anon=on", 0, 1, NULL, NULL },
		{ "name=ab&anon=maybe", 0, 0, "anon", "bad_boolean" },
		{ "name=ab&&&", 0, 1, NULL, NULL },
		{ "name=ab&email=wang%40example.cn", 0, 1, NULL, NULL },
		{ "name=ab&email=a.b%2Bc%40mail.jy.gov.cn", 0, 1, NULL, NULL },
		{ "name=ab&email=nobody", 0, 0, "email", "bad_email" },
		{ "name=ab&email=a%40b", 0, 0, "email", "bad_email" },
		{ "name=ab&email=a%40%40b.cn", 0, 0, "email", "bad_email" },
		{ "name=ab&email=a+b%40c.cn", 0, 0, "email", "bad_email" },
		{ "name=ab&email=%3Cx%3E%40c.cn", 0, 0, "email", "bad_email" },
		{ "name=ab&email=%E7%8E%8B%40c.cn", 0, 0, "email", "bad_email" },
		{ "name=ab&phone=13800138000", 0, 1, NULL, NULL },
		{ "name=ab&phone=12800138000", 0, 0, "phone", "bad_phone" },
		{ "name=ab&phone=1380013800", 0, 0, "phone", "bad_phone" },
		{ "name=ab&phone=1380013800a", 0, 0, "phone", "bad_phone" },
		{ "name=ab&since=2026-02-28", 0, 1, NULL, NULL },
		{ "name=ab&since=2000-01-01", 0, 1, NULL, NULL },
		{ "name=ab&since=2099-12-31", 0, 1, NULL, NULL },
		{ "name=ab&since=2028-02-29", 0, 1, NULL, NULL },
		{ "name=ab&since=2000-02-29", 0, 1, NULL, NULL },
		{ "name=ab&since=2100-02-29", 0, 0, "since", "bad_date" },
		{ "name=ab&since=2026-02-29", 0, 0, "since", "bad_date" },
		{ "name=ab&since=2026-04-31", 0, 0, "since", "bad_date" },
		{ "name=ab&since=2026-13-01", 0, 0, "since", "bad_date" },
		{ "name=ab&since=2026-00-10", 0, 0, "since", "bad_date" },
		{ "name=ab&since=2026-01-00", 0, 0, "since", "bad_date" },
		{ "name=ab&since=1999-12-31", 0, 0, "since", "bad_date" },
		{ "name=ab&since=2026-1-01", 0, 0, "since", "bad_date" },
		{ "name=ab&since=2026%2F01%2F01", 0, 0, "since", "bad_date" },
		{ "name=ab&since=2026-01-01T00", 0, 0, "since", "bad_date" },
		{ "name=ab&since=+026-01-01", 0, 0, "since", "bad_date" },
		{ "name=ab&since=%EF%BC%92026-01-01", 0, 0, "since",
		  "bad_date" },
		/* Accounts that can be recovered: an e-mail or a phone,
		   a token from a link, a code of six digits. */
		{ "name=ab&who=wang%40example.cn", 0, 1, NULL, NULL },
		{ "name=ab&who=13800138000", 0, 1, NULL, NULL },
		{ "name=ab&who=wang", 0, 0, "who", "bad_identifier" },
		{ "name=ab&who=a%40b", 0, 0, "who", "bad_identifier" },
		{ "name=ab&who=1380013800", 0, 0, "who", "bad_identifier" },
		{ "name=ab&token=0123456789abcdef0123456789abcdef"
		  "0123456789abcdef0123456789abcdef", 0, 1, NULL, NULL },
		{ "name=ab&token=0123456789ABCDEF0123456789abcdef"
		  "0123456789abcdef0123456789abcdef", 0, 0, "token",
		  "bad_token" },
		{ "name=ab&token=0123456789abcdef0123456789abcdef"
		  "0123456789abcdef0123456789abcde", 0, 0, "token",
		  "bad_token" },
		{ "name=ab&token=0123456789abcdef0123456789abcdef"
		  "0123456789abcdef0123456789abcdef0", 0, 0, "token",
		  "bad_token" },
		{ "name=ab&token=x", 0, 0, "token", "bad_token" },
		{ "name=ab&code=012345", 0, 1, NULL, NULL },
		{ "name=ab&code=12345", 0, 0, "code", "bad_code" },
		{ "name=ab&code=1234567", 0, 0, "code", "bad_code" },
		{ "name=ab&code=12345a", 0, 0, "code", "bad_code" },
		{ "name=ab&code=%EF%BC%9112345", 0, 0, "code", "bad_code" },
		/* Idempotency keys: the header's syntax, for the form too. */
		{ "name=ab&key=abcd1234", 0, 1, NULL, NULL },
		{ "name=ab&key=2026-11-30T08%3A00%3A00.1_X", 0, 1, NULL, NULL },
		{ "name=ab&key=abcd123", 0, 0, "key", "bad_idempotency_key" },
		{ "name=ab&key=no+spaces+allowed", 0, 0, "key",
		  "bad_idempotency_key" },
		{ "name=ab&key=abcd1234%2F", 0, 0, "key",
		  "bad_idempotency_key" },
		{ "name=ab&key=%E9%94%AE%E9%94%AE%E9%94%AE", 0, 0, "key",
		  "bad_idempotency_key" },
		/* Amounts in yuan (money.c), min and max in fen. */
		{ "name=ab&yuan=12%2C000.5", 0, 1, NULL, NULL },
		{ "name=ab&yuan=%C2%A50.05", 0, 1, NULL, NULL },
		{ "name=ab&yuan=9999999999.99", 0, 1, NULL, NULL },
		{ "name=ab&yuan=10000000000", 0, 0, "yuan", "bad_amount" },
		{ "name=ab&yuan=1.234", 0, 0, "yuan", "bad_amount" },
		{ "name=ab&yuan=-5", 0, 0, "yuan", "bad_amount" },
		{ "name=ab&yuan=lots", 0, 0, "yuan", "bad_amount" },
	};
	struct form		f;
	struct form_error	e;
	size_t			i;
	int			ok;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		form_init(&f);
		memset(&e, 0, sizeof(e));
		ok = form_parse_urlencoded(&f, cases[i].in,
		    strlen(cases[i].in), &e) &&
		    form_check(&f, spec, NELEM(spec), cases[i].strict, &e);
		if (ok != cases[i].ok)
			fail_msg("case %zu (%s): ok=%d", i, cases[i].in, ok);
		if (!ok) {
			assert_string_equal(e.field, cases[i].field);
			assert_string_equal(e.code, cases[i].code);
		}
		form_free(&f);
	}
}

/*
 * Bodies are bytes with a length, not C strings: a raw NUL anywhere is
 * refused, and nothing is read or written past the length (the heap
 * overflow before sign-in of issue 11; ASan in fuzz-replay sees it).
 */
static void
test_nul_bytes(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;
		int		 ok;
		const char	*field;
	} cases[] = {
		{ "\0", 1, 0, "" },
		{ "name=ab\0", 8, 0, "name" },
		{ "name=a%41%41\0xxxxxxxx&anon=1", 29, 0, "name" },
		{ "na\0me=ab", 9, 0, "na" },
		{ "name=ab&\0", 9, 0, "" },
		/* The length ends the input, not a NUL after it. */
		{ "name=abXXXX", 7, 1, NULL },
	};
	struct form		f;
	struct form_error	e;
	size_t			i;
	int			ok;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		form_init(&f);
		memset(&e, 0, sizeof(e));
		ok = form_parse_urlencoded(&f, cases[i].in, cases[i].len, &e);
		if (ok != cases[i].ok)
			fail_msg("case %zu: ok=%d", i, ok);
		if (!ok) {
			assert_string_equal(e.field, cases[i].field);
			assert_string_equal(e.code, "bad_encoding");
		} else {
			assert_string_equal(form_get(&f, "name"), "ab");
		}
		form_free(&f);
	}
}

static void
test_values(void **state)
{
	struct form		f;
	struct form_error	e;
	const char		*q = "name=a+b%26c&page=7&anon=1&town=";

	(void)state;
	form_init(&f);
	assert_true(form_parse_urlencoded(&f, q, strlen(q), &e));
	assert_string_equal(form_get(&f, "name"), "a b&c");
	assert_int_equal(form_int(&f, "page", 1), 7);
	assert_int_equal(form_int(&f, "missing", 5), 5);
	assert_true(form_bool(&f, "anon"));
	assert_null(form_get(&f, "town"));
	form_free(&f);
}

static void
test_json(void **state)
{
	static const struct {
		const char	*in;
		int		 ok;
		const char	*field, *code;
	} cases[] = {
		{ "{\"name\":\"ab\",\"page\":5,\"anon\":true}", 1, NULL, NULL },
		{ "{\"name\":\"ab\",\"page\":null}", 1, NULL, NULL },
		{ "{\"name\":\"ab\",\"page\":500}", 0, "page", "bad_number" },
		{ "{\"name\":\"ab\",\"page\":\"5\"}", 1, NULL, NULL },
		{ "{\"name\":[\"ab\"]}", 0, "name", "bad_type" },
		{ "{\"name\":\"ab\",\"extra\":1}", 0, "extra", "unknown_field" },
		{ "[1]", 0, "", "not_an_object" },
		{ "{\"name\":\"ab\",\"page\":1.5}", 0, "page", "bad_type" },
	};
	struct form		f;
	struct form_error	e;
	json_t			*j;
	size_t			i;
	int			ok;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		form_init(&f);
		assert_non_null(j = json_loads(cases[i].in, 0, NULL));
		ok = form_from_json(&f, j, &e) &&
		    form_check(&f, spec, NELEM(spec), 1, &e);
		if (ok != cases[i].ok)
			fail_msg("case %zu (%s): ok=%d", i, cases[i].in, ok);
		if (!ok) {
			assert_string_equal(e.field, cases[i].field);
			assert_string_equal(e.code, cases[i].code);
		}
		json_decref(j);
		form_free(&f);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_json),
	};

	return (cmocka_run_group_tests_name("form", tests, NULL, NULL));
}
