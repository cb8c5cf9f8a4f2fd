/*
 * What the module reads in a request's head, as functions of bytes with
 * their length: the session token of an Authorization header, a cookie's
 * value, the reader's language, the client's address and the request id
 * a trusted proxy sets, an Origin, a Referer back to one of our pages
 * (an Idempotency-Key is form.c's form_key_ok, the rule of the idem
 * field too); and the screen a whole request head passes before
 * Kore parses it (hdr_screen, for src/edge.c).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>
#include <strings.h>

#include "lib.h"

/* Lines of a head Kore keeps (HTTP_REQ_HEADER_MAX - 1): request line too. */
#define LINES_MAX	24
#define HOST_MAX	253	/* Kore: KORE_DOMAINNAME_LEN - 2 */

struct line {
	const char	*p;
	size_t		 len;
	size_t		 name;	/* length of the header's name */
	int		 drop;	/* left out of the head Kore gets */
};

/* A head being screened: its lines and its request line's words. */
struct screen {
	struct line	 lines[HDR_LINES_MAX];
	size_t		 n;
	const char	*tok[3];	/* method, target, version */
	size_t		 toklen[3];
	int		 ntok;		/* 4: more than three */
	size_t		 host;		/* the Host line, as Kore finds it */
	int		 rewrite;	/* what Kore gets differs */
};

static int	hex_lower(const char *, size_t);
static int	is_token(unsigned char);
static int	is_ows(unsigned char);
static const char *find(const char *, size_t, const char *, size_t);
static int	name_is(const struct line *, const char *);
static const char *value_of(const struct line *, size_t *);
static int	kept_name(const struct line *);
static int	refuse(struct hdr_head *, int, const char *);
static void	target_facts(struct hdr_head *, const char *, size_t);
static int	lang_of(const struct line *, size_t);
static int	method_of(const char *, size_t, int *);
static int	screen_too_large(struct hdr_head *, const char *, size_t);
static int	screen_lines(struct screen *, const char *, const char *);
static int	screen_headers(struct screen *);
static int	screen_request(struct screen *, const struct hdr_limits *,
		    struct hdr_head *, int *);
static int	screen_body(struct screen *, const struct hdr_limits *,
		    struct hdr_head *, int);
static size_t	screen_kept(const struct screen *);
static int	screen_fit(struct screen *, int);
static int	screen_rewrite(struct screen *, char *, size_t, size_t, int,
		    struct hdr_head *);

/* Whether v[len] is made of lower-case hex digits only. */
static int
hex_lower(const char *v, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' &&
		    v[i] <= 'f')))
			return (0);
	}
	return (1);
}

