/*
 * Organisations and accounts: the city committee's /admin, a branch's
 * /branch, and the same actions under /api/v1/ (orgs, users; their
 * edits and the audit log's search are admin.c's).
 * Who may do what is decided in the api functions (sql/api/031_*.sql).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "shop.h"

int	admin_page(struct http_request *);
int	branch_page(struct http_request *);
int	orgs(struct http_request *);
int	accounts(struct http_request *);
int	account_toggle(struct http_request *);

static const char *const org_kinds[] = {
	"town", "unit", "college", "school", "caring", NULL
};
static const char *const roles[] = { "staff", "admin", NULL };
static const char *const froms[] = { "admin", "branch", NULL };

static const struct field org_fields[] = {
	{ "kind", FIELD_CHOICE, 1, 0, 0, org_kinds },
	{ "parent_id", FIELD_INT, 0, 1, ID_MAX, NULL },
	{ "name", FIELD_TEXT, 1, 2, 100, NULL },
	{ "name_en", FIELD_TEXT, 0, 0, 200, NULL },
	{ "town", FIELD_SLUG, 0, 0, 40, NULL },
	CSRF_FIELD,
};

static const struct field account_fields[] = {
	{ "role", FIELD_CHOICE, 1, 0, 0, roles },
	{ "org_id", FIELD_INT, 1, 1, ID_MAX, NULL },
	{ "display_name", FIELD_TEXT, 1, 1, 50, NULL },
	{ "email", FIELD_EMAIL, 0, 0, 0, NULL },
	{ "phone", FIELD_PHONE, 0, 0, 0, NULL },
	{ "from", FIELD_CHOICE, 0, 0, 0, froms },
	CSRF_FIELD,
};

static const struct field toggle_fields[] = {
	{ "from", FIELD_CHOICE, 0, 0, 0, froms },
	CSRF_FIELD,
};

/* A form's steps: its values, where it came from. */
struct posted {
	struct form	form;
	char		ip[64];
};

static int	home(struct http_request *, enum stmt, const char *);
static int	from_branch(const struct form *);
static int	page_again(struct http_request *, struct db_call *, int, int,
		    const char *, const char *);
static int	input_refused(struct http_request *, struct form *,
		    const char *, const char *);
static int	list_or_post(struct http_request *, enum stmt, int *);
static int	refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);
static void	posted_free(void *);
static struct db_call *posted_begin(struct http_request *, struct form *);
static int	post_input(struct http_request *, struct form *,
		    const struct field *, size_t, int *);
static int	done_back(struct http_request *, struct db_call *,
		    PGresult *);

/* GET /admin (admins) and GET /branch (staff); 403 for anyone else. */
int
admin_page(struct http_request *req)
{
	return (home(req, SQL_ADMIN_PAGE, "admin"));
}

int
branch_page(struct http_request *req)
{
	return (home(req, SQL_BRANCH_PAGE, "branch"));
}

static int
home(struct http_request *req, enum stmt stmt, const char *tmpl)
{
	struct db_call	*call;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	call = db_prepare(req, stmt, web_db_page);
	call->page = tmpl;
	session_bind(req, call);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

static int
from_branch(const struct form *f)
{
	const char	*from = form_get(f, "from");

	return (from != NULL && !strcmp(from, "branch"));
}

/* The page the forms are on (/branch or /admin) again, with the message. */
static int
page_again(struct http_request *req, struct db_call *call, int branch,
    int status, const char *code, const char *field)
{
	return (form_page_again(req, call, branch ? SQL_BRANCH_PAGE :
	    SQL_ADMIN_PAGE, branch ? "branch" : "admin", NULL, status, code, field,
	    NULL));
}

/* A form the database refused. */
static int
refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	struct posted	*p = call->arg;

	return (page_again(req, call, p != NULL && from_branch(&p->form),
	    status, code, field));
}

static void
posted_free(void *arg)
{
	struct posted	*p = arg;

	form_free(&p->form);
	OPENSSL_cleanse(p, sizeof(*p));
	kore_free(p);
}

/* The steps of a checked form, with its values kept for the callbacks. */
static struct db_call *
posted_begin(struct http_request *req, struct form *f)
{
	struct db_call	*call;
	struct posted	*p;

	p = kore_calloc(1, sizeof(*p));
	p->form = *f;
	request_client_ip(req, p->ip, sizeof(p->ip));
	call = db_begin(req);
	call->arg = p;
	call->arg_free = posted_free;
	call->on_error = refused;
	return (call);
}

/* Done: back to the page the form was on, or the JSON answer. */
static int
done_back(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct posted	*p = call->arg;

	return (web_saved(req, res, 200, from_branch(&p->form) ? "/branch" :
	    "/admin"));
}

/* Input refused before any step (frees f). */
static int
input_refused(struct http_request *req, struct form *f, const char *code,
    const char *field)
{
	int	branch = from_branch(f);

	form_free(f);
	return (page_again(req, NULL, branch, 400, code, field));
}

/*
 * GET, the API's list (statement list, by the caller's language), or
 * POST: returns 1 for a POST to read; 0 when req is answered (or its
 * steps begun), with *ret what the handler must return.
 */
