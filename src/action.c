/*
 * Declared actions: what a GET or a POST of a path does, as data.  The
 * route in conf/kore.conf names the handler; the handler names its
 * path's actions (struct action_path, most often through
 * ACTION_HANDLER); action_serve picks the one for the method, reads the
 * record's number from the path (web_path_id), checks the input against
 * the action's fields, binds the statement's parameters and answers.
 * Who may do what is the statement's to say.
 *
 * Binding: an action's binds name the statement's parameters in order:
 *   $sid	the session
 *   $lang	the reader's language
 *   $id	the record's number from the path
 *   $ip	the client's address
 *   $idem	the Idempotency-Key header, else the form's idem field
 *   $after	NULL: the cursor of a download's first page (export.c
 *		sends the statement again with the next page's)
 *   name	the input field name, typed: a FIELD_YUAN in fen, the others
 *		as they came (NULL when absent)
 *   a|b	one parameter given as field a or as field b (the first
 *		present), such as an amount in fen from the API or in yuan
 *		from a form; a bad b is reported as a, the parameter's name.
 *
 * A page (GET) renders tmpl from the statement's row, or answers through
 * done (a download); the API answers the statement's JSON.  A form
 * (POST) goes on to back ('#': the record's number, '@': the id the
 * statement returns, its member "id" or back_id), or is shown again on
 * its again page with the message and what was typed; the API answers
 * the statement's JSON or the error.
 */
#include <string.h>

#include "shop.h"

#define ACTION_NAME	32	/* a bound name and its NUL */

/* A form's steps: its action, values, the record's number, the key. */
struct action_post {
	const struct action	*action;
	struct form		 form;
	char			 id[WEB_ID_MAX];
	char			 ip[64];
	const char		*key;
};

static size_t	action_token(const char **, char *);
static const struct field *action_field(const struct action *,
		    const char *);
static void	action_bind(struct http_request *, struct db_call *,
		    const struct action *, const struct form *, const char *,
		    const struct action_post *);
static void	action_bind_field(struct db_call *, const struct action *,
		    const struct form *, char *);
static void	action_error_name(const struct action *,
		    struct form_error *);
static int	action_get(struct http_request *, const struct action *,
		    const char *);
static int	action_post(struct http_request *, const struct action *,
		    const char *);
static void	action_post_free(void *);
static int	action_again(struct http_request *, struct db_call *,
		    struct action_post *, int, const char *, const char *);
static int	action_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);
static int	action_posted(struct http_request *, struct db_call *,
		    PGresult *);

/*
 * Serves req with path's actions: 404 when the path's record number is
 * not one, 405 (with Allow) for a method the path does not take.
 */
int
action_serve(struct http_request *req, const struct action_path *path)
{
	const char		*prefix, *rest;
	char			 id[WEB_ID_MAX];
	int			 allow;

	if (http_state_exists(req))
		return (db_run(req));
	/* What follows the number is the route's (conf/kore.conf). */
	id[0] = '\0';
	prefix = web_is_api(req) ? path->api : path->page;
	if (prefix != NULL && !web_path_id(req, prefix, id, sizeof(id), &rest))
		return (web_error(req, 404, "not_found", NULL));
	allow = (path->get != NULL ? HTTP_METHOD_GET : 0) |
	    (path->post != NULL ? HTTP_METHOD_POST : 0);
	if (!web_method(req, allow))
		return (KORE_RESULT_OK);
	if (req->method == HTTP_METHOD_POST)
		return (action_post(req, path->post, id));
	return (action_get(req, path->get, id));
}

/*
 * The next name of the binds at *p into name, *p moved past it; its
 * length (0 at the end).
 */
static size_t
action_token(const char **p, char *name)
{
	size_t	len;

	*p += strspn(*p, " ");
	len = strcspn(*p, " ");
	if (len >= ACTION_NAME)
		fatal("action: name too long at '%s'", *p);
	memcpy(name, *p, len);
	name[len] = '\0';
	*p += len;
	return (len);
}

/* The declared field name of a, or NULL. */
static const struct field *
action_field(const struct action *a, const char *name)
{
	size_t	i;

	for (i = 0; i < a->nfields; i++) {
		if (!strcmp(a->fields[i].name, name))
			return (&a->fields[i]);
	}
	return (NULL);
}

/*
 * Binds the parameters named in a's binds (see the top of this file); f
 * and p may be NULL (the fields, the address and the key are then NULL).
 */
static void
action_bind(struct http_request *req, struct db_call *call,
    const struct action *a, const struct form *f, const char *id,
    const struct action_post *p)
{
	const char	*s = a->binds;
	char		 name[ACTION_NAME];

	while (action_token(&s, name) > 0) {
		if (!strcmp(name, "$sid"))
			session_bind(req, call);
		else if (!strcmp(name, "$lang"))
			db_text(call, web_lang_code(web_lang(req)));
		else if (!strcmp(name, "$id"))
			db_text(call, id);
		else if (!strcmp(name, "$ip"))
			db_text(call, p != NULL ? p->ip : NULL);
		else if (!strcmp(name, "$idem"))
			db_text(call, p != NULL ? p->key : NULL);
		else if (!strcmp(name, "$after"))
			db_text(call, NULL);
		else
			action_bind_field(call, a, f, name);
	}
}

