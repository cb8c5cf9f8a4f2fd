/*
 * Bar charts as inline SVG, drawn on the server: no script, no style
 * attribute (the site's CSP forbids inline styles), colours from classes
 * of assets/style.css (.chart .s0 .. .s3, .lbl, .val, .grid).
 *
 * The data are rows of JSON, one object a row: a label (text) and one
 * integer >= 0 per series.  Every text that reaches the SVG (labels,
 * series names, titles) is escaped here, so a page may embed the result
 * raw ({{{svg}}}).  Rows whose values are all zero still get their row;
 * when every value is zero the chart says so (chart->empty) instead.
 *
 *	chart_bars	one group of horizontal bars per row (towns,
 *			categories), scaled to the largest value, each bar
 *			with its value written after it
 *	chart_columns	one group of columns per row (months), scaled to a
 *			round number, with grid lines
 */
#include <inttypes.h>
#include <string.h>

#include "lib.h"

#define CHART_W		640
#define LEGEND_H	26

/* Horizontal bars. */
#define BAR_LABEL_W	130	/* label column */
#define BAR_PLOT_W	400	/* the longest bar */
#define BAR_H		12
#define BAR_GAP		2
#define BAR_PAD		10	/* between rows */
#define LABEL_CHARS	10	/* longer labels are cut (titles keep all) */

/* Columns. */
#define COL_LEFT	56
#define COL_RIGHT	8
#define COL_TOP		(LEGEND_H + 8)
#define COL_PLOT_H	160
#define COL_AXIS_H	24

static int	check(const struct chart *, json_t *, int64_t *);
static int64_t	value(json_t *, const char *);
static const char *label(json_t *, const char *);
static void	text(struct buf *, const char *);
static void	text_cut(struct buf *, const char *, size_t);
static void	open_svg(struct buf *, const struct chart *, int, const char *);
static void	legend(struct buf *, const struct chart *);
static void	empty(struct buf *, const struct chart *);
static void	bar_title(struct buf *, const char *, const char *, int64_t);
static int	scale(int64_t, int, int64_t);
static int	text_width(const char *);

/* The smallest of 1, 2, 5 times a power of ten that is >= v (1 for v <= 1). */
int64_t
chart_nice(int64_t v)
{
	int64_t	p;

	if (v <= 1)
		return (1);
	for (p = 1; ; p *= 10) {
		if (v <= p)
			return (p);
		if (v <= 2 * p)
			return (2 * p);
		if (v <= 5 * p)
			return (5 * p);
		if (p > INT64_MAX / 100)
			return (v);
	}
}

/*
 * Whether rows fit the chart: an array of at most CHART_MAX_ROWS objects,
 * each series' member an integer >= 0, a label text or absent.  The
 * largest value goes to *max.
 */
static int
check(const struct chart *c, json_t *rows, int64_t *max)
{
	json_t		*row, *v;
	size_t		 i, k;

	*max = 0;
	if (c->nseries < 1 || c->nseries > CHART_MAX_SERIES ||
	    !json_is_array(rows) || json_array_size(rows) > CHART_MAX_ROWS)
		return (0);
	json_array_foreach(rows, i, row) {
		if (!json_is_object(row))
			return (0);
		v = json_object_get(row, c->label);
		if (v != NULL && !json_is_string(v) && !json_is_null(v))
			return (0);
		for (k = 0; k < c->nseries; k++) {
			v = json_object_get(row, c->series[k].key);
			if (!json_is_integer(v) || json_integer_value(v) < 0)
				return (0);
			if (json_integer_value(v) > *max)
				*max = json_integer_value(v);
		}
	}
	return (1);
}

static int64_t
value(json_t *row, const char *key)
{
	return (json_integer_value(json_object_get(row, key)));
}

static const char *
label(json_t *row, const char *key)
{
	const char	*s = json_string_value(json_object_get(row, key));

	return (s != NULL ? s : "");
}

static void
text(struct buf *b, const char *s)
{
	esc_html(b, s, strlen(s));
}

