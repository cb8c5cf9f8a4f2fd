/*
 * Signing in, up and out: the pages and API of the session's life (the
 * session and CSRF rules themselves are in session.c).
 */
#include <string.h>
#include <strings.h>

#include "shop.h"

int	auth_login(struct http_request *);
int	auth_register(struct http_request *);
int	auth_logout(struct http_request *);
int	auth_login_form(struct http_request *);
int	auth_register_form(struct http_request *);

/* The steps of a sign-in or sign-up keep their state here. */
struct sign {
	struct secret	sec;	/* first: the call's arg is both */
	char		token[SESSION_HEX];
	char		sid[SESSION_HEX];
};

static const struct field login_fields[] = {
	{ "identifier", FIELD_TEXT, 1, 3, 254, NULL },
	SECRET_TYPED_FIELD("password"),
	{ "next", FIELD_TEXT, 0, 1, 200, NULL },
	CSRF_FIELD,
};

/* GET /login and /register: where to go once signed in (or up). */
static const struct field next_query[] = {
	{ "next", FIELD_TEXT, 0, 1, 200, NULL },
};

static const struct field register_fields[] = {
	{ "display_name", FIELD_TEXT, 1, 1, 50, NULL },
	{ "email", FIELD_EMAIL, 0, 0, 0, NULL },
	{ "phone", FIELD_PHONE, 0, 0, 0, NULL },
	SECRET_NEW_FIELD("password"),
	SECRET_AGAIN_FIELD("password2"),
	{ "affiliation", FIELD_TEXT, 0, 0, 100, NULL },
	/* The version of the privacy notice the reader accepted (rights.c). */
	{ "privacy_version", FIELD_INT, 0, 1, 1000, NULL },
	{ "next", FIELD_TEXT, 0, 1, 200, NULL },
	CSRF_FIELD,
};

static void		 new_token(struct sign *);
static json_t		*kept_values(const struct form *, const char *const *);
static const char	*safe_next(const char *);
static int		 sign_refused(struct http_request *, struct db_call *,
			    int, const char *, const char *);
static int		 sign_bad_input(struct http_request *, struct sign *,
			    const struct form_error *);
static int		 login_looked_up(struct http_request *,
			    struct db_call *, PGresult *);
static int		 login_verify(struct kore_task *);
static int		 login_verified(struct http_request *,
			    struct db_call *, PGresult *);
static int		 signed_in(struct http_request *, struct db_call *,
			    PGresult *);
static int		 register_checked(struct http_request *,
			    struct db_call *, PGresult *);
static int		 register_hashed(struct http_request *,
			    struct db_call *, PGresult *);
static int		 logged_out(struct http_request *, struct db_call *,
			    PGresult *);


static void
new_token(struct sign *s)
{
	session_new_token(s->token, s->sid);
}

/* What the reader typed, to fill the form again (never a password). */
static json_t *
kept_values(const struct form *f, const char *const *names)
{
	json_t	*v = json_object();
	size_t	 i;

	for (i = 0; names[i] != NULL; i++) {
		if (form_get(f, names[i]) != NULL)
			json_object_set_new(v, names[i],
			    json_string(form_get(f, names[i])));
	}
	return (v);
}

/* A local path to go back to after signing in, or NULL. */
static const char *
safe_next(const char *next)
{
	if (next == NULL || next[0] != '/' || next[1] == '/' ||
	    next[1] == '\\' || strpbrk(next, "\r\n") != NULL)
		return (NULL);
	return (next);
}

/*
 * GET /login and /register: the form, carrying ?next= (a path of this
 * site: where the reader was going) through to the sign-in or sign-up,
 * and from one form's link to the other.
 */
static int
sign_form(struct http_request *req, enum stmt stmt, const char *page)
{
	struct db_call	*call;
	struct form	 f;
	const char	*next;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET) ||
	    !web_query(req, &f, next_query, NFIELDS(next_query)))
		return (KORE_RESULT_OK);
	call = db_prepare(req, stmt, web_db_page);
	call->page = page;
	if ((next = safe_next(form_get(&f, "next"))) != NULL)
		call->extra = json_pack("{s:{s:s}}", "values", "next", next);
	form_free(&f);
	session_bind(req, call);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

/* GET /login: the form. */
int
auth_login_form(struct http_request *req)
{
	return (sign_form(req, SQL_VIEWER_PAGE, "login"));
}

/* GET /register: the form. */
int
auth_register_form(struct http_request *req)
{
	return (sign_form(req, SQL_REGISTER_PAGE, "register"));
}

