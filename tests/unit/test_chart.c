/*
 * Charts as SVG: labels escaped, bars scaled, empty data said so, large
 * numbers, columns on a round scale, and bad rows refused.
 */
#include "unit.h"

static const struct chart_series two[] = {
	{ "posted", "已发布" },
	{ "done", "已完成" },
};

static const struct chart bars = {
	"towns", "各镇需求", "name", two, 2, "暂无数据"
};

static json_t *
rows(const char *text)
{
	json_t	*j;

	j = json_loads(text, 0, NULL);
	assert_non_null(j);
	return (j);
}

/* The attribute attr of the n-th (from 0) element starting with tag. */
static long long
attr(const char *svg, const char *tag, int n, const char *attr)
{
	const char	*p = svg, *end;
	char		 key[32];

	while ((p = strstr(p, tag)) != NULL && n-- > 0)
		p += strlen(tag);
	assert_non_null(p);
	end = strchr(p, '>');
	snprintf(key, sizeof(key), " %s=\"", attr);
	p = strstr(p, key);
	assert_non_null(p);
	assert_true(p < end);
	return (strtoll(p + strlen(key), NULL, 10));
}

/* Attribute a of the n-th bar (from 0) of series k (the legend's first). */
static long long
bar(const char *svg, int k, int n, const char *a)
{
	char	tag[32];

	snprintf(tag, sizeof(tag), "<rect class=\"s%d\"", k);
	return (attr(svg, tag, n + 1, a));
}

static int
count(const char *s, const char *what)
{
	int	n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return (n);
}

/* Balanced elements, no inline style (the CSP forbids it). */
static void
well_formed(const char *svg)
{
	assert_int_equal(count(svg, "<svg"), 1);
	assert_int_equal(count(svg, "</svg>"), 1);
	assert_int_equal(count(svg, "<rect"), count(svg, "</rect>"));
	assert_int_equal(count(svg, "<text"), count(svg, "</text>"));
	assert_int_equal(count(svg, "<title"), count(svg, "</title>"));
	assert_int_equal(count(svg, "<g"), count(svg, "</g>"));
	assert_null(strstr(svg, "style="));
	assert_null(strstr(svg, "<script"));
}

static void
test_escaping(void **state)
{
	static const struct chart_series evil[] = {
		{ "v", "<b>\"系列\"</b> & 'x'" },
	};
	const struct chart	c = { "id\"><x", "标题 <script>alert(1)</script>",
	    "name", evil, 1, "" };
	struct buf		b;
	json_t			*r;

	(void)state;
	r = rows("[{\"name\": \"<img src=x onerror=alert(1)>\", \"v\": 3},"
	    "{\"name\": \"A&B \\\"quoted\\\" 'single'\", \"v\": 1}]");
	buf_init(&b, 64);
	assert_true(chart_bars(&b, &c, r));
	well_formed(b.data);
	assert_null(strstr(b.data, "<img"));
	assert_null(strstr(b.data, "<b>"));
	assert_null(strstr(b.data, "\"><x"));
	assert_non_null(strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(b.data, "A&amp;B &quot;quoted&quot; &#39;single&#39;"));
	assert_non_null(strstr(b.data, "&lt;b&gt;&quot;系列&quot;&lt;/b&gt; &amp; &#39;x&#39;"));
	assert_non_null(strstr(b.data, "aria-labelledby=\"id&quot;&gt;&lt;x-t\""));
	buf_reset(&b);
	assert_true(chart_columns(&b, &c, r));
	well_formed(b.data);
	assert_null(strstr(b.data, "<img"));
	buf_free(&b);
	json_decref(r);
}

