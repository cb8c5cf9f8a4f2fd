/*
 * Accounts that can be recovered (issue 12, item 4): a forgotten password
 * (/password/forgot), a password set from a link (/password/reset: a
 * reset, or an invitation made by an admin or a branch, accounts.c), the
 * verification of a new account's e-mail address (/verify/email) or of a
 * phone-only account's phone (a code typed on /me), and the one-time
 * tokens they carry.  The rules live in sql/api/032_recovery.sql.
 *
 * A link's token is 256 random bits from OpenSSL (64 hex digits), an SMS
 * code 6 random digits; the database stores only their SHA-256, as for
 * session tokens (auth.c).  The token or the code itself goes only into
 * the message that carries it (the notifications outbox row's params,
 * rendered by the sender from mail.<kind>.* of the catalogues): never
 * into a log, an error or the audit log.  Kore's access log holds a
 * request's path without its query string, and the pages under
 * /password/ and /verify/ send only their origin as Referer
 * (web_headers), so the token in their address reaches no log through
 * the requests they lead to.  A proxy in front logs query strings
 * unless told not to (conf/nginx.conf is).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "shop.h"

int	password_forgot(struct http_request *);
int	password_reset(struct http_request *);
int	verify_email(struct http_request *);
int	me_verify(struct http_request *);
int	me_verify_code(struct http_request *);

#define CODE_DIGITS	6

static const struct field forgot_fields[] = {
	{ "identifier", FIELD_CONTACT, 1, 0, 0, NULL },
	CSRF_FIELD,
};

static const struct field reset_fields[] = {
	{ "token", FIELD_TOKEN, 1, 0, 0, NULL },
	SECRET_NEW_FIELD("password"),
	SECRET_AGAIN_FIELD("password2"),
	{ "invite", FIELD_BOOL, 0, 0, 0, NULL },
	CSRF_FIELD,
};

static const struct field link_query[] = {
	{ "token", FIELD_TOKEN, 1, 0, 0, NULL },
	{ "invite", FIELD_BOOL, 0, 0, 0, NULL },
};

static const struct field token_fields[] = {
	{ "token", FIELD_TOKEN, 1, 0, 0, NULL },
};

static const struct field code_fields[] = {
	{ "verify_code", FIELD_DIGITS, 1, 0, CODE_DIGITS, NULL },
	CSRF_FIELD,
};

/* The steps of a password set from a link. */
struct reset {
	struct secret	sec;	/* first: the call's arg is both */
	char		token_hash[SESSION_HEX];
};

struct code {
	char	digits[CODE_DIGITS + 1];
	char	hash[SESSION_HEX];
};

static void	random_code(struct code *);
static int	query_read(struct http_request *, struct form *,
		    const struct field *, size_t);
static void	json_free_arg(void *);
static int	forgot_page(struct http_request *);
static int	forgot_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);
static json_t	*reset_values(const struct form *, int);
static int	reset_page(struct http_request *);
static int	reset_page_refused(struct http_request *, struct db_call *,
		    int, const char *, const char *);
static int	reset_page_done(struct http_request *, struct db_call *,
		    PGresult *);
static int	reset_bad_input(struct http_request *, struct reset *, int,
		    const char *, const char *);
static int	reset_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);
static int	reset_checked(struct http_request *, struct db_call *,
		    PGresult *);
static int	reset_hashed(struct http_request *, struct db_call *,
		    PGresult *);
static int	verify_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);
static int	code_checked(struct http_request *, struct db_call *,
		    PGresult *);

/*
 * A new link: path (ending in "token=") and a new token after
 * SHOP_PUBLIC_URL, and the token's hash.  The caller wipes l.
 */
void
recover_link(struct recover_link *l, const char *path)
{
	session_new_token(l->token, l->hash);
	if ((size_t)snprintf(l->url, sizeof(l->url), "%s%s%s", cfg.public_url,
	    path, l->token) >= sizeof(l->url))
		fatal("recover_link: SHOP_PUBLIC_URL is too long");
}

/*
 * Binds a new link's token hash and the link (path as for recover_link)
 * as the statement's next two parameters.
 */
void
recover_link_bind(struct db_call *call, const char *path)
{
	struct recover_link	l;

	recover_link(&l, path);
	db_text(call, l.hash);
	db_text(call, l.url);
	OPENSSL_cleanse(&l, sizeof(l));
}