/* A refused sign-in or sign-up: the form again, or the JSON error. */
static int
sign_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	static const char *const	keep[] = {
		"identifier", "display_name", "email", "phone", "affiliation",
		"privacy_version", "next", NULL
	};
	struct sign			*s = call->arg;

	int				 reg = strstr(req->path, "register") != NULL;

	return (form_page_again(req, call, reg ? SQL_REGISTER_PAGE :
	    SQL_VIEWER_PAGE, reg ? "register" : "login", NULL, status,
	    code, field, kept_values(&s->sec.form, keep)));
}

/* Input refused before any step: the JSON error, or the form again. */
static int
sign_bad_input(struct http_request *req, struct sign *s,
    const struct form_error *err)
{
	struct db_call	*call;

	if (web_is_api(req)) {
		secret_free(s);
		return (web_error(req, 400, err->code, err->field[0] ?
		    err->field : NULL));
	}
	call = db_begin(req);
	call->arg = s;
	call->arg_free = secret_free;
	sign_refused(req, call, 400, err->code, err->field[0] ? err->field :
	    NULL);
	return (db_run(req));
}

/*
 * POST /login and /api/v1/login: identifier (e-mail or phone) and
 * password.  400 on bad input, 403 without a valid CSRF token (forms),
 * 429 while throttled, 401 for a wrong password or an unknown account
 * (the same answer).  On success: the cookie and a redirect (forms), or
 * {"token","csrf_token","user"} (API, for a Bearer header).
 */
int
auth_login(struct http_request *req)
{
	struct form_error	 err;
	struct db_call		*call;
	struct sign		*s;

	if (http_state_exists(req))
		return (db_run(req));
	if (req->method == HTTP_METHOD_GET && !web_is_api(req))
		return (auth_login_form(req));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	s = secret_new(sizeof(*s));
	if (!web_input(req, &s->sec.form, login_fields, NFIELDS(login_fields),
	    &err))
		return (sign_bad_input(req, s, &err));
	if (!web_post_ok(req, &s->sec.form)) {
		secret_free(s);
		return (KORE_RESULT_OK);
	}
	request_client_ip(req, s->sec.ip, sizeof(s->sec.ip));
	call = db_prepare(req, SQL_LOGIN_BEGIN, login_looked_up);
	call->arg = s;
	call->arg_free = secret_free;
	call->on_error = sign_refused;
	db_text(call, form_get(&s->sec.form, "identifier"));
	db_text(call, s->sec.ip);
	return (db_run(req));
}

static int
login_looked_up(struct http_request *req, struct db_call *call, PGresult *res)
{
	(void)req;
	secret_stored(call->arg, res);
	db_task(call, login_verify, login_verified);
	return (KORE_RESULT_OK);
}

/* On a task thread: the password against the hash, or the dummy. */
static int
login_verify(struct kore_task *t)
{
	struct secret	*sec = db_task_call(t)->arg;

	sec->ok = secret_matches(sec, "password");
	return (KORE_RESULT_OK);
}

static int
login_verified(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct sign	*s = call->arg;

	(void)res;
	new_token(s);
	db_stmt(call, SQL_LOGIN_FINISH, signed_in);
	db_text(call, form_get(&s->sec.form, "identifier"));
	db_text(call, s->sec.ip);
	db_bool(call, s->sec.ok);
	db_text(call, s->sid);
	db_text(call, req->agent);
	return (KORE_RESULT_OK);
}

/*
 * Signed in (or up): the cookie and the way home, or the token.  The
 * result is {"ok", "max_age", "user"}; ok false is a failed sign-in.
 */
