/*
 * Objections to a need during its public notice (公示): anyone may send
 * one through the form on the need's page (or the API), with an optional
 * contact that is sealed at once like a child's private part; the branch
 * above the need's organisation, or an admin, answers it.  Whoever filed
 * it gets a follow-up code and reads the answer with it (GET
 * /objections/follow?code=): objections are anonymous, so the code is
 * the only way back to them.  The rules are in sql/api/041_need_life.sql
 * (objection_file, objection_resolve, objection_follow).
 */
#include <string.h>

#include "shop.h"

int	objection_file(struct http_request *);
int	objection_resolve(struct http_request *);
int	objection_follow(struct http_request *);

static const struct field file_fields[] = {
	{ "reason", FIELD_LINES, 1, 5, 1000, NULL },
	{ "contact", FIELD_TEXT, 0, 0, 100, NULL },
	CSRF_FIELD,
};

static const struct field follow_fields[] = {
	{ "code", FIELD_TEXT, 0, 1, 40, NULL },
};

static const char *const decisions[] = { "dismiss", "uphold", NULL };

static const struct field resolve_fields[] = {
	{ "decision", FIELD_CHOICE, 1, 0, 0, decisions },
	{ "note", FIELD_LINES, 1, 1, 1000, NULL },
	CSRF_FIELD,
};

/* A posted objection: what was typed, to show it again, and its need. */
struct objection_post {
	struct form	form;
	char		id[WEB_ID_MAX];
};

static void	objection_post_free(void *);
static int	objection_refused(struct http_request *, struct db_call *,
		    int, const char *, const char *);
static int	objection_filed(struct http_request *, struct db_call *,
		    PGresult *);
static int	objection_resolved(struct http_request *, struct db_call *,
		    PGresult *);
static int	objection_followed(struct http_request *, struct db_call *,
		    PGresult *);
static int	objection_unknown(struct http_request *, struct db_call *,
		    int, const char *, const char *);

static void
objection_post_free(void *p)
{
	struct objection_post	*op = p;

	form_free(&op->form);
	kore_free(op);
}

/* A refused objection: the need's page again, with what was typed. */
static int
objection_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	struct objection_post	*op = call->arg;

	return (form_page_again(req, call, SQL_NEED_PAGE_AGAIN, "need", op->id,
	    status, code, field, form_page_values(&op->form)));
}

/*
 * POST /needs/{id}/objections, /api/v1/needs/{id}/objections (anyone; a
 * form needs its CSRF token): reason (5 to 1,000 characters) and an
 * optional contact (up to 100).  404 for a need the public does not see,
 * 409 outside its notice, 429 when one sends too many.
 */
int
objection_file(struct http_request *req)
{
	struct objection_post	*op;
	struct private_sealed	 sealed;
	struct form_error	 err;
	struct db_call		*call;
	struct form		 f;
	const char		*rest;
	json_t			*contact;
	char			 id[WEB_ID_MAX], aad[96], ip[64];
	int			 api = web_is_api(req), ok;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_path_id(req, api ? "/api/v1/needs/" : "/needs/", id,
	    sizeof(id), &rest) || strcmp(rest, "/objections"))
		return (web_error(req, 404, "not_found", NULL));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (!web_input(req, &f, file_fields, NFIELDS(file_fields), &err))
		return (form_page_bad_input(req, SQL_NEED_PAGE_AGAIN, "need", id, &f,
		    &err));
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	/* The contact is sealed before anything else happens to it. */
	sealed.hex = NULL;
	if (form_get(&f, "contact") != NULL) {
		private_aad(aad, sizeof(aad), "objection", id);
		contact = json_pack("{s:s}", "contact",
		    form_get(&f, "contact"));
		ok = private_seal(&sealed, aad, contact);
		json_decref(contact);
		if (!ok) {
			form_free(&f);
			return (web_error(req, 500, "internal", NULL));
		}
	}
	request_client_ip(req, ip, sizeof(ip));
	op = kore_calloc(1, sizeof(*op));
	op->form = f;
	kore_strlcpy(op->id, id, sizeof(op->id));
	call = db_prepare(req, SQL_OBJECTION_FILE, objection_filed);
	call->arg = op;
	call->arg_free = objection_post_free;
	call->on_error = objection_refused;
	db_text(call, id);
	db_text(call, form_get(&op->form, "reason"));
	if (sealed.hex != NULL) {
		private_bind(call, &sealed);
	} else {
		db_text(call, NULL);
		db_text(call, NULL);
		db_text(call, NULL);
	}
	db_text(call, ip);
	return (db_run(req));
}