/* Six random digits, each as likely as the others, and their hash. */
static void
random_code(struct code *c)
{
	unsigned char	rnd[4];
	uint32_t	v;

	do {
		rnd_bytes(rnd, sizeof(rnd));
		v = (uint32_t)rnd[0] << 24 | (uint32_t)rnd[1] << 16 |
		    (uint32_t)rnd[2] << 8 | rnd[3];
	} while (v >= 4294000000U);	/* a multiple of 10^6 */
	OPENSSL_cleanse(rnd, sizeof(rnd));
	(void)snprintf(c->digits, sizeof(c->digits), "%06u", v % 1000000);
	session_hash(c->hash, c->digits);
}

/*
 * Binds the ways to verify an account's contact, as the statement's next
 * four parameters: a /verify/email link (hash, link) and an SMS code
 * (hash, code).  The database sends the one that fits the account
 * (api.verify_send) and forgets the other.
 */
void
recover_verify_bind(struct db_call *call)
{
	struct code	c;

	recover_link_bind(call, "/verify/email?token=");
	random_code(&c);
	db_text(call, c.hash);
	db_text(call, c.digits);
	OPENSSL_cleanse(&c, sizeof(c));
}

/*
 * The query string into f, checked against spec (names not in it are
 * ignored).  Returns 0 when a value is bad; f is to be freed either way.
 */
static int
query_read(struct http_request *req, struct form *f, const struct field *spec,
    size_t n)
{
	struct form_error	 err;
	const char		*q = req->query_string;

	form_init(f);
	if (q != NULL && !form_parse_urlencoded(f, q, strlen(q), &err))
		return (0);
	return (form_check(f, spec, n, 0, &err));
}

static void
json_free_arg(void *p)
{
	json_decref(p);
}

/* ------------------------------------------------------ forgot password */

/*
 * GET /password/forgot: the form (after it, done= says what happens
 * next: web_redirect).  POST
 * /password/forgot and /api/v1/password/forgot: identifier, an e-mail
 * address or a phone number; a link to set a new password (30 minutes)
 * goes to the account, when there is one that is not disabled.  The same
 * answer either way: 200 {"ok":true} (API) or on to the form again.  400 on a
 * bad identifier, 403 without the CSRF token (forms), 429 while the
 * identifier or the address asked too often.
 */
int
password_forgot(struct http_request *req)
{
	struct form_error	 err;
	struct db_call		*call;
	struct form		 f;
	json_t			*kept;
	char			 ip[64];

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, (web_is_api(req) ? 0 : HTTP_METHOD_GET) |
	    HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (req->method != HTTP_METHOD_POST)
		return (forgot_page(req));
	if (!web_input(req, &f, forgot_fields, NFIELDS(forgot_fields), &err)) {
		kept = json_object();
		if (form_get(&f, "identifier") != NULL)
			json_object_set_new(kept, "identifier",
			    json_string(form_get(&f, "identifier")));
		form_free(&f);
		return (form_page_again(req, NULL, SQL_VIEWER_PAGE,
		    "password-forgot", NULL, 400, err.code, err.field[0] ?
		    err.field : NULL, kept));
	}
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	request_client_ip(req, ip, sizeof(ip));
	call = db_prepare(req, SQL_PASSWORD_FORGOT, web_db_saved);
	call->saved_to = "/password/forgot";
	call->on_error = forgot_refused;
	call->arg = json_pack("{s:s}", "identifier",
	    form_get(&f, "identifier"));
	call->arg_free = json_free_arg;
	db_text(call, form_get(&f, "identifier"));
	db_text(call, ip);
	recover_link_bind(call, "/password/reset?token=");
	form_free(&f);
	return (db_run(req));
}

static int
forgot_page(struct http_request *req)
{
	struct db_call	*call;

	call = db_prepare(req, SQL_VIEWER_PAGE, web_db_page);
	call->page = "password-forgot";
	session_bind(req, call);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

static int
forgot_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	return (form_page_again(req, call, SQL_VIEWER_PAGE, "password-forgot", NULL,
	    status, code, field, json_incref(call->arg)));
}

/* ------------------------------------------- a password set from a link */

/*
 * The values the reset form is shown again with: the token (unless it is
 * what was refused: then the form is not shown, but a way to ask again)
 * and whether it is an invitation.
 */
static json_t *
reset_values(const struct form *f, int with_token)
{
	json_t	*v = json_object();

	if (with_token && form_get(f, "token") != NULL)
		json_object_set_new(v, "token",
		    json_string(form_get(f, "token")));
	json_object_set_new(v, "invite", json_boolean(form_bool(f, "invite")));
	return (v);
}

