/*
 * CSV (RFC 4180) for files people open in a spreadsheet: lines end in
 * CRLF; every text cell is quoted with its quotes doubled, and a cell that
 * starts with = + - @ (or a tab or carriage return, which some
 * spreadsheets skip before reading a formula) gets a leading ' so that it
 * stays text instead of running as a formula (CSV injection).  Numbers are
 * left unquoted so that a spreadsheet sums them; money is yuan with two
 * decimals, computed exactly from fen.
 *
 * Every file starts with csv_begin: the UTF-8 byte-order mark, without
 * which Excel (what the city's branches open these files with) reads
 * Chinese as mojibake, and the header line.  Then cells one by one
 * (csv_cell, csv_int, csv_yuan), or a whole table given as JSON
 * (csv_table: the exports; csv_rows: their later pages).
 */
#include <inttypes.h>
#include <string.h>

#include "lib.h"

static void	csv_json_cell(struct buf *, json_t *);

/*
 * The start of a file: the byte-order mark, then the header line of the
 * column names in head (NULL-terminated) when head is not NULL.
 */
void
csv_begin(struct buf *b, const char *const *head)
{
	size_t	i;

	buf_puts(b, "\xef\xbb\xbf");
	if (head == NULL)
		return;
	for (i = 0; head[i] != NULL; i++) {
		if (i > 0)
			buf_putc(b, ',');
		csv_cell(b, head[i]);
	}
	buf_puts(b, "\r\n");
}

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

/*
 * A cell given as JSON: a string, an integer, {"fen": n} for money, a
 * boolean, or null (an empty cell).
 */
static void
csv_json_cell(struct buf *out, json_t *v)
{
	json_t	*fen;

	if (json_is_string(v))
		csv_cell(out, json_string_value(v));
	else if (json_is_integer(v))
		csv_int(out, json_integer_value(v));
	else if (json_is_object(v) && json_is_integer(fen = json_object_get(v,
	    "fen")))
		csv_yuan(out, json_integer_value(fen));
	else if (json_is_boolean(v))
		buf_puts(out, json_is_true(v) ? "true" : "false");
}

/*
 * Appends a table: the header line (columns, an array of strings) and the
 * rows (an array of arrays of cells).  Returns 0 when columns or rows are
 * not arrays (nothing is written then).
 */
int
csv_table(struct buf *out, json_t *columns, json_t *rows)
{
	size_t	k;

	if (!json_is_array(columns) || !json_is_array(rows))
		return (0);
	for (k = 0; k < json_array_size(columns); k++) {
		if (k > 0)
			buf_putc(out, ',');
		csv_json_cell(out, json_array_get(columns, k));
	}
	buf_puts(out, "\r\n");
	return (csv_rows(out, rows));
}

/*
 * Appends rows (an array of arrays of cells) without a header line: the
 * pages of a table sent in pieces.  Returns 0 when rows is not an array.
 */
int
csv_rows(struct buf *out, json_t *rows)
{
	json_t	*row;
	size_t	 i, k;

	if (!json_is_array(rows))
		return (0);
	json_array_foreach(rows, i, row) {
		for (k = 0; k < json_array_size(row); k++) {
			if (k > 0)
				buf_putc(out, ',');
			csv_json_cell(out, json_array_get(row, k));
		}
		buf_puts(out, "\r\n");
	}
	return (1);
}
