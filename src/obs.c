/*
 * What operators look at: each request's id, the JSON-lines access log,
 * and the counters behind GET /metrics (metrics.c) in Prometheus text
 * format.  Below the web layer and db.c, which report to it.
 *
 * The counters live in memory the parent maps shared before it forks the
 * workers: one slot per worker, written by that worker alone (no lock; a
 * reader may see a sum one request old), read by whichever worker answers
 * /metrics.  A restarted worker takes over its slot, so counters only
 * grow.  Routes are the handlers of the configuration, numbered in the
 * parent, so every worker counts a route under the same number.
 *
 * The request id is nginx's $request_id (X-Request-Id) when the proxy is
 * trusted (SHOP_TRUST_PROXY=1), else 16 random bytes: it is in the
 * access log, in the X-Request-Id header and on the error pages, and
 * reaches PostgreSQL as a comment in front of every statement (db.c), so
 * pg_stat_activity and the server's log show which request sent it.
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shop.h"

#define OBS_SLOTS	17	/* worker ids 0..16 */
#define OBS_ROUTES	512	/* conf/kore.conf had 257 with issue 18 */
#define OBS_BUCKETS	11	/* and +Inf */

static const int	obs_codes[] = {
	200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405, 408,
	409, 411, 413, 414, 415, 429, 431, 500, 502, 503, 505
};
#define OBS_CODES	(sizeof(obs_codes) / sizeof(obs_codes[0]))

/* Upper bounds of the latency histogram, in milliseconds. */
static const u_int64_t	obs_bounds[OBS_BUCKETS] = {
	5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000
};

struct obs_pool {
	u_int64_t	waits;		/* calls that queued for a connection */
	u_int64_t	wait_ms;	/* their time in the queue */
	u_int64_t	fallbacks;	/* replica calls sent to the primary */
	u_int64_t	unavailable;	/* connection failures */
	u_int64_t	queued;		/* gauges: waiting now */
	u_int64_t	held;		/* connections in use now */
};

struct obs_slot {
	u_int64_t	requests[OBS_ROUTES][OBS_CODES + 1];
	u_int64_t	latency[OBS_ROUTES][OBS_BUCKETS + 1];
	u_int64_t	latency_ms[OBS_ROUTES];
	struct obs_pool	pool[DB_POOLS];
	u_int64_t	edge[OBS_CODES + 1];	/* answered by edge.c */
	u_int64_t	work[OBS_WORK_KINDS];	/* costly work begun */
	u_int64_t	cache[OBS_CACHE_KINDS];	/* the microcache's lookups */
};

/* The names of enum obs_work in /metrics. */
static const char *const	obs_work_names[OBS_WORK_KINDS] = {
	"task"
};

/* The names of enum obs_cache in /metrics. */
static const char *const	obs_cache_names[OBS_CACHE_KINDS] = {
	"hit", "fetch", "wait"
};

static struct obs_slot		*slots;
static const struct kore_module_handle *routes[OBS_ROUTES];
static size_t			 route_name[OBS_ROUTES];
static const char		*route_names[OBS_ROUTES];
static size_t			 nroutes, nnames;
static int			 log_fd = -1;
static const char		*node = "";

/* The id made for a request without steps, between its page and answer. */
static const struct http_request *id_req;
static char			 id_buf[OBS_ID_LEN];

static int	obs_route(const struct http_request *);
static int	obs_code(int);
static void	obs_log(struct http_request *, const char *, int, ssize_t,
		    u_int64_t, const struct obs_steps *);
static void	metrics_requests(struct buf *);
static void	metrics_pools(struct buf *);
static void	metrics_edge(struct buf *);
static void	metrics_cache(struct buf *);

/*
 * In the parent, before the workers fork: the shared counters, the
 * routes' numbers, and the access log (SHOP_ACCESS_LOG, opened for
 * appending; SHOP_NODE names this node in it).
 */
void
obs_init(void)
{
	struct kore_server		*srv;
	struct kore_domain		*dom;
	struct kore_module_handle	*h;
	const char			*path, *v;
	size_t				 i;

	slots = mmap(NULL, sizeof(*slots) * OBS_SLOTS, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED)
		fatal("obs_init: mmap: %s", errno_s);
	LIST_FOREACH(srv, &kore_servers, list) {
		TAILQ_FOREACH(dom, &srv->domains, list) {
			TAILQ_FOREACH(h, &dom->handlers, list) {
				if (nroutes == OBS_ROUTES)
					fatal("obs_init: too many routes");
				routes[nroutes] = h;
				for (i = 0; i < nnames; i++) {
					if (!strcmp(route_names[i], h->func))
						break;
				}
				if (i == nnames)
					route_names[nnames++] = h->func;
				route_name[nroutes++] = i;
			}
		}
	}
	if ((v = getenv("SHOP_NODE")) != NULL)
		node = v;
	if ((path = getenv("SHOP_ACCESS_LOG")) != NULL) {
		log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0640);
		if (log_fd == -1)
			fatal("cannot open SHOP_ACCESS_LOG %s: %s", path,
			    errno_s);
	}
}

