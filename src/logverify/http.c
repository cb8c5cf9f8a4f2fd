/*
 * GET over HTTP/1.1, or HTTPS with OpenSSL (the server's certificate and
 * name checked against the system's trust store): one connection per
 * request, closed by the server.  Bodies by Content-Length, chunked, or
 * up to the close.  The server may be hostile: the answer is bounded in
 * size and time, and parsed (http_parse_reply) with its length, strictly.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "lv.h"

/*
 * The largest answer read: a page of 1000 entries of at most 1024 bytes
 * is about 1.1 MB of JSON, 7 MB were every byte escaped.
 */
#define HTTP_MAX	(16 * 1024 * 1024)
#define HTTP_IDLE	30	/* seconds a read may wait */
#define HTTP_TIME	120	/* seconds one answer may take in all */

static int	dial(const struct lv_url *);
static int	hexval(char);
static int	name_is(const char *, size_t, const char *);
static int	dechunk(const char *, size_t, char *, size_t *,
		    struct lv_err *);
static time_t	now(void);

/*
 * Reads http://host[:port][/prefix] or https://... (a name or an IPv4
 * address); 0 if it is not one (or holds a space or control character,
 * which would end up in the request).
 */
int
http_parse_url(struct lv_url *u, const char *url)
{
	const char	*p, *host, *slash, *colon;
	size_t		 len;

	memset(u, 0, sizeof(*u));
	for (p = url; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return (0);
	}
	if (!strncmp(url, "http://", 7)) {
		p = url + 7;
	} else if (!strncmp(url, "https://", 8)) {
		u->tls = 1;
		p = url + 8;
	} else {
		return (0);
	}
	host = p;
	slash = strchr(host, '/');
	len = slash ? (size_t)(slash - host) : strlen(host);
	if (len == 0 || memchr(host, '@', len) != NULL)
		return (0);
	colon = memchr(host, ':', len);
	u->host = strndup(host, (size_t)((colon ? colon : host + len) - host));
	u->port = colon ? strndup(colon + 1, (size_t)(host + len - colon - 1)) :
	    strdup(u->tls ? "443" : "80");
	u->prefix = strdup(slash ? slash : "");
	if (u->host == NULL || u->port == NULL || u->prefix == NULL)
		lv_fatal("out of memory");
	len = strlen(u->prefix);
	while (len > 0 && u->prefix[len - 1] == '/')
		u->prefix[--len] = '\0';
	return (u->host[0] != '\0' && u->port[0] != '\0');
}

static int
dial(const struct lv_url *u)
{
	struct addrinfo	 hints, *res, *ai;
	struct timeval	 tv = { HTTP_IDLE, 0 };
	int		 fd = -1, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(u->host, u->port, &hints, &res)) != 0)
		lv_fatal("%s: %s", u->host, gai_strerror(e));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) == -1)
			continue;
		/* Bounds connect, and each read and write after it. */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
		    sizeof(tv)) == 0 && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO,
		    &tv, sizeof(tv)) == 0 &&
		    connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		lv_fatal("cannot connect to %s port %s", u->host, u->port);
	return (fd);
}

/* The value of hex digit c, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Whether the n bytes at p are name (lower case), letters in any case. */
static int
name_is(const char *p, size_t n, const char *name)
{
	size_t	i;
	char	c;

	for (i = 0; i < n && name[i] != '\0'; i++) {
		c = p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != name[i])
			return (0);
	}
	return (i == n && name[i] == '\0');
}

/*
 * Undoes chunked transfer coding (RFC 9112 7.1): the len bytes at b into
 * out, which has room for len bytes (the decoded body is never longer).
 * Chunk extensions and trailer fields are skipped; the body must end
 * with the last chunk and its empty line, and nothing may follow.
 */
static int
dechunk(const char *b, size_t len, char *out, size_t *outlen,
    struct lv_err *e)
{
	const char	*eol;
	size_t		 i = 0, o = 0, n, digits;
	int		 d;

