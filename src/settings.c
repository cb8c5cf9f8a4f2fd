/*
 * The platform's settings, for admins: the public notice, the time a
 * donor has to deliver a pledge, the grace and return times of 1+1
 * pairings, the open pledges an unverified donor may hold, and the
 * foundation's receiving account.  The rules are those of
 * sql/api/043_settings.sql; the page that shows them is /admin/needs
 * (need_work.c).
 */
#include <string.h>

#include "shop.h"

int	settings(struct http_request *);

/*
 * Their ranges are api.settings_range's (sql/api/043_settings.sql); the
 * foundation's account is text (api.settings_text), checked there too.
 */
static const struct field settings_fields[] = {
	{ "notice_days", FIELD_INT, 0, -100000, 100000, NULL },
	{ "pledge_due_days", FIELD_INT, 0, -100000, 100000, NULL },
	{ "pairing_grace_days", FIELD_INT, 0, -100000, 100000, NULL },
	{ "pairing_return_days", FIELD_INT, 0, -100000, 100000, NULL },
	{ "unverified_pledge_limit", FIELD_INT, 0, -100000, 100000, NULL },
	{ "child_private_retention_days", FIELD_INT, 0, -100000, 100000, NULL },
	{ "fund_payee", FIELD_TEXT, 0, 0, 100, NULL },
	{ "fund_bank", FIELD_TEXT, 0, 0, 100, NULL },
	{ "fund_account", FIELD_TEXT, 0, 0, 40, NULL },
	CSRF_FIELD,
};

static int	settings_refused(struct http_request *, struct db_call *,
		    int, const char *, const char *);

static int
settings_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	return (form_page_again(req, call, SQL_ADMIN_NEEDS_PAGE, "admin-needs",
	    NULL, status, code, field, NULL));
}

/*
 * GET /api/v1/settings, POST /admin/settings and /api/v1/settings
 * (admins): any of notice_days (the public notice), pledge_due_days,
 * pairing_grace_days and pairing_return_days, in days, and the
 * foundation's receiving account: fund_payee, fund_bank, fund_account
 * (text; sent empty, one is cleared).
 */
int
settings(struct http_request *req)
{
	struct form_error	 err;
	struct db_call		*call;
	struct form		 f;
	json_t			*o;
	char			*text, ip[64];
	const char		*v, *name;
	size_t			 i, k;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, (web_is_api(req) ? HTTP_METHOD_GET : 0) |
	    HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (req->method != HTTP_METHOD_POST) {
		call = db_prepare(req, SQL_SETTINGS_GET, web_db_json);
		session_bind(req, call);
		return (db_run(req));
	}
	if (!web_input(req, &f, settings_fields, NFIELDS(settings_fields),
	    &err))
		return (form_page_bad_input(req, SQL_ADMIN_NEEDS_PAGE,
		    "admin-needs", NULL, &f, &err));
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	o = json_object();
	for (i = 0; i < f.n; i++) {
		name = f.v[i].name;
		v = f.v[i].value;
		for (k = 0; k < NFIELDS(settings_fields) &&
		    strcmp(settings_fields[k].name, name); k++)
			continue;
		if (k == NFIELDS(settings_fields) || !strcmp(name, "csrf"))
			continue;
		if (settings_fields[k].kind != FIELD_INT)
			json_object_set_new(o, name, json_string(v));
		else if (*v != '\0')
			json_object_set_new(o, name,
			    json_integer(strtoll(v, NULL, 10)));
	}
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	form_free(&f);
	request_client_ip(req, ip, sizeof(ip));
	call = db_prepare(req, SQL_SETTINGS_SET, web_db_saved);
	call->saved_to = "/admin/needs";
	call->on_error = settings_refused;
	session_bind(req, call);
	db_text(call, text);
	db_text(call, ip);
	free(text);
	return (db_run(req));
}

