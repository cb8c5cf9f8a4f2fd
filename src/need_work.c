/*
 * Needs at work, for staff and admins: the work queue by state
 * (/branch/needs), posting and editing a draft, each step of a need's
 * life (/branch/needs/{id}/{action}) and the admins' review queue
 * (/admin/needs); the same under /api/v1/.  The rules are those of
 * sql/api/041_need_life.sql.
 */
#include <string.h>

#include "shop.h"

int	work_needs(struct http_request *);
int	work_need(struct http_request *);
int	admin_needs(struct http_request *);

/* A need's statuses, as the filters of its lists take them. */
const char *const need_statuses[] = {
	"draft", "submitted", "verified", "notice", "open", "fully_pledged",
	"fulfilled", "rejected", "cancelled", "expired", NULL
};
static const char *const actions[] = {
	"submit", "verify", "reject", "publish", "redraft", "cancel", NULL
};

/* A need's fields; amounts in yuan (¥1 to ¥20,000,000; a term ≤ ¥1m). */
static const struct field need_fields[] = {
	{ "kind", FIELD_CHOICE, 1, 0, 0, need_kinds },
	{ "category", FIELD_SLUG, 1, 0, 40, NULL },
	{ "campaign", FIELD_SLUG, 0, 0, 41, NULL },
	{ "title", FIELD_TEXT, 1, 1, 80, NULL },
	{ "item", FIELD_TEXT, 0, 0, 60, NULL },
	{ "spec", FIELD_TEXT, 0, 0, 60, NULL },
	{ "unit", FIELD_TEXT, 0, 1, 10, NULL },
	{ "quantity", FIELD_INT, 0, 1, 100000, NULL },
	{ "amount", FIELD_YUAN, 0, 100, 2000000000, NULL },
	{ "unit_amount", FIELD_YUAN, 0, 100, 100000000, NULL },
	{ "terms", FIELD_INT, 0, 1, 12, NULL },
	{ "urgency", FIELD_INT, 0, 1, 3, NULL },
	{ "deadline", FIELD_DATE, 1, 2000, 2100, NULL },
	{ "story", FIELD_LINES, 0, 0, 4000, NULL },
	{ "beneficiary_id", FIELD_INT, 0, 1, ID_MAX, NULL },
	{ "town", FIELD_SLUG, 0, 0, 40, NULL },
	CSRF_FIELD,
};

static const struct field step_fields[] = {
	{ "note", FIELD_LINES, 0, 0, 1000, NULL },
	{ "publish", FIELD_BOOL, 0, 0, 0, NULL },
	CSRF_FIELD,
};

/* GET /branch/needs/new?child=N: from a child's page, that child chosen. */
static const struct field new_query[] = {
	{ "child", FIELD_INT, 0, 1, ID_MAX, NULL },
};

static const struct field list_fields[] = {
	{ "status", FIELD_CHOICE, 0, 0, 0, need_statuses },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};

/* A posted need form or step, and where it goes. */
struct need_post {
	struct form	form;
	char		id[WEB_ID_MAX];
	char		ip[64];
	int		create;
	int		step;
};

static int	need_list(struct http_request *);
static int	need_post(struct http_request *, const char *);
static int	need_step(struct http_request *, const char *, const char *);
static int	need_show(struct http_request *, const char *);
static void	need_post_free(void *);
static struct db_call *need_post_begin(struct http_request *, struct form *,
		    const char *, enum stmt, db_done_fn);
static int	need_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);
static int	need_saved(struct http_request *, struct db_call *,
		    PGresult *);
static char	*need_json(const struct form *);
static void	need_open_contacts(json_t *);
static int	need_json_done(struct http_request *, struct db_call *,
		    PGresult *);
static int	need_new_done(struct http_request *, struct db_call *,
		    PGresult *);
static int	need_page_done(struct http_request *, struct db_call *,
		    PGresult *);

/*
 * GET /branch/needs, /api/v1/branch/needs[?status=&page=]: the caller's
 * needs in one state (submitted by default), with the count in each.
 * POST: a new draft of the caller's organisation (staff); 400 naming the
 * field, 401/403 for others.
 */
int
work_needs(struct http_request *req)
{
	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (req->method == HTTP_METHOD_POST)
		return (need_post(req, NULL));
	return (need_list(req));
}

/*
 * /branch/needs/new (GET: the empty form), /branch/needs/{id} (GET: the
 * need at work; POST: the draft anew), /branch/needs/{id}/{action} (POST:
 * submit, verify, reject, publish, redraft, cancel, with a note; verify
 * takes publish=1 to start the notice at once); the same under /api/v1/
 * (without /new).  404 for needs the caller does not see.
 */
