/*
 * CSV cells (RFC 4180) for files people open in a spreadsheet: every
 * text cell is quoted with its quotes doubled, and a cell that starts
 * with = + - @ (or a tab or carriage return, which some spreadsheets
 * skip before reading a formula) gets a leading ' so that it stays text
 * instead of running as a formula (CSV injection).
 */
#include <inttypes.h>
#include <string.h>

#include "lib.h"

/* A text cell; NULL is an empty cell. */
void
csv_cell(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	if (s != NULL && *s != '\0' && strchr("=+-@\t\r", *s) != NULL)
		buf_putc(b, '\'');
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

/* A number cell: the digits, unquoted, so a spreadsheet sums them. */
void
csv_int(struct buf *b, int64_t v)
{
	buf_printf(b, "%" PRId64, v);
}

/* Fen as yuan, a number cell with two decimals: 1234.50, -0.05. */
void
csv_yuan(struct buf *b, int64_t fen)
{
	uint64_t	u;

	if (fen < 0) {
		buf_putc(b, '-');
		u = (uint64_t)(-(fen + 1)) + 1;
	} else
		u = (uint64_t)fen;
	buf_printf(b, "%" PRIu64 ".%02" PRIu64, u / 100, u % 100);
}