	for (;;) {
		n = 0;
		for (digits = 0; i < len && (d = hexval(b[i])) != -1;
		    i++, digits++) {
			/* n <= len, a buffer's size: n * 16 + d cannot wrap. */
			n = n * 16 + (size_t)d;
			if (n > len)
				return (lv_err(e, LV_CANNOT, "a chunk size "
				    "larger than the answer"));
		}
		/* Then extensions (";name=value"), or the line's end. */
		if (digits == 0 || (i < len && b[i] != ';' && b[i] != ' ' &&
		    b[i] != '\t' && b[i] != '\r'))
			return (lv_err(e, LV_CANNOT, "a chunk without a "
			    "size"));
		if ((eol = memmem(b + i, len - i, "\r\n", 2)) == NULL)
			return (lv_err(e, LV_CANNOT, "a chunk size line "
			    "without CRLF"));
		i = (size_t)(eol - b) + 2;
		if (n == 0)
			break;
		if (n > len - i)
			return (lv_err(e, LV_CANNOT, "a chunk of %zu bytes "
			    "runs past the end of the answer", n));
		if (len - i - n < 2 || memcmp(b + i + n, "\r\n", 2) != 0)
			return (lv_err(e, LV_CANNOT, "a chunk not followed "
			    "by CRLF"));
		memcpy(out + o, b + i, n);
		o += n;
		i += n + 2;
	}
	/* Trailer fields, then the empty line. */
	for (;;) {
		if ((eol = memmem(b + i, len - i, "\r\n", 2)) == NULL)
			return (lv_err(e, LV_CANNOT, "the chunked body has no "
			    "end"));
		if (eol == b + i)
			break;
		i = (size_t)(eol - b) + 2;
	}
	if (i + 2 != len)
		return (lv_err(e, LV_CANNOT, "bytes after the chunked body"));
	*outlen = o;
	return (LV_OK);
}

/*
 * Reads reply, the len bytes a server sent for a GET (untrusted: they may
 * hold anything, NULs too, and need not be NUL-terminated): a status line
 * of HTTP/1.0 or 1.1, header fields, and the body by Content-Length,
 * chunked, or up to the close.  On a 200 with a well-formed body, returns
 * LV_OK with the body in *body (NUL-terminated, free()d by the caller)
 * and its length in *bodylen.  Else LV_CANNOT and what is wrong in e (a
 * status other than 200 is quoted with the start of its body).
 */
int
http_parse_reply(const char *reply, size_t len, char **body, size_t *bodylen,
    struct lv_err *e)
{
	const char	*end = reply + len, *hend, *line, *eol, *colon, *v, *ve;
	const char	*b;
	char		*out;
	size_t		 blen, clen = 0, vlen, i;
	int		 status, chunked = 0, has_clen = 0, rc;

	*body = NULL;
	*bodylen = 0;
	/* HTTP/1.x SP 3DIGIT SP reason CRLF */
	if (len < 13 || memcmp(reply, "HTTP/1.", 7) != 0 ||
	    (reply[7] != '0' && reply[7] != '1') || reply[8] != ' ' ||
	    reply[9] < '1' || reply[9] > '5' || reply[10] < '0' ||
	    reply[10] > '9' || reply[11] < '0' || reply[11] > '9' ||
	    (reply[12] != ' ' && reply[12] != '\r'))
		return (lv_err(e, LV_CANNOT, "not an HTTP answer"));
	status = (reply[9] - '0') * 100 + (reply[10] - '0') * 10 +
	    (reply[11] - '0');
	if ((hend = memmem(reply, len, "\r\n\r\n", 4)) == NULL)
		return (lv_err(e, LV_CANNOT, "an HTTP answer whose header "
		    "does not end"));
	b = hend + 4;
	blen = (size_t)(end - b);
	if (status != 200)
		return (lv_err(e, LV_CANNOT, "HTTP %d: %.*s", status,
		    (int)(blen < 200 ? blen : 200), b));