static void
test_scaling(void **state)
{
	struct buf	 b;
	json_t		*r;

	(void)state;
	r = rows("[{\"name\": \"王屋镇\", \"posted\": 100, \"done\": 50},"
	    "{\"name\": \"坡头镇\", \"posted\": 25, \"done\": 0},"
	    "{\"name\": \"邵原镇\", \"posted\": 1000000, \"done\": 1}]");
	buf_init(&b, 64);
	assert_true(chart_bars(&b, &bars, r));
	well_formed(b.data);
	/* The largest value fills the plot (400); others in proportion. */
	assert_int_equal(bar(b.data, 0, 2, "width"), 400);
	/* 100 of a million is 0.04 units: still drawn, one unit; 0 is not. */
	assert_int_equal(bar(b.data, 0, 0, "width"), 1);
	assert_int_equal(bar(b.data, 1, 0, "width"), 1);
	assert_int_equal(bar(b.data, 1, 1, "width"), 0);
	assert_int_equal(bar(b.data, 1, 2, "width"), 1);
	buf_free(&b);
	json_decref(r);

	r = rows("[{\"name\": \"a\", \"posted\": 100, \"done\": 50},"
	    "{\"name\": \"b\", \"posted\": 25, \"done\": 0}]");
	buf_init(&b, 64);
	assert_true(chart_bars(&b, &bars, r));
	assert_int_equal(bar(b.data, 0, 0, "width"), 400);
	assert_int_equal(bar(b.data, 1, 0, "width"), 200);
	assert_int_equal(bar(b.data, 0, 1, "width"), 100);
	assert_int_equal(bar(b.data, 1, 1, "width"), 0);
	/* Rows go down the chart; the value is written after the bar. */
	assert_true(bar(b.data, 0, 1, "y") >
	    bar(b.data, 1, 0, "y"));
	assert_non_null(strstr(b.data, ">100</text>"));
	assert_non_null(strstr(b.data, "<title>a · 已完成: 50</title>"));
	buf_free(&b);
	json_decref(r);
}

static void
test_tiny(void **state)
{
	struct buf	 b;
	json_t		*r;

	(void)state;
	r = rows("[{\"name\": \"a\", \"posted\": 1, \"done\": 0},"
	    "{\"name\": \"b\", \"posted\": 1000000, \"done\": 0}]");
	buf_init(&b, 64);
	assert_true(chart_bars(&b, &bars, r));
	assert_int_equal(bar(b.data, 0, 0, "width"), 1);
	assert_int_equal(bar(b.data, 1, 0, "width"), 0);
	buf_free(&b);
	json_decref(r);
}

static void
test_empty(void **state)
{
	static const char *const inputs[] = {
		"[]",
		"[{\"name\": \"a\", \"posted\": 0, \"done\": 0}]",
	};
	struct buf	 b;
	json_t		*r;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(inputs); i++) {
		r = rows(inputs[i]);
		buf_init(&b, 64);
		assert_true(chart_bars(&b, &bars, r));
		well_formed(b.data);
		assert_non_null(strstr(b.data, "暂无数据"));
		assert_non_null(strstr(b.data, "is-empty"));
		assert_null(strstr(b.data, "<rect"));
		buf_reset(&b);
		assert_true(chart_columns(&b, &bars, r));
		well_formed(b.data);
		assert_non_null(strstr(b.data, "暂无数据"));
		buf_free(&b);
		json_decref(r);
	}
}

static void
test_large(void **state)
{
	struct buf	 b;
	json_t		*r;

	(void)state;
	r = rows("[{\"name\": \"a\", \"posted\": 9007199254740991, \"done\": "
	    "4503599627370496}]");
	buf_init(&b, 64);
	assert_true(chart_bars(&b, &bars, r));
	well_formed(b.data);
	assert_non_null(strstr(b.data, ">9,007,199,254,740,991</text>"));
	assert_int_equal(bar(b.data, 0, 0, "width"), 400);
	assert_int_equal(bar(b.data, 1, 0, "width"), 200);
	buf_reset(&b);
	assert_true(chart_columns(&b, &bars, r));
	well_formed(b.data);
	/* The scale's top: 10^16, a round number above 2^53. */
	assert_non_null(strstr(b.data, ">10,000,000,000,000,000</text>"));
	assert_int_equal(bar(b.data, 0, 0, "height"), 144);
	buf_free(&b);
	json_decref(r);
}

