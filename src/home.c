/*
 * The home page: what the platform is, its totals, the campaigns and the
 * most urgent needs.  GET / and GET /api/v1/home render the same data.
 */
#include "shop.h"

int	home_page(struct http_request *);
int	home_api(struct http_request *);

static int	home_start(struct http_request *, enum stmt, db_done_fn);

int
home_page(struct http_request *req)
{
	int	r;

	if (http_state_exists(req))
		return (db_run(req));
	if (web_cached(req, &r))
		return (r);
	return (home_start(req, SQL_HOME_PAGE, web_db_page));
}

int
home_api(struct http_request *req)
{
	int	r;

	if (http_state_exists(req))
		return (db_run(req));
	if (web_cached(req, &r))
		return (r);
	return (home_start(req, SQL_HOME, web_db_json));
}

static int
home_start(struct http_request *req, enum stmt stmt, db_done_fn done)
{
	struct db_call	*call;

	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	call = db_prepare(req, stmt, done);
	call->page = "home";
	db_text(call, web_lang_code(web_lang(req)));
	if (stmt == SQL_HOME_PAGE)
		session_bind(req, call);
	return (db_run(req));
}
