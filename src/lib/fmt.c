/*
 * Numbers as people read them: 12,345 and ¥1,234.50.  Money is always an
 * integer number of fen.
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