/* RFC 9110's tchar: what a header's name is made of. */
static int
is_token(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* The white space Kore skips before a value (isspace, but \r and \n). */
static int
is_ows(unsigned char c)
{
	return (c == ' ' || c == '\t' || c == '\v' || c == '\f');
}

/* The first s[slen] in v[len], or NULL. */
static const char *
find(const char *v, size_t len, const char *s, size_t slen)
{
	return (memmem(v, len, s, slen));
}

/* 64 lower-case hex digits: a session token, or a csrf cookie's value. */
int
hdr_hex64(const char *v, size_t len)
{
	return (len == 64 && hex_lower(v, len));
}

/*
 * "Bearer " (any case) and a session token: the token into tok (65
 * bytes with its NUL).  0 for anything else.
 */
int
hdr_bearer(const char *v, size_t len, char *tok)
{
	if (len != 7 + 64 || strncasecmp(v, "Bearer ", 7) != 0 ||
	    !hdr_hex64(v + 7, 64))
		return (0);
	memcpy(tok, v + 7, 64);
	tok[64] = '\0';
	return (1);
}

/*
 * The value of the first cookie called name (any case, as Kore looks
 * one up) in a Cookie header v[len], into *val and *vlen; 0 when there
 * is none.  Pairs are split at ';', white space before a name skipped;
 * like Kore, a pair is its first two non-empty pieces between '='s
 * ("a==b" is a=b; "a=b=c" is a=b), and one without both is no cookie.
 * Unlike Kore, any number of cookies is read: Kore 4.1 reads nine, and a
 * browser with more for this site lost its session.
 */
int
hdr_cookie(const char *v, size_t len, const char *name, const char **val,
    size_t *vlen)
{
	const char	*end = v + len, *p, *q, *pair, *pend;
	const char	*piece[2];
	size_t		 plen[2], nlen = strlen(name);
	int		 n;

	for (pair = v; pair < end; pair = pend + 1) {
		if ((pend = memchr(pair, ';', (size_t)(end - pair))) == NULL)
			pend = end;
		for (p = pair; p < pend && (is_ows(*p) || *p == '\r' ||
		    *p == '\n'); p++)
			;
		for (n = 0; n < 2 && p < pend; p = q + 1) {
			if ((q = memchr(p, '=', (size_t)(pend - p))) == NULL)
				q = pend;
			if (q > p) {
				piece[n] = p;
				plen[n++] = (size_t)(q - p);
			}
			if (q == pend)
				break;
		}
		if (n == 2 && plen[0] == nlen &&
		    strncasecmp(piece[0], name, nlen) == 0) {
			*val = piece[1];
			*vlen = plen[1];
			return (1);
		}
		if (pend == end)
			break;
	}
	return (0);
}

/* The language a lang cookie's value asks for: English for "en" only. */
int
hdr_lang_cookie(const char *v, size_t len)
{
	return (len == 2 && memcmp(v, "en", 2) == 0 ? LANG_EN : LANG_ZH);
}

/*
 * Accept-Language: English when "en" (any case) comes before "zh" in it,
 * or alone; else Chinese, the site's first language.
 */
int
hdr_lang_accept(const char *v, size_t len)
{
	size_t	i;

	for (i = 0; i + 1 < len; i++) {
		if ((v[i] == 'z' || v[i] == 'Z') && (v[i + 1] == 'h' ||
		    v[i + 1] == 'H'))
			return (LANG_ZH);
		if ((v[i] == 'e' || v[i] == 'E') && (v[i + 1] == 'n' ||
		    v[i + 1] == 'N'))
			return (LANG_EN);
	}
	return (LANG_ZH);
}

/*
 * lang= in a query string q[len] (at its start or after an '&'): the
 * first that says en or zh, or -1 when none does.
 */
int
hdr_lang_query(const char *q, size_t len)
{
	const char	*p, *end = q + len;
	size_t		 rest;

	for (p = q; (p = find(p, (size_t)(end - p), "lang=", 5)) != NULL;
	    p += 5) {
		if (p != q && p[-1] != '&')
			continue;
		rest = (size_t)(end - p - 5);
		if (rest < 2 || (rest > 2 && p[7] != '&'))
			continue;
		if (memcmp(p + 5, "en", 2) == 0)
			return (LANG_EN);
		if (memcmp(p + 5, "zh", 2) == 0)
			return (LANG_ZH);
	}
	return (-1);
}

/*
 * The word done= in query string q names (what a form that succeeded
 * did: web_redirect adds it, the page it leads to says so), copied into
 * out[outlen]: 1 to 47 of a-z and _, else 0.
 */
int
hdr_done_query(const char *q, size_t len, char *out, size_t outlen)
{
	const char	*p, *end = q + len;
	size_t		 n;

	for (p = q; (p = find(p, (size_t)(end - p), "done=", 5)) != NULL;
	    p += 5) {
		if (p != q && p[-1] != '&')
			continue;
		for (n = 0; p + 5 + n < end && p[5 + n] != '&'; n++) {
			if ((p[5 + n] < 'a' || p[5 + n] > 'z') &&
			    p[5 + n] != '_')
				return (0);
		}
		if (n == 0 || n > 47 || n >= outlen)
			return (0);
		memcpy(out, p + 5, n);
		out[n] = '\0';
		return (1);
	}
	return (0);
}

/*
 * X-Real-IP, set by our proxy: an IPv4 or IPv6 address, copied into
 * out[outlen] as it was written.  0 when it is not one or does not fit.
 */
int
hdr_ip(const char *v, size_t len, char *out, size_t outlen)
{
	char		text[INET6_ADDRSTRLEN];
	unsigned char	bin[sizeof(struct in6_addr)];

	if (len >= sizeof(text) || len >= outlen || memchr(v, '\0', len))
		return (0);
	memcpy(text, v, len);
	text[len] = '\0';
	if (inet_pton(AF_INET, text, bin) != 1 &&
	    inet_pton(AF_INET6, text, bin) != 1)
		return (0);
	memcpy(out, text, len + 1);
	return (1);
}

/*
 * X-Request-Id, set by our proxy: 8 or more lower-case hex digits that
 * fit out[outlen] with a NUL.  0 otherwise.
 */
int
hdr_request_id(const char *v, size_t len, char *out, size_t outlen)
{
	if (len < 8 || len >= outlen || !hex_lower(v, len))
		return (0);
	memcpy(out, v, len);
	out[len] = '\0';
	return (1);
}

/*
 * Whether an Origin header is this site: the scheme (https behind TLS)
 * and exactly the Host the request was sent to.
 */
int
hdr_origin_ok(const char *origin, size_t olen, const char *host,
    size_t hlen, int tls)
{
	const char	*scheme = tls ? "https://" : "http://";
	size_t		 slen = strlen(scheme);

	return (olen == slen + hlen && memcmp(origin, scheme, slen) == 0 &&
	    memcmp(origin + slen, host, hlen) == 0);
}

/*
 * The path of a Referer (after its scheme and host), when it starts with
 * one of prefixes (NULL-terminated), is shorter than outlen and holds no
 * line break: into out.  0 otherwise.
 */
int
hdr_back_path(const char *v, size_t len, const char *const *prefixes,
    char *out, size_t outlen)
{
	const char	*p, *end = v + len;
	size_t		 i, plen;

	if ((p = find(v, len, "://", 3)) == NULL ||
	    (p = memchr(p + 3, '/', (size_t)(end - p - 3))) == NULL)
		return (0);
	plen = (size_t)(end - p);
	if (plen >= outlen || memchr(p, '\r', plen) || memchr(p, '\n', plen) ||
	    memchr(p, '\0', plen))
		return (0);
	for (i = 0; prefixes[i] != NULL; i++) {
		if (plen >= strlen(prefixes[i]) &&
		    memcmp(p, prefixes[i], strlen(prefixes[i])) == 0) {
			memcpy(out, p, plen);
			out[plen] = '\0';
			return (1);
		}
	}
	return (0);
}

/* --- the request head, before Kore parses it ------------------------- */

/* Whether line l is the header called name (any case). */
static int
name_is(const struct line *l, const char *name)
{
	return (l->name == strlen(name) && strncasecmp(l->p, name,
	    l->name) == 0);
}

/* A header line's value, after the white space Kore skips. */
static const char *
value_of(const struct line *l, size_t *len)
{
	const char	*p = l->p + l->name + 1, *end = l->p + l->len;

	while (p < end && is_ows(*p))
		p++;
	*len = (size_t)(end - p);
	return (p);
}

/*
 * The headers Kore or the module reads: those kept when a head has more
 * lines than Kore takes.  The rest (Sec-Fetch-*, Sec-CH-UA-*, Accept,
 * Priority, ...) is what a browser sends for others.
 */
static int
kept_name(const struct line *l)
{
	static const char *const	kept[] = {
		"host", "connection", "content-length", "content-type",
		"cookie", "user-agent", "referer", "authorization",
		"accept-language", "origin", "x-csrf-token", "x-real-ip",
		"x-request-id", "x-forwarded-proto", "idempotency-key",
		"if-none-match", "if-modified-since", NULL
	};
	size_t				i;

	for (i = 0; kept[i] != NULL; i++) {
		if (name_is(l, kept[i]))
			return (1);
	}
	return (0);
}

/* A refusal: its status and code, in Chinese unless something said. */
static int
refuse(struct hdr_head *h, int status, const char *code)
{
	if (h->lang == -1)
		h->lang = LANG_ZH;
	h->status = status;
	h->code = code;
	return (HDR_REFUSE);
}

/*
 * What the request target t[len] says about the answer: JSON under /api/
 * and for /healthz (as web_is_api), the language of ?lang=, the path for
 * the error page when it is short and plain.
 */
static void
target_facts(struct hdr_head *h, const char *t, size_t len)
{
	const char	*q;
	size_t		 plen, i;

	q = memchr(t, '?', len);
	plen = q != NULL ? (size_t)(q - t) : len;
	h->api = (plen >= 5 && memcmp(t, "/api/", 5) == 0) ||
	    (plen == 8 && memcmp(t, "/healthz", 8) == 0);
	if (q != NULL)
		h->lang = hdr_lang_query(q + 1, len - plen - 1);
	for (i = 0; i < plen && t[i] > ' ' && t[i] < 0x7f; i++)
		;
	if (plen > 0 && t[0] == '/' && i == plen && plen < sizeof(h->path)) {
		memcpy(h->path, t, plen);
		h->path[plen] = '\0';
	}
}

/*
 * The reader's language when ?lang= did not say: the lang cookie, then
 * Accept-Language (as web_lang).
 */
static int
lang_of(const struct line *lines, size_t n)
{
	const char	*v, *c;
	size_t		 i, len, clen;

	for (i = 1; i < n; i++) {
		if (!lines[i].drop && name_is(&lines[i], "cookie")) {
			v = value_of(&lines[i], &len);
			if (hdr_cookie(v, len, "lang", &c, &clen))
				return (hdr_lang_cookie(c, clen));
			break;
		}
	}
	for (i = 1; i < n; i++) {
		if (!lines[i].drop && name_is(&lines[i], "accept-language")) {
			v = value_of(&lines[i], &len);
			return (hdr_lang_accept(v, len));
		}
	}
	return (LANG_ZH);
}

/*
 * The method of a request line, as Kore knows them: 1 with *body set when
 * it carries a body (POST, PUT, PATCH), 2 when HTTP/1.0 allows it too
 * (GET, HEAD, POST); 0 for one Kore does not know.
 */
static int
method_of(const char *m, size_t len, int *body)
{
	static const struct {
		const char	*name;
		int		 body;
		int		 old;
	} methods[] = {
		{ "get", 0, 1 }, { "head", 0, 1 }, { "post", 1, 1 },
		{ "put", 1, 0 }, { "patch", 1, 0 }, { "delete", 0, 0 },
		{ "options", 0, 0 },
	};
	size_t	i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (len == strlen(methods[i].name) &&
		    strncasecmp(m, methods[i].name, len) == 0) {
			*body = methods[i].body;
			return (methods[i].old ? 2 : 1);
		}
	}
	return (0);
}

