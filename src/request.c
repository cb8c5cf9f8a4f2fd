/*
 * What a request says about its client, for the layers that need it
 * before any answer (the access log, rate limits, the audit log).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "shop.h"

/*
 * The client's address: the connection's, or, behind our proxy
 * (SHOP_TRUST_PROXY=1), the X-Real-IP it sets, when that is an address.
 */
void
request_client_ip(struct http_request *req, char *buf, size_t len)
{
	const char	*hdr;

	if (cfg.trust_proxy && http_request_header(req, "x-real-ip", &hdr) &&
	    hdr_ip(hdr, strlen(hdr), buf, len))
		return;
	buf[0] = '\0';
	if (req->owner->family == AF_INET)
		inet_ntop(AF_INET, &req->owner->addr.ipv4.sin_addr, buf,
		    (socklen_t)len);
	else if (req->owner->family == AF_INET6)
		inet_ntop(AF_INET6, &req->owner->addr.ipv6.sin6_addr, buf,
		    (socklen_t)len);
}

/*
 * The value of req's cookie called name into out[outlen] (read from the
 * Cookie header by hdr_cookie: Kore's own list holds nine cookies, and a
 * browser with more for this site lost its session); 0 when there is
 * none or it does not fit.
 */
int
request_cookie(struct http_request *req, const char *name, char *out,
    size_t outlen)
{
	const char	*hdr, *v;
	size_t		 len;

	if (!http_request_header(req, "cookie", &hdr) ||
	    !hdr_cookie(hdr, strlen(hdr), name, &v, &len) || len >= outlen)
		return (0);
	memcpy(out, v, len);
	out[len] = '\0';
	return (1);
}