int
work_need(struct http_request *req)
{
	struct db_call	*call;
	struct form	 q;
	const char	*rest;
	char		 id[WEB_ID_MAX];
	int		 api = web_is_api(req);
	size_t		 i;

	if (http_state_exists(req))
		return (db_run(req));
	if (!api && !strcmp(req->path, "/branch/needs/new")) {
		if (!web_method(req, HTTP_METHOD_GET) ||
		    !web_query(req, &q, new_query, NFIELDS(new_query)))
			return (KORE_RESULT_OK);
		call = db_prepare(req, SQL_NEED_NEW_PAGE, need_new_done);
		call->page = "need-new";
		if (form_get(&q, "child") != NULL) {
			call->arg = kore_strdup(form_get(&q, "child"));
			call->arg_free = kore_free;
		}
		form_free(&q);
		session_bind(req, call);
		db_text(call, web_lang_code(web_lang(req)));
		return (db_run(req));
	}
	if (!web_path_id(req, api ? "/api/v1/branch/needs/" :
	    "/branch/needs/", id, sizeof(id), &rest))
		return (web_error(req, 404, "not_found", NULL));
	if (*rest == '\0') {
		if (!web_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
			return (KORE_RESULT_OK);
		if (req->method == HTTP_METHOD_POST)
			return (need_post(req, id));
		return (need_show(req, id));
	}
	for (i = 0; actions[i] != NULL; i++) {
		if (rest[0] == '/' && !strcmp(rest + 1, actions[i])) {
			if (!web_method(req, HTTP_METHOD_POST))
				return (KORE_RESULT_OK);
			return (need_step(req, id, actions[i]));
		}
	}
	return (web_error(req, 404, "not_found", NULL));
}

static int
need_list(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;
	const char	*status;

	if (!web_query(req, &f, list_fields, NFIELDS(list_fields)))
		return (KORE_RESULT_OK);
	if (web_is_api(req)) {
		call = db_prepare(req, SQL_WORK_NEEDS, web_db_json);
	} else {
		call = db_prepare(req, SQL_WORK_NEEDS_PAGE, form_page_done);
		call->page = "work-needs";
	}
	session_bind(req, call);
	db_text(call, web_lang_code(web_lang(req)));
	db_text(call, (status = form_get(&f, "status")) ? status : "submitted");
	db_int(call, form_int(&f, "page", 1));
	form_free(&f);
	return (db_run(req));
}

static int
need_show(struct http_request *req, const char *id)
{
	struct db_call	*call;

	if (web_is_api(req)) {
		call = db_prepare(req, SQL_WORK_NEED, need_json_done);
	} else {
		call = db_prepare(req, SQL_WORK_NEED_PAGE, need_page_done);
		call->page = "work-need";
	}
	session_bind(req, call);
	db_text(call, id);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

/*
 * Opens the sealed contacts of the objections in data (present only for
 * those who answer them): "contact" in place of "sealed_contact".
 */
static void
need_open_contacts(json_t *data)
{
	json_t		*list, *o, *sealed, *contact, *id;
	char		 aad[96], num[32];
	size_t		 i;

	id = json_object_get(json_object_get(data, "need"), "id");
	(void)snprintf(num, sizeof(num), "%lld",
	    (long long)json_integer_value(id));
	private_aad(aad, sizeof(aad), "objection", num);
	list = json_object_get(data, "objections");
	json_array_foreach(list, i, o) {
		sealed = json_object_get(o, "sealed_contact");
		if (json_is_object(sealed) && (contact = private_open(sealed,
		    aad)) != NULL) {
			json_object_set(o, "contact", json_object_get(contact,
			    "contact"));
			json_decref(contact);
		}
		json_object_del(o, "sealed_contact");
	}
}

static int
need_json_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*data;
	int	 r;

	(void)call;
	if ((data = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	need_open_contacts(data);
	r = web_json(req, 200, data);
	json_decref(data);
	return (r);
}

static int
need_page_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*ctx;

	if ((ctx = web_db_ctx(res)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	need_open_contacts(ctx);
	return (form_page_render(req, call, ctx));
}

static void
need_post_free(void *p)
{
	struct need_post	*np = p;

	form_free(&np->form);
	kore_free(np);
}

/* The steps of a checked need form (it takes over f). */
static struct db_call *
need_post_begin(struct http_request *req, struct form *f, const char *id,
    enum stmt stmt, db_done_fn done)
{
	struct need_post	*np;
	struct db_call		*call;

	np = kore_calloc(1, sizeof(*np));
	np->form = *f;
	np->create = id == NULL;
	if (id != NULL)
		kore_strlcpy(np->id, id, sizeof(np->id));
	request_client_ip(req, np->ip, sizeof(np->ip));
	call = db_prepare(req, stmt, done);
	call->arg = np;
	call->arg_free = need_post_free;
	call->on_error = need_refused;
	session_bind(req, call);
	return (call);
}

/* A refused need form or step: its page again with the message. */
static int
need_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	struct need_post	*np = call->arg;

	if (np->create)
		return (form_page_again(req, call, SQL_NEED_NEW_PAGE, "need-new",
		    NULL, status, code, field, form_page_values(&np->form)));
	return (form_page_again(req, call, SQL_WORK_NEED_PAGE, "work-need", np->id,
	    status, code, field, np->step ? NULL : form_page_values(&np->form)));
}

/* The need's fields as api.need_check reads them (amounts in fen). */
static char *
need_json(const struct form *f)
{
	static const char *const texts[] = {
		"kind", "category", "campaign", "title", "item", "spec",
		"unit", "deadline", "story", "town", NULL
	};
	static const char *const ints[] = {
		"quantity", "terms", "urgency", "beneficiary_id", NULL
	};
	json_t	*o = json_object();
	char	*s;
	size_t	 i;

	for (i = 0; texts[i] != NULL; i++) {
		if (form_get(f, texts[i]) != NULL)
			json_object_set_new(o, texts[i],
			    json_string(form_get(f, texts[i])));
	}
	for (i = 0; ints[i] != NULL; i++) {
		if (form_get(f, ints[i]) != NULL)
			json_object_set_new(o, ints[i],
			    json_integer(form_int(f, ints[i], 0)));
	}
	if (form_get(f, "amount") != NULL)
		json_object_set_new(o, "amount",
		    json_integer(form_fen(f, "amount", 0)));
	if (form_get(f, "unit_amount") != NULL)
		json_object_set_new(o, "unit_amount",
		    json_integer(form_fen(f, "unit_amount", 0)));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return (s);
}

/* POST a need, new (id NULL) or a draft again. */
static int
need_post(struct http_request *req, const char *id)
{
	struct form_error	 err;
	struct db_call		*call;
	struct need_post	*np;
	struct form		 f;
	char			*text;

	if (!web_input(req, &f, need_fields, NFIELDS(need_fields), &err))
		return (form_page_bad_input(req, id ? SQL_WORK_NEED_PAGE :
		    SQL_NEED_NEW_PAGE, id ? "work-need" : "need-new", id, &f,
		    &err));
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	text = need_json(&f);
	call = need_post_begin(req, &f, id, id ? SQL_NEED_UPDATE :
	    SQL_NEED_CREATE, need_saved);
	np = call->arg;
	if (id != NULL)
		db_text(call, id);
	db_text(call, text);
	free(text);
	db_text(call, np->ip);
	return (db_run(req));
}

/* POST /branch/needs/{id}/{action}. */
static int
need_step(struct http_request *req, const char *id, const char *action)
{
	struct form_error	 err;
	struct db_call		*call;
	struct need_post	*np;
	struct form		 f;

	if (!web_input(req, &f, step_fields, NFIELDS(step_fields), &err) &&
	    req->content_length > 0)
		return (form_page_bad_input(req, SQL_WORK_NEED_PAGE, "work-need", id,
		    &f, &err));
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	call = need_post_begin(req, &f, id, SQL_NEED_TRANSITION, need_saved);
	np = call->arg;
	np->step = 1;
	db_text(call, id);
	db_text(call, action);
	db_text(call, form_get(&np->form, "note"));
	db_bool(call, form_bool(&np->form, "publish"));
	db_text(call, np->ip);
	return (db_run(req));
}

/* Done: to the need's page, or the JSON answer (201 for a new need). */
static int
need_saved(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct need_post	*np = call->arg;
	char			 to[64];
	long long		 id = web_db_id(res, "id");

	if (id <= 0)
		return (web_error(req, 500, "internal", NULL));
	(void)snprintf(to, sizeof(to), "/branch/needs/%lld", id);
	return (web_saved(req, res, np->create ? 201 : 200, to));
}

/*
 * GET /admin/needs, /api/v1/admin/needs (admins): the needs to verify,
 * the objections to answer, the needs in notice, the settings.
 */
int
admin_needs(struct http_request *req)
{
	struct db_call	*call;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	if (web_is_api(req)) {
		call = db_prepare(req, SQL_ADMIN_NEEDS, web_db_json);
	} else {
		call = db_prepare(req, SQL_ADMIN_NEEDS_PAGE, form_page_done);
		call->page = "admin-needs";
	}
	session_bind(req, call);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

/* The new need's form, with the child of ?child= (call->arg) chosen. */
static int
need_new_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*ctx;

	if ((ctx = web_db_ctx(res)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	if (call->arg != NULL)
		json_object_set_new(json_object_get(ctx, "form"),
		    "beneficiary_id", json_string(call->arg));
	return (form_page_render(req, call, ctx));
}
