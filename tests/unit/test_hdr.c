/* What the module reads in request heads (src/lib/hdr.c): tables of cases. */
#include "unit.h"

#define HEX64	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"

static void
test_bearer(void **state)
{
	static const struct {
		const char	*in;
		int		 ok;
	} cases[] = {
		{ "Bearer " HEX64, 1 },
		{ "bearer " HEX64, 1 },
		{ "BEARER " HEX64, 1 },
		{ "Bearer  " HEX64, 0 },
		{ "Bearer " HEX64 "0", 0 },
		{ "Bearer " HEX64 " ", 0 },
		{ "Basic " HEX64, 0 },
		{ "Bearer", 0 },
		{ "", 0 },
		{ "Bearer 0123456789ABCDEF0123456789abcdef"
		    "0123456789abcdef0123456789abcdef", 0 },
		{ "Bearer 0123456789abcdeg0123456789abcdef"
		    "0123456789abcdef0123456789abcdef", 0 },
	};
	char	tok[65];
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(tok, 'x', sizeof(tok));
		if (hdr_bearer(cases[i].in, strlen(cases[i].in), tok) !=
		    cases[i].ok)
			fail_msg("case %zu (%s)", i, cases[i].in);
		if (cases[i].ok)
			assert_string_equal(tok, HEX64);
	}
	/* A NUL inside is a byte like another: no token. */
	assert_false(hdr_bearer("Bearer 0123456789abcdef\0" "123456789abcdef"
	    "0123456789abcdef0123456789abcdef", 71, tok));
	assert_true(hdr_hex64(HEX64, 64));
	assert_false(hdr_hex64(HEX64, 63));
}

static void
test_cookie(void **state)
{
	static const struct {
		const char	*header;
		const char	*name;
		const char	*value;		/* NULL: none */
	} cases[] = {
		{ "sid=abc", "sid", "abc" },
		{ "a=1; sid=abc; b=2", "sid", "abc" },
		{ "a=1;sid=abc", "sid", "abc" },
		{ "  sid=abc", "sid", "abc" },
		{ "SID=abc", "sid", "abc" },
		{ "sid=abc; sid=def", "sid", "abc" },
		{ "xsid=abc", "sid", NULL },
		{ "sidx=abc", "sid", NULL },
		{ "sid", "sid", NULL },
		{ "sid=", "sid", NULL },
		{ "sid=; sid=x", "sid", "x" },
		{ "sid==abc", "sid", "abc" },
		{ "sid=a=b", "sid", "a" },
		{ "=sid=abc", "sid", "abc" },
		{ "", "sid", NULL },
		{ ";;;", "sid", NULL },
		{ "a=1; b=2; c=3; d=4; e=5; f=6; g=7; h=8; i=9; j=10; "
		    "k=11; sid=late", "sid", "late" },
		{ "lang=en", "lang", "en" },
		{ "lang=en ", "lang", "en " },
		{ "__Host-sid=x", "__Host-sid", "x" },
	};
	const char	*v;
	size_t		 i, len;
	int		 found;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		found = hdr_cookie(cases[i].header, strlen(cases[i].header),
		    cases[i].name, &v, &len);
		if (found != (cases[i].value != NULL))
			fail_msg("case %zu (%s): found %d", i,
			    cases[i].header, found);
		if (found && (len != strlen(cases[i].value) ||
		    memcmp(v, cases[i].value, len)))
			fail_msg("case %zu (%s): %.*s", i, cases[i].header,
			    (int)len, v);
	}
	/* Only len bytes are read: a cookie cut off is not found whole. */
	assert_true(hdr_cookie("sid=abcdef", 7, "sid", &v, &len));
	assert_int_equal(len, 3);
}

