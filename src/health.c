/*
 * Liveness and the answer for paths nobody serves.
 */
#include "shop.h"

int	health(struct http_request *);
int	not_found(struct http_request *);

static int	health_done(struct http_request *, struct db_call *,
		    PGresult *);

/*
 * GET /healthz: 200 when the database answers, 503 otherwise.  The body
 * says how the periodic jobs fared in their latest run, whichever worker
 * or node ran them (api.health: {"status": "ok", "jobs": {name:
 * {"last_run", "started", "batches", "done", "backlog", "error"}}}).
 */
int
health(struct http_request *req)
{
	if (!http_state_exists(req)) {
		if (!web_method(req, HTTP_METHOD_GET))
			return (KORE_RESULT_OK);
		db_prepare(req, SQL_HEALTH, health_done);
	}
	return (db_run(req));
}

static int
health_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	static const char	 ok[] = "{\"status\":\"ok\"}";
	const char		*body;
	size_t			 len;

	(void)call;
	if ((body = db_value(res, 0, 0, &len)) == NULL)
		return (web_json_text(req, 200, ok, sizeof(ok) - 1));
	return (web_json_text(req, 200, body, len));
}

/* Everything no route claims: 404, as a page or as JSON under /api/. */
int
not_found(struct http_request *req)
{
	return (web_error(req, 404, "not_found", NULL));
}
