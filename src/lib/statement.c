/*
 * The foundation account's bank statement (issue 16): a CSV file as a
 * Chinese bank exports it, in UTF-8 (with or without a BOM) or GBK, a
 * few lines about the account above a header row, one line per
 * transaction, perhaps a total below.  An admin names the columns once
 * for each bank (struct statement_map: the header row's texts); this
 * reads the lines those columns describe into JSON for the database,
 * which keys, classifies and keeps them (sql/api/093_statements.sql).
 *
 * Every byte of the file is read by its length: the file comes from
 * outside (tests/fuzz/fuzz_statement.c).
 */
#include <errno.h>
#include <iconv.h>
#include <string.h>

#include <openssl/sha.h>

#include "lib.h"

/* The mapping's keys, in the order of enum statement_col. */
const char *const statement_cols[STATEMENT_NCOLS] = {
	"date", "amount", "credit", "debit", "counterparty", "note",
	"balance", "line_id"
};

#define IS_DIGIT(c)	((c) >= '0' && (c) <= '9')
#define AMOUNT_DIGITS	15	/* of yuan: far below INT64_MAX fen */
#define ROW_CELLS	256	/* a row with more is no statement */
#define HEADER_ROWS	100	/* the header is among the first rows */
#define NOTE_MAX	500	/* bytes kept of a note */
#define PARTY_MAX	200	/* bytes kept of a counterparty */
#define LINE_ID_MAX	100	/* bytes of a bank's line id */

/* One record of the CSV: its cells, NUL-terminated, one after another. */
struct row {
	struct buf	 text;
	size_t		 off[ROW_CELLS];
	size_t		 len[ROW_CELLS];
	size_t		 n;
};

static size_t	skip_space(const char *, size_t, size_t);
static size_t	trim_end(const char *, size_t, size_t);
static int	eat(const char *, size_t, size_t *, const char *);
static int	csv_row(const char *, size_t, size_t *, char, struct row *);
static void	cell_end(struct row *, size_t);
static const char *cell(const struct row *, int);
static size_t	cell_len(const struct row *, int);
static size_t	find_header(const char *, size_t, char,
		    const struct statement_map *, int *, size_t *);
static void	text_cut(json_t *, const char *, const char *, size_t,
		    size_t);
static void	fail(struct statement_error *, const char *, int, size_t);

/*
 * Loads the GBK converter while the process may still map code (Kore's
 * parent: a worker's sandbox refuses the executable mapping iconv_open
 * needs for its module), and keeps it loaded.  Elsewhere unnecessary.
 */
void
statement_init(void)
{
	static iconv_t	warm = (iconv_t)-1;

	if (warm == (iconv_t)-1)
		warm = iconv_open("UTF-8", "GB18030");
}

/* Spaces: ASCII space and tab, and the ideographic space U+3000. */
static size_t
skip_space(const char *s, size_t i, size_t end)
{
	for (;;) {
		if (i < end && (s[i] == ' ' || s[i] == '\t'))
			i++;
		else if (end - i >= 3 && !memcmp(s + i, "\xe3\x80\x80", 3))
			i += 3;
		else
			return (i);
	}
}

