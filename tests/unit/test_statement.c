/* A bank's statement (src/lib/statement.c): amounts, dates, files. */
#include <iconv.h>

#include "unit.h"

static void
test_amount(void **state)
{
	static const struct {
		const char	*in;
		int		 rc;
		int64_t		 fen;
	} cases[] = {
		{ "1,200.00", 1, 120000 },
		{ "-50.00", 1, -5000 },
		{ "+500", 1, 50000 },
		{ "500", 1, 50000 },
		{ "0.05", 1, 5 },
		{ "12.5", 1, 1250 },
		{ "1,234,567.89", 1, 123456789 },
		{ "  300.00 ", 1, 30000 },
		{ "\xe3\x80\x80" "300.00", 1, 30000 },	/* ideographic space */
		{ "\xc2\xa5" "1,200", 1, 120000 },	/* ¥ */
		{ "\xef\xbf\xa5" "8.8", 1, 880 },	/* ￥ */
		{ "-\xc2\xa5" "50", 1, -5000 },
		{ "\xc2\xa5" "-50", 1, -5000 },
		{ "\xef\xbc\x8d" "20", 1, -2000 },	/* full-width minus */
		{ "(50.00)", 1, -5000 },
		{ "500\xe5\x85\x83", 1, 50000 },	/* 500元 */
		{ "999999999999999.99", 1, 99999999999999999LL },
		{ "", 0, 0 },
		{ "   ", 0, 0 },
		{ "-", 0, 0 },
		{ "--", 0, 0 },
		{ "1,20.00", -1, 0 },
		{ "1,2000", -1, 0 },
		{ ",100", -1, 0 },
		{ "1.234", -1, 0 },
		{ "1.", -1, 0 },
		{ ".5", -1, 0 },
		{ "--5", -1, 0 },
		{ "+-5", -1, 0 },
		{ "-\xc2\xa5-5", -1, 0 },
		{ "(-5)", -1, 0 },
		{ "1e3", -1, 0 },
		{ "abc", -1, 0 },
		{ "5 0", -1, 0 },
		{ "1000000000000000", -1, 0 },
		{ "\xc2\xa5", -1, 0 },
		{ "()", -1, 0 },
	};
	size_t	i;
	int64_t	fen;
	int	rc;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		fen = 0;
		rc = statement_amount(cases[i].in, strlen(cases[i].in), &fen);
		if (rc != cases[i].rc || (rc == 1 && fen != cases[i].fen))
			fail_msg("case %zu (%s): rc=%d fen=%lld", i, cases[i].in,
			    rc, (long long)fen);
	}
	/* By length: what follows is not read. */
	assert_int_equal(statement_amount("12.3456", 4, &fen), 1);
	assert_int_equal(fen, 1230);
}

static void
test_date(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: refused */
	} cases[] = {
		{ "2026-11-30", "2026-11-30" },
		{ "2026/1/5", "2026-01-05" },
		{ "2026.11.30", "2026-11-30" },
		{ "20261130", "2026-11-30" },
		{ "2026\xe5\xb9\xb4" "11\xe6\x9c\x88" "3\xe6\x97\xa5",
		    "2026-11-03" },
		{ "2026-11-30 14:05:01", "2026-11-30" },
		{ "2024-02-29", "2024-02-29" },
		{ "2025-02-29", NULL },
		{ "2100-02-29", NULL },
		{ "2026-13-01", NULL },
		{ "2026-11-31", NULL },
		{ "2026-11/30", NULL },
		{ "202611300", NULL },
		{ "2026113", NULL },
		{ "1989-01-01", NULL },
		{ "26-11-30", NULL },
		{ "\xe5\x90\x88\xe8\xae\xa1", NULL },	/* 合计 */
		{ "", NULL },
		{ "2026-11-30x", NULL },
	};
	size_t	i;
	char	out[11];

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (statement_date(cases[i].in, strlen(cases[i].in), out) !=
		    (cases[i].out != NULL))
			fail_msg("case %zu (%s)", i, cases[i].in);
		if (cases[i].out != NULL)
			assert_string_equal(out, cases[i].out);
	}
}

/* A bank's columns, as an admin named them. */
static const struct statement_map icbc = { {
	[STATEMENT_DATE] = "交易日期",
	[STATEMENT_AMOUNT] = "金额",
	[STATEMENT_COUNTERPARTY] = "对方户名",
	[STATEMENT_NOTE] = "摘要",
	[STATEMENT_BALANCE] = "余额",
	[STATEMENT_LINE_ID] = "流水号",
} };

static const char icbc_csv[] =
    "账号,6222020000000001\r\n"
    "户名,共青团济源市委员会基金\r\n"
    "\r\n"
    "流水号,交易日期,金额,余额,对方户名,摘要\r\n"
    "A001,2026-11-01,\"1,200.00\",\"11,200.00\",张三,转账 JYABCDEFGH\r\n"
    "A002,2026/11/02,-50.00,\"11,150.00\",济源某公司,\"手续费, 十一月\"\r\n"
    "A003,20261103,+500,\"11,650.00\",\"李\"\"四\",\r\n"
    ",,,,,\r\n"
    "合计,,\"1,650.00\",,,\r\n";

