/*
 * GET /static/NAME: the public assets (assets.c), under their hashed name
 * immutable for a year, under their plain name for a day.
 */
#include <string.h>

#include "shop.h"

int	static_serve(struct http_request *);

/*
 * GET /static/<name>: a public asset (css, js, svg, png, ico), by its
 * hashed name (immutable, a year) or its plain name (a day).  A hash that
 * is not the content's, templates and catalogues (embedded too, never
 * served) and anything else: 404.
 */
int
static_serve(struct http_request *req)
{
	const struct asset	*a;
	const char		*name, *type, *ext;
	char			 plain[128], hash[17];
	size_t			 len;
	int			 hashed = 0;

	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	name = req->path + strlen("/static/");
	if ((type = asset_type(name)) == NULL)
		return (web_error(req, 404, "not_found", NULL));
	ext = strrchr(name, '.');
	len = (size_t)(ext - name);
	/* name.<16 hex>.ext: look for name.ext, then check the hash. */
	if (len > 17 && name[len - 17] == '.' &&
	    strspn(name + len - 16, "0123456789abcdef") >= 16 &&
	    len - 17 + strlen(ext) < sizeof(plain)) {
		(void)snprintf(plain, sizeof(plain), "%.*s%s", (int)(len - 17),
		    name, ext);
		if ((a = asset_find(plain)) == NULL)
			return (web_error(req, 404, "not_found", NULL));
		asset_hash(a, hash);
		if (memcmp(hash, name + len - 16, 16))
			return (web_error(req, 404, "not_found", NULL));
		hashed = 1;
	} else if ((a = asset_find(name)) == NULL) {
		return (web_error(req, 404, "not_found", NULL));
	}
	http_response_header(req, "cache-control", hashed ?
	    "public, max-age=31536000, immutable" : "public, max-age=86400");
	return (web_send(req, 200, type, a->data, a->len));
}