/* s escaped, cut after n characters (UTF-8) with an ellipsis. */
static void
text_cut(struct buf *b, const char *s, size_t n)
{
	size_t	i, chars = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && chars++ == n)
			break;
	}
	esc_html(b, s, i);
	if (s[i] != '\0')
		buf_puts(b, "\xe2\x80\xa6");
}

/* v of max as a length of full units, rounded; at least 1 when v > 0. */
static int
scale(int64_t v, int full, int64_t max)
{
	int	len;

	len = (int)((double)v * full / (double)max + 0.5);
	if (v > 0 && len < 1)
		len = 1;
	return (len);
}

/* About how wide s is at 12px: 7 for ASCII, 12 for other characters. */
static int
text_width(const char *s)
{
	int	w = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0x80) == 0)
			w += 7;
		else if (((unsigned char)*s & 0xc0) == 0xc0)
			w += 12;
	}
	return (w);
}

static void
open_svg(struct buf *b, const struct chart *c, int height, const char *cls)
{
	buf_printf(b, "<svg class=\"chart%s\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" role=\"img\" aria-labelledby=\"",
	    cls, CHART_W, height, CHART_W, height);
	text(b, c->id);
	buf_puts(b, "-t\" font-size=\"12\"><title id=\"");
	text(b, c->id);
	buf_puts(b, "-t\">");
	text(b, c->title);
	buf_puts(b, "</title>");
}

/* A key and a name per series, in a row above the chart. */
static void
legend(struct buf *b, const struct chart *c)
{
	size_t	k;
	int	x = 0;

	buf_puts(b, "<g class=\"legend\">");
	for (k = 0; k < c->nseries; k++) {
		buf_printf(b, "<rect class=\"s%zu\" x=\"%d\" y=\"6\" "
		    "width=\"12\" height=\"12\"></rect>", k, x);
		buf_printf(b, "<text class=\"lbl\" x=\"%d\" y=\"16\">", x + 16);
		text(b, c->series[k].name);
		buf_puts(b, "</text>");
		x += 16 + text_width(c->series[k].name) + 20;
	}
	buf_puts(b, "</g>");
}

static void
empty(struct buf *b, const struct chart *c)
{
	open_svg(b, c, 48, " is-empty");
	buf_printf(b, "<text class=\"lbl\" x=\"%d\" y=\"28\" "
	    "text-anchor=\"middle\">", CHART_W / 2);
	text(b, c->empty != NULL ? c->empty : "");
	buf_puts(b, "</text></svg>");
}

/* The tooltip and spoken name of one bar: "王屋镇 · 已完成: 1,234". */
static void
bar_title(struct buf *b, const char *lbl, const char *series, int64_t v)
{
	buf_puts(b, "<title>");
	text(b, lbl);
	buf_puts(b, " \xc2\xb7 ");
	text(b, series);
	buf_puts(b, ": ");
	fmt_int(b, v);
	buf_puts(b, "</title>");
}

/*
 * Horizontal bars: a row per element of rows, a bar per series, scaled so
 * that the largest value fills the plot; a value > 0 is at least one unit
 * long.  Appends the SVG to out; 0 (nothing appended) when rows do not
 * fit the chart (see check).
 */