static void
test_lang(void **state)
{
	static const struct {
		const char	*accept;
		int		 lang;
	} accepts[] = {
		{ "en-US,en;q=0.9", LANG_EN },
		{ "zh-CN,zh;q=0.9,en;q=0.8", LANG_ZH },
		{ "en;q=0.5, zh;q=0.9", LANG_EN },
		{ "de-DE", LANG_ZH },
		{ "", LANG_ZH },
		{ "EN", LANG_EN },
		{ "fr, ZH-tw", LANG_ZH },
		{ "e", LANG_ZH },
	};
	static const struct {
		const char	*query;
		int		 lang;
	} queries[] = {
		{ "lang=en", LANG_EN },
		{ "lang=zh", LANG_ZH },
		{ "q=1&lang=en", LANG_EN },
		{ "q=1&lang=en&x=2", LANG_EN },
		{ "xlang=en", -1 },
		{ "lang=fr&lang=en", LANG_EN },
		{ "lang=eng", -1 },
		{ "lang=e", -1 },
		{ "lang=", -1 },
		{ "", -1 },
		{ "q=lang=en", -1 },
	};
	static const struct {
		const char	*query;
		const char	*word;	/* NULL: none */
	} dones[] = {
		{ "done=receive", "receive" },
		{ "page=3&done=pledges", "pledges" },
		{ "done=child_import&x=1", "child_import" },
		{ "undone=x", NULL },
		{ "done=", NULL },
		{ "done=Saved", NULL },
		{ "done=%3Cscript", NULL },
		{ "done=a.b", NULL },
		{ "done=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv", NULL },
		{ "", NULL },
	};
	char	done[48];
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(accepts); i++) {
		if (hdr_lang_accept(accepts[i].accept,
		    strlen(accepts[i].accept)) != accepts[i].lang)
			fail_msg("accept %zu (%s)", i, accepts[i].accept);
	}
	for (i = 0; i < NELEM(queries); i++) {
		if (hdr_lang_query(queries[i].query,
		    strlen(queries[i].query)) != queries[i].lang)
			fail_msg("query %zu (%s)", i, queries[i].query);
	}
	for (i = 0; i < NELEM(dones); i++) {
		done[0] = '\0';
		if (hdr_done_query(dones[i].query, strlen(dones[i].query),
		    done, sizeof(done)) != (dones[i].word != NULL) ||
		    (dones[i].word != NULL && strcmp(done, dones[i].word)))
			fail_msg("done %zu (%s): %s", i, dones[i].query, done);
	}
	assert_int_equal(hdr_lang_cookie("en", 2), LANG_EN);
	assert_int_equal(hdr_lang_cookie("zh", 2), LANG_ZH);
	assert_int_equal(hdr_lang_cookie("eng", 3), LANG_ZH);
	assert_int_equal(hdr_lang_cookie("e", 1), LANG_ZH);
}

static void
test_proxy_values(void **state)
{
	static const struct {
		const char	*in;
		int		 ok;
	} ips[] = {
		{ "127.0.0.1", 1 },
		{ "203.0.113.9", 1 },
		{ "::1", 1 },
		{ "2001:db8::1", 1 },
		{ "1.2.3", 0 },
		{ "1.2.3.4 ", 0 },
		{ "1.2.3.4, 5.6.7.8", 0 },
		{ "localhost", 0 },
		{ "", 0 },
		{ "2001:0db8:0000:0000:0000:ff00:0042:8329:1234:5678", 0 },
	};
	static const struct {
		const char	*in;
		int		 ok;
	} ids[] = {
		{ "0123456789abcdef0123456789abcdef", 1 },
		{ "01234567", 1 },
		{ "0123456", 0 },
		{ "0123456789abcdef0123456789abcdef0", 0 },
		{ "0123456789ABCDEF", 0 },
		{ "01234567-89", 0 },
	};
	char	out[64];
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(ips); i++) {
		if (hdr_ip(ips[i].in, strlen(ips[i].in), out, sizeof(out)) !=
		    ips[i].ok)
			fail_msg("ip %zu (%s)", i, ips[i].in);
		if (ips[i].ok)
			assert_string_equal(out, ips[i].in);
	}
	/* The address must fit the caller's buffer. */
	assert_false(hdr_ip("127.0.0.1", 9, out, 9));
	assert_true(hdr_ip("127.0.0.1", 9, out, 10));
	assert_false(hdr_ip("127.0.0.1\0", 10, out, sizeof(out)));
	for (i = 0; i < NELEM(ids); i++) {
		if (hdr_request_id(ids[i].in, strlen(ids[i].in), out, 33) !=
		    ids[i].ok)
			fail_msg("id %zu (%s)", i, ids[i].in);
	}
}