static size_t
trim_end(const char *s, size_t i, size_t end)
{
	for (;;) {
		if (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t'))
			end--;
		else if (end - i >= 3 && !memcmp(s + end - 3, "\xe3\x80\x80", 3))
			end -= 3;
		else
			return (end);
	}
}

/* Takes the text w at s[*i] (before end) if it is there. */
static int
eat(const char *s, size_t end, size_t *i, const char *w)
{
	size_t	n = strlen(w);

	if (end - *i < n || memcmp(s + *i, w, n))
		return (0);
	*i += n;
	return (1);
}

/*
 * An amount as a bank writes it, in yuan: "1,200.00", "-50.00", "+500",
 * "¥1,200", "-￥50", "(50.00)" (negative), "500元", with spaces around.
 * Digits are grouped by three with commas or not at all, with at most
 * two decimals.  Returns 1 with the amount in fen, 0 for a blank cell
 * (nothing, or a lone "-" or "--" as some banks write for none), -1 for
 * anything else.
 */
int
statement_amount(const char *s, size_t len, int64_t *fen)
{
	size_t	i, end;
	int64_t	yuan = 0, cents = 0;
	int	neg = 0, sign = 0, digits = 0, decimals = 0;

	i = skip_space(s, 0, len);
	end = trim_end(s, i, len);
	if (i == end || (end - i <= 2 && !memcmp(s + i, "--", end - i)))
		return (0);
	if (s[i] == '(' && end - i > 2 && s[end - 1] == ')') {
		neg = sign = 1;
		i = skip_space(s, i + 1, end - 1);
		end = trim_end(s, i, end - 1);
	}
	/* A sign before or after the currency, not both. */
	if (!sign && (eat(s, end, &i, "-") || eat(s, end, &i, "\xef\xbc\x8d")))
		neg = sign = 1;
	else if (!sign && (eat(s, end, &i, "+") ||
	    eat(s, end, &i, "\xef\xbc\x8b")))
		sign = 1;
	if (!eat(s, end, &i, "\xc2\xa5"))	/* ¥ or the full-width ￥ */
		(void)eat(s, end, &i, "\xef\xbf\xa5");
	if (!sign && (eat(s, end, &i, "-") || eat(s, end, &i, "\xef\xbc\x8d")))
		neg = 1;
	else if (!sign)
		(void)(eat(s, end, &i, "+") || eat(s, end, &i, "\xef\xbc\x8b"));
	for (; i < end && (IS_DIGIT(s[i]) || s[i] == ','); i++) {
		if (s[i] == ',') {
			/* After a digit, before exactly three more. */
			if (digits == 0 || end - i < 4 || !IS_DIGIT(s[i + 1]) ||
			    !IS_DIGIT(s[i + 2]) || !IS_DIGIT(s[i + 3]) ||
			    (end - i > 4 && IS_DIGIT(s[i + 4])))
				return (-1);
			continue;
		}
		if (++digits > AMOUNT_DIGITS)
			return (-1);
		yuan = yuan * 10 + (s[i] - '0');
	}
	if (digits == 0)
		return (-1);
	if (i < end && s[i] == '.') {
		for (i++; i < end && IS_DIGIT(s[i]); i++) {
			if (++decimals > 2)
				return (-1);
			cents = cents * 10 + (s[i] - '0');
		}
		if (decimals == 0)
			return (-1);
		if (decimals == 1)
			cents *= 10;
	}
	(void)eat(s, end, &i, "\xe5\x85\x83");	/* 元 */
	if (i != end)
		return (-1);
	*fen = yuan * 100 + cents;
	if (neg)
		*fen = -*fen;
	return (1);
}

/*
 * A booking date: 2026-11-30, 2026/11/30, 2026.11.30, 20261130 or
 * 2026年11月30日, perhaps followed by a space or T and a time.  Writes
 * YYYY-MM-DD and a NUL into out (11 bytes).  Returns 1 for a real date
 * of the years 1990 to 2099, else 0.
 */
int
statement_date(const char *s, size_t len, char *out)
{
	static const int	mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };
	size_t			i, end, n;
	int			y = 0, m = 0, d = 0, cjk;
	char			sep[4];

	i = skip_space(s, 0, len);
	end = trim_end(s, i, len);
	for (n = 0; n < 4; n++, i++) {
		if (i >= end || !IS_DIGIT(s[i]))
			return (0);
		y = y * 10 + (s[i] - '0');
	}
	if (i < end && IS_DIGIT(s[i])) {
		/* 20261130: no separators at all. */
		if (end - i < 4 || !IS_DIGIT(s[i + 1]) || !IS_DIGIT(s[i + 2]) ||
		    !IS_DIGIT(s[i + 3]))
			return (0);
		m = (s[i] - '0') * 10 + (s[i + 1] - '0');
		d = (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
		i += 4;
	} else {
		cjk = eat(s, end, &i, "\xe5\xb9\xb4");	/* 年 */
		if (!cjk) {
			if (i >= end || (s[i] != '-' && s[i] != '/' &&
			    s[i] != '.'))
				return (0);
			sep[0] = s[i++];
			sep[1] = '\0';
		}
		for (n = 0; n < 2 && i < end && IS_DIGIT(s[i]); n++, i++)
			m = m * 10 + (s[i] - '0');
		if (n == 0 || !eat(s, end, &i, cjk ? "\xe6\x9c\x88" : sep))
			return (0);
		for (n = 0; n < 2 && i < end && IS_DIGIT(s[i]); n++, i++)
			d = d * 10 + (s[i] - '0');
		if (n == 0)
			return (0);
		if (cjk)
			(void)eat(s, end, &i, "\xe6\x97\xa5");	/* 日 */
	}
	if (i < end && s[i] != ' ' && s[i] != 'T')
		return (0);
	if (y < 1990 || y > 2099 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1])
		return (0);
	if (m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 &&
	    y % 400 != 0)))
		return (0);
	(void)snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return (1);
}

