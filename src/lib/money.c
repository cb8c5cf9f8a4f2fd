/*
 * Money as people type it.  Amounts are entered in yuan ("1234.5") and
 * kept as an integer number of fen; no floating point anywhere on the way.
 */
#include <stdint.h>
#include <string.h>

#include "lib.h"

/* At most 12 digits of yuan: far below INT64_MAX fen. */
#define MONEY_MAX_DIGITS	12

#define IS_DIGIT(c)	((c) >= '0' && (c) <= '9')

/*
 * Parses a non-negative amount of yuan as people write it: optionally ¥
 * (or the full-width ￥), digits, optionally grouped by three with commas
 * ("1,200"), then optionally a point and one or two digits of jiao and
 * fen ("1234", "1234.5", "0.05").  Nothing else: no sign, spaces,
 * exponent.  Returns 1 with the amount in fen in *fen, or 0.
 */
int
money_parse_yuan(const char *s, int64_t *fen)
{
	int64_t		yuan = 0, cents = 0;
	int		digits = 0, decimals = 0;

	if (s == NULL)
		return (0);
	if (!strncmp(s, "¥", strlen("¥")))
		s += strlen("¥");
	else if (!strncmp(s, "￥", strlen("￥")))
		s += strlen("￥");
	for (; IS_DIGIT(*s) || *s == ','; s++) {
		if (*s == ',') {
			/* A separator: after a digit, before three more. */
			if (digits == 0 || !IS_DIGIT(s[1]) || !IS_DIGIT(s[2]) ||
			    !IS_DIGIT(s[3]) || IS_DIGIT(s[4]))
				return (0);
			continue;
		}
		if (++digits > MONEY_MAX_DIGITS)
			return (0);
		yuan = yuan * 10 + (*s - '0');
	}
	if (digits == 0)
		return (0);
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (++decimals > 2)
				return (0);
			cents = cents * 10 + (*s - '0');
		}
		if (decimals == 0)
			return (0);
		if (decimals == 1)
			cents *= 10;
	}
	if (*s != '\0')
		return (0);
	*fen = yuan * 100 + cents;
	return (1);
}