static void
test_request_values(void **state)
{
	static const char *const	back[] = {
		"/me/pledges", "/branch/pledges", NULL
	};
	char				out[80], big[200];

	(void)state;

	assert_true(hdr_origin_ok("http://a.example", 16, "a.example", 9, 0));
	assert_false(hdr_origin_ok("http://a.example", 16, "a.example", 9, 1));
	assert_true(hdr_origin_ok("https://a.example:8443", 22,
	    "a.example:8443", 14, 1));
	assert_false(hdr_origin_ok("http://a.example.evil", 21, "a.example",
	    9, 0));
	assert_false(hdr_origin_ok("http://a.exampl", 15, "a.example", 9, 0));
	assert_false(hdr_origin_ok("null", 4, "a.example", 9, 0));

	assert_true(hdr_back_path("https://x/me/pledges?page=2", 27, back,
	    out, sizeof(out)));
	assert_string_equal(out, "/me/pledges?page=2");
	assert_true(hdr_back_path("http://x:1/branch/pledges", 25, back, out,
	    sizeof(out)));
	assert_false(hdr_back_path("https://x/needs", 15, back, out,
	    sizeof(out)));
	assert_false(hdr_back_path("/me/pledges", 11, back, out, sizeof(out)));
	assert_false(hdr_back_path("https://x", 9, back, out, sizeof(out)));
	assert_false(hdr_back_path("https://x/me/pledges\r\nX: 1", 26, back,
	    out, sizeof(out)));
	memcpy(big, "https://x/me/pledges", 20);
	memset(big + 20, 'a', 100);
	assert_false(hdr_back_path(big, 120, back, out, sizeof(out)));
}

/* As edge.c sets them: Kore's HTTP_URI_LEN - 1, http_body_max. */
static const struct hdr_limits	lim = { 1999, 3 * 1024 * 1024 };

/* Screens head (a C string) in a buffer of cap bytes. */
static int
screen(const char *head, size_t cap, int full, struct hdr_head *h,
    char *out, size_t *outlen)
{
	size_t	len = strlen(head);
	int	r;

	assert_true(len <= cap);
	memcpy(out, head, len);
	r = hdr_screen(out, &len, cap, full, &lim, h);
	*outlen = len;
	return (r);
}