/*
 * The file's text as UTF-8 into out: a UTF-8 file as it is (without its
 * BOM), anything else read as GBK (GB18030, which holds GBK).  *enc is
 * set to "utf-8" or "gbk".  Returns 0 when it is neither (bytes no GBK
 * converter accepts, or a UTF-16 BOM).
 */
int
statement_utf8(const char *s, size_t len, struct buf *out, const char **enc)
{
	iconv_t	 cd;
	char	*in, *o, tmp[4096];
	size_t	 inleft, oleft, chars, r;
	int	 ok = 1;

	if (len >= 2 && (!memcmp(s, "\xff\xfe", 2) || !memcmp(s, "\xfe\xff", 2)))
		return (0);
	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) {
		s += 3;
		len -= 3;
		if (!utf8_check(s, len, 1, &chars))
			return (0);
	}
	if (utf8_check(s, len, 1, &chars)) {
		*enc = "utf-8";
		buf_append(out, s, len);
		return (1);
	}
	*enc = "gbk";
	if ((cd = iconv_open("UTF-8", "GB18030")) == (iconv_t)-1)
		return (0);
	in = (char *)(uintptr_t)s;
	inleft = len;
	while (inleft > 0) {
		o = tmp;
		oleft = sizeof(tmp);
		r = iconv(cd, &in, &inleft, &o, &oleft);
		buf_append(out, tmp, sizeof(tmp) - oleft);
		if (r == (size_t)-1 && errno != E2BIG) {
			ok = 0;
			break;
		}
	}
	iconv_close(cd);
	/* What GBK yields must be text too (no stray controls). */
	return (ok && utf8_check(out->data, out->len, 1, &chars));
}

