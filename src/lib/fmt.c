/*
 * Numbers as people read them: 12,345 and ¥1,234.50.  Money is always an
 * integer number of fen, and this file is the one place it becomes text:
 * pages (the template filter yuan, amounts), messages, error messages.
 * The database gives amounts as numbers ({"fen": n}: api.amount in
 * sql/api/000_util.sql); exports keep them numbers (csv.c).
 */
#include <inttypes.h>
#include <stdio.h>

#include "lib.h"

/* Digits grouped by three with commas. */
void
fmt_int(struct buf *b, int64_t v)
{
	char		digits[32];
	uint64_t	u;
	int		n, i;

	if (v < 0) {
		buf_putc(b, '-');
		u = (uint64_t)(-(v + 1)) + 1;
	} else
		u = (uint64_t)v;
	n = snprintf(digits, sizeof(digits), "%" PRIu64, u);
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf_putc(b, ',');
		buf_putc(b, digits[i]);
	}
}

/* ¥ and yuan, with the fen only when there are any: ¥1,200 or ¥1,200.05. */
void
fmt_yuan(struct buf *b, int64_t fen)
{
	int64_t	yuan, rest;

	if (fen < 0) {
		buf_putc(b, '-');
		fen = fen == INT64_MIN ? INT64_MAX : -fen;
	}
	yuan = fen / 100;
	rest = fen % 100;
	buf_puts(b, "¥");
	fmt_int(b, yuan);
	if (rest != 0)
		buf_printf(b, ".%02" PRId64, rest);
}

/*
 * An amount as the database gives it for display (api.amount): money as
 * {"fen": n}, ¥1,200.50; anything else as {"quantity": n, "unit": u},
 * 1,200 件.  Returns 0, writing nothing, when v is no such object.
 */
int
fmt_amount(struct buf *b, json_t *v)
{
	json_t	*n, *unit;

	if (!json_is_object(v))
		return (0);
	if (json_is_integer(n = json_object_get(v, "fen"))) {
		fmt_yuan(b, json_integer_value(n));
		return (1);
	}
	if (!json_is_integer(n = json_object_get(v, "quantity")))
		return (0);
	fmt_int(b, json_integer_value(n));
	if (json_is_string(unit = json_object_get(v, "unit")) &&
	    json_string_length(unit) > 0) {
		buf_putc(b, ' ');
		buf_append(b, json_string_value(unit),
		    json_string_length(unit));
	}
	return (1);
}