/*
 * GET /password/reset?token=…[&invite=1]: the form to choose a password,
 * when the token is live; otherwise the page says the link is no longer
 * valid (400) and leads to /password/forgot.
 *
 * POST /password/reset, /api/v1/password/reset: token, password (10 to
 * 128 characters; forms also password2).  The input and then the token
 * are checked before the password is hashed (on a task thread, as at
 * sign-up); then the password is set, the token used, every session of
 * the account ended, and the address the link went to counts as
 * verified.  200 {"ok","invite","login"} (API) or on to /login.
 * 400 naming the field on bad input, 400 bad_token (field token) for a
 * link unknown, used, expired or of a disabled account, 403 without the
 * CSRF token (forms).
 */
int
password_reset(struct http_request *req)
{
	struct form_error	 err;
	struct db_call		*call;
	struct reset		*r;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, (web_is_api(req) ? 0 : HTTP_METHOD_GET) |
	    HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (req->method != HTTP_METHOD_POST)
		return (reset_page(req));
	r = secret_new(sizeof(*r));
	if (!web_input(req, &r->sec.form, reset_fields, NFIELDS(reset_fields),
	    &err))
		return (reset_bad_input(req, r, 400, err.code, err.field[0] ?
		    err.field : NULL));
	if (!secret_twice(req, &r->sec, "password"))
		return (reset_bad_input(req, r, 400, "password_mismatch",
		    "password2"));
	if (!web_post_ok(req, &r->sec.form)) {
		secret_free(r);
		return (KORE_RESULT_OK);
	}
	request_client_ip(req, r->sec.ip, sizeof(r->sec.ip));
	session_hash(r->token_hash, form_get(&r->sec.form, "token"));
	call = db_prepare(req, SQL_PASSWORD_TOKEN_CHECK, reset_checked);
	call->arg = r;
	call->arg_free = secret_free;
	call->on_error = reset_refused;
	db_text(call, r->token_hash);
	return (db_run(req));
}

static int
reset_page(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;
	char		 hash[SESSION_HEX];

	json_t		*values;

	if (!query_read(req, &f, link_query, NFIELDS(link_query))) {
		values = reset_values(&f, 0);
		form_free(&f);
		return (form_page_again(req, NULL, SQL_VIEWER_PAGE,
		    "password-reset", NULL, 400, "bad_token", "token", values));
	}
	session_hash(hash, form_get(&f, "token"));
	call = db_prepare(req, SQL_PASSWORD_TOKEN_PAGE, reset_page_done);
	call->page = "password-reset";
	call->on_error = reset_page_refused;
	call->arg = reset_values(&f, 1);
	call->arg_free = json_free_arg;
	form_free(&f);
	db_text(call, hash);
	session_bind(req, call);
	return (db_run(req));
}

/* The page of a link that is no longer valid. */
static int
reset_page_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	json_object_del(call->arg, "token");
	return (form_page_again(req, call, SQL_VIEWER_PAGE, "password-reset", NULL,
	    status, code, field, json_incref(call->arg)));
}

/* The form, with the token; an invitation says so in its title. */
static int
reset_page_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*ctx;
	int	 r;

	if ((ctx = web_db_ctx(res)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	if (json_is_true(json_object_get(ctx, "invite")))
		json_object_set_new(call->arg, "invite", json_true());
	json_object_set(ctx, "values", call->arg);
	r = web_page(req, 200, call->page, ctx);
	json_decref(ctx);
	return (r);
}

/* Input refused before any step (frees r). */
static int
reset_bad_input(struct http_request *req, struct reset *r, int status,
    const char *code, const char *field)
{
	json_t	*values;

	values = reset_values(&r->sec.form, field == NULL ||
	    strcmp(field, "token"));
	secret_free(r);
	return (form_page_again(req, NULL, SQL_VIEWER_PAGE, "password-reset", NULL,
	    status, code, field, values));
}

static int
reset_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	struct reset	*r = call->arg;

	return (form_page_again(req, call, SQL_VIEWER_PAGE, "password-reset", NULL,
	    status, code, field, reset_values(&r->sec.form,
	    strcmp(code, "bad_token"))));
}

/* The token is live: now, and only now, hash the new password. */
static int
reset_checked(struct http_request *req, struct db_call *call, PGresult *res)
{
	(void)req;
	(void)res;
	db_task(call, secret_hash, reset_hashed);
	return (KORE_RESULT_OK);
}

static int
reset_hashed(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct reset	*r = call->arg;

	(void)res;
	if (!r->sec.ok)
		return (web_error(req, 500, "internal", NULL));
	db_stmt(call, SQL_PASSWORD_RESET, web_db_saved);
	call->saved_to = "/login";
	db_text(call, r->token_hash);
	db_text(call, r->sec.hash);
	db_text(call, r->sec.ip);
	return (KORE_RESULT_OK);
}

/* ---------------------------------------------------------- verification */