/*
 * A head that outgrew the buffer: 414 when its first line alone fills
 * it, else 431, in the format of what the first line asks for.
 */
static int
screen_too_large(struct hdr_head *h, const char *buf, size_t len)
{
	const char	*p, *q;
	size_t		 i;

	for (i = 0; i < len && buf[i] != '\r' && buf[i] != '\n'; i++)
		;
	if ((p = memchr(buf, ' ', i)) != NULL) {
		p++;
		q = memchr(p, ' ', (size_t)(buf + i - p));
		target_facts(h, p, q != NULL ? (size_t)(q - p) :
		    (size_t)(buf + i - p));
	}
	if (i == len)
		return (refuse(h, 414, "uri_too_long"));
	return (refuse(h, 431, "header_too_large"));
}

/*
 * The head's lines, split at any CR or LF as Kore splits them, and the
 * request line's words; 0 when there are more than HDR_LINES_MAX.
 */
static int
screen_lines(struct screen *s, const char *buf, const char *end)
{
	const char	*p, *q, *rl, *rend;

	for (s->n = 0, p = buf; p < end; p = q + 1) {
		for (q = p; q < end && *q != '\r' && *q != '\n'; q++)
			;
		if (q > p) {
			if (s->n == HDR_LINES_MAX)
				return (0);
			s->lines[s->n].p = p;
			s->lines[s->n].len = (size_t)(q - p);
			s->lines[s->n].name = 0;
			s->lines[s->n++].drop = 0;
		}
		if (q == end)
			break;
	}
	if (s->n == 0)
		return (1);
	rl = s->lines[0].p;
	rend = rl + s->lines[0].len;
	for (s->ntok = 0, p = rl; p < rend && s->ntok < 4; p = q + 1) {
		if ((q = memchr(p, ' ', (size_t)(rend - p))) == NULL)
			q = rend;
		if (q > p && s->ntok++ < 3) {
			s->tok[s->ntok - 1] = p;
			s->toklen[s->ntok - 1] = (size_t)(q - p);
		}
	}
	return (1);
}

