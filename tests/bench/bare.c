/*
 * The ceiling of the static route in make bench: a handler that answers
 * a constant with nothing else (no headers of ours, no lookup), in a
 * module of its own that only the benchmark's configuration loads
 * (build/bench.so, route /bench/bare), after build/shop.so.  Never part
 * of the platform.  It asks for the access log to be gathered as every
 * answer of the platform does (alog.c, resolved in build/shop.so: Kore
 * loads modules RTLD_GLOBAL), so that it measures the same server minus
 * the route's own work; without that its workers would sleep on a full
 * log buffer and it would be slower than the static route.
 */
#include <kore/kore.h>
#include <kore/http.h>

int	bench_bare(struct http_request *);
void	alog_check(void);

int
bench_bare(struct http_request *req)
{
	static const char	body[] = "ok\n";

	alog_check();
	http_response(req, 200, body, sizeof(body) - 1);
	return (KORE_RESULT_OK);
}