/* Filed: the JSON, or on to the page of its follow-up code. */
static int
objection_filed(struct http_request *req, struct db_call *call,
    PGresult *res)
{
	json_t		*r;
	const char	*code;
	char		 to[96];

	(void)call;
	if (web_is_api(req))
		return (web_saved(req, res, 201, NULL));
	if ((r = web_db_object(res, 0)) == NULL ||
	    (code = json_string_value(json_object_get(r, "follow_code"))) ==
	    NULL) {
		json_decref(r);
		return (web_error(req, 500, "internal", NULL));
	}
	(void)snprintf(to, sizeof(to), "/objections/follow?code=%s", code);
	json_decref(r);
	return (web_redirect(req, to));
}

/*
 * GET /objections/follow[?code=], /api/v1/objections/follow?code= (anyone
 * with the code): how the objection stands or ended.  The page without a
 * code is its form; 404 naming code for one no objection has.
 */
int
objection_follow(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;
	int		 api = web_is_api(req);

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET) ||
	    !web_query(req, &f, follow_fields, NFIELDS(follow_fields)))
		return (KORE_RESULT_OK);
	if (api && form_get(&f, "code") == NULL) {
		form_free(&f);
		return (web_error(req, 400, "required", "code"));
	}
	call = db_prepare(req, api ? SQL_OBJECTION_FOLLOW :
	    SQL_OBJECTION_FOLLOW_PAGE, objection_followed);
	call->on_error = objection_unknown;
	db_text(call, form_get(&f, "code"));
	db_text(call, web_lang_code(web_lang(req)));
	if (!api)
		session_bind(req, call);
	/* Kept to show the typed code again (freed with the call). */
	call->extra = form_page_values(&f);
	form_free(&f);
	return (db_run(req));
}

static int
objection_followed(struct http_request *req, struct db_call *call,
    PGresult *res)
{
	json_t	*d;
	int	 r;

	if (web_is_api(req))
		return (web_db_json(req, call, res));
	if ((d = web_db_ctx(res)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	json_object_set(d, "values", call->extra);
	r = web_page(req, 200, "objection-follow", d);
	json_decref(d);
	return (r);
}

/* No objection has the code: the form again, the message beside it. */
static int
objection_unknown(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	json_t	*values = call->extra;

	call->extra = NULL;
	return (form_page_again(req, call, SQL_VIEWER_PAGE, "objection-follow",
	    NULL, status, code, field, values));
}

/*
 * POST /objections/{id}/resolve, /api/v1/objections/{id}/resolve: decision
 * (dismiss or uphold) and note.  404 for an objection the caller does not
 * see, 403 for the need's own organisation, 409 when already answered.
 */
int
objection_resolve(struct http_request *req)
{
	struct db_call		*call;
	struct form		 f;
	const char		*rest;
	char			 id[WEB_ID_MAX], ip[64];
	int			 api = web_is_api(req);

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_path_id(req, api ? "/api/v1/objections/" :
	    "/objections/", id, sizeof(id), &rest) || strcmp(rest, "/resolve"))
		return (web_error(req, 404, "not_found", NULL));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (!web_post_input(req, &f, resolve_fields, NFIELDS(resolve_fields)))
		return (KORE_RESULT_OK);
	request_client_ip(req, ip, sizeof(ip));
	call = db_prepare(req, SQL_OBJECTION_RESOLVE, objection_resolved);
	session_bind(req, call);
	db_text(call, id);
	db_text(call, form_get(&f, "decision"));
	db_text(call, form_get(&f, "note"));
	db_text(call, ip);
	/* db_text keeps copies, and no step shows this form again. */
	form_free(&f);
	return (db_run(req));
}

/* Answered: back to the need at work, or the JSON answer. */
static int
objection_resolved(struct http_request *req, struct db_call *call,
    PGresult *res)
{
	struct buf	to;
	long long	need;
	int		r;

	if (web_is_api(req))
		return (web_db_json(req, call, res));
	if ((need = web_db_id(res, "need_id")) <= 0)
		return (web_error(req, 500, "internal", NULL));
	buf_init(&to, 64);
	buf_printf(&to, "/branch/needs/%lld", need);
	r = web_redirect(req, to.data);
	buf_free(&to);
	return (r);
}