/* Closes the cell begun at start: trimmed, controls made spaces. */
static void
cell_end(struct row *r, size_t start)
{
	char	*t = r->text.data;
	size_t	 i, end;

	i = skip_space(t, start, r->text.len);
	end = trim_end(t, i, r->text.len);
	memmove(t + start, t + i, end - i);
	r->text.len = start + (end - i);
	for (i = start; i < r->text.len; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			t[i] = ' ';
	r->off[r->n] = start;
	r->len[r->n] = r->text.len - start;
	r->n++;
	buf_putc(&r->text, '\0');
}

/*
 * The CSV record at s[*pos] (RFC 4180: quoted cells with "" inside,
 * lines ended by CRLF, LF or CR), cells separated by delim; a cell
 * written ="..." (to keep a spreadsheet from reading a long number) is
 * read as its quoted text.  Returns 1 with the record in r, 0 at the end
 * of s, -1 when s is no CSV (an unterminated quote, too many cells).
 */
static int
csv_row(const char *s, size_t len, size_t *pos, char delim, struct row *r)
{
	size_t	i = *pos, start = 0, k;
	int	quoted = 0;

	if (i >= len)
		return (0);
	buf_reset(&r->text);
	r->n = 0;
	for (; i < len; i++) {
		if (quoted) {
			if (s[i] != '"')
				buf_putc(&r->text, s[i]);
			else if (i + 1 < len && s[i + 1] == '"')
				buf_putc(&r->text, s[++i]);
			else
				quoted = 0;
			continue;
		}
		if (s[i] == '"') {
			/* A quote opens a cell of spaces so far (or "="). */
			for (k = start; k < r->text.len; k++)
				if (r->text.data[k] != ' ')
					break;
			if (k == r->text.len || (k + 1 == r->text.len &&
			    r->text.data[k] == '=')) {
				r->text.len = start;
				quoted = 1;
				continue;
			}
		}
		if (s[i] == delim) {
			if (r->n + 1 >= ROW_CELLS)
				return (-1);
			cell_end(r, start);
			start = r->text.len;
			continue;
		}
		if (s[i] == '\n' || s[i] == '\r') {
			if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
				i++;
			i++;
			break;
		}
		buf_putc(&r->text, s[i]);
	}
	if (quoted)
		return (-1);
	cell_end(r, start);
	*pos = i;
	return (1);
}

static const char *
cell(const struct row *r, int c)
{
	return (c >= 0 && (size_t)c < r->n ? r->text.data + r->off[c] : "");
}

static size_t
cell_len(const struct row *r, int c)
{
	return (c >= 0 && (size_t)c < r->n ? r->len[c] : 0);
}

/*
 * The header row: the first of the first rows holding every mapped
 * column's text.  Fills col[] with each column's place (-1 unmapped),
 * *rows with the rows up to the header, and returns the offset after the
 * header row; or 0, with col[0] the first mapped column missing from the
 * row that came closest.
 */
static size_t
find_header(const char *s, size_t len, char delim,
    const struct statement_map *m, int *col, size_t *rows)
{
	struct row	r;
	size_t		pos = 0, c, k, found, best = 0, mlen;
	int		miss = -1, first;

	buf_init(&r.text, 256);
	for (*rows = 1; *rows <= HEADER_ROWS &&
	    csv_row(s, len, &pos, delim, &r) == 1; (*rows)++) {
		found = 0;
		first = -1;
		for (k = 0; k < STATEMENT_NCOLS; k++) {
			col[k] = -1;
			if (m->col[k] == NULL || m->col[k][0] == '\0')
				continue;
			mlen = strlen(m->col[k]);
			for (c = 0; c < r.n; c++)
				if (r.len[c] == mlen &&
				    !memcmp(cell(&r, (int)c), m->col[k], mlen))
					break;
			if (c < r.n) {
				col[k] = (int)c;
				found++;
			} else if (first == -1)
				first = (int)k;
		}
		if (first == -1) {
			buf_free(&r.text);
			return (pos);
		}
		if (found > best || miss == -1) {
			best = found;
			miss = first;
		}
	}
	buf_free(&r.text);
	col[0] = miss;
	return (0);
}

/* A text cell into o as key, cut to at most max bytes, whole characters. */
static void
text_cut(json_t *o, const char *key, const char *s, size_t len, size_t max)
{
	if (len > max) {
		len = max;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	json_object_set_new(o, key, json_stringn(s, len));
}

static void
fail(struct statement_error *err, const char *code, int col, size_t row)
{
	err->code = code;
	err->field[0] = '\0';
	if (col >= 0 && col < STATEMENT_NCOLS)
		(void)snprintf(err->field, sizeof(err->field), "%s",
		    statement_cols[col]);
	err->row = row;
}

/*
 * Whether m describes a statement: a date and a note, and either one
 * amount column or a credit column (收入) with perhaps a debit one (支出),
 * no column named twice.  Else 0 and why in err.
 */
int
statement_map_ok(const struct statement_map *m, struct statement_error *err)
{
	int	a, b;

#define SET(k)	(m->col[k] != NULL && m->col[k][0] != '\0')
	if (!SET(STATEMENT_DATE) || !SET(STATEMENT_NOTE) ||
	    (!SET(STATEMENT_AMOUNT) && !SET(STATEMENT_CREDIT))) {
		fail(err, "no_mapping", !SET(STATEMENT_DATE) ? STATEMENT_DATE :
		    !SET(STATEMENT_NOTE) ? STATEMENT_NOTE : STATEMENT_AMOUNT, 0);
		return (0);
	}
	if (SET(STATEMENT_AMOUNT) && (SET(STATEMENT_CREDIT) ||
	    SET(STATEMENT_DEBIT))) {
		fail(err, "bad_mapping", STATEMENT_CREDIT, 0);
		return (0);
	}
	for (a = 0; a < STATEMENT_NCOLS; a++)
		for (b = a + 1; b < STATEMENT_NCOLS; b++)
			if (SET(a) && SET(b) && !strcmp(m->col[a], m->col[b])) {
				fail(err, "bad_mapping", b, 0);
				return (0);
			}
#undef SET
	return (1);
}

/*
 * Reads the statement s (len bytes, as uploaded) by the columns of m.
 * Returns {"encoding", "lines": [{row, date, amount, balance (or null),
 * counterparty, note, line_id (or null), hash}], "skipped"} (the caller
 * owns it), or NULL with why in err: unknown_encoding, not_csv, no_mapping,
 * bad_mapping, no_header (field: the column not found), bad_statement_amount (field
 * and row), bad_line_id, too_many_lines, no_lines.  amount and balance
 * are in fen, received money positive; hash is the hex SHA-256 of the
 * line's fields, its key when the bank gives no line id.  Rows whose date
 * cell holds no date (totals, page footers) are skipped and counted.
 */
json_t *
statement_read(const char *s, size_t len, const struct statement_map *m,
    struct statement_error *err)
{
	struct buf	 text, h;
	struct row	 r;
	json_t		*out = NULL, *lines, *o;
	const char	*enc;
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	char		 date[11], hex[SHA256_DIGEST_LENGTH * 2 + 1];
	int		 col[STATEMENT_NCOLS], rc, rcc, rcd, rcb, miss = -1;
	int64_t		 amount, credit, debit, balance;
	size_t		 pos, row, skipped = 0, nlines = 0;
	char		 delim = ',';

	memset(err, 0, sizeof(*err));
	if (!statement_map_ok(m, err))
		return (NULL);
	if (len == 0 || memchr(s, '\0', len) != NULL) {
		fail(err, "not_csv", -1, 0);
		return (NULL);
	}
	buf_init(&text, len + 16);
	if (!statement_utf8(s, len, &text, &enc)) {
		buf_free(&text);
		fail(err, "unknown_encoding", -1, 0);
		return (NULL);
	}
	/* Commas, or tabs for a bank that exports those under .csv. */
	if ((pos = find_header(text.data, text.len, ',', m, col, &row)) == 0) {
		miss = col[0];
		if ((pos = find_header(text.data, text.len, '\t', m, col,
		    &row)) != 0)
			delim = '\t';
	}
	if (pos == 0) {
		fail(err, "no_header", miss, 0);
		buf_free(&text);
		return (NULL);
	}
	buf_init(&r.text, 256);
	lines = json_array();
	buf_init(&h, 256);
	while ((rc = csv_row(text.data, text.len, &pos, delim, &r)) == 1) {
		row++;
		if (r.text.len == r.n)	/* empty cells only */
			continue;
		if (!statement_date(cell(&r, col[STATEMENT_DATE]),
		    cell_len(&r, col[STATEMENT_DATE]), date)) {
			skipped++;
			continue;
		}
		if (col[STATEMENT_AMOUNT] >= 0) {
			if (statement_amount(cell(&r, col[STATEMENT_AMOUNT]),
			    cell_len(&r, col[STATEMENT_AMOUNT]), &amount) != 1) {
				fail(err, "bad_statement_amount", STATEMENT_AMOUNT, row);
				goto bad;
			}
		} else {
			credit = debit = 0;
			rcc = statement_amount(cell(&r, col[STATEMENT_CREDIT]),
			    cell_len(&r, col[STATEMENT_CREDIT]), &credit);
			rcd = statement_amount(cell(&r, col[STATEMENT_DEBIT]),
			    cell_len(&r, col[STATEMENT_DEBIT]), &debit);
			if (rcc == -1 || rcd == -1 || (rcc == 0 && rcd == 0)) {
				fail(err, "bad_statement_amount", rcd == -1 ?
				    STATEMENT_DEBIT : STATEMENT_CREDIT, row);
				goto bad;
			}
			amount = (credit < 0 ? -credit : credit) -
			    (debit < 0 ? -debit : debit);
		}
		rcb = statement_amount(cell(&r, col[STATEMENT_BALANCE]),
		    cell_len(&r, col[STATEMENT_BALANCE]), &balance);
		if (rcb == -1) {
			fail(err, "bad_statement_amount", STATEMENT_BALANCE, row);
			goto bad;
		}
		if (cell_len(&r, col[STATEMENT_LINE_ID]) > LINE_ID_MAX) {
			fail(err, "bad_line_id", STATEMENT_LINE_ID, row);
			goto bad;
		}
		if (++nlines > STATEMENT_MAX_LINES) {
			fail(err, "too_many_lines", -1, row);
			goto bad;
		}
		o = json_object();
		json_object_set_new(o, "row", json_integer((json_int_t)row));
		json_object_set_new(o, "date", json_string(date));
		json_object_set_new(o, "amount", json_integer(amount));
		json_object_set_new(o, "balance", rcb == 1 ?
		    json_integer(balance) : json_null());
		text_cut(o, "counterparty", cell(&r, col[STATEMENT_COUNTERPARTY]),
		    cell_len(&r, col[STATEMENT_COUNTERPARTY]), PARTY_MAX);
		text_cut(o, "note", cell(&r, col[STATEMENT_NOTE]),
		    cell_len(&r, col[STATEMENT_NOTE]), NOTE_MAX);
		json_object_set_new(o, "line_id",
		    cell_len(&r, col[STATEMENT_LINE_ID]) > 0 ? json_stringn(
		    cell(&r, col[STATEMENT_LINE_ID]),
		    cell_len(&r, col[STATEMENT_LINE_ID])) : json_null());
		/* What the line says, for its key without a bank id. */
		buf_reset(&h);
		buf_printf(&h, "%s\x1f%lld\x1f", date, (long long)amount);
		if (rcb == 1)
			buf_printf(&h, "%lld", (long long)balance);
		buf_putc(&h, '\x1f');
		buf_puts(&h, json_string_value(json_object_get(o,
		    "counterparty")));
		buf_putc(&h, '\x1f');
		buf_puts(&h, json_string_value(json_object_get(o, "note")));
		SHA256((const unsigned char *)h.data, h.len, md);
		hex_encode(hex, md, sizeof(md));
		json_object_set_new(o, "hash", json_string(hex));
		json_array_append_new(lines, o);
	}
	if (rc == -1) {
		fail(err, "not_csv", -1, row + 1);
		goto bad;
	}
	if (json_array_size(lines) == 0) {
		fail(err, "no_lines", -1, 0);
		goto bad;
	}
	out = json_pack("{s:s, s:o, s:I}", "encoding", enc, "lines", lines,
	    "skipped", (json_int_t)skipped);
	lines = NULL;
bad:
	json_decref(lines);
	buf_free(&h);
	buf_free(&r.text);
	buf_free(&text);
	return (out);
}

/*
 * The records of CSV text s (UTF-8 already: statement_utf8), its cells
 * separated by commas, as a JSON array of arrays of strings, each cell
 * as csv_row leaves it (trimmed, controls made spaces); the children's
 * import (src/child_import.c) reads its file so.  A file of more than
 * max records is read up to its record max + 1 (the caller sees it is
 * too long).  NULL when s is no CSV (an unterminated quote, a record of
 * too many cells).
 */
json_t *
statement_records(const char *s, size_t len, size_t max)
{
	struct row	 r;
	json_t		*out, *rec;
	size_t		 pos = 0, c;
	int		 rc = 0;

	out = json_array();
	buf_init(&r.text, 256);
	while (json_array_size(out) <= max &&
	    (rc = csv_row(s, len, &pos, ',', &r)) == 1) {
		rec = json_array();
		for (c = 0; c < r.n; c++)
			json_array_append_new(rec, json_stringn(cell(&r,
			    (int)c), cell_len(&r, (int)c)));
		json_array_append_new(out, rec);
	}
	buf_free(&r.text);
	if (rc == -1) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}