static json_t *
line(json_t *st, size_t i)
{
	return (json_array_get(json_object_get(st, "lines"), i));
}

static void
test_read_utf8(void **state)
{
	struct statement_error	 err;
	json_t			*st;
	char			*bom;

	(void)state;
	st = statement_read(icbc_csv, strlen(icbc_csv), &icbc, &err);
	if (st == NULL)
		fail_msg("%s %s %zu", err.code, err.field, err.row);
	assert_string_equal(json_string_value(json_object_get(st, "encoding")),
	    "utf-8");
	assert_int_equal(json_array_size(json_object_get(st, "lines")), 3);
	assert_int_equal(json_integer_value(json_object_get(st, "skipped")), 1);
	assert_int_equal(json_integer_value(json_object_get(line(st, 0),
	    "amount")), 120000);
	assert_int_equal(json_integer_value(json_object_get(line(st, 0),
	    "balance")), 1120000);
	assert_int_equal(json_integer_value(json_object_get(line(st, 0), "row")),
	    5);
	assert_string_equal(json_string_value(json_object_get(line(st, 0),
	    "note")), "转账 JYABCDEFGH");
	assert_string_equal(json_string_value(json_object_get(line(st, 0),
	    "line_id")), "A001");
	assert_int_equal(json_integer_value(json_object_get(line(st, 1),
	    "amount")), -5000);
	assert_string_equal(json_string_value(json_object_get(line(st, 1),
	    "date")), "2026-11-02");
	assert_string_equal(json_string_value(json_object_get(line(st, 1),
	    "note")), "手续费, 十一月");
	assert_string_equal(json_string_value(json_object_get(line(st, 2),
	    "counterparty")), "李\"四");
	assert_string_equal(json_string_value(json_object_get(line(st, 2),
	    "note")), "");
	assert_int_equal(strlen(json_string_value(json_object_get(line(st, 2),
	    "hash"))), 64);
	json_decref(st);

	/* With a BOM, the same. */
	bom = malloc(sizeof(icbc_csv) + 3);
	memcpy(bom, "\xef\xbb\xbf", 3);
	memcpy(bom + 3, icbc_csv, sizeof(icbc_csv));
	st = statement_read(bom, strlen(bom), &icbc, &err);
	assert_non_null(st);
	assert_int_equal(json_array_size(json_object_get(st, "lines")), 3);
	json_decref(st);
	free(bom);
}

/* The same statement in GBK, as Chinese banks export it. */
static void
test_read_gbk(void **state)
{
	static const struct statement_map split = { {
		[STATEMENT_DATE] = "日期",
		[STATEMENT_CREDIT] = "收入",
		[STATEMENT_DEBIT] = "支出",
		[STATEMENT_NOTE] = "附言",
	} };
	const char		*utf = "日期\t收入\t支出\t附言\n"
				    "2026-11-01\t1,200.00\t\t捐款 JYABCDEFGH\n"
				    "2026-11-02\t\t50.00\t手续费\n";
	struct statement_error	 err;
	iconv_t			 cd;
	char			 gbk[512], *in, *out;
	size_t			 inleft, outleft;
	json_t			*st;

	(void)state;
	cd = iconv_open("GBK", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	in = (char *)(uintptr_t)utf;
	inleft = strlen(utf);
	out = gbk;
	outleft = sizeof(gbk);
	assert_true(iconv(cd, &in, &inleft, &out, &outleft) != (size_t)-1);
	iconv_close(cd);
	st = statement_read(gbk, sizeof(gbk) - outleft, &split, &err);
	if (st == NULL)
		fail_msg("%s %s %zu", err.code, err.field, err.row);
	assert_string_equal(json_string_value(json_object_get(st, "encoding")),
	    "gbk");
	assert_int_equal(json_integer_value(json_object_get(line(st, 0),
	    "amount")), 120000);
	assert_int_equal(json_integer_value(json_object_get(line(st, 1),
	    "amount")), -5000);
	assert_true(json_is_null(json_object_get(line(st, 0), "balance")));
	assert_true(json_is_null(json_object_get(line(st, 0), "line_id")));
	assert_string_equal(json_string_value(json_object_get(line(st, 0),
	    "note")), "捐款 JYABCDEFGH");
	json_decref(st);
}

static void
test_refused(void **state)
{
	static const struct statement_map none = { { NULL } };
	static const struct statement_map twice = { {
		[STATEMENT_DATE] = "日期", [STATEMENT_AMOUNT] = "金额",
		[STATEMENT_NOTE] = "金额",
	} };
	static const struct statement_map both = { {
		[STATEMENT_DATE] = "日期", [STATEMENT_AMOUNT] = "金额",
		[STATEMENT_CREDIT] = "收入", [STATEMENT_NOTE] = "摘要",
	} };
	static const struct {
		const char			*in;
		size_t				 len;
		const struct statement_map	*map;
		const char			*code;
		const char			*field;
		size_t				 row;
	} cases[] = {
		{ icbc_csv, sizeof(icbc_csv) - 1, &none, "no_mapping", "date", 0 },
		{ icbc_csv, sizeof(icbc_csv) - 1, &twice, "bad_mapping", "note",
		    0 },
		{ icbc_csv, sizeof(icbc_csv) - 1, &both, "bad_mapping", "credit",
		    0 },
		{ "PK\x03\x04\0\0zip", 9, &icbc, "not_csv", "", 0 },
		{ "", 0, &icbc, "not_csv", "", 0 },
		{ "\xff\xfe" "a\0", 4, &icbc, "not_csv", "", 0 },
		{ "\xff\xfe" "abc", 5, &icbc, "unknown_encoding", "", 0 },
		{ "\x81\x20\x81", 3, &icbc, "unknown_encoding", "", 0 },
		{ "\xef\xbb\xbf\xff", 4, &icbc, "unknown_encoding", "", 0 },
		{ "流水号,交易日期,金额,余额,对方户名\n", 0, &icbc, "no_header",
		    "note", 0 },
		{ "流水号,交易日期,金额,余额,对方户名,摘要\n"
		  "1,2026-11-01,12x,,,\n", 0, &icbc, "bad_statement_amount", "amount", 2 },
		{ "流水号,交易日期,金额,余额,对方户名,摘要\n"
		  "1,2026-11-01,12,abc,,\n", 0, &icbc, "bad_statement_amount", "balance",
		    2 },
		{ "流水号,交易日期,金额,余额,对方户名,摘要\n"
		  "1,2026-11-01,\"12,,,\n", 0, &icbc, "not_csv", "", 2 },
		{ "流水号,交易日期,金额,余额,对方户名,摘要\n"
		  "合计,,12,,,\n", 0, &icbc, "no_lines", "", 0 },
	};
	struct statement_error	 err;
	json_t			*st;
	size_t			 i, len;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		if ((st = statement_read(cases[i].in, len, cases[i].map,
		    &err)) != NULL)
			fail_msg("case %zu: read", i);
		if (strcmp(err.code, cases[i].code) ||
		    strcmp(err.field, cases[i].field) || err.row != cases[i].row)
			fail_msg("case %zu: %s %s %zu", i, err.code, err.field,
			    err.row);
	}
}

