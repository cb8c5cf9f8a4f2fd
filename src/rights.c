/*
 * Personal-information rights (issue 18, item 3): the privacy notice
 * (/privacy; accepted at registration, auth.c), and on /me/data an
 * account's own rights: a change of e-mail address or phone, made once
 * the new one is verified (the link of /verify/email or the code of
 * /me/verify/code, recover.c), the download of everything held about it
 * (JSON here; CSV and .xlsx through list_export.c), and the deletion of
 * a donor's account.  The rules are sql/api/096_rights.sql's; the
 * withdrawal of a guardian's consent is children.c's, the purge that
 * follows a periodic job (jobs.c).
 */
#include "shop.h"

int	me_contact(struct http_request *);

static const struct field f_delete[] = {
	{ "confirm", FIELD_BOOL, 1, 0, 0, NULL },
	CSRF_FIELD,
};

static const struct field contact_fields[] = {
	{ "email", FIELD_EMAIL, 0, 0, 0, NULL },
	{ "phone", FIELD_PHONE, 0, 0, 0, NULL },
	CSRF_FIELD,
};

static int	contact_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);

/* GET /privacy, /api/v1/privacy: the current notice, and its versions. */
static const struct action privacy_get = {
	.stmt = SQL_PRIVACY_PAGE, .binds = "$sid $lang", .tmpl = "privacy",
};

/*
 * GET /me/data, /api/v1/me/data (signed in): the contact and a change
 * waiting, the downloads, whether the account can be deleted.
 */
static const struct action me_data_get = {
	.stmt = SQL_ME_DATA_PAGE, .binds = "$sid $lang", .tmpl = "me-data",
};

/* GET /me/export.json, /api/v1/me/export: everything, as JSON. */
static const struct action me_export_get = {
	.stmt = SQL_ME_EXPORT, .binds = "$sid", .done = web_db_json,
};

/*
 * POST /me/delete, /api/v1/me/delete {"confirm": true} (a donor): 403
 * for staff and admins, 409 account_has_open_pledges while a pledge or
 * a pairing is in progress.  The form goes on to the home page, signed
 * out.
 */
static const struct action me_delete_post = {
	.stmt = SQL_ME_DELETE, .binds = "$sid $ip", ACTION_FIELDS(f_delete),
	.again = &me_data_get, .back = "/",
};

ACTION_HANDLER(privacy_page, NULL, NULL, &privacy_get, NULL)
ACTION_HANDLER(me_data, NULL, NULL, &me_data_get, NULL)
ACTION_HANDLER(me_export, NULL, NULL, &me_export_get, NULL)
ACTION_HANDLER(me_delete, NULL, NULL, NULL, &me_delete_post)

static int
contact_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	return (form_page_again(req, call, SQL_ME_DATA_PAGE, "me-data", NULL,
	    status, code, field, NULL));
}

/*
 * POST /me/contact, /api/v1/me/contact (signed in): email or phone, one
 * of them, the account's new contact.  A link goes to the new address
 * (or a code by SMS to the new phone); the contact changes when it comes
 * back.  200 {"ok","channel"} (API) or on to /me/data.  400
 * on bad input, contact_required (neither or both), contact_unchanged;
 * 401; 403 without a valid CSRF token (forms); 409 account_exists; 429.
 */
int
me_contact(struct http_request *req)
{
	struct form_error	 err;
	struct db_call		*call;
	struct form		 f;
	char			 ip[64];

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (!web_input(req, &f, contact_fields, NFIELDS(contact_fields),
	    &err)) {
		form_free(&f);
		return (form_page_again(req, NULL, SQL_ME_DATA_PAGE, "me-data",
		    NULL, 400, err.code, err.field[0] ? err.field : NULL,
		    NULL));
	}
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	request_client_ip(req, ip, sizeof(ip));
	call = db_prepare(req, SQL_CONTACT_CHANGE, web_db_saved);
	call->saved_to = "/me/data";
	call->on_error = contact_refused;
	session_bind(req, call);
	db_text(call, form_get(&f, "email"));
	db_text(call, form_get(&f, "phone"));
	recover_verify_bind(call);
	db_text(call, ip);
	form_free(&f);
	return (db_run(req));
}
