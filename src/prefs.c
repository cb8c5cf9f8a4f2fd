/*
 * Which messages a person gets (issue 12): /me/notifications, where each
 * kind can be turned off (account and security messages cannot), the
 * language of the messages chosen, and staff may take one digest a day;
 * and /unsubscribe, the one-click link of each message (RFC 8058).  The
 * rules are in sql/api/095_outbox.sql (api.notify_kinds lists the kinds
 * below, with who gets them).
 */
#include <string.h>

#include "shop.h"

int	me_notifications(struct http_request *);
int	unsubscribe(struct http_request *);


/* The kinds that can be turned off: those of api.notify_kinds(). */
#define KIND(k)	{ k, FIELD_BOOL, 0, 0, 0, NULL }

static const struct field prefs_fields[] = {
	{ "lang", FIELD_CHOICE, 0, 0, 0, web_langs },
	{ "digest", FIELD_BOOL, 0, 0, 0, NULL },
	KIND("pledge_made"), KIND("due_soon"), KIND("received"),
	KIND("disputed"), KIND("expired"), KIND("need_expired"),
	KIND("need_cancelled"), KIND("proposal"), KIND("pairing_flagged"),
	KIND("pairing_ended"), KIND("pairing_lapsed"),
	KIND("pairing_completed"), KIND("pledge_new"),
	KIND("pledge_delivered"), KIND("pledge_disputed"),
	KIND("pledge_message"), KIND("objection"), KIND("pairing"),
	KIND("pairing_resolved"), KIND("proposal_declined"),
	KIND("report_due"), KIND("report_late"), KIND("objection_waiting"),
	KIND("outbox_failing"),
	CSRF_FIELD,
};

#define PREFS_FIRST_KIND	2	/* prefs_fields[2] on are kinds */

static const struct field link_fields[] = {
	{ "t", FIELD_TEXT, 1, 1, 64, NULL },
	{ "k", FIELD_TEXT, 1, 1, 40, NULL },
};

static int	prefs_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);

static int
prefs_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	return (form_page_again(req, call, SQL_NOTIFY_PREFS_PAGE,
	    "notify-prefs", NULL, status, code, field, NULL));
}

/*
 * GET /me/notifications, /api/v1/me/notifications (anyone signed in;
 * 401 otherwise): the kinds of messages the account gets, each on or
 * off, their language, and for staff the daily digest.  POST: lang (zh,
 * en), digest (staff only) and a boolean per kind; from the form, the
 * kinds not ticked are off, through the API those not named are
 * unchanged.  400 for a kind that cannot be turned off, 403 without the
 * CSRF token.
 */
int
me_notifications(struct http_request *req)
{
	struct form_error	 err;
	struct db_call		*call;
	struct form		 f;
	json_t			*kinds;
	const char		*v, *d;
	char			*s;
	size_t			 i;
	int			 api = web_is_api(req);

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (req->method != HTTP_METHOD_POST) {
		if (api) {
			call = db_prepare(req, SQL_NOTIFY_PREFS, web_db_json);
		} else {
			call = db_prepare(req, SQL_NOTIFY_PREFS_PAGE,
			    web_db_page);
			call->page = "notify-prefs";
		}
		session_bind(req, call);
		db_text(call, web_lang_code(web_lang(req)));
		return (db_run(req));
	}
	if (!web_input(req, &f, prefs_fields, NFIELDS(prefs_fields), &err)) {
		form_free(&f);
		return (prefs_refused(req, NULL, 400, err.code,
		    err.field[0] ? err.field : NULL));
	}
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	kinds = json_object();
	for (i = PREFS_FIRST_KIND; i < NFIELDS(prefs_fields) - 1; i++) {
		if ((v = form_get(&f, prefs_fields[i].name)) != NULL)
			json_object_set_new(kinds, prefs_fields[i].name,
			    json_boolean(form_bool(&f, prefs_fields[i].name)));
	}
	call = db_prepare(req, SQL_NOTIFY_PREFS_SET, web_db_saved);
	call->saved_to = "/me/notifications";
	call->on_error = prefs_refused;
	session_bind(req, call);
	if ((s = json_dumps(kinds, JSON_COMPACT)) == NULL)
		fatal("json_dumps");
	db_text(call, s);
	free(s);
	json_decref(kinds);
	db_bool(call, !api);
	db_text(call, form_get(&f, "lang"));
	/* An unticked box sends nothing: from the form, no digest. */
	d = form_get(&f, "digest");
	db_text(call, d != NULL ? (form_bool(&f, "digest") ? "true" :
	    "false") : api ? NULL : "false");
	db_text(call, web_lang_code(web_lang(req)));
	form_free(&f);
	return (db_run(req));
}

/*
 * GET /unsubscribe?t=TOKEN&k=KIND: the page that turns kind KIND off for
 * the account of TOKEN (a mail scanner following the link changes
 * nothing); POST: turns it off (RFC 8058 one-click: the token is the
 * authority, no session or CSRF token, the body is not read).  404 for
 * a token or kind that names nothing.
 */
int
unsubscribe(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (!web_query(req, &f, link_fields, NFIELDS(link_fields)))
		return (KORE_RESULT_OK);
	call = db_prepare(req, req->method == HTTP_METHOD_POST ?
	    SQL_UNSUBSCRIBE : SQL_UNSUBSCRIBE_PAGE, web_db_page);
	call->page = "unsubscribe";
	db_text(call, form_get(&f, "t"));
	db_text(call, form_get(&f, "k"));
	db_text(call, web_lang_code(web_lang(req)));
	session_bind(req, call);
	form_free(&f);
	return (db_run(req));
}