static void
test_screen_verdicts(void **state)
{
	static const struct {
		const char	*head;
		int		 verdict;
		int		 status;
		int		 api;
		int		 lang;
	} cases[] = {
		{ "GET / HTTP/1.1\r\nHost: a\r\n\r\n", HDR_PASS, 0, 0, LANG_ZH },
		{ "GET / HTTP/1.1\nHost: a\n\n", HDR_PASS, 0, 0, LANG_ZH },
		{ "GET / HTTP/1.1\r\nHost: a\r\n", HDR_MORE, 0, 0, LANG_ZH },
		{ "GET /api/v1/needs HTTP/1.1\r\nHost: a\r\nAccept-Language: "
		    "en\r\n\r\n", HDR_PASS, 0, 1, LANG_EN },
		{ "GET /healthz?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", HDR_PASS, 0,
		    1, LANG_ZH },
		{ "GET /needs?lang=en HTTP/1.1\r\nHost: a\r\n\r\n", HDR_PASS, 0,
		    0, LANG_EN },
		{ "GET / HTTP/1.1\r\nHost: a\r\nCookie: x=1; lang=en\r\n"
		    "Accept-Language: zh\r\n\r\n", HDR_PASS, 0, 0, LANG_EN },
		{ "GET / HTTP/1.0\r\nHost: a\r\n\r\n", HDR_PASS, 0, 0, LANG_ZH },
		{ "get / http/1.1\r\nHost: a\r\n\r\n", HDR_PASS, 0, 0, LANG_ZH },
		{ "GET  /  HTTP/1.1\r\nHost: a\r\n\r\n", HDR_PASS, 0, 0, LANG_ZH },
		/* Malformed. */
		{ "GET / HTTP/1.1\r\n\r\n", HDR_REFUSE, 400, 0, LANG_ZH },
		{ "GET /\r\nHost: a\r\n\r\n", HDR_REFUSE, 400, 0, LANG_ZH },
		{ "GET / HTTP/1.1 x\r\nHost: a\r\n\r\n", HDR_REFUSE, 400, 0,
		    LANG_ZH },
		{ "GET /api/x HTTP/1.1\r\nHost: a\r\nBad line\r\n\r\n",
		    HDR_REFUSE, 400, 1, LANG_ZH },
		{ "GET / HTTP/1.1\r\nHost: a\r\nB d: 1\r\n\r\n", HDR_REFUSE,
		    400, 0, LANG_ZH },
		{ "GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n", HDR_REFUSE, 400,
		    0, LANG_ZH },
		{ "GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n",
		    HDR_REFUSE, 400, 0, LANG_ZH },
		{ "GET / HTTP/1.1\r\nHost: a\r\nX: a\tb\r\n\r\n", HDR_REFUSE,
		    400, 0, LANG_ZH },
		{ "GET / HTTP/1.1\r\nHost:\r\n\r\n", HDR_REFUSE, 400, 0,
		    LANG_ZH },
		{ "GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n", HDR_PASS, 0, 0,
		    LANG_ZH },
		{ "GET / HTTP/1.1\r\nHost: a\r\n x: 1\r\n\r\n", HDR_REFUSE, 400,
		    0, LANG_ZH },
		/* Versions and methods. */
		{ "GET / HTTP/2.0\r\nHost: a\r\n\r\n", HDR_REFUSE, 505, 0,
		    LANG_ZH },
		{ "BREW / HTTP/1.1\r\nHost: a\r\n\r\n", HDR_REFUSE, 405, 0,
		    LANG_ZH },
		{ "PUT / HTTP/1.0\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
		    HDR_REFUSE, 405, 0, LANG_ZH },
		{ "DELETE /api/v1/x HTTP/1.1\r\nHost: a\r\n\r\n", HDR_PASS, 0,
		    1, LANG_ZH },
		/* Bodies. */
		{ "POST /api/v1/login HTTP/1.1\r\nHost: a\r\n\r\n", HDR_REFUSE,
		    411, 1, LANG_ZH },
		{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n",
		    HDR_REFUSE, 411, 0, LANG_ZH },
		{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
		    HDR_REFUSE, 411, 0, LANG_ZH },
		{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: "
		    "99999999999999999999999\r\n\r\n", HDR_REFUSE, 411, 0,
		    LANG_ZH },
		{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3145729\r\n"
		    "\r\n", HDR_REFUSE, 413, 0, LANG_ZH },
		{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3145728\r\n"
		    "\r\n", HDR_PASS, 0, 0, LANG_ZH },
		{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n"
		    "Content-Length: 3\r\n\r\n", HDR_REFUSE, 400, 0, LANG_ZH },
		{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n"
		    "Content-Length: 2\r\n\r\nab", HDR_PASS, 0, 0, LANG_ZH },
		{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
		    "Content-Length: 2\r\n\r\nab", HDR_REFUSE, 411, 0,
		    LANG_ZH },
		{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab",
		    HDR_PASS, 0, 0, LANG_ZH },
	};
	struct hdr_head	h;
	char		out[4096];
	size_t		i, len;
	int		r;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		r = screen(cases[i].head, sizeof(out), 0, &h, out, &len);
		if (r != cases[i].verdict)
			fail_msg("case %zu: verdict %d", i, r);
		if (r == HDR_MORE)
			continue;
		if (h.status != cases[i].status || h.api != cases[i].api ||
		    h.lang != cases[i].lang)
			fail_msg("case %zu: status %d api %d lang %d", i,
			    h.status, h.api, h.lang);
		if (r == HDR_REFUSE && (h.code == NULL || h.code[0] == '\0'))
			fail_msg("case %zu: no code", i);
	}
}

