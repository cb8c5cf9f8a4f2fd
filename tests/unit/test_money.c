/* Amounts in yuan into fen, dates and ID numbers: tables of cases. */
#include "unit.h"

static void
test_yuan(void **state)
{
	static const struct {
		const char	*in;
		int		 ok;
		int64_t		 fen;
	} cases[] = {
		{ "0", 1, 0 },
		{ "1", 1, 100 },
		{ "1234.5", 1, 123450 },
		{ "1234.50", 1, 123450 },
		{ "1234.05", 1, 123405 },
		{ "0.01", 1, 1 },
		{ "0.1", 1, 10 },
		{ "007", 1, 700 },
		{ "20000000", 1, 2000000000 },
		{ "999999999999.99", 1, 99999999999999 },
		{ "9999999999999", 0, 0 },
		{ "1234.567", 0, 0 },
		{ "1.", 0, 0 },
		{ ".5", 0, 0 },
		{ "", 0, 0 },
		{ "-1", 0, 0 },
		{ "+1", 0, 0 },
		{ "1e3", 0, 0 },
		{ "1,234", 1, 123400 },
		{ "1,234,567.89", 1, 123456789 },
		{ "1,23", 0, 0 },
		{ "1,2345", 0, 0 },
		{ ",123", 0, 0 },
		{ "1,,234", 0, 0 },
		{ " 12", 0, 0 },
		{ "12 ", 0, 0 },
		{ "¥12", 1, 1200 },
		{ "￥30.5", 1, 3050 },
		{ "¥", 0, 0 },
		{ "12¥", 0, 0 },
		{ "１２", 0, 0 },
		{ "1.2.3", 0, 0 },
		{ "0x10", 0, 0 },
		{ "nan", 0, 0 },
	};
	int64_t	fen;
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		fen = -1;
		if (money_parse_yuan(cases[i].in, &fen) != cases[i].ok)
			fail_msg("case %zu (%s)", i, cases[i].in);
		if (cases[i].ok && fen != cases[i].fen)
			fail_msg("case %zu (%s): %lld fen", i, cases[i].in,
			    (long long)fen);
	}
	assert_false(money_parse_yuan(NULL, &fen));
}

static const struct field spec[] = {
	{ "amount", FIELD_YUAN, 0, 1, 2000000000, NULL },
	{ "deadline", FIELD_DATE, 0, 2000, 2100, NULL },
	{ "id_number", FIELD_IDCARD, 0, 0, 0, NULL },
};

static void
test_fields(void **state)
{
	static const struct {
		const char	*in;
		const char	*field;	/* NULL: accepted */
		const char	*code;
	} cases[] = {
		{ "amount=1234.5", NULL, NULL },
		{ "amount=0.01", NULL, NULL },
		{ "amount=0", "amount", "bad_amount" },
		{ "amount=20000000.01", "amount", "bad_amount" },
		{ "amount=12.345", "amount", "bad_amount" },
		{ "amount=abc", "amount", "bad_amount" },
		{ "deadline=2027-02-28", NULL, NULL },
		{ "deadline=2028-02-29", NULL, NULL },
		{ "deadline=2000-02-29", NULL, NULL },
		{ "deadline=2100-02-29", "deadline", "bad_date" },
		{ "deadline=2027-02-29", "deadline", "bad_date" },
		{ "deadline=2027-04-31", "deadline", "bad_date" },
		{ "deadline=2027-13-01", "deadline", "bad_date" },
		{ "deadline=2027-00-10", "deadline", "bad_date" },
		{ "deadline=2027-1-10", "deadline", "bad_date" },
		{ "deadline=1999-12-31", "deadline", "bad_date" },
		{ "deadline=2027-01-10T00", "deadline", "bad_date" },
		{ "deadline=2027%2F01%2F10", "deadline", "bad_date" },
		{ "id_number=11010519491231002X", NULL, NULL },
		{ "id_number=11010519491231002x", NULL, NULL },
		{ "id_number=110105194912310021", "id_number", "bad_idcard" },
		{ "id_number=11010519491231002", "id_number", "bad_idcard" },
		{ "id_number=1101051949123100211", "id_number", "bad_idcard" },
		{ "id_number=A1010519491231002X", "id_number", "bad_idcard" },
		{ "id_number=440524188001010014", NULL, NULL },
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
		    form_check(&f, spec, NELEM(spec), 1, &e);
		if (ok != (cases[i].field == NULL))
			fail_msg("case %zu (%s): ok=%d", i, cases[i].in, ok);
		if (!ok) {
			assert_string_equal(e.field, cases[i].field);
			assert_string_equal(e.code, cases[i].code);
		}
		form_free(&f);
	}
	form_init(&f);
	assert_true(form_parse_urlencoded(&f, "amount=1234.5", 13, &e));
	assert_int_equal(form_fen(&f, "amount", -1), 123450);
	assert_int_equal(form_fen(&f, "missing", -1), -1);
	form_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yuan),
		cmocka_unit_test(test_fields),
	};

	return (cmocka_run_group_tests_name("money", tests, NULL, NULL));
}
