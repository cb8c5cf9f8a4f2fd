/*
 * The API's contract, docs/openapi.yaml, served: GET /api/v1/openapi.yaml
 * answers the file's bytes, GET /api a readable page of it.  Both are
 * embedded at build time (the Makefile): the YAML as it is, and the
 * page's data as JSON that docs/apidoc.py drew from it (one entry per
 * operation, grouped by tag), so nothing here parses YAML.
 */
#include <string.h>

#include <openssl/evp.h>

#include "shop.h"

int	apidoc_yaml(struct http_request *);
int	apidoc_page(struct http_request *);

extern const char	_binary_openapi_yaml_start[], _binary_openapi_yaml_end[];
extern const char	_binary_apidoc_json_start[], _binary_apidoc_json_end[];

static json_t	*apidoc;	/* the page's data, parsed once a worker */
static char	 etag[20];	/* "<16 hex digits of its SHA-256>" */

static void	apidoc_init(void);

/* The page's data and the spec's ETag; fatal if the build embedded junk. */
static void
apidoc_init(void)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen;
	char		hex[2 * EVP_MAX_MD_SIZE + 1];
	json_error_t	jerr;

	if (apidoc != NULL)
		return;
	apidoc = json_loadb(_binary_apidoc_json_start,
	    (size_t)(_binary_apidoc_json_end - _binary_apidoc_json_start), 0,
	    &jerr);
	if (!json_is_object(apidoc))
		fatal("apidoc.json:%d: %s", jerr.line, jerr.text);
	if (!EVP_Digest(_binary_openapi_yaml_start,
	    (size_t)(_binary_openapi_yaml_end - _binary_openapi_yaml_start),
	    md, &mdlen, EVP_sha256(), NULL))
		fatal("sha256 failed");
	hex_encode(hex, md, mdlen);
	(void)snprintf(etag, sizeof(etag), "\"%.16s\"", hex);
}

/*
 * GET /api/v1/openapi.yaml: the spec, as application/yaml; cacheable for
 * an hour, and 304 when If-None-Match names this version.
 */
int
apidoc_yaml(struct http_request *req)
{
	const char	*inm;

	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	apidoc_init();
	http_response_header(req, "cache-control", "public, max-age=3600");
	http_response_header(req, "etag", etag);
	if (http_request_header(req, "if-none-match", &inm) &&
	    !strcmp(inm, etag))
		return (web_send(req, 304, "application/yaml", NULL, 0));
	return (web_send(req, 200, "application/yaml; charset=utf-8",
	    _binary_openapi_yaml_start,
	    (size_t)(_binary_openapi_yaml_end - _binary_openapi_yaml_start)));
}

/* GET /api: every operation, grouped by tag (assets/api.html). */
int
apidoc_page(struct http_request *req)
{
	json_t	*ctx;
	int	 r;

	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	apidoc_init();
	/* web_page adds the reader's language and tokens to its data. */
	ctx = json_deep_copy(apidoc);
	json_object_set_new(ctx, "title", json_string("API"));
	r = web_page(req, 200, "api", ctx);
	json_decref(ctx);
	return (r);
}
