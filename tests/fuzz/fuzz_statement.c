/*
 * A bank statement as an admin uploads it (src/lib/statement.c): any
 * bytes, read by one of three column mappings (the first byte picks
 * it); the amount and date parsers get the same bytes by length.  What
 * is read back must be whole: every line a date and an amount.
 */
#include <stdlib.h>
#include <string.h>

#include "lib.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct statement_map maps[3] = {
	{ {
		[STATEMENT_DATE] = "交易日期", [STATEMENT_AMOUNT] = "金额",
		[STATEMENT_COUNTERPARTY] = "对方户名", [STATEMENT_NOTE] = "摘要",
		[STATEMENT_BALANCE] = "余额", [STATEMENT_LINE_ID] = "流水号",
	} },
	{ {
		[STATEMENT_DATE] = "日期", [STATEMENT_CREDIT] = "收入",
		[STATEMENT_DEBIT] = "支出", [STATEMENT_NOTE] = "附言",
	} },
	{ {
		[STATEMENT_DATE] = "d", [STATEMENT_AMOUNT] = "a",
		[STATEMENT_NOTE] = "n", [STATEMENT_LINE_ID] = "i",
	} },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct statement_error	 err;
	json_t			*st, *l;
	size_t			 i;
	int64_t			 fen;
	char			 date[11];

	(void)statement_amount((const char *)data, size, &fen);
	(void)statement_date((const char *)data, size, date);
	if (size == 0)
		return (0);
	st = statement_read((const char *)data + 1, size - 1,
	    &maps[data[0] % 3], &err);
	if (st == NULL) {
		if (err.code == NULL)
			abort();
		return (0);
	}
	json_array_foreach(json_object_get(st, "lines"), i, l) {
		if (!json_is_integer(json_object_get(l, "amount")) ||
		    strlen(json_string_value(json_object_get(l, "date"))) != 10)
			abort();
	}
	json_decref(st);
	return (0);
}
