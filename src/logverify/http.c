/*
 * GET over HTTP/1.1, or HTTPS with OpenSSL (the server's certificate and
 * name checked against the system's trust store): one connection per
 * request, closed by the server.  Bodies by Content-Length, chunked, or
 * up to the close.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "lv.h"

#define HTTP_MAX	(64 * 1024 * 1024)

static int	dial(const struct lv_url *);
static char	*dechunk(char *, size_t, size_t *);

/*
 * Reads http://host[:port][/prefix] or https://... (a name or an IPv4
 * address); 0 if it is not one.
 */
int
http_parse_url(struct lv_url *u, const char *url)
{
	const char	*p, *host, *slash, *colon;
	size_t		 len;

	memset(u, 0, sizeof(*u));
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
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		lv_fatal("cannot connect to %s port %s", u->host, u->port);
	return (fd);
}

/* Undoes chunked transfer coding in place; NULL if it is malformed. */
static char *
dechunk(char *b, size_t len, size_t *outlen)
{
	size_t	 i = 0, o = 0, n;
	char	*end;

	for (;;) {
		n = strtoul(b + i, &end, 16);
		if (end == b + i || (end = strstr(end, "\r\n")) == NULL)
			return (NULL);
		i = (size_t)(end - b) + 2;
		if (n == 0)
			break;
		if (n > len - i || len - i - n < 2)
			return (NULL);
		memmove(b + o, b + i, n);
		o += n;
		i += n + 2;
	}
	b[o] = '\0';
	*outlen = o;
	return (b);
}

/*
 * The body of GET prefix + path (NUL-terminated, its length in *len).
 * Anything but a 200 is fatal, with the status and the start of the body.
 */
char *
http_get(const struct lv_url *u, const char *path, size_t *len)
{
	SSL_CTX		*ctx = NULL;
	SSL		*ssl = NULL;
	char		*req, *buf, *body, *hdr_end, *h, *e;
	size_t		 have = 0, cap = 65536, blen, line;
	ssize_t		 r;
	int		 fd, status, reqlen, chunked;

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

	buf = lv_alloc(cap + 1);
	for (;;) {
		if (have == cap) {
			if (cap >= HTTP_MAX)
				lv_fatal("%s: answer too large", path);
			cap *= 2;
			if ((buf = realloc(buf, cap + 1)) == NULL)
				lv_fatal("out of memory");
		}
		r = u->tls ? SSL_read(ssl, buf + have, (int)(cap - have)) :
		    read(fd, buf + have, cap - have);
		if (r <= 0)
			break;
		have += (size_t)r;
	}
	buf[have] = '\0';
	if (ssl != NULL) {
		SSL_free(ssl);
		SSL_CTX_free(ctx);
	}
	close(fd);

	if (sscanf(buf, "HTTP/1.%*1[01] %d", &status) != 1 ||
	    (hdr_end = strstr(buf, "\r\n\r\n")) == NULL)
		lv_fatal("%s: not an HTTP answer", path);
	*hdr_end = '\0';
	body = hdr_end + 4;
	blen = have - (size_t)(body - buf);
	if (status != 200)
		lv_fatal("%s: HTTP %d: %.300s", path, status, body);
	chunked = 0;
	for (h = strstr(buf, "\r\n"); h != NULL; h = e) {
		h += 2;
		e = strstr(h, "\r\n");
		line = e != NULL ? (size_t)(e - h) : strlen(h);
		if (line > 18 && !strncasecmp(h, "transfer-encoding:", 18) &&
		    memmem(h, line, "chunked", 7) != NULL)
			chunked = 1;
		if (line > 15 && !strncasecmp(h, "content-length:", 15) &&
		    strtoul(h + 15, NULL, 10) < blen)
			blen = strtoul(h + 15, NULL, 10);
	}
	if (chunked && dechunk(body, blen, &blen) == NULL)
		lv_fatal("%s: bad chunked body", path);
	memmove(buf, body, blen);
	buf[blen] = '\0';
	*len = blen;
	return (buf);
}