/* Binds the field (or the first present of a|b) name of f, typed. */
static void
action_bind_field(struct db_call *call, const struct action *a,
    const struct form *f, char *name)
{
	const struct field	*fd;
	const char		*v = NULL;
	char			*alt, fen[24];

	for (alt = name; f != NULL && alt != NULL && v == NULL; ) {
		name = strsep(&alt, "|");
		v = form_get(f, name);
	}
	if (v != NULL && (fd = action_field(a, name)) != NULL &&
	    fd->kind == FIELD_YUAN) {
		(void)snprintf(fen, sizeof(fen), "%lld",
		    (long long)form_fen(f, name, 0));
		v = fen;
	}
	db_text(call, v);
}

/*
 * A refused field that is the second name of a|b in a's binds is
 * reported as a: one parameter, one name for clients.
 */
static void
action_error_name(const struct action *a, struct form_error *err)
{
	const char	*s = a->binds;
	char		 name[ACTION_NAME], *alt, *first;

	while (action_token(&s, name) > 0) {
		if ((alt = strchr(name, '|')) == NULL)
			continue;
		*alt++ = '\0';
		first = name;
		while (alt != NULL) {
			if (!strcmp(strsep(&alt, "|"), err->field)) {
				kore_strlcpy(err->field, first,
				    sizeof(err->field));
				return;
			}
		}
	}
}

/* A page, its JSON, or a download. */
static int
action_get(struct http_request *req, const struct action *a, const char *id)
{
	struct db_call	*call;
	struct form	 f;
	db_done_fn	 done;

	if (!web_query(req, &f, a->fields, a->nfields))
		return (KORE_RESULT_OK);
	done = a->done != NULL ? a->done : web_is_api(req) ? web_db_json :
	    form_page_done;
	call = db_prepare(req, a->stmt, done);
	call->page = a->tmpl;
	action_bind(req, call, a, &f, id, NULL);
	form_free(&f);
	return (db_run(req));
}

/* A form or an API call that changes something. */
static int
action_post(struct http_request *req, const struct action *a, const char *id)
{
	struct form_error	 err;
	struct db_call		*call;
	struct action_post	*p;
	int			 ok;

	p = kore_calloc(1, sizeof(*p));
	p->action = a;
	kore_strlcpy(p->id, id, sizeof(p->id));
	request_client_ip(req, p->ip, sizeof(p->ip));
	if (!(ok = web_input(req, &p->form, a->fields, a->nfields, &err)))
		action_error_name(a, &err);
	if (!ok && web_is_api(req)) {
		action_post_free(p);
		return (web_error(req, 400, err.code, err.field[0] ?
		    err.field : NULL));
	}
	if (ok && (!web_post_ok(req, &p->form) ||
	    (strstr(a->binds, "$idem") != NULL &&
	    !web_idem_key(req, &p->form, &p->key)))) {
		action_post_free(p);
		return (KORE_RESULT_OK);
	}
	call = db_begin(req);
	call->arg = p;
	call->arg_free = action_post_free;
	if (!ok) {
		action_again(req, call, p, 400, err.code, err.field[0] ?
		    err.field : NULL);
		return (db_run(req));
	}
	db_stmt(call, a->stmt, action_posted);
	call->on_error = action_refused;
	action_bind(req, call, a, &p->form, p->id, p);
	return (db_run(req));
}

static void
action_post_free(void *arg)
{
	struct action_post	*p = arg;

	form_free(&p->form);
	kore_free(p);
}

/*
 * A refused form: the JSON error under /api/ (or for a form with no
 * page), else its again page with the message and what was typed,
 * chained on call.
 */
static int
action_again(struct http_request *req, struct db_call *call,
    struct action_post *p, int status, const char *code, const char *field)
{
	const struct action	*page = p->action->again;

	if (web_is_api(req) || page == NULL)
		return (web_error_detail(req, status, code, field,
		    call->error_detail));
	db_stmt(call, page->stmt, form_page_done);
	action_bind(req, call, page, NULL, p->id, p);
	form_page_refused(req, call, page->tmpl, status, code, field,
	    form_page_values(&p->form));
	return (KORE_RESULT_OK);
}

/* An SHnnn answer of the statement (see db.c's on_error). */
static int
action_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	return (action_again(req, call, call->arg, status, code, field));
}

/*
 * Done: the API passes the answer through; a form goes on to the
 * action's back.
 */
static int
action_posted(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct action_post	*p = call->arg;
	struct buf		 to;
	json_t			*o, *v;
	const char		*s;
	int			 r;

	if (web_is_api(req))
		return (web_db_json(req, call, res));
	if ((o = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	buf_init(&to, 64);
	for (s = p->action->back; *s != '\0'; s++) {
		if (*s == '#')
			buf_puts(&to, p->id);
		else if (*s == '@' && json_is_integer(v = json_object_get(o,
		    p->action->back_id != NULL ? p->action->back_id : "id")))
			buf_printf(&to, "%lld",
			    (long long)json_integer_value(v));
		else
			buf_putc(&to, *s);
	}
	r = web_redirect(req, to.data);
	buf_free(&to);
	json_decref(o);
	return (r);
}