static int
list_or_post(struct http_request *req, enum stmt list, int *ret)
{
	struct db_call	*call;

	*ret = KORE_RESULT_OK;
	if (!web_method(req, (web_is_api(req) ? HTTP_METHOD_GET : 0) |
	    HTTP_METHOD_POST))
		return (0);
	if (req->method == HTTP_METHOD_POST)
		return (1);
	call = db_prepare(req, list, web_db_json);
	session_bind(req, call);
	db_text(call, web_lang_code(web_lang(req)));
	*ret = db_run(req);
	return (0);
}

/*
 * Checks a POST's input and CSRF.  Returns 1 to go on; 0 when refused,
 * with *ret what the handler must return.
 */
static int
post_input(struct http_request *req, struct form *f,
    const struct field *spec, size_t n, int *ret)
{
	struct form_error	err;

	*ret = KORE_RESULT_OK;
	if (!web_input(req, f, spec, n, &err)) {
		*ret = input_refused(req, f, err.code, err.field[0] ? err.field :
		    NULL);
		return (0);
	}
	if (!web_post_ok(req, f)) {
		form_free(f);
		return (0);
	}
	return (1);
}

/*
 * GET /api/v1/orgs: the organisations the caller may see (admins: all;
 * staff: their subtree; 403 for donors).  POST /orgs, /api/v1/orgs
 * (admins): a new organisation; 400 when the parent does not fit.
 */
int
orgs(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;
	int		 ret;

	if (http_state_exists(req))
		return (db_run(req));
	if (!list_or_post(req, SQL_ORGS_LIST, &ret))
		return (ret);
	if (!post_input(req, &f, org_fields, NFIELDS(org_fields), &ret))
		return (ret);
	call = posted_begin(req, &f);
	db_stmt(call, SQL_ORG_CREATE, done_back);
	session_bind(req, call);
	db_text(call, form_get(&f, "kind"));
	db_text(call, form_get(&f, "parent_id"));
	db_text(call, form_get(&f, "name"));
	db_text(call, form_get(&f, "name_en"));
	db_text(call, form_get(&f, "town"));
	db_text(call, ((struct posted *)call->arg)->ip);
	return (db_run(req));
}

/*
 * GET /api/v1/users: the accounts the caller manages.  POST /accounts,
 * /api/v1/users: invites a staff member (admins: of any organisation, or
 * an admin of the city committee; staff: of an organisation below
 * theirs).  Nobody types a password for them: the account has none
 * until its owner sets one from the invitation sent to the e-mail or
 * phone (/password/reset?token=…&invite=1, 7 days; recover.c).  400 on
 * bad input (a password is an unknown field), 403 outside those rules,
 * 409 when the e-mail or phone is taken.
 */
int
accounts(struct http_request *req)
{
	struct db_call	*call;
	struct posted	*p;
	struct form	 f;
	int		 ret;

	if (http_state_exists(req))
		return (db_run(req));
	if (!list_or_post(req, SQL_ACCOUNTS_LIST, &ret))
		return (ret);
	if (!post_input(req, &f, account_fields, NFIELDS(account_fields),
	    &ret))
		return (ret);
	if (form_get(&f, "email") == NULL && form_get(&f, "phone") == NULL)
		return (input_refused(req, &f, "contact_required", "email"));
	call = posted_begin(req, &f);
	p = call->arg;
	db_stmt(call, SQL_ACCOUNT_CREATE, done_back);
	session_bind(req, call);
	db_text(call, form_get(&p->form, "role"));
	db_text(call, form_get(&p->form, "org_id"));
	db_text(call, form_get(&p->form, "display_name"));
	db_text(call, form_get(&p->form, "email"));
	db_text(call, form_get(&p->form, "phone"));
	recover_link_bind(call, "/password/reset?token=");
	db_text(call, p->ip);
	return (db_run(req));
}

/*
 * POST /accounts/{id}/disable|enable|reset and /api/v1/users/{id}/...:
 * 404 for an account the caller may not manage; a disabled account's
 * sessions end at once.  reset sends the account a link to set a new
 * password (30 minutes), or a new invitation to one that never set its
 * password; the caller never sees the link.  409 for a disabled account.
 */
int
account_toggle(struct http_request *req)
{
	enum { DISABLE, ENABLE, RESET };
	static const char *const	 actions[] = {
		[DISABLE] = "disable", [ENABLE] = "enable", [RESET] = "reset",
		NULL
	};
	struct db_call			*call;
	struct form			 f;
	char				 num[WEB_ID_MAX];
	int				 action, ret;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if ((action = web_path_action(req, web_is_api(req) ?
	    "/api/v1/users/" : "/accounts/", num, sizeof(num),
	    actions)) == -1)
		return (web_error(req, 404, "not_found", NULL));
	if (!post_input(req, &f, toggle_fields, NFIELDS(toggle_fields),
	    &ret))
		return (ret);
	call = posted_begin(req, &f);
	if (action == RESET) {
		db_stmt(call, SQL_ACCOUNT_SEND_LINK, done_back);
		session_bind(req, call);
		db_text(call, num);
		recover_link_bind(call, "/password/reset?token=");
	} else {
		db_stmt(call, SQL_ACCOUNT_DISABLE, done_back);
		session_bind(req, call);
		db_text(call, num);
		db_bool(call, action == DISABLE);
	}
	db_text(call, ((struct posted *)call->arg)->ip);
	return (db_run(req));
}