/*
 * Each header line: a name of token characters, a colon, a value of
 * visible ASCII and spaces (what Kore takes); 0 when one is not.  A line
 * with an empty value is left out.
 */
static int
screen_headers(struct screen *s)
{
	const char	*p, *end, *v;
	size_t		 i, vlen;

	for (i = 1; i < s->n; i++) {
		end = s->lines[i].p + s->lines[i].len;
		for (p = s->lines[i].p; p < end && is_token((unsigned char)*p);
		    p++)
			;
		if (p == s->lines[i].p || p == end || *p != ':')
			return (0);
		s->lines[i].name = (size_t)(p - s->lines[i].p);
		v = value_of(&s->lines[i], &vlen);
		for (p = v; p < v + vlen; p++) {
			if ((unsigned char)*p < 0x20 ||
			    (unsigned char)*p > 0x7e)
				return (0);
		}
		if (vlen == 0) {
			s->lines[i].drop = 1;
			s->rewrite = 1;
		}
	}
	return (1);
}

/*
 * The request line and the Host, as Kore checks them: HDR_PASS with
 * *body set when the method carries one, else the refusal.
 */
static int
screen_request(struct screen *s, const struct hdr_limits *lim,
    struct hdr_head *h, int *body)
{
	size_t	i, len;
	int	m;

