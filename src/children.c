/*
 * The register of children (贫困青少年) for staff and admins: /branch/children
 * and /api/v1/branch/children.  The public part goes to the database as
 * it is; the private part (real name, ID number, guardian and relation,
 * phone, address, notes) is sealed here first (private.c) and opened only
 * for the pages and API answers that show it, each of which the database
 * writes to the audit log.  Who may do what is decided in
 * sql/api/040_children.sql.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "shop.h"

int	children(struct http_request *);
int	child(struct http_request *);

static const char *const genders[] = { "f", "m", NULL };
static const char *const stages[] = {
	"preschool", "primary", "junior", "senior", "vocational", "college",
	"none", NULL
};
static const char *const levels[] = { "extreme", "poor", "struggling", NULL };

/* The poverty causes, each a checkbox named cause_<cause>. */
static const char *const causes[] = {
	"illness", "disability", "labour", "education", "disaster",
	"left_behind", "orphan", "other", NULL
};

/* The private fields, in the sealed object. */
static const char *const private_names[] = {
	"real_name", "id_number", "guardian", "guardian_relation", "phone",
	"address", "notes", NULL
};

static const struct field child_fields[] = {
	{ "alias", FIELD_TEXT, 1, 1, 20, NULL },
	{ "birth_year", FIELD_INT, 1, 1990, 2100, NULL },
	{ "gender", FIELD_CHOICE, 1, 0, 0, genders },
	{ "town", FIELD_SLUG, 0, 0, 40, NULL },
	{ "school_stage", FIELD_CHOICE, 1, 0, 0, stages },
	{ "poverty_level", FIELD_CHOICE, 0, 0, 0, levels },
	{ "left_behind", FIELD_BOOL, 0, 0, 0, NULL },
	{ "cause_illness", FIELD_BOOL, 0, 0, 0, NULL },
	{ "cause_disability", FIELD_BOOL, 0, 0, 0, NULL },
	{ "cause_labour", FIELD_BOOL, 0, 0, 0, NULL },
	{ "cause_education", FIELD_BOOL, 0, 0, 0, NULL },
	{ "cause_disaster", FIELD_BOOL, 0, 0, 0, NULL },
	{ "cause_left_behind", FIELD_BOOL, 0, 0, 0, NULL },
	{ "cause_orphan", FIELD_BOOL, 0, 0, 0, NULL },
	{ "cause_other", FIELD_BOOL, 0, 0, 0, NULL },
	{ "consent", FIELD_BOOL, 0, 0, 0, NULL },
	{ "consent_on", FIELD_DATE, 1, 2000, 2100, NULL },
	{ "real_name", FIELD_TEXT, 1, 1, 30, NULL },
	{ "id_number", FIELD_IDCARD, 0, 0, 0, NULL },
	{ "guardian", FIELD_TEXT, 0, 0, 30, NULL },
	{ "guardian_relation", FIELD_TEXT, 0, 0, 20, NULL },
	{ "phone", FIELD_TEXT, 0, 0, 20, NULL },
	{ "address", FIELD_TEXT, 0, 0, 200, NULL },
	{ "notes", FIELD_LINES, 0, 0, 2000, NULL },
	CSRF_FIELD,
};

static const struct field list_fields[] = {
	{ "archived", FIELD_BOOL, 0, 0, 0, NULL },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};

/* A posted child form and where it goes. */
struct child_post {
	struct form	form;
	char		id[WEB_ID_MAX];
	char		ip[64];
	int		create;
};

static int	child_list(struct http_request *);
static int	child_post(struct http_request *, const char *);
static int	child_archive(struct http_request *, const char *,
		    const char *);
static int	child_show(struct http_request *, const char *, const char *);
static void	child_post_free(void *);
static int	child_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);
static int	child_archive_refused(struct http_request *,
		    struct db_call *, int, const char *, const char *);
static int	child_tel_ok(const char *);
static json_t	*child_public(const struct form *);
static json_t	*child_private_fields(const struct form *);
static int	child_numbered(struct http_request *, struct db_call *,
		    PGresult *);