/* This worker's slot; NULL in the parent or before obs_init. */
static struct obs_slot *
obs_slot(void)
{
	if (slots == NULL || worker == NULL || worker->id >= OBS_SLOTS)
		return (NULL);
	return (&slots[worker->id]);
}

/* The number of req's handler's name; OBS_ROUTES when it has none. */
static int
obs_route(const struct http_request *req)
{
	size_t	i;

	for (i = 0; i < nroutes; i++) {
		if (routes[i] == req->hdlr)
			return ((int)route_name[i]);
	}
	return (OBS_ROUTES);
}

static int
obs_code(int status)
{
	size_t	i;

	for (i = 0; i < OBS_CODES; i++) {
		if (obs_codes[i] == status)
			return ((int)i);
	}
	return ((int)OBS_CODES);
}

/*
 * req's id into id (OBS_ID_LEN bytes with the NUL): the proxy's
 * X-Request-Id when trusted and made of 8 to 32 hex digits, else one made
 * here.  The same request asked twice gets the same id only through the
 * proxy's header or the steps that kept it (struct obs_steps, in db.c's
 * call).
 */
void
obs_request_id(struct http_request *req, char *id)
{
	const char	*hdr;
	unsigned char	 rnd[16];

	if (cfg.trust_proxy && http_request_header(req, "x-request-id", &hdr) &&
	    hdr_request_id(hdr, strlen(hdr), id, OBS_ID_LEN))
		return;
	rnd_bytes(rnd, sizeof(rnd));
	hex_encode(id, rnd, sizeof(rnd));
}

/*
 * An answer is about to be sent (web_send, stream_begin): counts it under
 * its route and status, with its time since the handler first ran, sets
 * X-Request-Id and writes the access log's line.  len is the body's
 * length, -1 when it is streamed.
 */
void
obs_answer(struct http_request *req, int status, ssize_t len,
    const struct obs_steps *steps)
{
	struct obs_slot	*s;
	const char	*id;
	u_int64_t	 ms, first;
	int		 r, b;

	if (steps != NULL) {
		id = steps->rid;
		first = steps->t0;
	} else {
		id = obs_id(req, NULL);
		first = req->start;
	}
	id_req = NULL;
	http_response_header(req, "x-request-id", id);
	ms = kore_time_ms() - first;
	if ((s = obs_slot()) != NULL) {
		r = obs_route(req);
		if (r < OBS_ROUTES) {
			s->requests[r][obs_code(status)]++;
			for (b = 0; b < OBS_BUCKETS && ms > obs_bounds[b]; b++)
				;
			s->latency[r][b]++;
			s->latency_ms[r] += ms;
		}
	}
	if (log_fd != -1)
		obs_log(req, id, status, len, ms, steps);
}

/*
 * req's id as its answer will carry it (for an error page): kept by its
 * steps (NULL: it has none), or made once and kept here until obs_answer
 * (which comes in the same run of the handler: a request without steps
 * never sleeps).
 */
const char *
obs_id(struct http_request *req, const struct obs_steps *steps)
{
	if (steps != NULL)
		return (steps->rid);
	if (id_req != req) {
		obs_request_id(req, id_buf);
		id_req = req;
	}
	return (id_buf);
}

/* One JSON object on one line: never the query string (it may be a search). */
static void
obs_log(struct http_request *req, const char *id, int status, ssize_t len,
    u_int64_t ms, const struct obs_steps *steps)
{
	struct timespec	 ts;
	struct tm	 tm;
	json_t		*o;
	char		 when[40], ip[64], *line;
	const char	*method;
	size_t		 n;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)gmtime_r(&ts.tv_sec, &tm);
	n = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	(void)snprintf(when + n, sizeof(when) - n, ".%03ldZ",
	    ts.tv_nsec / 1000000);
	request_client_ip(req, ip, sizeof(ip));
	method = http_method_text(req->method);
	o = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:i, s:I, "
	    "s:I}", "time", when, "id", id, "node", node,
	    "worker", worker != NULL ? worker->id : 0, "ip", ip,
	    "method", method != NULL ? method : "?", "path", req->path,
	    "route", req->hdlr != NULL ? req->hdlr->func : "", "status",
	    status, "ms", (json_int_t)ms, "bytes", (json_int_t)len);
	if (o == NULL)
		return;
	if (steps != NULL && steps->used_read)
		json_object_set_new(o, "db", json_string("replica"));
	if ((line = json_dumps(o, JSON_COMPACT)) != NULL) {
		n = strlen(line);
		line[n] = '\n';		/* replaces the NUL: one write */
		if (write(log_fd, line, n + 1) == -1 && errno != EINTR)
			kore_log(LOG_WARNING, "access log: %s", errno_s);
		free(line);
	}
	json_decref(o);
}