	if (s->ntok != 3)
		return (refuse(h, 400, "bad_request"));
	if (s->toklen[2] != 8 || (strncasecmp(s->tok[2], "HTTP/1.1", 8) != 0 &&
	    strncasecmp(s->tok[2], "HTTP/1.0", 8) != 0))
		return (refuse(h, 505, "http_version"));
	if ((m = method_of(s->tok[0], s->toklen[0], body)) == 0 ||
	    (m != 2 && s->tok[2][7] == '0'))
		return (refuse(h, 405, "method"));
	if (s->toklen[1] >= lim->uri_max)
		return (refuse(h, 414, "uri_too_long"));
	/* Kore takes the first line that starts with "host" for the Host. */
	for (i = 1; i < s->n; i++) {
		if (s->lines[i].len >= 4 &&
		    strncasecmp(s->lines[i].p, "host", 4) == 0)
			break;
	}
	if (i == s->n || s->lines[i].drop)
		return (refuse(h, 400, "bad_request"));
	(void)value_of(&s->lines[i], &len);
	if (len > HOST_MAX)
		return (refuse(h, 400, "bad_request"));
	s->host = i;
	return (HDR_PASS);
}

/*
 * The body: HDR_PASS with its length in h->body when the method carries
 * one (declared once, or the same each time, in digits, at most
 * lim->body_max; no Transfer-Encoding, which Kore cannot read), else the
 * refusal.  A Content-Length elsewhere must be a number too.
 */
static int
screen_body(struct screen *s, const struct hdr_limits *lim,
    struct hdr_head *h, int body)
{
	const char	*v, *p;
	size_t		 i, vlen, cl = 0, want;
	int		 seen = 0;

	for (i = 1; i < s->n; i++) {
		if (s->lines[i].drop)
			continue;
		if (body && name_is(&s->lines[i], "transfer-encoding"))
			return (refuse(h, 411, "length_required"));
		if (!name_is(&s->lines[i], "content-length"))
			continue;
		v = value_of(&s->lines[i], &vlen);
		for (want = 0, p = v; p < v + vlen; p++) {
			if (*p < '0' || *p > '9' || want > (SIZE_MAX - 9) / 10)
				return (body ? refuse(h, 411,
				    "length_required") : refuse(h, 400,
				    "bad_request"));
			want = want * 10 + (size_t)(*p - '0');
		}
		if (seen && want != cl)
			return (refuse(h, 400, "bad_request"));
		seen = 1;
		cl = want;
	}
	if (body && !seen)
		return (refuse(h, 411, "length_required"));
	if (body && cl > lim->body_max)
		return (refuse(h, 413, "body_too_large"));
	h->body = body ? cl : 0;
	return (HDR_PASS);
}

/* The lines Kore would get. */
static size_t
screen_kept(const struct screen *s)
{
	size_t	i, kept;

	for (kept = 0, i = 0; i < s->n; i++)
		kept += !s->lines[i].drop;
	return (kept);
}

/*
 * Leaves out the headers nobody here reads, all of them, when Kore would
 * get more lines than it reads (room for one more line when room_for is
 * set); 0 when that is not enough.
 */
static int
screen_fit(struct screen *s, int room_for)
{
	size_t	i;

	if (screen_kept(s) + room_for <= LINES_MAX)
		return (1);
	for (i = 1; i < s->n; i++) {
		if (!s->lines[i].drop && i != s->host &&
		    !kept_name(&s->lines[i])) {
			s->lines[i].drop = 1;
			s->rewrite = 1;
		}
	}
	return (screen_kept(s) + room_for <= LINES_MAX);
}

/*
 * Writes the head Kore gets over the one received (its body's bytes
 * received so far, have, moved after it), with Connection: close when
 * close is set; 0 when it would not fit cap bytes.
 */