	/* The header fields, each line after the status line. */
	line = (const char *)memmem(reply, len, "\r\n", 2) + 2;
	for (; line < hend + 2; line = eol + 2) {
		eol = memmem(line, (size_t)(hend + 2 - line), "\r\n", 2);
		if ((colon = memchr(line, ':', (size_t)(eol - line))) == NULL ||
		    colon == line)
			return (lv_err(e, LV_CANNOT, "a header line that is "
			    "not a field"));
		for (v = line; v < colon; v++) {
			if ((unsigned char)*v <= ' ' || *v == 0x7f)
				return (lv_err(e, LV_CANNOT, "a header field "
				    "name with a space or a control "
				    "character"));
		}
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			continue;
		for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t');
		    ve--)
			continue;
		vlen = (size_t)(ve - v);
		if (name_is(line, (size_t)(colon - line), "content-length")) {
			if (has_clen++)
				return (lv_err(e, LV_CANNOT, "two "
				    "Content-Length fields"));
			for (i = 0; i < vlen; i++) {
				if (v[i] < '0' || v[i] > '9' ||
				    clen > (SIZE_MAX - 9) / 10)
					break;
				clen = clen * 10 + (size_t)(v[i] - '0');
			}
			if (vlen == 0 || i != vlen)
				return (lv_err(e, LV_CANNOT, "a Content-Length "
				    "that is not a byte count: %.*s",
				    (int)(vlen < 40 ? vlen : 40), v));
		} else if (name_is(line, (size_t)(colon - line),
		    "transfer-encoding")) {
			if (chunked++ || !name_is(v, vlen, "chunked"))
				return (lv_err(e, LV_CANNOT, "a Transfer-"
				    "Encoding other than chunked"));
		}
	}
	/* RFC 9112 6.3: both is a sign of smuggling; treat it as an error. */
	if (chunked && has_clen)
		return (lv_err(e, LV_CANNOT, "both Content-Length and "
		    "Transfer-Encoding"));

	out = lv_alloc(blen + 1);
	if (chunked) {
		if ((rc = dechunk(b, blen, out, &blen, e)) != LV_OK) {
			free(out);
			return (rc);
		}
	} else {
		if (has_clen && clen != blen) {
			free(out);
			return (lv_err(e, LV_CANNOT, "a body of %zu bytes, "
			    "not its Content-Length %zu", blen, clen));
		}
		memcpy(out, b, blen);
	}
	out[blen] = '\0';
	*body = out;
	*bodylen = blen;
	return (LV_OK);
}

/* Seconds on a monotonic clock. */
static time_t
now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		lv_fatal("clock_gettime: %s", strerror(errno));
	return (ts.tv_sec);
}

/*
 * The body of GET prefix + path (NUL-terminated, its length in *len,
 * free()d by the caller).  The network failing, an answer larger than
 * HTTP_MAX or slower than HTTP_TIME, anything but a well-formed 200: all
 * are fatal, with what went wrong.
 */
char *
http_get(const struct lv_url *u, const char *path, size_t *len)
{
	SSL_CTX		*ctx = NULL;
	SSL		*ssl = NULL;
	struct lv_err	 e;
	char		*req, *buf, *body;
	size_t		 have = 0, cap = 65536;
	ssize_t		 r;
	time_t		 start;
	int		 fd, reqlen;

	start = now();
	fd = dial(u);
	if (u->tls) {
		if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
		    !SSL_CTX_set_default_verify_paths(ctx) ||
		    (ssl = SSL_new(ctx)) == NULL)
			lv_fatal("OpenSSL: cannot set up TLS");
		SSL_set_verify(ssl, SSL_VERIFY_PEER, NULL);
		if (!SSL_set_tlsext_host_name(ssl, u->host) ||
		    !SSL_set1_host(ssl, u->host) || !SSL_set_fd(ssl, fd) ||
		    SSL_connect(ssl) != 1)
			lv_fatal("TLS with %s failed: %s", u->host,
			    ERR_error_string(ERR_get_error(), NULL));
	}
	reqlen = asprintf(&req, "GET %s%s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: logverify\r\nAccept: application/json\r\n"
	    "Connection: close\r\n\r\n", u->prefix, path, u->host);
	if (reqlen < 0)
		lv_fatal("out of memory");
	if ((u->tls ? SSL_write(ssl, req, reqlen) : write(fd, req,
	    (size_t)reqlen)) != reqlen)
		lv_fatal("cannot send the request to %s", u->host);
	free(req);

	buf = lv_alloc(cap);
	for (;;) {
		if (have == cap) {
			if (cap >= HTTP_MAX)
				lv_fatal("%s: an answer of more than %d bytes",
				    path, HTTP_MAX);
			cap *= 2;
			if ((buf = realloc(buf, cap)) == NULL)
				lv_fatal("out of memory");
		}
		errno = 0;
		r = u->tls ? SSL_read(ssl, buf + have, (int)(cap - have)) :
		    read(fd, buf + have, cap - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			lv_fatal("%s: no answer for %d s", path, HTTP_IDLE);
		if (r < 0 && !u->tls)
			lv_fatal("%s: %s", path, strerror(errno));
		if (r <= 0)
			break;	/* TLS: a truncated body fails below */
		have += (size_t)r;
		if (now() - start > HTTP_TIME)
			lv_fatal("%s: the answer took more than %d s", path,
			    HTTP_TIME);
	}
	if (ssl != NULL) {
		SSL_free(ssl);
		SSL_CTX_free(ctx);
	}
	close(fd);

	if (http_parse_reply(buf, have, &body, len, &e) != LV_OK)
		lv_fatal("%s: %s", path, e.msg);
	free(buf);
	return (body);
}