/* db.c reports what its pools do. */
void
obs_db_wait(int pool, u_int64_t ms)
{
	struct obs_slot	*s;

	if ((s = obs_slot()) == NULL)
		return;
	s->pool[pool].waits++;
	s->pool[pool].wait_ms += ms;
}

void
obs_db_state(int pool, u_int32_t held, u_int32_t queued)
{
	struct obs_slot	*s;

	if ((s = obs_slot()) == NULL)
		return;
	s->pool[pool].held = held;
	s->pool[pool].queued = queued;
}

void
obs_db_event(int pool, int fallback)
{
	struct obs_slot	*s;

	if ((s = obs_slot()) == NULL)
		return;
	if (fallback)
		s->pool[pool].fallbacks++;
	else
		s->pool[pool].unavailable++;
}

/* Requests by route and status, and each route's latency histogram. */
static void
metrics_requests(struct buf *out)
{
	u_int64_t	n, cum, sum;
	size_t		 r, c, w, b;

	buf_puts(out, "# HELP shop_requests_total Answers by route (the "
	    "handler) and HTTP status.\n# TYPE shop_requests_total counter\n");
	for (r = 0; r < nnames; r++) {
		for (c = 0; c <= OBS_CODES; c++) {
			for (n = 0, w = 0; w < OBS_SLOTS; w++)
				n += slots[w].requests[r][c];
			if (n == 0)
				continue;
			if (c < OBS_CODES)
				buf_printf(out, "shop_requests_total{route=\"%s\","
				    "status=\"%d\"} %llu\n", route_names[r],
				    obs_codes[c], (unsigned long long)n);
			else
				buf_printf(out, "shop_requests_total{route=\"%s\","
				    "status=\"other\"} %llu\n", route_names[r],
				    (unsigned long long)n);
		}
	}
	buf_puts(out, "# HELP shop_request_duration_seconds From the "
	    "handler's first run to its answer.\n"
	    "# TYPE shop_request_duration_seconds histogram\n");
	for (r = 0; r < nnames; r++) {
		for (cum = 0, sum = 0, w = 0; w < OBS_SLOTS; w++) {
			for (b = 0; b <= OBS_BUCKETS; b++)
				cum += slots[w].latency[r][b];
			sum += slots[w].latency_ms[r];
		}
		if (cum == 0)
			continue;
		for (cum = 0, b = 0; b <= OBS_BUCKETS; b++) {
			for (w = 0; w < OBS_SLOTS; w++)
				cum += slots[w].latency[r][b];
			if (b < OBS_BUCKETS)
				buf_printf(out, "shop_request_duration_seconds_"
				    "bucket{route=\"%s\",le=\"%.3f\"} %llu\n",
				    route_names[r], obs_bounds[b] / 1000.0,
				    (unsigned long long)cum);
			else
				buf_printf(out, "shop_request_duration_seconds_"
				    "bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
				    route_names[r], (unsigned long long)cum);
		}
		buf_printf(out, "shop_request_duration_seconds_sum{route=\"%s\"} "
		    "%.3f\nshop_request_duration_seconds_count{route=\"%s\"} "
		    "%llu\n", route_names[r], sum / 1000.0, route_names[r],
		    (unsigned long long)cum);
	}
}