static int
screen_rewrite(struct screen *s, char *buf, size_t cap, size_t have,
    int close, struct hdr_head *h)
{
	struct buf	out;
	size_t		i;

	buf_init(&out, h->len + 32);
	for (i = 0; i < s->n; i++) {
		if (s->lines[i].drop)
			continue;
		buf_append(&out, s->lines[i].p, s->lines[i].len);
		buf_append(&out, "\r\n", 2);
	}
	if (close)
		buf_puts(&out, "Connection: close\r\n");
	buf_append(&out, "\r\n", 2);
	if (out.len + have > cap) {
		buf_free(&out);
		return (0);
	}
	memmove(buf + out.len, buf + h->len, have);
	memcpy(buf, out.data, out.len);
	h->len = out.len;
	buf_free(&out);
	return (1);
}

/*
 * Screens the head of a request at the start of buf[*len] (buf can hold
 * cap bytes; full says no more will fit) before Kore parses it, so that
 * Kore never refuses a request itself: it would answer without the
 * platform's format and headers, or, for a head larger than its buffer,
 * reset the connection without a word.
 *
 * HDR_MORE: the head is not complete yet.  HDR_REFUSE: h->status and
 * h->code say the answer (400 malformed, 405, 411 no Content-Length or a
 * Transfer-Encoding, 413 over lim->body_max, 414 a target of
 * lim->uri_max bytes or more, 431 a head over the buffer or with too many
 * lines, 505).  HDR_PASS: Kore may parse it, and buf[*len] is what it
 * gets, rewritten when needed: header lines with an empty value left out
 * (legal, and Kore refuses them), and when a head has more lines than
 * Kore reads, the headers nobody here reads; a request followed by
 * another one (pipelining, which Kore 4.1 cannot serve: it drops what
 * follows the first) is cut there and told Connection: close, so that
 * its client sends the rest again on a new connection.  h->body is its
 * Content-Length, h->extra the bytes cut.  For every verdict but
 * HDR_MORE, h->api, h->lang, h->path and h->rid say what the answer
 * looks like.
 */
int
hdr_screen(char *buf, size_t *len, size_t cap, int full,
    const struct hdr_limits *lim, struct hdr_head *h)
{
	struct screen	 s;
	const char	*end, *v;
	size_t		 i, vlen, extent;
	int		 body, r, close = 0;

	memset(h, 0, sizeof(*h));
	memset(&s, 0, sizeof(s));
	h->lang = -1;
	h->path[0] = '/';

	/* Where the head ends, found as Kore finds it. */
	if ((end = find(buf, *len, "\r\n\r\n", 4)) != NULL)
		h->len = (size_t)(end - buf) + 4;
	else if ((end = find(buf, *len, "\n\n", 2)) != NULL)
		h->len = (size_t)(end - buf) + 2;
	else
		return (full ? screen_too_large(h, buf, *len) : HDR_MORE);

	if (!screen_lines(&s, buf, end))
		return (refuse(h, 431, "header_too_large"));
	if (s.ntok >= 2)
		target_facts(h, s.tok[1], s.toklen[1]);
	if (s.n == 0 || memchr(buf, '\0', (size_t)(end - buf)) != NULL ||
	    !screen_headers(&s))
		return (refuse(h, 400, "bad_request"));
	if (h->lang == -1)
		h->lang = lang_of(s.lines, s.n);
	for (i = 1; i < s.n; i++) {
		if (!s.lines[i].drop && name_is(&s.lines[i], "x-request-id")) {
			v = value_of(&s.lines[i], &vlen);
			(void)hdr_request_id(v, vlen, h->rid, sizeof(h->rid));
			break;
		}
	}
	if ((r = screen_request(&s, lim, h, &body)) != HDR_PASS ||
	    (r = screen_body(&s, lim, h, body)) != HDR_PASS)
		return (r);

	/* What follows this request is another one: cut it, and close. */
	extent = h->len + h->body;
	if (*len > extent) {
		h->extra = *len - extent;
		*len = extent;
		s.rewrite = close = 1;
		for (i = 1; i < s.n; i++) {
			if (name_is(&s.lines[i], "connection"))
				s.lines[i].drop = 1;
		}
	}
	if (!screen_fit(&s, close))
		return (refuse(h, 431, "header_too_large"));
	if (!s.rewrite)
		return (HDR_PASS);
	i = *len - h->len;		/* the body's bytes received so far */
	if (!screen_rewrite(&s, buf, cap, i, close, h))
		return (refuse(h, 431, "header_too_large"));
	*len = h->len + i;
	return (HDR_PASS);
}
