/*
 * What the pages and forms of children, needs at work and campaigns
 * share: ids in paths, the values of a refused form, the choices of a
 * form marked as chosen, and the form shown again with its message.
 *
 * A form page's data holds "form" (the fields' current values) and
 * "choices" ({field: [{value, name}]}, and for checkboxes {value, field,
 * name}); work_render marks the chosen option of each select (selected)
 * and each ticked box (checked), after putting the values a refused form
 * was sent with ("values") in place of "form".
 */
#include <string.h>

#include "shop.h"

static void	work_mark(json_t *);

/*
 * The record id in path after prefix ("/branch/needs/12/verify" with
 * "/branch/needs/": "12"), into num (WORK_ID_MAX bytes), and what follows
 * it into *rest ("/verify", or "").  Returns 0 when there is no id: not
 * digits, a leading zero, or more than 15 digits.
 */
int
work_path_id(const char *path, const char *prefix, char *num,
    const char **rest)
{
	size_t		 plen = strlen(prefix), len;
	const char	*id;

	if (strncmp(path, prefix, plen))
		return (0);
	id = path + plen;
	len = strspn(id, "0123456789");
	if (len == 0 || len > 15 || *id == '0')
		return (0);
	memcpy(num, id, len);
	num[len] = '\0';
	*rest = id + len;
	return (1);
}

/* A form's values as a JSON object (all but the CSRF token). */
json_t *
work_values(const struct form *f)
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
work_mark(json_t *ctx)
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
work_render(struct http_request *req, struct db_call *call, json_t *ctx)
{
	json_t	*values;
	int	 r;

	if (call->extra != NULL)
		json_object_update(ctx, call->extra);
	if (json_is_object(values = json_object_get(ctx, "values")))
		json_object_set(ctx, "form", values);
	work_mark(ctx);
	r = web_page(req, call->status ? call->status : 200, call->page, ctx);
	json_decref(ctx);
	return (r);
}

/* A done callback: the page call->page from the statement's row. */
int
work_page(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*ctx;

	if ((ctx = web_db_ctx(res)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	return (work_render(req, call, ctx));
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
work_again(struct http_request *req, struct db_call *call, enum stmt stmt,
    const char *tmpl, const char *id, int status, const char *code,
    const char *field, json_t *values)
{
	return (web_form_again_at(req, call, stmt, work_page, tmpl, id, status,
	    code, field, values));
}

/*
 * Input refused before any step (web_input said why in err): the form
 * again, or the JSON error.  Frees f.
 */
int
work_bad_input(struct http_request *req, enum stmt stmt, const char *tmpl,
    const char *id, struct form *f, const struct form_error *err)
{
	json_t	*values = work_values(f);

	form_free(f);
	return (work_again(req, NULL, stmt, tmpl, id, 400, err->code ?
	    err->code : "bad_request", err->field[0] ? err->field : NULL,
	    values));
}

/* The integer member key of the JSON object in the result, or -1. */
long long
work_result_id(PGresult *res, const char *key)
{
	json_t		*o;
	long long	 id = -1;

	if ((o = web_db_object(res, 0)) != NULL) {
		if (json_is_integer(json_object_get(o, key)))
			id = json_integer_value(json_object_get(o, key));
		json_decref(o);
	}
	return (id);
}
