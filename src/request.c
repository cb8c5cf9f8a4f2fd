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
	unsigned char	 bin[sizeof(struct in6_addr)];

	if (cfg.trust_proxy && http_request_header(req, "x-real-ip", &hdr) &&
	    strlen(hdr) < len && (inet_pton(AF_INET, hdr, bin) == 1 ||
	    inet_pton(AF_INET6, hdr, bin) == 1)) {
		kore_strlcpy(buf, hdr, len);
		return;
	}
	buf[0] = '\0';
	if (req->owner->family == AF_INET)
		inet_ntop(AF_INET, &req->owner->addr.ipv4.sin_addr, buf,
		    (socklen_t)len);
	else if (req->owner->family == AF_INET6)
		inet_ntop(AF_INET6, &req->owner->addr.ipv6.sin6_addr, buf,
		    (socklen_t)len);
}