static void
test_columns(void **state)
{
	static const struct chart_series one[] = { { "n", "认捐" } };
	const struct chart	c = { "months", "每月", "month", one, 1, "无" };
	struct buf		b;
	json_t			*r;

	(void)state;
	r = rows("[{\"month\": \"2026-01\", \"n\": 7}, {\"month\": \"2026-02\","
	    " \"n\": 5}, {\"month\": \"2026-03\", \"n\": 0}]");
	buf_init(&b, 64);
	assert_true(chart_columns(&b, &c, r));
	well_formed(b.data);
	/* Largest 7: the scale goes to 10; grid lines at 0, 5 and 10. */
	assert_int_equal(bar(b.data, 0, 0, "height"), 112);
	assert_int_equal(bar(b.data, 0, 1, "height"), 80);
	assert_int_equal(bar(b.data, 0, 2, "height"), 0);
	assert_int_equal(count(b.data, "<line class=\"grid\""), 3);
	assert_non_null(strstr(b.data, ">2026-02</text>"));
	/* Left to right, bottoms aligned. */
	assert_true(bar(b.data, 0, 1, "x") >
	    bar(b.data, 0, 0, "x"));
	assert_int_equal(bar(b.data, 0, 0, "y") +
	    bar(b.data, 0, 0, "height"),
	    bar(b.data, 0, 1, "y") +
	    bar(b.data, 0, 1, "height"));
	buf_free(&b);
	json_decref(r);
}

static void
test_nice(void **state)
{
	static const struct {
		int64_t	in, out;
	} cases[] = {
		{ -5, 1 }, { 0, 1 }, { 1, 1 }, { 2, 2 }, { 3, 5 }, { 5, 5 },
		{ 6, 10 }, { 10, 10 }, { 11, 20 }, { 21, 50 }, { 51, 100 },
		{ 1234, 2000 }, { 9007199254740991LL, 10000000000000000LL },
		{ INT64_MAX, INT64_MAX },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (chart_nice(cases[i].in) != cases[i].out)
			fail_msg("chart_nice(%lld) = %lld", (long long)cases[i].in,
			    (long long)chart_nice(cases[i].in));
	}
}

static void
test_labels(void **state)
{
	struct buf	 b;
	json_t		*r;

	(void)state;
	r = rows("[{\"name\": \"一二三四五六七八九十十一\", \"posted\": 1, \"done\": 1},"
	    "{\"posted\": 2, \"done\": 0}]");
	buf_init(&b, 64);
	assert_true(chart_bars(&b, &bars, r));
	well_formed(b.data);
	/* Cut after ten characters; the whole label in the bar's title. */
	assert_non_null(strstr(b.data, ">一二三四五六七八九十…</text>"));
	assert_non_null(strstr(b.data, "<title>一二三四五六七八九十十一 · "));
	buf_free(&b);
	json_decref(r);
}

static void
test_refused(void **state)
{
	static const char *const inputs[] = {
		"{\"name\": \"a\"}",
		"[1, 2]",
		"[{\"name\": \"a\", \"posted\": -1, \"done\": 0}]",
		"[{\"name\": \"a\", \"posted\": \"3\", \"done\": 0}]",
		"[{\"name\": \"a\", \"posted\": 1.5, \"done\": 0}]",
		"[{\"name\": \"a\", \"posted\": 1}]",
		"[{\"name\": 7, \"posted\": 1, \"done\": 0}]",
	};
	const struct chart	none = { "x", "x", "name", two, 0, "" };
	struct buf		 b;
	json_t			*r;
	size_t			 i;

	(void)state;
	buf_init(&b, 64);
	for (i = 0; i < NELEM(inputs); i++) {
		r = rows(inputs[i]);
		if (chart_bars(&b, &bars, r) || chart_columns(&b, &bars, r))
			fail_msg("accepted %s", inputs[i]);
		json_decref(r);
	}
	r = rows("[]");
	assert_false(chart_bars(&b, &none, r));
	json_decref(r);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_scaling),
		cmocka_unit_test(test_tiny),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_nice),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_refused),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