/* The database pools of every worker. */
static void
metrics_pools(struct buf *out)
{
	static const struct {
		const char	*name;
		const char	*type;
		const char	*help;
		size_t		 off;
		int		 ms;
	} f[] = {
		{ "db_waits_total", "counter", "Statements that queued for "
		    "a pooled connection.", offsetof(struct obs_pool, waits),
		    0 },
		{ "db_wait_seconds_total", "counter", "Time statements "
		    "spent in that queue.", offsetof(struct obs_pool, wait_ms),
		    1 },
		{ "db_queue_length", "gauge", "Statements waiting for a "
		    "connection now.", offsetof(struct obs_pool, queued), 0 },
		{ "db_connections_busy", "gauge", "Pooled connections in "
		    "use now.", offsetof(struct obs_pool, held), 0 },
		{ "db_unavailable_total", "counter", "Statements whose "
		    "connection failed.", offsetof(struct obs_pool,
		    unavailable), 0 },
		{ "db_fallbacks_total", "counter", "Replica statements sent "
		    "to the primary instead.", offsetof(struct obs_pool,
		    fallbacks), 0 },
	};
	static const char	*pools[DB_POOLS] = { "primary", "replica" };
	u_int64_t		 n;
	size_t			 i, p, w;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		buf_printf(out, "# HELP shop_%s %s\n# TYPE shop_%s %s\n",
		    f[i].name, f[i].help, f[i].name, f[i].type);
		for (p = 0; p < DB_POOLS; p++) {
			for (n = 0, w = 0; w < OBS_SLOTS; w++)
				n += *(const u_int64_t *)(const void *)
				    ((const char *)&slots[w].pool[p] +
				    f[i].off);
			if (f[i].ms)
				buf_printf(out, "shop_%s{pool=\"%s\"} %.3f\n",
				    f[i].name, pools[p], n / 1000.0);
			else
				buf_printf(out, "shop_%s{pool=\"%s\"} %llu\n",
				    f[i].name, pools[p], (unsigned long long)n);
		}
	}
}

/*
 * A request answered by edge.c before any handler saw it (a head Kore
 * would have refused): counted by status.
 */
void
obs_edge(int status)
{
	struct obs_slot	*s;

	if ((s = obs_slot()) != NULL)
		s->edge[obs_code(status)]++;
}

/*
 * Costly work a request began (a task: a password hashed or checked, a
 * photo decoded, a workbook written, a matching run): counted so that a
 * test can see that no request which is refused starts any.
 */
void
obs_work(enum obs_work kind)
{
	struct obs_slot	*s;

	if ((s = obs_slot()) != NULL)
		s->work[kind]++;
}

/*
 * The microcache (mcache.c, and the transparency page's parts) served a
 * reader what it kept, had them ask the database for the others, or put
 * them to sleep until another reader's answer came: fetches against hits
 * say how many readers pay for a query (make bench prints it beside the
 * cached pages' p99).
 */
void
obs_cache(enum obs_cache kind)
{
	struct obs_slot	*s;

	if ((s = obs_slot()) != NULL)
		s->cache[kind]++;
}

/* The edge's answers, and the costly work begun. */
static void
metrics_edge(struct buf *out)
{
	u_int64_t	n;
	size_t		c, k, w;

	buf_puts(out, "# HELP shop_edge_answers_total Requests answered "
	    "before any handler (a head the server refuses), by status.\n"
	    "# TYPE shop_edge_answers_total counter\n");
	for (c = 0; c <= OBS_CODES; c++) {
		for (n = 0, w = 0; w < OBS_SLOTS; w++)
			n += slots[w].edge[c];
		if (n == 0)
			continue;
		if (c < OBS_CODES)
			buf_printf(out, "shop_edge_answers_total{status=\"%d\"} "
			    "%llu\n", obs_codes[c], (unsigned long long)n);
		else
			buf_printf(out, "shop_edge_answers_total{status="
			    "\"other\"} %llu\n", (unsigned long long)n);
	}
	buf_puts(out, "# HELP shop_work_total Costly work begun for "
	    "requests (tasks: passwords, photos, workbooks, matching).\n"
	    "# TYPE shop_work_total counter\n");
	for (k = 0; k < OBS_WORK_KINDS; k++) {
		for (n = 0, w = 0; w < OBS_SLOTS; w++)
			n += slots[w].work[k];
		buf_printf(out, "shop_work_total{kind=\"%s\"} %llu\n",
		    obs_work_names[k], (unsigned long long)n);
	}
}

/* The microcache's lookups, by what became of them. */
static void
metrics_cache(struct buf *out)
{
	u_int64_t	n;
	size_t		k, w;

	buf_puts(out, "# HELP shop_page_cache_total GETs the microcache "
	    "dealt with (anonymous ones; the transparency page's parts for "
	    "anyone): served from it (hit), asking the database for the "
	    "others (fetch), asleep until that answer came (wait; then "
	    "counted again).\n# TYPE shop_page_cache_total counter\n");
	for (k = 0; k < OBS_CACHE_KINDS; k++) {
		for (n = 0, w = 0; w < OBS_SLOTS; w++)
			n += slots[w].cache[k];
		buf_printf(out, "shop_page_cache_total{result=\"%s\"} %llu\n",
		    obs_cache_names[k], (unsigned long long)n);
	}
}

/* Every worker's counters, in Prometheus text format, into out. */
void
obs_metrics(struct buf *out)
{
	metrics_requests(out);
	metrics_pools(out);
	metrics_edge(out);
	metrics_cache(out);
}