/* A request whose target is /api/v1/needs?q=xxx... of len bytes. */
static void
target(char *head, size_t size, size_t len)
{
	(void)snprintf(head, size, "GET /api/v1/needs?q=%*s HTTP/1.1\r\n"
	    "Host: a\r\n\r\n", (int)(len - 16), "");
	memset(head + 20, 'x', len - 16);
}

static void
test_screen_limits(void **state)
{
	struct hdr_head	h;
	char		head[20000], out[20000];
	size_t		len;
	int		r;

	(void)state;
	/* A target of 1,998 bytes passes, one of 1,999 is refused 414. */
	target(head, sizeof(head), 1998);
	assert_int_equal(screen(head, sizeof(out), 0, &h, out, &len),
	    HDR_PASS);
	target(head, sizeof(head), 1999);
	assert_int_equal(screen(head, sizeof(out), 0, &h, out, &len),
	    HDR_REFUSE);
	assert_int_equal(h.status, 414);
	assert_true(h.api);
	assert_string_equal(h.path, "/api/v1/needs");

	/* A head larger than the buffer: 431, or 414 for its first line. */
	(void)snprintf(head, sizeof(head), "GET /needs HTTP/1.1\r\nHost: a\r\n"
	    "X-Big: %*s", 4000, "");
	assert_int_equal(screen(head, 8192, 0, &h, out, &len), HDR_MORE);
	(void)snprintf(head, sizeof(head), "GET /needs HTTP/1.1\r\nHost: a\r\n"
	    "X-Big: %*s", 8192 - 37, "");
	assert_int_equal(strlen(head), 8192);
	assert_int_equal(screen(head, 8192, 1, &h, out, &len), HDR_REFUSE);
	assert_int_equal(h.status, 431);
	assert_false(h.api);
	assert_string_equal(h.path, "/needs");
	(void)snprintf(head, sizeof(head), "GET /api/v1/needs?q=%*s", 8172,
	    "");
	assert_int_equal(screen(head, 8192, 1, &h, out, &len), HDR_REFUSE);
	assert_int_equal(h.status, 414);
	assert_true(h.api);

	/* An 8 KB header fits a 16 KB buffer. */
	(void)snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nHost: a\r\n"
	    "Cookie: big=%*s\r\n\r\n", 8192, "");
	memset(strstr(head, "big=") + 4, 'c', 8192);
	assert_int_equal(screen(head, 16384, 0, &h, out, &len), HDR_PASS);
	assert_int_equal(len, strlen(head));

	/* More than 256 lines. */
	len = (size_t)snprintf(head, sizeof(head), "GET / HTTP/1.1\r\n");
	while (len < 300 * 6)
		len += (size_t)snprintf(head + len, sizeof(head) - len,
		    "A: 1\r\n");
	(void)snprintf(head + len, sizeof(head) - len, "Host: a\r\n\r\n");
	r = screen(head, sizeof(out), 0, &h, out, &len);
	assert_int_equal(r, HDR_REFUSE);
	assert_int_equal(h.status, 431);
}