/*
 * GET /verify/email?token=: the link sent to a new account's e-mail
 * address; the address is verified and the page says so.  POST
 * /api/v1/verify/email: {"token"}, 200 {"ok","email"}.  400 bad_token
 * (field token) for a link malformed, unknown, expired, replaced by a
 * newer one, or of a disabled account.  Opening a used link again
 * answers the same while the address stays verified.  No session is
 * needed: the link may be opened anywhere.
 */
int
verify_email(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;
	char		 hash[SESSION_HEX], ip[64];

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, web_is_api(req) ? HTTP_METHOD_POST :
	    HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	if (web_is_api(req)) {
		if (!web_post_input(req, &f, token_fields,
		    NFIELDS(token_fields)))
			return (KORE_RESULT_OK);
		call = db_prepare(req, SQL_VERIFY_EMAIL, web_db_json);
	} else {
		if (!query_read(req, &f, token_fields,
		    NFIELDS(token_fields))) {
			form_free(&f);
			return (form_page_again(req, NULL, SQL_VIEWER_PAGE,
			    "verify-email", NULL, 400, "bad_token", "token", NULL));
		}
		call = db_prepare(req, SQL_VERIFY_EMAIL_PAGE, web_db_page);
		call->page = "verify-email";
		call->on_error = verify_refused;
	}
	session_hash(hash, form_get(&f, "token"));
	form_free(&f);
	request_client_ip(req, ip, sizeof(ip));
	db_text(call, hash);
	db_text(call, ip);
	if (!web_is_api(req))
		session_bind(req, call);
	return (db_run(req));
}

static int
verify_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	return (form_page_again(req, call, SQL_VIEWER_PAGE, "verify-email", NULL,
	    status, code, field, NULL));
}

/*
 * POST /me/verify, /api/v1/me/verify (signed in): a new link to verify
 * the account's e-mail address, or for a phone-only account a new code
 * by SMS; the one sent before dies.  200 {"ok","channel"} (API) or on to
 * /me.  401 without a session, 403 without the CSRF token,
 * 409 already_verified, 429 from the 4th in a quarter of an hour.
 */
int
me_verify(struct http_request *req)
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
	if (!web_input(req, &f, session_csrf_only, NFIELDS(session_csrf_only),
	    &err) && http_request_header(req, "content-type", &ctype)) {
		/* An API client may post nothing at all, but not nonsense. */
		form_free(&f);
		return (web_error(req, 400, err.code, err.field[0] ?
		    err.field : NULL));
	}
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	form_free(&f);
	request_client_ip(req, ip, sizeof(ip));
	call = db_prepare(req, SQL_VERIFY_RESEND, web_db_saved);
	call->saved_to = "/me";
	call->on_error = me_refused;
	session_bind(req, call);
	recover_verify_bind(call);
	db_text(call, ip);
	return (db_run(req));
}

/*
 * POST /me/verify/code, /api/v1/me/verify/code (signed in): verify_code,
 * the 6 digits sent by SMS to a phone-only account; the phone is
 * verified.  200 {"ok":true} (API) or on to /me.  400
 * bad_code (a wrong code: counted, and after 5 the code dies) or
 * code_expired (ask for a new one), field verify_code; 401, 403 as
 * above; 409 already_verified.
 */
int
me_verify_code(struct http_request *req)
{
	struct form_error	 err;
	struct db_call		*call;
	struct form		 f;
	struct code		 c;
	char			 ip[64];

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (!web_input(req, &f, code_fields, NFIELDS(code_fields), &err)) {
		form_free(&f);
		return (form_page_again(req, NULL, SQL_ME_PAGE, "me", NULL, 400,
		    err.code, err.field[0] ? err.field : NULL, NULL));
	}
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	kore_strlcpy(c.digits, form_get(&f, "verify_code"), sizeof(c.digits));
	session_hash(c.hash, c.digits);
	form_free(&f);
	request_client_ip(req, ip, sizeof(ip));
	call = db_prepare(req, SQL_VERIFY_CODE, code_checked);
	call->on_error = me_refused;
	session_bind(req, call);
	db_text(call, c.hash);
	db_text(call, ip);
	OPENSSL_cleanse(&c, sizeof(c));
	return (db_run(req));
}

/* {"ok":true}, or {"ok":false,"error":code} for a code refused. */
static int
code_checked(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t		*r;
	const char	*code;
	int		 ret;

	if ((r = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	if (json_is_true(json_object_get(r, "ok"))) {
		json_decref(r);
		return (web_saved(req, res, 200, "/me"));
	}
	code = json_string_value(json_object_get(r, "error"));
	ret = me_refused(req, call, 400, code != NULL ? code : "bad_code",
	    "verify_code");
	json_decref(r);
	return (ret);
}