static int	child_have_old(struct http_request *, struct db_call *,
		    PGresult *);
static int	child_write(struct http_request *, struct db_call *,
		    enum stmt, json_t *);
static int	child_saved(struct http_request *, struct db_call *,
		    PGresult *);
static int	child_private_json(struct http_request *, struct db_call *,
		    PGresult *);
static int	child_private_page(struct http_request *, struct db_call *,
		    PGresult *);
static json_t	*child_open(json_t *);

/*
 * GET /branch/children, /api/v1/branch/children[?archived=1&page=]: the
 * children the caller sees (admins: all; staff: their subtree), 50 a
 * page.  POST: registers a child of the caller's organisation (staff):
 * the public fields, the guardian's consent (consent=1 and consent_on),
 * the private fields.  400 on bad input, 401/403 outside staff.
 */
int
children(struct http_request *req)
{
	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (req->method == HTTP_METHOD_POST)
		return (child_post(req, NULL));
	return (child_list(req));
}

/*
 * /branch/children/{id}[/private|/edit|/archive|/unarchive|/withdraw]
 * and the same under /api/v1/ (without /edit): GET the record (history,
 * needs; no private part), GET /private the private part (written to the
 * audit log), GET /edit the form with it; POST the record anew (every
 * field, as for a new child); POST /archive, /unarchive, /withdraw (the
 * guardian's consent).  404 for a child the
 * caller does not see.
 */
int
child(struct http_request *req)
{
	const char	*rest;
	char		 id[WEB_ID_MAX];
	int		 api = web_is_api(req);

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_path_id(req, api ? "/api/v1/branch/children/" :
	    "/branch/children/", id, sizeof(id), &rest))
		return (web_error(req, 404, "not_found", NULL));
	if (!strcmp(rest, "") || !strcmp(rest, "/private") ||
	    (!api && !strcmp(rest, "/edit"))) {
		if (!web_method(req, HTTP_METHOD_GET | (*rest == '\0' ?
		    HTTP_METHOD_POST : 0)))
			return (KORE_RESULT_OK);
		if (req->method == HTTP_METHOD_POST)
			return (child_post(req, id));
		return (child_show(req, id, rest));
	}
	if (!strcmp(rest, "/archive") || !strcmp(rest, "/unarchive") ||
	    !strcmp(rest, "/withdraw")) {
		if (!web_method(req, HTTP_METHOD_POST))
			return (KORE_RESULT_OK);
		return (child_archive(req, id, rest + 1));
	}
	return (web_error(req, 404, "not_found", NULL));
}

static int
child_list(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;

	if (!web_query(req, &f, list_fields, NFIELDS(list_fields)))
		return (KORE_RESULT_OK);
	if (web_is_api(req)) {
		call = db_prepare(req, SQL_CHILDREN_LIST, web_db_json);
	} else {
		call = db_prepare(req, SQL_CHILDREN_PAGE, form_page_done);
		call->page = "children";
	}
	session_bind(req, call);
	db_text(call, web_lang_code(web_lang(req)));
	db_bool(call, form_bool(&f, "archived"));
	db_int(call, form_int(&f, "page", 1));
	form_free(&f);
	return (db_run(req));
}

static int
child_show(struct http_request *req, const char *id, const char *rest)
{
	struct db_call	*call;
	char		 ip[64];

	if (*rest == '\0') {
		if (web_is_api(req)) {
			call = db_prepare(req, SQL_CHILD_GET, web_db_json);
		} else {
			call = db_prepare(req, SQL_CHILD_PAGE, form_page_done);
			call->page = "child";
		}
		session_bind(req, call);
		db_text(call, id);
		db_text(call, web_lang_code(web_lang(req)));
		return (db_run(req));
	}
	request_client_ip(req, ip, sizeof(ip));
	if (web_is_api(req)) {
		call = db_prepare(req, SQL_CHILD_PRIVATE, child_private_json);
		session_bind(req, call);
		db_text(call, id);
		db_text(call, ip);
		return (db_run(req));
	}
	call = db_prepare(req, SQL_CHILD_PRIVATE_PAGE, child_private_page);
	call->page = !strcmp(rest, "/edit") ? "child-edit" : "child-private";
	session_bind(req, call);
	db_text(call, id);
	db_text(call, web_lang_code(web_lang(req)));
	db_text(call, ip);
	return (db_run(req));
}