/* The head Kore gets, when the screen rewrites it. */
static void
test_screen_rewrites(void **state)
{
	static const struct {
		const char	*head;
		const char	*kore;
		size_t		 extra;
	} cases[] = {
		/* An empty value is left out. */
		{ "GET / HTTP/1.1\r\nHost: a\r\nCookie: \r\nX: 1\r\n\r\n",
		  "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n", 0 },
		{ "GET / HTTP/1.1\nHost: a\nCookie:\n\n",
		  "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0 },
		/* Unchanged when nothing needs it. */
		{ "GET / HTTP/1.1\nHost: a\n\n",
		  "GET / HTTP/1.1\nHost: a\n\n", 0 },
		/* Pipelined: cut after the first, told to close. */
		{ "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\n"
		  "Host: a\r\n\r\n",
		  "GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
		  28 },
		{ "GET /a HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n"
		  "\r\nG",
		  "GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 1 },
		{ "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n"
		  "abcGET /b HTTP/1.1\r\n\r\n",
		  "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
		  "Connection: close\r\n\r\nabc", 19 },
		/* A body not all here yet is not pipelining. */
		{ "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nabc",
		  "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nabc",
		  0 },
		/* A GET's body is not read by Kore: what follows is cut. */
		{ "GET /a HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab",
		  "GET /a HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n"
		  "Connection: close\r\n\r\n", 2 },
	};
	struct hdr_head	h;
	char		out[4096];
	size_t		i, len;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (screen(cases[i].head, sizeof(out), 0, &h, out, &len) !=
		    HDR_PASS)
			fail_msg("case %zu: %d %s", i, h.status, h.code);
		if (len != strlen(cases[i].kore) || memcmp(out,
		    cases[i].kore, len))
			fail_msg("case %zu: %.*s", i, (int)len, out);
		if (h.extra != cases[i].extra)
			fail_msg("case %zu: extra %zu", i, h.extra);
	}
}

/* More lines than Kore reads: what nobody here reads is left out. */
static void
test_screen_many_lines(void **state)
{
	static const char	*browser =
	    "POST /needs/1/pledge HTTP/1.1\r\n"
	    "Host: a\r\nX-Real-IP: 1.2.3.4\r\nX-Request-Id: 0123456789abcdef\r\n"
	    "X-Forwarded-Proto: https\r\nContent-Length: 0\r\n"
	    "Cache-Control: max-age=0\r\nsec-ch-ua: \"Chromium\"\r\n"
	    "sec-ch-ua-mobile: ?0\r\nsec-ch-ua-platform: \"Linux\"\r\n"
	    "Upgrade-Insecure-Requests: 1\r\nOrigin: https://a\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "User-Agent: Mozilla/5.0\r\nAccept: text/html\r\n"
	    "Sec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: navigate\r\n"
	    "Sec-Fetch-User: ?1\r\nSec-Fetch-Dest: document\r\n"
	    "Referer: https://a/needs/1\r\nAccept-Encoding: gzip\r\n"
	    "Accept-Language: zh-CN\r\nPriority: u=0, i\r\nPragma: no-cache\r\n"
	    "Cookie: sid=1\r\n\r\n";
	struct hdr_head		 h;
	char			 out[4096], head[4096];
	size_t			 len, i;

	(void)state;
	assert_int_equal(screen(browser, sizeof(out), 0, &h, out, &len),
	    HDR_PASS);
	out[len] = '\0';
	/* The cookie, the 25th line, reaches Kore; Sec-* went. */
	assert_non_null(strstr(out, "Cookie: sid=1\r\n"));
	assert_non_null(strstr(out, "Origin: https://a\r\n"));
	assert_null(strstr(out, "Sec-Fetch-Site"));
	assert_null(strstr(out, "sec-ch-ua"));
	assert_int_equal(h.rid[0], '0');

	/* Kore takes any line that starts with "host" for the Host. */
	len = (size_t)snprintf(head, sizeof(head), "GET / HTTP/1.1\r\n"
	    "Hostname: a\r\n");
	for (i = 0; i < 30; i++)
		len += (size_t)snprintf(head + len, sizeof(head) - len,
		    "X-%zu: 1\r\n", i);
	(void)snprintf(head + len, sizeof(head) - len, "\r\n");
	assert_int_equal(screen(head, sizeof(out), 0, &h, out, &len),
	    HDR_PASS);
	assert_int_equal(len, 16 + 13 + 2);

	/* 24 lines of headers everyone reads are too many. */
	len = (size_t)snprintf(head, sizeof(head), "GET / HTTP/1.1\r\n"
	    "Host: a\r\n");
	for (i = 0; i < 23; i++)
		len += (size_t)snprintf(head + len, sizeof(head) - len,
		    "Cookie: a=%zu\r\n", i);
	(void)snprintf(head + len, sizeof(head) - len, "\r\n");
	assert_int_equal(screen(head, sizeof(out), 0, &h, out, &len),
	    HDR_REFUSE);
	assert_int_equal(h.status, 431);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_bearer),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_lang),
		cmocka_unit_test(test_proxy_values),
		cmocka_unit_test(test_request_values),
		cmocka_unit_test(test_screen_verdicts),
		cmocka_unit_test(test_screen_limits),
		cmocka_unit_test(test_screen_rewrites),
		cmocka_unit_test(test_screen_many_lines),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