int
chart_bars(struct buf *out, const struct chart *c, json_t *rows)
{
	struct buf	 b;
	json_t		*row;
	int64_t		 max, v;
	size_t		 i, k, n;
	int		 group, rowh, y, w, height;

	if (!check(c, rows, &max))
		return (0);
	n = json_array_size(rows);
	if (max == 0) {
		empty(out, c);
		return (1);
	}
	group = (int)c->nseries * (BAR_H + BAR_GAP) - BAR_GAP;
	rowh = group + BAR_PAD;
	height = LEGEND_H + (int)n * rowh + 4;

	buf_init(&b, 2048);
	open_svg(&b, c, height, "");
	legend(&b, c);
	json_array_foreach(rows, i, row) {
		y = LEGEND_H + (int)i * rowh + BAR_PAD / 2;
		buf_puts(&b, "<g>");
		buf_printf(&b, "<text class=\"lbl\" x=\"%d\" y=\"%d\" "
		    "text-anchor=\"end\">", BAR_LABEL_W - 8, y + group / 2 + 4);
		text_cut(&b, label(row, c->label), LABEL_CHARS);
		buf_puts(&b, "</text>");
		for (k = 0; k < c->nseries; k++) {
			v = value(row, c->series[k].key);
			w = scale(v, BAR_PLOT_W, max);
			buf_printf(&b, "<rect class=\"s%zu\" x=\"%d\" y=\"%d\" "
			    "width=\"%d\" height=\"%d\">", k, BAR_LABEL_W,
			    y + (int)k * (BAR_H + BAR_GAP), w, BAR_H);
			bar_title(&b, label(row, c->label), c->series[k].name,
			    v);
			buf_printf(&b, "</rect><text class=\"val\" x=\"%d\" "
			    "y=\"%d\" font-size=\"10\">", BAR_LABEL_W + w + 4,
			    y + (int)k * (BAR_H + BAR_GAP) + BAR_H - 2);
			fmt_int(&b, v);
			buf_puts(&b, "</text>");
		}
		buf_puts(&b, "</g>");
	}
	buf_puts(&b, "</svg>");
	buf_append(out, b.data, b.len);
	buf_free(&b);
	return (1);
}

/*
 * Columns: a group per element of rows (left to right), a column per
 * series, scaled to chart_nice(largest value) with grid lines at 0, half
 * and the top.  Appends the SVG to out; 0 when rows do not fit.
 */
int
chart_columns(struct buf *out, const struct chart *c, json_t *rows)
{
	struct buf	 b;
	json_t		*row;
	int64_t		 max, top, v, tick;
	size_t		 i, k, n;
	int		 plotw, gw, bw, x, h, y, t, height;

	if (!check(c, rows, &max))
		return (0);
	n = json_array_size(rows);
	if (max == 0 || n == 0) {
		empty(out, c);
		return (1);
	}
	top = chart_nice(max);
	plotw = CHART_W - COL_LEFT - COL_RIGHT;
	gw = plotw / (int)n;
	bw = (gw - 6) / (int)c->nseries;
	if (bw < 1)
		bw = 1;
	height = COL_TOP + COL_PLOT_H + COL_AXIS_H;

	buf_init(&b, 4096);
	open_svg(&b, c, height, "");
	legend(&b, c);
	for (t = 0; t <= 2; t++) {
		if (t == 1 && top % 2 != 0)
			continue;
		tick = top / 2 * t;
		y = COL_TOP + COL_PLOT_H - scale(tick, COL_PLOT_H, top);
		buf_printf(&b, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" "
		    "x2=\"%d\" y2=\"%d\"></line>", COL_LEFT, y,
		    CHART_W - COL_RIGHT, y);
		buf_printf(&b, "<text class=\"val\" x=\"%d\" y=\"%d\" "
		    "text-anchor=\"end\" font-size=\"10\">", COL_LEFT - 4,
		    y + 4);
		fmt_int(&b, tick);
		buf_puts(&b, "</text>");
	}
	json_array_foreach(rows, i, row) {
		x = COL_LEFT + (int)i * gw + 3;
		buf_puts(&b, "<g>");
		for (k = 0; k < c->nseries; k++) {
			v = value(row, c->series[k].key);
			h = scale(v, COL_PLOT_H, top);
			buf_printf(&b, "<rect class=\"s%zu\" x=\"%d\" y=\"%d\" "
			    "width=\"%d\" height=\"%d\">", k, x + (int)k * bw,
			    COL_TOP + COL_PLOT_H - h, bw, h);
			bar_title(&b, label(row, c->label), c->series[k].name,
			    v);
			buf_puts(&b, "</rect>");
		}
		buf_printf(&b, "<text class=\"lbl\" x=\"%d\" y=\"%d\" "
		    "text-anchor=\"middle\" font-size=\"10\">", x + gw / 2 - 3,
		    COL_TOP + COL_PLOT_H + 16);
		text_cut(&b, label(row, c->label), LABEL_CHARS);
		buf_puts(&b, "</text></g>");
	}
	buf_puts(&b, "</svg>");
	buf_append(out, b.data, b.len);
	buf_free(&b);
	return (1);
}
