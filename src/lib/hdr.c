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

static int
refuse(struct hdr_head *h, int status, const char *code)
{
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
	struct line	 lines[HDR_LINES_MAX];
	struct buf	 out;
	const char	*end, *p, *q, *rl, *tok[3], *v, *host = NULL;
	size_t		 toklen[3], n, i, e, skip, vlen, kept, extent, cl;
	size_t		 hostlen = 0, host_line = 0, have, want;
	int		 body, m, close_line = -1, ntok, rewrite = 0, seen_cl = 0;

	memset(h, 0, sizeof(*h));
	h->lang = -1;
	h->path[0] = '/';
	h->path[1] = '\0';

	/* Where the head ends, found as Kore finds it. */
	skip = 4;
	if ((end = find(buf, *len, "\r\n\r\n", 4)) == NULL) {
		skip = 2;
		end = find(buf, *len, "\n\n", 2);
	}
	if (end == NULL) {
		if (!full)
			return (HDR_MORE);
		/* Too large: say so, in the format of what it asked. */
		for (i = 0; i < *len && buf[i] != '\r' && buf[i] != '\n'; i++)
			;
		if ((p = memchr(buf, ' ', i)) != NULL) {
			p++;
			q = memchr(p, ' ', (size_t)(buf + i - p));
			target_facts(h, p, q != NULL ? (size_t)(q - p) :
			    (size_t)(buf + i - p));
		}
		if (h->lang == -1)
			h->lang = LANG_ZH;
		return (refuse(h, i == *len ? 414 : 431, i == *len ?
		    "uri_too_long" : "header_too_large"));
	}
	e = (size_t)(end - buf);
	h->len = e + skip;

	/* Lines, split at any CR or LF as Kore splits them. */
	for (n = 0, p = buf; p < end; p = q + 1) {
		for (q = p; q < end && *q != '\r' && *q != '\n'; q++)
			;
		if (q == p)
			continue;
		if (n == HDR_LINES_MAX) {
			h->lang = LANG_ZH;
			return (refuse(h, 431, "header_too_large"));
		}
		lines[n].p = p;
		lines[n].len = (size_t)(q - p);
		lines[n].name = 0;
		lines[n++].drop = 0;
		if (q == end)
			break;
	}
	if (n == 0 || memchr(buf, '\0', e) != NULL) {
		h->lang = LANG_ZH;
		return (refuse(h, 400, "bad_request"));
	}

	/* The request line: method, target, version. */
	rl = lines[0].p;
	for (ntok = 0, p = rl; p < rl + lines[0].len && ntok <= 3; p = q + 1) {
		if ((q = memchr(p, ' ', (size_t)(rl + lines[0].len - p))) ==
		    NULL)
			q = rl + lines[0].len;
		if (q > p) {
			if (ntok == 3) {
				ntok++;
				break;
			}
			tok[ntok] = p;
			toklen[ntok++] = (size_t)(q - p);
		}
	}
	if (ntok >= 2)
		target_facts(h, tok[1], toklen[1]);

	/* The header lines: a name, a colon, a value Kore takes. */
	for (i = 1; i < n; i++) {
		for (p = lines[i].p; p < lines[i].p + lines[i].len &&
		    *p != ':'; p++) {
			if (!is_token((unsigned char)*p))
				break;
		}
		if (p == lines[i].p || p == lines[i].p + lines[i].len ||
		    *p != ':') {
			if (h->lang == -1)
				h->lang = LANG_ZH;
			return (refuse(h, 400, "bad_request"));
		}
		lines[i].name = (size_t)(p - lines[i].p);
		v = value_of(&lines[i], &vlen);
		for (q = v; q < v + vlen; q++) {
			if ((unsigned char)*q < 0x20 ||
			    (unsigned char)*q > 0x7e) {
				if (h->lang == -1)
					h->lang = LANG_ZH;
				return (refuse(h, 400, "bad_request"));
			}
		}
		if (vlen == 0) {
			lines[i].drop = 1;
			rewrite = 1;
		}
	}
	if (h->lang == -1)
		h->lang = lang_of(lines, n);
	for (i = 1; i < n; i++) {
		if (!lines[i].drop && name_is(&lines[i], "x-request-id")) {
			v = value_of(&lines[i], &vlen);
			(void)hdr_request_id(v, vlen, h->rid, sizeof(h->rid));
			break;
		}
	}

	if (ntok != 3)
		return (refuse(h, 400, "bad_request"));
	if (!((toklen[2] == 8 && (strncasecmp(tok[2], "HTTP/1.1", 8) == 0 ||
	    strncasecmp(tok[2], "HTTP/1.0", 8) == 0))))
		return (refuse(h, 505, "http_version"));
	if ((m = method_of(tok[0], toklen[0], &body)) == 0)
		return (refuse(h, 405, "method"));
	if (m != 2 && tok[2][7] == '0')
		return (refuse(h, 405, "method"));
	if (toklen[1] >= lim->uri_max)
		return (refuse(h, 414, "uri_too_long"));

	/* Host: the first line named host... as Kore looks for it. */
	for (i = 1; i < n; i++) {
		if (lines[i].len >= 4 && strncasecmp(lines[i].p, "host", 4) ==
		    0) {
			if (lines[i].drop)
				return (refuse(h, 400, "bad_request"));
			host = value_of(&lines[i], &hostlen);
			host_line = i;
			break;
		}
	}
	if (host == NULL || hostlen > HOST_MAX)
		return (refuse(h, 400, "bad_request"));

	/* The body: its length, declared, and no larger than allowed. */
	cl = 0;
	for (i = 1; i < n; i++) {
		if (lines[i].drop)
			continue;
		if (name_is(&lines[i], "transfer-encoding") && body)
			return (refuse(h, 411, "length_required"));
		if (!name_is(&lines[i], "content-length"))
			continue;
		v = value_of(&lines[i], &vlen);
		for (want = 0, q = v; q < v + vlen; q++) {
			if (*q < '0' || *q > '9' || want > (SIZE_MAX - 9) / 10)
				return (refuse(h, body ? 411 : 400, body ?
				    "length_required" : "bad_request"));
			want = want * 10 + (size_t)(*q - '0');
		}
		if (vlen == 0 || (seen_cl && want != cl))
			return (refuse(h, 400, "bad_request"));
		seen_cl = 1;
		cl = want;
	}
	if (body && !seen_cl)
		return (refuse(h, 411, "length_required"));
	if (body && cl > lim->body_max)
		return (refuse(h, 413, "body_too_large"));
	h->body = body ? cl : 0;

	/* No more lines than Kore reads: leave out what nobody here reads. */
	for (kept = 0, i = 0; i < n; i++)
		kept += !lines[i].drop;
	for (i = 1; i < n && kept > LINES_MAX; i++) {
		if (!lines[i].drop && i != host_line &&
		    !kept_name(&lines[i])) {
			lines[i].drop = 1;
			rewrite = 1;
		}
	}
	for (kept = 0, i = 0; i < n; i++)
		kept += !lines[i].drop;
	if (kept > LINES_MAX)
		return (refuse(h, 431, "header_too_large"));

	/* What follows this request is another one: cut it, and close. */
	extent = h->len + h->body;
	if (*len > extent) {
		h->extra = *len - extent;
		*len = extent;
		rewrite = 1;
		for (i = 1; i < n; i++) {
			if (!lines[i].drop && name_is(&lines[i],
			    "connection")) {
				lines[i].drop = 1;
				close_line = (int)i;
			}
		}
		if (close_line == -1 && kept == LINES_MAX) {
			/* No line left for Connection: the rest is lost. */
			for (i = 1; i < n && close_line == -1; i++) {
				if (!lines[i].drop && i != host_line &&
				    !kept_name(&lines[i])) {
					lines[i].drop = 1;
					close_line = (int)i;
				}
			}
			if (close_line == -1)
				return (refuse(h, 431, "header_too_large"));
		}
	}
	if (!rewrite)
		return (HDR_PASS);

	buf_init(&out, h->len + 32);
	for (i = 0; i < n; i++) {
		if (lines[i].drop)
			continue;
		buf_append(&out, lines[i].p, lines[i].len);
		buf_append(&out, "\r\n", 2);
	}
	if (h->extra > 0)
		buf_puts(&out, "Connection: close\r\n");
	buf_append(&out, "\r\n", 2);
	have = *len - h->len;		/* the body's bytes received so far */
	if (out.len + have > cap) {
		buf_free(&out);
		return (refuse(h, 431, "header_too_large"));
	}
	memmove(buf + out.len, buf + h->len, have);
	memcpy(buf, out.data, out.len);
	h->len = out.len;
	*len = out.len + have;
	buf_free(&out);
	return (HDR_PASS);
}
