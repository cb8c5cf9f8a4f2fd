/*
 * The ceiling of the static route in make bench: a handler that answers
 * the same bytes as GET /static/style.css with nothing else -- one
 * header (its type), no method check, no lookup, none of our security
 * headers -- in a module of its own that only the benchmark's
 * configuration loads (build/bench.so, route /bench/bare), after
 * build/shop.so, whose symbols it uses (Kore loads modules RTLD_GLOBAL).
 * Never part of the platform.  It asks for the access log to be gathered
 * as every answer of the platform does (alog.c): without that its
 * workers would sleep on a full log buffer, as Kore ships.
 */
#include <kore/kore.h>
#include <kore/http.h>

#include "shop.h"

int	bench_bare(struct http_request *);

int
bench_bare(struct http_request *req)
{
	static const struct asset	*a;

	if (a == NULL && (a = asset_find("style.css")) == NULL)
		fatal("bench_bare: no style.css");
	alog_check();
	http_response_header(req, "content-type", "text/css; charset=utf-8");
	http_response(req, 200, a->data, a->len);
	return (KORE_RESULT_OK);
}