/*
 * The private part in a result object {"id", "key_id", "nonce",
 * "sealed"}, opened; an empty object when the child has none; NULL when
 * it cannot be opened.
 */
static json_t *
child_open(json_t *sealed)
{
	json_t	*id;
	char	 aad[96], num[32];

	if (json_object_get(sealed, "sealed") == NULL)
		return (json_object());
	id = json_object_get(sealed, "id");
	(void)snprintf(num, sizeof(num), "%lld",
	    (long long)json_integer_value(id));
	private_aad(aad, sizeof(aad), "child", num);
	return (private_open(sealed, aad));
}

/* GET /api/v1/branch/children/{id}/private: {"id", "private": {...}}. */
static int
child_private_json(struct http_request *req, struct db_call *call,
    PGresult *res)
{
	json_t	*r, *fields, *body;
	int	 ret;

	(void)call;
	if ((r = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	if ((fields = child_open(r)) == NULL) {
		json_decref(r);
		return (web_error(req, 500, "sealed_unreadable", NULL));
	}
	body = json_pack("{s:O, s:o}", "id", json_object_get(r, "id"),
	    "private", fields);
	ret = web_json(req, 200, body);
	json_decref(body);
	json_decref(r);
	return (ret);
}

/*
 * GET /branch/children/{id}/private and /edit: the record's page with the
 * private part opened ("private"; for the form, its fields in "form").
 */
static int
child_private_page(struct http_request *req, struct db_call *call,
    PGresult *res)
{
	json_t	*ctx, *fields, *form;

	if ((ctx = web_db_ctx(res)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	if ((fields = child_open(json_object_get(ctx, "private"))) == NULL) {
		json_decref(ctx);
		return (web_error(req, 500, "sealed_unreadable", NULL));
	}
	if (json_is_object(form = json_object_get(ctx, "form")))
		json_object_update(form, fields);
	json_object_set_new(ctx, "private", fields);
	return (form_page_render(req, call, ctx));
}

static void
child_post_free(void *p)
{
	struct child_post	*cp = p;

	form_free(&cp->form);
	OPENSSL_cleanse(cp, sizeof(*cp));
	kore_free(cp);
}

/* A refused child: its form again with what was typed, or the error. */
static int
child_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	struct child_post	*cp = call->arg;

	if (cp->create)
		return (form_page_again(req, call, SQL_CHILDREN_FORM_PAGE,
		    "children", NULL, status, code, field,
		    form_page_values(&cp->form)));
	return (form_page_again(req, call, SQL_CHILD_PRIVATE_PAGE, "child-edit",
	    cp->id, status, code, field, form_page_values(&cp->form)));
}

/* A telephone number as people write it: digits, spaces, + and -. */
static int
child_tel_ok(const char *v)
{
	size_t	digits = 0;

	if (v == NULL)
		return (1);
	for (; *v != '\0'; v++) {
		if (*v >= '0' && *v <= '9')
			digits++;
		else if (*v != ' ' && *v != '+' && *v != '-')
			return (0);
	}
	return (digits >= 5);
}

/* The public fields as api.child_check reads them. */
static json_t *
child_public(const struct form *f)
{
	json_t		*o, *list;
	char		 name[40];
	size_t		 i;

	list = json_array();
	for (i = 0; causes[i] != NULL; i++) {
		(void)snprintf(name, sizeof(name), "cause_%s", causes[i]);
		if (form_bool(f, name))
			json_array_append_new(list, json_string(causes[i]));
	}
	o = json_pack("{s:s, s:I, s:s, s:s, s:b, s:o, s:s}",
	    "alias", form_get(f, "alias"),
	    "birth_year", (json_int_t)form_int(f, "birth_year", 0),
	    "gender", form_get(f, "gender"),
	    "school_stage", form_get(f, "school_stage"),
	    "left_behind", form_bool(f, "left_behind"),
	    "poverty_causes", list,
	    "consent_on", form_get(f, "consent_on"));
	if (form_get(f, "town") != NULL)
		json_object_set_new(o, "town", json_string(form_get(f, "town")));
	if (form_get(f, "poverty_level") != NULL)
		json_object_set_new(o, "poverty_level",
		    json_string(form_get(f, "poverty_level")));
	return (o);
}

/* The private fields, each a string ("" when not given). */
static json_t *
child_private_fields(const struct form *f)
{
	json_t		*o = json_object();
	const char	*v;
	size_t		 i;

	for (i = 0; private_names[i] != NULL; i++) {
		v = form_get(f, private_names[i]);
		json_object_set_new(o, private_names[i], json_string(v ? v :
		    ""));
	}
	return (o);
}

/*
 * POST a child, new (id NULL) or again: checks the input, then (new) gets
 * the child's number first, to seal its private part to it, or (edit)
 * reads the sealed part as it is, to tell which private fields change.
 */
static int
child_post(struct http_request *req, const char *id)
{
	struct child_post	*cp;
	struct form_error	 err;
	struct db_call		*call;
	struct form		 f;

	if (!web_input(req, &f, child_fields, NFIELDS(child_fields), &err)) {
		/* err says what is wrong */
	} else if (!form_bool(&f, "consent")) {
		err.code = "consent_required";
		kore_strlcpy(err.field, "consent", sizeof(err.field));
	} else if (!child_tel_ok(form_get(&f, "phone"))) {
		err.code = "bad_tel";
		kore_strlcpy(err.field, "phone", sizeof(err.field));
	} else {
		err.code = NULL;
	}
	if (err.code != NULL)
		return (form_page_bad_input(req, id ? SQL_CHILD_PRIVATE_PAGE :
		    SQL_CHILDREN_FORM_PAGE, id ? "child-edit" : "children", id,
		    &f, &err));
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	cp = kore_calloc(1, sizeof(*cp));
	cp->form = f;
	cp->create = id == NULL;
	if (id != NULL)
		kore_strlcpy(cp->id, id, sizeof(cp->id));
	request_client_ip(req, cp->ip, sizeof(cp->ip));
	call = db_begin(req);
	call->arg = cp;
	call->arg_free = child_post_free;
	call->on_error = child_refused;
	if (cp->create) {
		db_stmt(call, SQL_CHILD_NEW_ID, child_numbered);
		session_bind(req, call);
	} else {
		db_stmt(call, SQL_CHILD_FOR_EDIT, child_have_old);
		session_bind(req, call);
		db_text(call, cp->id);
	}
	return (db_run(req));
}

/*
 * Chains stmt, which writes the child cp->id: the session, the id, the
 * public fields, and priv (the private fields) sealed to the child.  The
 * caller binds what stmt takes after them.  0 (nothing chained) when it
 * cannot seal.
 */
static int
child_write(struct http_request *req, struct db_call *call, enum stmt stmt,
    json_t *priv)
{
	struct child_post	*cp = call->arg;
	struct private_sealed	 sealed;
	json_t			*pub;
	char			 aad[96], *text;

	private_aad(aad, sizeof(aad), "child", cp->id);
	if (!private_seal(&sealed, aad, priv))
		return (0);
	pub = child_public(&cp->form);
	text = json_dumps(pub, JSON_COMPACT);
	json_decref(pub);
	db_stmt(call, stmt, child_saved);
	session_bind(req, call);
	db_text(call, cp->id);
	db_text(call, text);
	free(text);
	private_bind(call, &sealed);
	return (1);
}

/* The new child's number: seal its private part to it, then write. */
static int
child_numbered(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct child_post	*cp = call->arg;
	long long		 id;
	json_t			*priv;
	int			 ok;

	if ((id = web_db_id(res, "id")) <= 0)
		return (web_error(req, 500, "internal", NULL));
	(void)snprintf(cp->id, sizeof(cp->id), "%lld", id);
	priv = child_private_fields(&cp->form);
	ok = child_write(req, call, SQL_CHILD_CREATE, priv);
	json_decref(priv);
	if (!ok)
		return (web_error(req, 500, "internal", NULL));
	db_text(call, cp->ip);
	return (KORE_RESULT_OK);
}

/*
 * The sealed private part as it is (or {}): which private fields the edit
 * changes (names only go to the history), then the new version.
 */
static int
child_have_old(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct child_post	*cp = call->arg;
	json_t			*r, *old, *priv, *a, *b;
	struct buf		 changed;
	char			 aad[96];
	size_t			 i;
	int			 ok;

	if ((r = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	private_aad(aad, sizeof(aad), "child", cp->id);
	if (json_object_get(r, "sealed") == NULL)
		old = json_object();
	else if ((old = private_open(r, aad)) == NULL) {
		json_decref(r);
		return (web_error(req, 500, "sealed_unreadable", NULL));
	}
	json_decref(r);
	priv = child_private_fields(&cp->form);
	buf_init(&changed, 64);
	for (i = 0; private_names[i] != NULL; i++) {
		a = json_object_get(old, private_names[i]);
		b = json_object_get(priv, private_names[i]);
		if (strcmp(json_is_string(a) ? json_string_value(a) : "",
		    json_string_value(b)))
			buf_printf(&changed, "%s%s", changed.len ? "," : "",
			    private_names[i]);
	}
	json_decref(old);
	ok = child_write(req, call, SQL_CHILD_UPDATE, priv);
	json_decref(priv);
	if (!ok) {
		buf_free(&changed);
		return (web_error(req, 500, "internal", NULL));
	}
	db_text(call, changed.data);
	db_text(call, cp->ip);
	buf_free(&changed);
	return (KORE_RESULT_OK);
}

/* Saved: to the child's page, or the JSON answer (201 for a new one). */
static int
child_saved(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct child_post	*cp = call->arg;
	char			 to[64];

	(void)snprintf(to, sizeof(to), "/branch/children/%s", cp->id);
	return (web_saved(req, res, cp->create ? 201 : 200, to));
}

/* A refused archiving: the child's page with the message. */
static int
child_archive_refused(struct http_request *req, struct db_call *call,
    int status, const char *code, const char *field)
{
	struct child_post	*cp = call->arg;

	return (form_page_again(req, call, SQL_CHILD_PAGE, "child", cp->id, status,
	    code, field, NULL));
}

/*
 * POST /branch/children/{id}/archive, /unarchive, or /withdraw: the
 * guardian withdrew consent (archived for good, the private part purged
 * after the retention period: sql/api/096_rights.sql).
 */
static int
child_archive(struct http_request *req, const char *id, const char *what)
{
	struct child_post	*cp;
	struct form_error	 err;
	struct db_call		*call;
	struct form		 f;

	if (!web_input(req, &f, session_csrf_only,
	    NFIELDS(session_csrf_only), &err) &&
	    req->content_length > 0)
		return (form_page_bad_input(req, SQL_CHILD_PAGE, "child", id, &f,
		    &err));
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	cp = kore_calloc(1, sizeof(*cp));
	cp->form = f;
	kore_strlcpy(cp->id, id, sizeof(cp->id));
	request_client_ip(req, cp->ip, sizeof(cp->ip));
	call = db_prepare(req, !strcmp(what, "withdraw") ? SQL_CHILD_WITHDRAW :
	    SQL_CHILD_ARCHIVE, child_saved);
	call->arg = cp;
	call->arg_free = child_post_free;
	call->on_error = child_archive_refused;
	session_bind(req, call);
	db_text(call, id);
	if (strcmp(what, "withdraw"))
		db_bool(call, !strcmp(what, "archive"));
	db_text(call, cp->ip);
	return (db_run(req));
}
