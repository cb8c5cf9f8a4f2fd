/*
 * The signed-in person's own account: /me (profile) and /me/password.
 */
#include <string.h>

#include "shop.h"

int	me(struct http_request *);
int	me_password(struct http_request *);

static const struct field profile_fields[] = {
	{ "display_name", FIELD_TEXT, 1, 1, 50, NULL },
	{ "affiliation", FIELD_TEXT, 0, 0, 100, NULL },
	CSRF_FIELD,
};

static const struct field password_fields[] = {
	SECRET_TYPED_FIELD("current_password"),
	SECRET_NEW_FIELD("new_password"),
	SECRET_AGAIN_FIELD("new_password2"),
	CSRF_FIELD,
};

static int	me_api_done(struct http_request *, struct db_call *,
		    PGresult *);
static int	me_saved(struct http_request *, struct db_call *,
		    PGresult *);
static int	password_have(struct http_request *, struct db_call *,
		    PGresult *);
static int	password_check(struct kore_task *);
static int	password_checked(struct http_request *, struct db_call *,
		    PGresult *);

/* A refused form of /me (profile, password, verification): /me again. */
int
me_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	return (form_page_again(req, call, SQL_ME_PAGE, "me", NULL, status, code,
	    field, NULL));
}

/*
 * GET /me, /api/v1/me: the profile (401 without a session; pages go to
 * the sign-in form).  POST: a new display name and affiliation; 400 on
 * bad input, 403 without the CSRF token.
 */
int
me(struct http_request *req)
{
	struct form_error	 err;
	struct db_call		*call;
	struct form		 f;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (req->method != HTTP_METHOD_POST) {
		if (web_is_api(req)) {
			call = db_prepare(req, SQL_ME, me_api_done);
		} else {
			call = db_prepare(req, SQL_ME_PAGE, web_db_page);
			call->page = "me";
		}
		session_bind(req, call);
		db_text(call, web_lang_code(web_lang(req)));
		return (db_run(req));
	}
	if (!web_input(req, &f, profile_fields, NFIELDS(profile_fields),
	    &err)) {
		form_free(&f);
		return (form_page_again(req, NULL, SQL_ME_PAGE, "me", NULL, 400,
		    err.code, err.field[0] ? err.field : NULL, NULL));
	}
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	call = db_prepare(req, SQL_ME_UPDATE, me_saved);
	call->on_error = me_refused;
	session_bind(req, call);
	db_text(call, form_get(&f, "display_name"));
	db_text(call, form_get(&f, "affiliation"));
	form_free(&f);
	return (db_run(req));
}

/* The profile as JSON, with the CSRF token the client must send back. */
static int
me_api_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*body;
	char	 csrf[SESSION_HEX];
	int	 r;

	(void)call;
	if ((body = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	web_notifications(body, web_lang(req));
	session_csrf(req, csrf);
	json_object_set_new(body, "csrf_token", json_string(csrf));
	r = web_json(req, 200, body);
	json_decref(body);
	return (r);
}

static int
me_saved(struct http_request *req, struct db_call *call, PGresult *res)
{
	(void)call;
	(void)res;
	if (web_is_api(req))
		return (web_json_text(req, 200, "{\"ok\":true}", 11));
	return (web_redirect(req, "/me"));
}

/*
 * POST /me/password, /api/v1/me/password: the current password and a new
 * one of 10 to 128 characters.  400 when the current one is wrong or the
 * new one is refused; every other session of the account ends.
 */
int
me_password(struct http_request *req)
{
	struct form_error	 err;
	struct db_call		*call;
	struct secret		*c;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	c = secret_new(sizeof(*c));
	if (!web_input(req, &c->form, password_fields,
	    NFIELDS(password_fields), &err)) {
		secret_free(c);
		return (form_page_again(req, NULL, SQL_ME_PAGE, "me", NULL, 400,
		    err.code, err.field[0] ? err.field : NULL, NULL));
	}
	if (!secret_twice(req, c, "new_password")) {
		secret_free(c);
		return (form_page_again(req, NULL, SQL_ME_PAGE, "me", NULL, 400,
		    "password_mismatch", "new_password2", NULL));
	}
	if (!web_post_ok(req, &c->form)) {
		secret_free(c);
		return (KORE_RESULT_OK);
	}
	request_client_ip(req, c->ip, sizeof(c->ip));
	call = db_prepare(req, SQL_PASSWORD_CURRENT, password_have);
	call->arg = c;
	call->arg_free = secret_free;
	call->on_error = me_refused;
	session_bind(req, call);
	return (db_run(req));
}

static int
password_have(struct http_request *req, struct db_call *call, PGresult *res)
{
	(void)req;
	secret_stored(call->arg, res);
	db_task(call, password_check, password_checked);
	return (KORE_RESULT_OK);
}

/* On a task thread: the current password, then the new one's hash. */
static int
password_check(struct kore_task *t)
{
	struct secret	*c = db_task_call(t)->arg;
	const char	*pw = form_get(&c->form, "new_password");

	c->ok = secret_matches(c, "current_password") &&
	    password_hash(pw, strlen(pw), c->hash, sizeof(c->hash));
	return (KORE_RESULT_OK);
}

static int
password_checked(struct http_request *req, struct db_call *call,
    PGresult *res)
{
	struct secret	*c = call->arg;

	(void)res;
	if (!c->ok)
		return (me_refused(req, call, 400, "wrong_password",
		    "current_password"));
	db_stmt(call, SQL_PASSWORD_SET, me_saved);
	session_bind(req, call);
	db_text(call, c->hash);
	db_text(call, c->ip);
	return (KORE_RESULT_OK);
}
