/*
 * GET /metrics (Prometheus text format), served only on the loopback
 * "metrics" server of conf/kore.production.conf: obs.c's counters, then
 * what the databases say.
 */
#include <string.h>

#include "shop.h"

int	metrics(struct http_request *);

static int	metrics_db(struct http_request *, struct db_call *,
		    PGresult *);
static int	metrics_replica(struct http_request *, struct db_call *,
		    PGresult *);
static int	metrics_answer(struct http_request *, struct db_call *);
static void	metrics_buf_free(void *);

/*
 * GET /metrics, on the metrics server only (404 on any other): the
 * counters of every worker, then what the primary says (outbox, log,
 * checkpoint) and what the replica says (its lag).  A database that does
 * not answer is reported as down, not as an error: this page is how one
 * sees that it is down.
 */
int
metrics(struct http_request *req)
{
	struct db_call	*call;

	if (http_state_exists(req))
		return (db_run(req));
	if (strcmp(req->owner->owner->server->name, "metrics"))
		return (web_error(req, 404, "not_found", NULL));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	call = db_prepare(req, SQL_OPS_METRICS, metrics_db);
	call->route = DB_ROUTE_PRIMARY;
	call->on_fail = metrics_db;
	call->arg = kore_calloc(1, sizeof(struct buf));
	buf_init(call->arg, 16384);
	call->arg_free = metrics_buf_free;
	return (db_run(req));
}

static void
metrics_buf_free(void *arg)
{
	buf_free(arg);
	kore_free(arg);
}

static int
metrics_db(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct buf	*out = call->arg;
	json_t		*o, *v;
	const char	*k;

	obs_metrics(out);
	o = call->failed ? NULL : web_db_object(res, 0);
	buf_printf(out, "# HELP shop_database_up Whether the primary "
	    "answered this scrape.\n# TYPE shop_database_up gauge\n"
	    "shop_database_up %d\n", o != NULL);
	json_object_foreach(o, k, v) {
		if (json_is_integer(v))
			buf_printf(out, "# TYPE shop_%s gauge\nshop_%s %lld\n", k,
			    k, (long long)json_integer_value(v));
		else if (json_is_real(v))
			buf_printf(out, "# TYPE shop_%s gauge\nshop_%s %.3f\n", k,
			    k, json_real_value(v));
	}
	json_decref(o);
	if (!db_read_configured())
		return (metrics_answer(req, call));
	db_stmt(call, SQL_REPLICA_STATUS, metrics_replica);
	call->route = DB_ROUTE_READ;
	call->on_fail = metrics_replica;
	return (KORE_RESULT_OK);
}

static int
metrics_replica(struct http_request *req, struct db_call *call,
    PGresult *res)
{
	struct buf	*out = call->arg;
	json_t		*o;

	o = call->failed ? NULL : web_db_object(res, 0);
	buf_printf(out, "# HELP shop_replica_up Whether the read-only "
	    "database answered this scrape.\n# TYPE shop_replica_up gauge\n"
	    "shop_replica_up %d\n", o != NULL);
	if (o != NULL) {
		buf_printf(out, "# HELP shop_replica_lag_seconds Time since "
		    "the replica last replayed a commit it had not yet "
		    "(0 when caught up).\n# TYPE shop_replica_lag_seconds "
		    "gauge\nshop_replica_lag_seconds %.3f\n",
		    json_number_value(json_object_get(o, "lag_seconds")));
		buf_printf(out, "# TYPE shop_replica_in_recovery gauge\n"
		    "shop_replica_in_recovery %d\n",
		    json_is_true(json_object_get(o, "in_recovery")));
	}
	json_decref(o);
	return (metrics_answer(req, call));
}

static int
metrics_answer(struct http_request *req, struct db_call *call)
{
	struct buf	*out = call->arg;

	http_response_header(req, "cache-control", "no-store");
	return (web_send(req, 200, "text/plain; version=0.0.4; charset=utf-8",
	    out->data, out->len));
}
