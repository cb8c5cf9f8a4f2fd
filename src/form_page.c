/*
 * Form pages, and the one way a refused form is answered: under /api/
 * the JSON error, elsewhere its page again with the message and the
 * values it was sent with (form_page_again).
 *
 * A form page's data holds "form" (the fields' current values) and
 * "choices" ({field: [{value, name}]}, and for checkboxes {value, field,
 * name}); form_page_render marks the chosen option of each select (selected)
 * and each ticked box (checked), after putting the values a refused form
 * was sent with ("values") in place of "form".
 */
#include <string.h>

#include "shop.h"

static void	form_page_mark(json_t *);

/* A form's values as a JSON object (all but the CSRF token). */
json_t *
form_page_values(const struct form *f)
{
	json_t	*v = json_object();
	size_t	 i;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].name, "csrf"))
			json_object_set_new(v, f->v[i].name,
			    json_string(f->v[i].value));
	}
	return (v);
}

/* Marks the options of ctx's choices that ctx's form has chosen. */
static void
form_page_mark(json_t *ctx)
{
	json_t		*choices, *form, *opts, *opt, *cur, *val, *field;
	const char	*name, *want;
	char		 num[32];
	size_t		 i;

	choices = json_object_get(ctx, "choices");
	form = json_object_get(ctx, "form");
	if (!json_is_object(choices) || !json_is_object(form))
		return;
	json_object_foreach(choices, name, opts) {
		cur = json_object_get(form, name);
		want = NULL;
		if (json_is_string(cur))
			want = json_string_value(cur);
		else if (json_is_integer(cur)) {
			(void)snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(cur));
			want = num;
		}
		json_array_foreach(opts, i, opt) {
			if (!json_is_object(opt))
				continue;
			if (json_is_string(field = json_object_get(opt,
			    "field"))) {
				val = json_object_get(form,
				    json_string_value(field));
				json_object_set_new(opt, "checked", json_boolean(
				    json_is_true(val) || (json_is_string(val) &&
				    strcmp(json_string_value(val), "0") &&
				    strcmp(json_string_value(val), "false"))));
				continue;
			}
			val = json_object_get(opt, "value");
			json_object_set_new(opt, "selected", json_boolean(
			    want != NULL && json_is_string(val) &&
			    !strcmp(json_string_value(val), want)));
		}
	}
}

/*
 * Renders call->page with ctx (which it takes over): call->extra merged
 * in (a refused form's message and values), the values in place of the
 * form, the choices marked.
 */
int
form_page_render(struct http_request *req, struct db_call *call, json_t *ctx)
{
	json_t	*values;
	int	 r;

	if (call->extra != NULL)
		json_object_update(ctx, call->extra);
	if (json_is_object(values = json_object_get(ctx, "values")))
		json_object_set(ctx, "form", values);
	form_page_mark(ctx);
	r = web_page(req, call->status ? call->status : 200, call->page, ctx);
	json_decref(ctx);
	return (r);
}

/* A done callback: the page call->page from the statement's row. */
int
form_page_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*ctx;

	if ((ctx = web_db_ctx(res)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	return (form_page_render(req, call, ctx));
}

/*
 * A refused form: under /api/ the JSON error; elsewhere the page tmpl
 * again from statement stmt, whose parameters are the session, the
 * record's id (when id is not NULL), the language and, when it takes one
 * more, the client's address; with the message and values (owned by the
 * callee).  call is the request's steps when they have begun, or NULL
 * (from a handler).  Returns what a handler returns.
 */
int
form_page_again(struct http_request *req, struct db_call *call, enum stmt stmt,
    const char *tmpl, const char *id, int status, const char *code,
    const char *field, json_t *values)
{
	return (form_page_again_with(req, call, stmt, form_page_done, tmpl, id,
	    status, code, field, values));
}

/*
 * form_page_again with done rendering the page instead of
 * form_page_done (a page that adds to its data before rendering).
 */
int
form_page_again_with(struct http_request *req, struct db_call *call,
    enum stmt stmt, db_done_fn done, const char *tmpl, const char *id,
    int status, const char *code, const char *field, json_t *values)
{
	json_t		*detail = call != NULL ? call->error_detail : NULL;
	char		 ip[64];
	int		 from_handler = call == NULL;

	if (web_is_api(req)) {
		json_decref(values);
		return (web_error_detail(req, status, code, field, detail));
	}
	if (from_handler)
		call = db_begin(req);
	db_stmt(call, stmt, done);
	session_bind(req, call);
	if (id != NULL)
		db_text(call, id);
	db_text(call, web_lang_code(web_lang(req)));
	if (call->nparams < stmts[stmt].nparams) {
		request_client_ip(req, ip, sizeof(ip));
		db_text(call, ip);
	}
	form_page_refused(req, call, tmpl, status, code, field, values);
	return (from_handler ? db_run(req) : KORE_RESULT_OK);
}

/*
 * What the page call's step renders says a form was refused: the page
 * tmpl with status, the message, and the values the form was sent with
 * (owned by the callee; NULL: none).  The caller has chained the page's
 * statement on call.
 */
void
form_page_refused(struct http_request *req, struct db_call *call,
    const char *tmpl, int status, const char *code, const char *field,
    json_t *values)
{
	struct buf	 msg;

	call->page = tmpl;
	call->status = status;
	buf_init(&msg, 128);
	web_error_message(&msg, web_lang(req), code, field,
	    call->error_detail);
	json_decref(call->extra);
	call->extra = json_pack("{s:s}", "error", msg.data);
	/* The field at fault: the page puts the message beside it (app.js). */
	if (field == NULL && call->error_detail != NULL)
		field = json_string_value(json_object_get(call->error_detail,
		    "field"));
	if (field != NULL)
		json_object_set_new(call->extra, "error_field",
		    json_string(field));
	if (values != NULL)
		json_object_set_new(call->extra, "values", values);
	buf_free(&msg);
}

/*
 * Input refused before any step (web_input said why in err): the form
 * again, or the JSON error.  Frees f.
 */
int
form_page_bad_input(struct http_request *req, enum stmt stmt, const char *tmpl,
    const char *id, struct form *f, const struct form_error *err)
{
	json_t	*values = form_page_values(f);

	form_free(f);
	return (form_page_again(req, NULL, stmt, tmpl, id, 400, err->code ?
	    err->code : "bad_request", err->field[0] ? err->field : NULL,
	    values));
}