static int
signed_in(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct sign	*s = call->arg;
	json_t		*r, *body, *user;
	const char	*role, *next;
	char		 csrf[SESSION_HEX];
	int		 status;

	if ((r = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	if (!json_is_true(json_object_get(r, "ok"))) {
		json_decref(r);
		return (sign_refused(req, call, 401, "bad_credentials", NULL));
	}
	user = json_object_get(r, "user");
	status = strstr(req->path, "register") ? 201 : 200;
	if (web_is_api(req)) {
		session_csrf_of(csrf, s->token);
		body = json_pack("{s:s, s:s, s:O}", "token", s->token,
		    "csrf_token", csrf, "user", user);
		http_response_header(req, "cache-control", "no-store");
		web_json(req, status, body);
		json_decref(body);
		json_decref(r);
		return (KORE_RESULT_OK);
	}
	session_cookie(req, s->token,
	    (long long)json_integer_value(json_object_get(r, "max_age")));
	role = json_string_value(json_object_get(user, "role"));
	if ((next = safe_next(form_get(&s->sec.form, "next"))) == NULL)
		next = role && !strcmp(role, "admin") ? "/admin" :
		    role && !strcmp(role, "staff") ? "/branch" : "/me";
	if (json_is_true(json_object_get(user, "must_change_password")))
		next = "/me";
	web_redirect(req, next);
	json_decref(r);
	return (KORE_RESULT_OK);
}

/*
 * POST /register and /api/v1/register: a donor's own account (name,
 * e-mail and/or phone, password of 10 to 128 characters, optionally the
 * caring organisation they give for) and privacy_version, the version
 * of the privacy notice they accepted (the form's required box); signed
 * in at once, and sent a link to verify the e-mail address (or to a
 * phone-only account a code by SMS; recover.c).  400 on bad input,
 * privacy_consent_required without the notice accepted,
 * privacy_version_stale when it changed since; 409 when the e-mail or
 * phone is taken: all found before the password is hashed.
 */
int
auth_register(struct http_request *req)
{
	struct form_error	 err;
	struct db_call		*call;
	struct sign		*s;

	if (http_state_exists(req))
		return (db_run(req));
	if (req->method == HTTP_METHOD_GET && !web_is_api(req))
		return (auth_register_form(req));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	s = secret_new(sizeof(*s));
	if (!web_input(req, &s->sec.form, register_fields,
	    NFIELDS(register_fields), &err)) {
		/* err says what is wrong */
	} else if (form_get(&s->sec.form, "email") == NULL &&
	    form_get(&s->sec.form, "phone") == NULL) {
		err.code = "contact_required";
		kore_strlcpy(err.field, "email", sizeof(err.field));
	} else if (!secret_twice(req, &s->sec, "password")) {
		err.code = "password_mismatch";
		kore_strlcpy(err.field, "password2", sizeof(err.field));
	} else if (form_get(&s->sec.form, "privacy_version") == NULL) {
		err.code = "privacy_consent_required";
		kore_strlcpy(err.field, "privacy_version", sizeof(err.field));
	} else {
		err.code = NULL;
	}
	if (err.code != NULL)
		return (sign_bad_input(req, s, &err));
	if (!web_post_ok(req, &s->sec.form)) {
		secret_free(s);
		return (KORE_RESULT_OK);
	}
	request_client_ip(req, s->sec.ip, sizeof(s->sec.ip));
	call = db_prepare(req, SQL_REGISTER_CHECK, register_checked);
	call->arg = s;
	call->arg_free = secret_free;
	call->on_error = sign_refused;
	db_text(call, form_get(&s->sec.form, "display_name"));
	db_text(call, form_get(&s->sec.form, "email"));
	db_text(call, form_get(&s->sec.form, "phone"));
	db_text(call, form_get(&s->sec.form, "privacy_version"));
	return (db_run(req));
}

/* Nothing refuses the sign-up but a race: now hash the password. */
static int
register_checked(struct http_request *req, struct db_call *call,
    PGresult *res)
{
	(void)req;
	(void)res;
	db_task(call, secret_hash, register_hashed);
	return (KORE_RESULT_OK);
}

static int
register_hashed(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct sign	*s = call->arg;

	(void)res;
	if (!s->sec.ok)
		return (web_error(req, 500, "internal", NULL));
	new_token(s);
	db_stmt(call, SQL_REGISTER, signed_in);
	db_text(call, form_get(&s->sec.form, "display_name"));
	db_text(call, form_get(&s->sec.form, "email"));
	db_text(call, form_get(&s->sec.form, "phone"));
	db_text(call, form_get(&s->sec.form, "affiliation"));
	db_text(call, form_get(&s->sec.form, "privacy_version"));
	db_text(call, s->sec.hash);
	db_text(call, s->sid);
	db_text(call, s->sec.ip);
	db_text(call, req->agent);
	recover_verify_bind(call);
	return (KORE_RESULT_OK);
}

/*
 * POST /logout and /api/v1/logout: ends the session on the server and
 * clears the cookie.  403 without a valid CSRF token (cookie sessions).
 */
int
auth_logout(struct http_request *req)
{
	struct form_error	 err;
	struct db_call		*call;
	struct form		 f;
	const char		*ctype;
	char			 ip[64];

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (!web_input(req, &f, session_csrf_only,
	    NFIELDS(session_csrf_only), &err) &&
	    http_request_header(req, "content-type", &ctype)) {
		/* An API client may post nothing at all, but not nonsense. */
		form_free(&f);
		return (web_error(req, 400, err.code,
		    err.field[0] ? err.field : NULL));
	}
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	form_free(&f);
	request_client_ip(req, ip, sizeof(ip));
	call = db_prepare(req, SQL_LOGOUT, logged_out);
	session_bind(req, call);
	db_text(call, ip);
	return (db_run(req));
}

static int
logged_out(struct http_request *req, struct db_call *call, PGresult *res)
{
	(void)call;
	(void)res;
	session_cookie(req, NULL, 0);
	if (web_is_api(req))
		return (web_json_text(req, 200, "{\"ok\":true}", 11));
	return (web_redirect(req, "/"));
}