/* ="..." cells, CR line ends, quotes after spaces, a long note cut. */
static void
test_cells(void **state)
{
	static const struct statement_map m = { {
		[STATEMENT_DATE] = "date", [STATEMENT_AMOUNT] = "amount",
		[STATEMENT_NOTE] = "note", [STATEMENT_LINE_ID] = "id",
	} };
	struct statement_error	 err;
	struct buf		 b;
	json_t			*st;
	size_t			 i;

	(void)state;
	buf_init(&b, 2048);
	buf_puts(&b, "id,date,amount,note\r=\"0012345678901234567\",2026-11-01,"
	    " \"1,000.00\",");
	for (i = 0; i < 200; i++)
		buf_puts(&b, "字");
	buf_puts(&b, "\r");
	st = statement_read(b.data, b.len, &m, &err);
	if (st == NULL)
		fail_msg("%s %s %zu", err.code, err.field, err.row);
	assert_string_equal(json_string_value(json_object_get(line(st, 0),
	    "line_id")), "0012345678901234567");
	assert_int_equal(json_integer_value(json_object_get(line(st, 0),
	    "amount")), 100000);
	/* 500 bytes at most, whole characters: 166 of 3 bytes. */
	assert_int_equal(strlen(json_string_value(json_object_get(line(st, 0),
	    "note"))), 498);
	json_decref(st);
	buf_free(&b);
}

/* A file's records as they are (the children's import reads them so). */
static void
test_records(void **state)
{
	const char	*csv = "化名,备注\r\n小明,\"一,\"\"二\"\"\"\r\n\r\n 小红 ,x\n";
	json_t		*r;

	(void)state;
	r = statement_records(csv, strlen(csv), 10);
	assert_non_null(r);
	assert_int_equal(json_array_size(r), 4);
	assert_string_equal(json_string_value(json_array_get(json_array_get(r,
	    1), 1)), "一,\"二\"");
	assert_int_equal(json_string_length(json_array_get(json_array_get(r,
	    2), 0)), 0);
	assert_string_equal(json_string_value(json_array_get(json_array_get(r,
	    3), 0)), "小红");
	json_decref(r);
	/* More than max: read up to max + 1, for the caller to refuse. */
	r = statement_records(csv, strlen(csv), 2);
	assert_int_equal(json_array_size(r), 3);
	json_decref(r);
	/* No CSV: an unterminated quote. */
	assert_null(statement_records("a,\"b\r\n", 6, 10));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amount),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_read_utf8),
		cmocka_unit_test(test_read_gbk),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_records),
	};

	return (cmocka_run_group_tests_name("statement", tests, NULL, NULL));
}
