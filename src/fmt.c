/*
 * Numbers as people read them: 12,345 and ¥1,234.50.  Money is always an
 * integer number of fen.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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
 * Reads an amount of yuan as people type it ("120", "120.5", "1,200.05",
 * "¥30") into fen, exactly (no floating point).  Returns 0 for anything
 * else, a negative amount, more than two decimals, or over max fen.
 */
int
fmt_parse_yuan(const char *s, int64_t max, int64_t *fen)
{
	int64_t	yuan = 0, cents = 0;
	int	digits = 0, dec = -1;

	if (!strncmp(s, "¥", strlen("¥")))
		s += strlen("¥");
	else if (*s == '\xef' && !strncmp(s, "￥", strlen("￥")))
		s += strlen("￥");
	for (; *s != '\0'; s++) {
		if (*s == ',' && dec < 0 && digits > 0)
			continue;
		if (*s == '.' && dec < 0 && digits > 0) {
			dec = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || dec >= 2)
			return (0);
		if (dec >= 0) {
			cents = cents * 10 + (*s - '0');
			dec++;
		} else {
			if (yuan > max / 100)
				return (0);
			yuan = yuan * 10 + (*s - '0');
			digits++;
		}
	}
	if (digits == 0 || dec == 0)
		return (0);
	if (dec == 1)
		cents *= 10;
	if (yuan > (max - cents) / 100)
		return (0);
	*fen = yuan * 100 + cents;
	return (1);
}
