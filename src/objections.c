/*
 * Objections to a need during its public notice (公示): anyone may send
 * one through the form on the need's page (or the API), with an optional
 * contact that is sealed at once like a child's private part; the branch
 * above the need's organisation, or an admin, answers it.  The rules are
 * in sql/api/041_need_life.sql (objection_file, objection_resolve).
 */
#include <string.h>

#include "shop.h"

int	objection_file(struct http_request *);
int	objection_resolve(struct http_request *);

static const struct field file_fields[] = {
	{ "reason", FIELD_LINES, 1, 5, 1000, NULL },
	{ "contact", FIELD_TEXT, 0, 0, 100, NULL },
	CSRF_FIELD,
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

static int
objection_filed(struct http_request *req, struct db_call *call,
    PGresult *res)
{
	struct objection_post	*op = call->arg;
	char			 to[64];

	(void)snprintf(to, sizeof(to), "/needs/%s", op->id);
	return (web_saved(req, res, 201, to));
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
