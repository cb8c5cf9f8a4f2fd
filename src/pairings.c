/*
 * "1+1" pairings: one donor and one child over the terms of the child's
 * scholarship need, each term a pledge of its own.  The rules (who may,
 * the terms, lapses) are in sql/api/062_pairings.sql; lapses are found
 * by api.pairings_tick (src/jobs.c).
 */
#include <string.h>

#include "shop.h"

int	pairings_list(struct http_request *);
int	pairing_new(struct http_request *);
int	pairing_page(struct http_request *);
int	pairing_action(struct http_request *);

/* The API names the need; the form has it in its path. */
static const struct field create_fields[] = {
	{ "need_id", FIELD_INT, 1, 1, ID_MAX, NULL },
	{ "terms", FIELD_INT, 1, 1, 12, NULL },
	{ "first_due", FIELD_TEXT, 0, 10, 10, NULL },
	{ "months_per_term", FIELD_INT, 0, 1, 12, NULL },
	{ "anonymous", FIELD_BOOL, 0, 0, 0, NULL },
	CSRF_FIELD,
};

static const struct field end_fields[] = {
	{ "reason", FIELD_LINES, 1, 2, 500, NULL },
	CSRF_FIELD,
};

static int	created(struct http_request *, struct db_call *, PGresult *);
static int	create(struct http_request *, const char *);
static int	acted(struct http_request *, struct db_call *, PGresult *);

/*
 * GET /pairings (page), /api/v1/pairings: the caller's pairings (donors
 * their own, staff their children's, admins all) and, for staff and
 * admins, the children seeking a pair.  POST /api/v1/pairings (donors):
 * need_id, terms, first_due (YYYY-MM-DD), months_per_term, anonymous.
 */
int
pairings_list(struct http_request *req)
{
	struct db_call	*call;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET | (web_is_api(req) ?
	    HTTP_METHOD_POST : 0)))
		return (KORE_RESULT_OK);
	if (req->method == HTTP_METHOD_POST)
		return (create(req, NULL));
	call = db_prepare(req, SQL_PAIRINGS_LIST, web_is_api(req) ?
	    web_db_json : web_db_page);
	call->page = "pairings";
	session_bind(req, call);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

/*
 * GET /needs/{id}/pair: the pairing form for a child's scholarship need
 * (donors).  POST: the pairing (terms, first_due, months_per_term,
 * anonymous); on to its page.
 */
int
pairing_new(struct http_request *req)
{
	struct db_call	*call;
	const char	*rest;
	char		 id[24];

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (!web_path_id(req, "/needs/", id, sizeof(id), &rest) ||
	    strcmp(rest, "/pair"))
		return (web_error(req, 404, "not_found", NULL));
	if (req->method == HTTP_METHOD_POST)
		return (create(req, id));
	call = db_prepare(req, SQL_PAIRING_FORM, web_db_page);
	call->page = "pair-form";
	session_bind(req, call);
	db_text(call, id);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

/* A new pairing, on need (the form's path) or the body's need_id. */
static int
create(struct http_request *req, const char *need)
{
	struct db_call	*call;
	struct form	 f;

	if (!web_post_input(req, &f, need != NULL ? create_fields + 1 : create_fields,
	    need != NULL ? NFIELDS(create_fields) - 1 :
	    NFIELDS(create_fields)))
		return (KORE_RESULT_OK);
	call = db_prepare(req, SQL_PAIRING_CREATE, created);
	session_bind(req, call);
	db_text(call, need != NULL ? need : form_get(&f, "need_id"));
	db_text(call, form_get(&f, "terms"));
	db_text(call, form_get(&f, "first_due"));
	db_text(call, form_get(&f, "months_per_term"));
	db_bool(call, form_bool(&f, "anonymous"));
	db_text(call, web_lang_code(web_lang(req)));
	form_free(&f);
	return (db_run(req));
}

/* Made: 201 with it (API), or on to its page. */
static int
created(struct http_request *req, struct db_call *call, PGresult *res)
{
	(void)call;
	return (web_saved_record(req, res, 201, "pairing", "/pairings/"));
}

/*
 * GET /pairings/{id} (page), /api/v1/pairings/{id}: the pairing card:
 * the child's public profile, the schedule of terms with their pledges,
 * the history.  Its donor, staff of the child's organisation or above,
 * admins; 404 for anyone else.
 */
int
pairing_page(struct http_request *req)
{
	struct db_call	*call;
	char		 id[24];

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	if (!web_path_id(req, web_is_api(req) ? "/api/v1/pairings/" :
	    "/pairings/", id, sizeof(id), NULL))
		return (web_error(req, 404, "not_found", NULL));
	call = db_prepare(req, SQL_PAIRING_GET, web_is_api(req) ?
	    web_db_json : web_db_page);
	call->page = "pairing";
	session_bind(req, call);
	db_text(call, id);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

/*
 * POST /pairings/{id}/end (reason: its donor, the child's staff, admins)
 * and /pairings/{id}/renew (its donor: terms whose pledge lapsed are
 * pledged again), and the same under /api/v1/.  404 for a pairing the
 * caller may not see; 409 once it is over.
 */
int
pairing_action(struct http_request *req)
{
	static const char *const	 actions[] = { "end", "renew", NULL };
	struct db_call			*call;
	struct form			 f;
	char				 id[WEB_ID_MAX], ip[64];
	int				 action;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if ((action = web_path_action(req, web_is_api(req) ?
	    "/api/v1/pairings/" : "/pairings/", id, sizeof(id),
	    actions)) == -1)
		return (web_error(req, 404, "not_found", NULL));
	if (action == 0) {
		if (!web_post_input(req, &f, end_fields, NFIELDS(end_fields)))
			return (KORE_RESULT_OK);
		request_client_ip(req, ip, sizeof(ip));
		call = db_prepare(req, SQL_PAIRING_END, acted);
		session_bind(req, call);
		db_text(call, id);
		db_text(call, form_get(&f, "reason"));
		db_text(call, ip);
	} else {
		if (!web_post_input(req, &f, session_csrf_only,
		    NFIELDS(session_csrf_only)))
			return (KORE_RESULT_OK);
		call = db_prepare(req, SQL_PAIRING_RENEW, acted);
		session_bind(req, call);
		db_text(call, id);
	}
	db_text(call, web_lang_code(web_lang(req)));
	form_free(&f);
	return (db_run(req));
}

/* Done: 200 with the pairing (API), or on to its page. */
static int
acted(struct http_request *req, struct db_call *call, PGresult *res)
{
	(void)call;
	return (web_saved_record(req, res, 200, "pairing", "/pairings/"));
}
