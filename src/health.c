/*
 * /healthz: whether this node can reach its databases and run its jobs.
 */
#include "shop.h"

int	health(struct http_request *);

static int	health_primary(struct http_request *, struct db_call *,
		    PGresult *);
static int	health_replica(struct http_request *, struct db_call *,
		    PGresult *);
static int	health_answer(struct http_request *, struct db_call *);

/*
 * GET /healthz: which dependency answers.  The primary (through the
 * pooler when there is one) is asked "select 1"; the replica, when
 * SHOP_READ_DATABASE is set, how far behind it is.
 *   200 {"status":"ok","database":"ok"[,"replica":{"status":"ok",
 *        "lag_seconds":n}]}
 *   200 {"status":"degraded",...,"replica":{"status":"down",...},
 *        "failing":["replica"]}: public pages are read from the primary
 *   503 {"error":{"code":"unavailable",...,"failing":["database"],
 *        "database":"unreachable"|"no_server"|"error"}}, Retry-After 5:
 *        "unreachable" when nothing answers at SHOP_DATABASE's address
 *        (the pooler or the server is down), "no_server" when the pooler
 *        answers but its server does not.
 * The body also says how the periodic jobs fared in their latest run,
 * whichever worker or node ran them (api.health: "jobs": {name:
 * {"last_run", "started", "batches", "done", "backlog", "error"}}).
 */
int
health(struct http_request *req)
{
	struct db_call	*call;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	call = db_prepare(req, SQL_HEALTH, health_primary);
	call->route = DB_ROUTE_PRIMARY;
	call->on_fail = health_primary;
	call->extra = json_object();
	return (db_run(req));
}

static int
health_primary(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*h;

	json_object_set_new(call->extra, "database", json_string(call->failed ?
	    call->fail_reason : "ok"));
	if (!call->failed && (h = web_db_object(res, 0)) != NULL) {
		json_object_set(call->extra, "jobs", json_object_get(h, "jobs"));
		json_decref(h);
	}
	if (!db_read_configured())
		return (health_answer(req, call));
	db_stmt(call, SQL_REPLICA_STATUS, health_replica);
	call->route = DB_ROUTE_READ;
	call->on_fail = health_replica;
	return (KORE_RESULT_OK);
}

static int
health_replica(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*o, *r;

	r = json_object();
	if (call->failed || (o = web_db_object(res, 0)) == NULL) {
		json_object_set_new(r, "status", json_string("down"));
		if (call->failed)
			json_object_set_new(r, "reason",
			    json_string(call->fail_reason));
	} else {
		json_object_set_new(r, "status", json_string("ok"));
		json_object_set(r, "lag_seconds",
		    json_object_get(o, "lag_seconds"));
		json_object_set(r, "in_recovery",
		    json_object_get(o, "in_recovery"));
		json_decref(o);
	}
	json_object_set_new(call->extra, "replica", r);
	return (health_answer(req, call));
}

static int
health_answer(struct http_request *req, struct db_call *call)
{
	json_t		*o = call->extra, *failing, *r;
	int		 status;

	failing = json_array();
	if (strcmp(json_string_value(json_object_get(o, "database")), "ok"))
		json_array_append_new(failing, json_string("database"));
	r = json_object_get(o, "replica");
	if (r != NULL && strcmp(json_string_value(json_object_get(r,
	    "status")), "ok"))
		json_array_append_new(failing, json_string("replica"));
	json_object_set_new(o, "failing", failing);

	if (json_array_size(failing) > 0 &&
	    strcmp(json_string_value(json_object_get(o, "database")), "ok")) {
		http_response_header(req, "retry-after", "5");
		return (web_error_detail(req, 503, "unavailable", NULL, o));
	}
	json_object_set_new(o, "status", json_string(
	    json_array_size(failing) > 0 ? "degraded" : "ok"));
	if (json_array_size(failing) == 0)
		json_object_del(o, "failing");
	status = web_json(req, 200, o);
	return (status);
}
