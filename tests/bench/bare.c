/*
 * The ceiling of the static route in make bench: a handler that answers
 * a constant with nothing else (no headers of ours, no lookup), in a
 * module of its own that only the benchmark's configuration loads
 * (build/bench.so, route /bench/bare).  Never part of the platform.
 */
#include <kore/kore.h>
#include <kore/http.h>

int	bench_bare(struct http_request *);

int
bench_bare(struct http_request *req)
{
	static const char	body[] = "ok\n";

	http_response(req, 200, body, sizeof(body) - 1);
	return (KORE_RESULT_OK);
}
