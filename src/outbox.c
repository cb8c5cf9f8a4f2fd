/*
 * The outbox seen from the site (issue 12): the admins' list of messages
 * with their retry button (/admin/outbox), and a person's own messages
 * (on /me and /me/pledges) written in the reader's language from the
 * catalogue, as build/shop-sender writes them (src/lib/mail.c).  The rules
 * are in sql/api/095_outbox.sql.
 */
#include <string.h>

#include "shop.h"

int	outbox_admin(struct http_request *);
int	outbox_retry(struct http_request *);

static const char *const statuses[] = {
	"pending", "held", "sent", "failed", "folded", NULL
};

static const struct field list_fields[] = {
	{ "status", FIELD_CHOICE, 0, 0, 0, statuses },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};

static int	outbox_retried(struct http_request *, struct db_call *,
		    PGresult *);

/*
 * A done callback for the JSON of a page that lists the person's
 * messages (GET /api/v1/me/pledges): written as web_notifications does.
 */
int
outbox_db_json(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*body;
	int	 r;

	(void)call;
	if ((body = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	web_notifications(body, web_lang(req));
	r = web_json(req, 200, body);
	json_decref(body);
	return (r);
}

/*
 * GET /admin/outbox, /api/v1/admin/outbox (admins; 403 for others): the
 * messages, newest first, 50 a page (page=), of one status (status=
 * pending, held, sent, failed, folded) or all, with their attempts, next
 * attempt and last error.  400 for a bad filter.
 */
int
outbox_admin(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	if (!web_query(req, &f, list_fields, NFIELDS(list_fields)))
		return (KORE_RESULT_OK);
	if (web_is_api(req)) {
		call = db_prepare(req, SQL_OUTBOX_LIST, web_db_json);
	} else {
		call = db_prepare(req, SQL_OUTBOX_PAGE, web_db_page);
		call->page = "outbox";
	}
	session_bind(req, call);
	db_text(call, form_get(&f, "status"));
	db_text(call, form_get(&f, "page"));
	db_text(call, web_lang_code(web_lang(req)));
	form_free(&f);
	return (db_run(req));
}

/*
 * POST /admin/outbox/{id}/retry, /api/v1/admin/outbox/{id}/retry
 * (admins; a form needs its CSRF token): a failed message, or one
 * waiting for its next attempt, is sent again now.  403 for others, 404
 * for no such message, 409 for one sent (or held for a digest).
 */
int
outbox_retry(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;
	const char	*rest;
	char		 id[WEB_ID_MAX], ip[64];

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_path_id(req, web_is_api(req) ? "/api/v1/admin/outbox/" :
	    "/admin/outbox/", id, sizeof(id), &rest) || strcmp(rest, "/retry"))
		return (web_error(req, 404, "not_found", NULL));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (!web_post_input(req, &f, session_csrf_only,
	    NFIELDS(session_csrf_only)))
		return (KORE_RESULT_OK);
	form_free(&f);
	request_client_ip(req, ip, sizeof(ip));
	call = db_prepare(req, SQL_OUTBOX_RETRY, outbox_retried);
	session_bind(req, call);
	db_text(call, id);
	db_text(call, ip);
	return (db_run(req));
}

/* Queued again: the JSON, or the list, which says so (done=). */
static int
outbox_retried(struct http_request *req, struct db_call *call, PGresult *res)
{
	(void)call;
	return (web_saved(req, res, 200, "/admin/outbox"));
}
