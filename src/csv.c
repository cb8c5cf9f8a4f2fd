/*
 * Tables as CSV (RFC 4180): lines end in CRLF, a field is quoted when it
 * holds a comma, a quote, a line break or edge spaces, quotes doubled.
 *
 * A table is a JSON array of header strings and an array of rows, each an
 * array of cells: a string, an integer, {"fen": n} for money (written in
 * yuan with two decimals: 1234.50), or null (empty).  A text cell that a
 * spreadsheet would take for a formula (it starts with = + - @, a tab or
 * a carriage return) gets a leading apostrophe, so that a narrative typed
 * by someone cannot run in the committee's spreadsheet.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib.h"

static void	csv_text(struct buf *, const char *, size_t);
static void	csv_cell(struct buf *, json_t *);

static void
csv_text(struct buf *out, const char *s, size_t len)
{
	size_t	i;
	int	quote, guard;

	guard = len > 0 && strchr("=+-@\t\r", s[0]) != NULL;
	quote = len > 0 && (s[0] == ' ' || s[len - 1] == ' ');
	for (i = 0; i < len && !quote; i++) {
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			quote = 1;
	}
	if (quote)
		buf_putc(out, '"');
	if (guard)
		buf_putc(out, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			buf_putc(out, '"');
		buf_putc(out, s[i]);
	}
	if (quote)
		buf_putc(out, '"');
}

/* Fen as yuan with two decimals, exactly (no floating point). */
void
csv_yuan(struct buf *out, int64_t fen)
{
	uint64_t	u;

	if (fen < 0) {
		buf_putc(out, '-');
		u = (uint64_t)(-(fen + 1)) + 1;
	} else
		u = (uint64_t)fen;
	buf_printf(out, "%" PRIu64 ".%02" PRIu64, u / 100, u % 100);
}

static void
csv_cell(struct buf *out, json_t *v)
{
	json_t	*fen;

	if (json_is_string(v))
		csv_text(out, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		buf_printf(out, "%lld", (long long)json_integer_value(v));
	else if (json_is_object(v) && json_is_integer(fen = json_object_get(v,
	    "fen")))
		csv_yuan(out, json_integer_value(fen));
	else if (json_is_boolean(v))
		buf_puts(out, json_is_true(v) ? "true" : "false");
}

/*
 * Appends the header line and the rows to out.  Returns 0 when columns
 * or rows are not arrays (nothing is written then).
 */
int
csv_table(struct buf *out, json_t *columns, json_t *rows)
{
	json_t	*row;
	size_t	 i, k;

	if (!json_is_array(columns) || !json_is_array(rows))
		return (0);
	for (k = 0; k < json_array_size(columns); k++) {
		if (k > 0)
			buf_putc(out, ',');
		csv_cell(out, json_array_get(columns, k));
	}
	buf_puts(out, "\r\n");
	json_array_foreach(rows, i, row) {
		for (k = 0; k < json_array_size(row); k++) {
			if (k > 0)
				buf_putc(out, ',');
			csv_cell(out, json_array_get(row, k));
		}
		buf_puts(out, "\r\n");
	}
	return (1);
}
