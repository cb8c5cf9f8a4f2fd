/*
 * The public shelf: the list of needs and one need, as pages and as API.
 * Both renderings come from the same SQL function: the API passes its
 * JSON through untouched, the page renders it.
 */
#include <stdlib.h>
#include <string.h>

#include "shop.h"

int	needs_api_list(struct http_request *);
int	needs_page_list(struct http_request *);
int	needs_api_get(struct http_request *);
int	needs_page_get(struct http_request *);

/* relevance: by where q's words are (api.needs_list), q's default. */
static const char *const sorts[] = { "urgent", "deadline", "newest",
	"relevance", NULL };
static const char *const statuses[] = {
	"open", "fully_pledged", "fulfilled", "notice", NULL
};

static const struct field list_fields[] = {
	{ "kind", FIELD_CHOICE, 0, 0, 0, need_kinds },
	{ "category", FIELD_SLUG, 0, 0, 40, NULL },
	{ "town", FIELD_SLUG, 0, 0, 40, NULL },
	{ "campaign", FIELD_SLUG, 0, 0, 40, NULL },
	{ "q", FIELD_TEXT, 0, 0, 50, NULL },
	{ "sort", FIELD_CHOICE, 0, 0, 0, sorts },
	{ "status", FIELD_CHOICE, 0, 0, 0, statuses },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
	{ "per_page", FIELD_INT, 0, 1, 100, NULL },
	{ "lang", FIELD_CHOICE, 0, 0, 0, web_langs },
};

/* The filters of the page, kept to build its links and its form. */
struct list_arg {
	struct form	form;
};

static int	list_start(struct http_request *, enum stmt, db_done_fn);
static int	list_page_done(struct http_request *, struct db_call *,
		    PGresult *);
static void	list_arg_free(void *);
static json_t	*list_cards(PGresult *, enum lang);
static json_t	*list_facets(PGresult *, enum lang);
static json_t	*choices(const char *const *, const char *, enum lang,
		    const char *);
static void	mark_selected(json_t *, const char *);
static int	need_start(struct http_request *, const char *, enum stmt,
		    db_done_fn);

/* GET /api/v1/needs: 400 on a malformed or unknown filter value. */
int
needs_api_list(struct http_request *req)
{
	int	r;

	if (http_state_exists(req))
		return (db_run(req));
	if (web_cached(req, &r))
		return (r);
	return (list_start(req, SQL_NEEDS_LIST, web_db_json));
}

/* GET /needs: the same list as a page, with its filter form. */
int
needs_page_list(struct http_request *req)
{
	int	r;

	if (http_state_exists(req))
		return (db_run(req));
	if (web_cached(req, &r))
		return (r);
	return (list_start(req, SQL_NEEDS_PAGE, list_page_done));
}

static int
list_start(struct http_request *req, enum stmt stmt, db_done_fn done)
{
	struct list_arg	*arg;
	struct db_call	*call;
	struct form	 f;
	const char	*v;

	if (!web_method(req, HTTP_METHOD_GET) ||
	    !web_query(req, &f, list_fields, NFIELDS(list_fields)))
		return (KORE_RESULT_OK);
	call = db_prepare(req, stmt, done);
	arg = kore_calloc(1, sizeof(*arg));
	arg->form = f;
	call->arg = arg;
	call->arg_free = list_arg_free;
	db_text(call, form_get(&f, "kind"));
	db_text(call, form_get(&f, "category"));
	db_text(call, form_get(&f, "town"));
	db_text(call, form_get(&f, "campaign"));
	db_text(call, form_get(&f, "q"));
	/* No sort: urgent, or relevance with a q (api.needs_list). */
	db_text(call, form_get(&f, "sort"));
	db_text(call, (v = form_get(&f, "status")) ? v : "open");
	db_int(call, form_int(&f, "page", 1));
	db_int(call, form_int(&f, "per_page", 20));
	db_text(call, web_lang_code(web_lang(req)));
	if (stmt == SQL_NEEDS_PAGE)
		session_bind(req, call);
	return (db_run(req));
}

/*
 * The data of a page of the shelf from api.needs_list's answer
 * ({"items":[...],"total":..,"page":..,"per_page":..}): its figures,
 * with "cards" (the items' cards rendered, cards.c) and "items" (true,
 * or an empty list: {{^items}}).  NULL when the answer is not one.
 */
static json_t *
list_cards(PGresult *res, enum lang lang)
{
	static const char	 head[] = "{\"items\":[";
	static const char	 tail[] = "],\"total\":";
	const char		*text;
	json_t			*ctx;
	struct buf		 cards;
	size_t			 len, end;
	int			 n;

	if ((text = db_value(res, 0, 0, &len)) == NULL ||
	    len < sizeof(head) + sizeof(tail) ||
	    memcmp(text, head, sizeof(head) - 1))
		return (NULL);
	for (end = len - (sizeof(tail) - 1); end >= sizeof(head) - 1; end--) {
		if (!memcmp(text + end, tail, sizeof(tail) - 1))
			break;
	}
	if (end < sizeof(head) - 1)
		return (NULL);
	/* ],"total":..,"page":..,"per_page":..} as an object of its own. */
	buf_init(&cards, 128);
	buf_putc(&cards, '{');
	buf_append(&cards, text + end + 2, len - end - 2);
	ctx = web_json_object(cards.data, cards.len);
	buf_free(&cards);
	if (ctx == NULL)
		return (NULL);
	buf_init(&cards, 32768);
	n = cards_render(&cards, text + sizeof(head) - 1,
	    end - (sizeof(head) - 1), lang);
	if (n < 0) {
		buf_free(&cards);
		json_decref(ctx);
		return (NULL);
	}
	/* Rendered from the database's texts, valid UTF-8: not checked. */
	json_object_set_new(ctx, "cards", json_stringn_nocheck(cards.data ?
	    cards.data : "", cards.len));
	json_object_set_new(ctx, "items", n > 0 ? json_true() :
	    json_array());
	buf_free(&cards);
	return (ctx);
}

/*
 * The shelf's facets (api.facets: the towns, categories and campaigns to
 * filter on), as parsed last, per language.  They change only when one
 * of those does; parsing them again for every page was 12% of a worker's
 * time on the bench's mix of shelf pages.  The database still sends them
 * with every page, so a change shows at once.  A page gets a copy, which
 * it marks its filters in.  NULL when the text is not an object.
 */
static json_t *
list_facets(PGresult *res, enum lang lang)
{
	static struct {
		char	*text;
		size_t	 len;
		json_t	*obj;
	}		 seen[LANG_EN + 1];
	const char	*text;
	json_t		*obj;
	size_t		 len;

	if ((text = db_value(res, 0, 1, &len)) == NULL)
		return (NULL);
	if (seen[lang].obj == NULL || seen[lang].len != len ||
	    memcmp(seen[lang].text, text, len)) {
		if ((obj = web_json_object(text, len)) == NULL)
			return (NULL);
		json_decref(seen[lang].obj);
		kore_free(seen[lang].text);
		seen[lang].text = kore_malloc(len);
		memcpy(seen[lang].text, text, len);
		seen[lang].len = len;
		seen[lang].obj = obj;
	}
	return (json_deep_copy(seen[lang].obj));
}

static void
list_arg_free(void *p)
{
	struct list_arg	*arg = p;

	form_free(&arg->form);
	kore_free(arg);
}

/* Choices of a select, named from the catalogue ("<prefix>.<value>"). */
static json_t *
choices(const char *const *values, const char *current, enum lang lang,
    const char *prefix)
{
	json_t	*arr, *name;
	char	 key[64];
	size_t	 i;

	arr = json_array();
	for (i = 0; values[i] != NULL; i++) {
		(void)snprintf(key, sizeof(key), "%s.%s", prefix, values[i]);
		name = json_object_get(web_messages(lang), key);
		json_array_append_new(arr, json_pack("{s:s, s:O, s:b}",
		    "slug", values[i], "name", name ? name : json_null(),
		    "selected", current != NULL && !strcmp(current,
		    values[i])));
	}
	return (arr);
}

static void
mark_selected(json_t *arr, const char *current)
{
	size_t	 i;
	json_t	*el;

	if (current == NULL)
		return;
	json_array_foreach(arr, i, el) {
		if (!strcmp(json_string_value(json_object_get(el, "slug")),
		    current))
			json_object_set_new(el, "selected", json_true());
	}
}

static int
list_page_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct list_arg	*arg = call->arg;
	struct form	*f = &arg->form;
	enum lang	 lang = web_lang(req);
	const char	*names[] = {
		"kind", "category", "town", "campaign", "q", "sort", "status",
		"per_page"
	};
	json_t		*ctx, *fac;
	struct buf	 qs;
	long long	 page, pages, per, total;
	size_t		 i;
	int		 r;

	if ((ctx = list_cards(res, lang)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	if ((fac = list_facets(res, lang)) == NULL) {
		json_decref(ctx);
		return (web_error(req, 500, "internal", NULL));
	}

	mark_selected(json_object_get(fac, "towns"), form_get(f, "town"));
	mark_selected(json_object_get(fac, "categories"),
	    form_get(f, "category"));
	mark_selected(json_object_get(fac, "campaigns"),
	    form_get(f, "campaign"));
	json_object_set_new(fac, "kinds", choices(need_kinds,
	    form_get(f, "kind"), lang, "kind"));
	json_object_set_new(fac, "sorts", choices(sorts, form_get(f, "sort") ?
	    form_get(f, "sort") : form_get(f, "q") ? "relevance" : NULL,
	    lang, "sort"));
	json_object_set_new(ctx, "facets", fac);
	if ((fac = web_db_object(res, 2)) != NULL)
		json_object_set_new(ctx, "viewer", fac);
	json_object_set_new(ctx, "q", json_string(form_get(f, "q") ?
	    form_get(f, "q") : ""));

	/* The current filters as a query string, for the pager's links. */
	buf_init(&qs, 128);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (form_get(f, names[i]) == NULL)
			continue;
		buf_printf(&qs, "%s=", names[i]);
		esc_url(&qs, form_get(f, names[i]),
		    strlen(form_get(f, names[i])));
		buf_putc(&qs, '&');
	}
	json_object_set_new(ctx, "qs", json_string(qs.data));
	buf_free(&qs);

	total = json_integer_value(json_object_get(ctx, "total"));
	per = json_integer_value(json_object_get(ctx, "per_page"));
	page = json_integer_value(json_object_get(ctx, "page"));
	pages = per > 0 ? (total + per - 1) / per : 0;
	json_object_set_new(ctx, "pager", json_pack("{s:I, s:I, s:I, s:I}",
	    "page", (json_int_t)page, "pages", (json_int_t)pages,
	    "prev", (json_int_t)(page > 1 ? page - 1 : 0),
	    "next", (json_int_t)(page < pages ? page + 1 : 0)));
	json_object_set_new(ctx, "title", json_string(json_string_value(
	    json_object_get(web_messages(lang), "needs.title"))));

	r = web_page(req, 200, "needs", ctx);
	json_decref(ctx);
	return (r);
}

/* GET /api/v1/needs/{id}: 404 for an id that is not a listed need. */
int
needs_api_get(struct http_request *req)
{
	int	r;

	if (http_state_exists(req))
		return (db_run(req));
	if (web_cached(req, &r))
		return (r);
	return (need_start(req, "/api/v1/needs/", SQL_NEED_GET,
		    web_db_json));
}

/* GET /needs/{id}: the need's page. */
int
needs_page_get(struct http_request *req)
{
	int	r;

	if (http_state_exists(req))
		return (db_run(req));
	if (web_cached(req, &r))
		return (r);
	return (need_start(req, "/needs/", SQL_NEED_PAGE,
		    web_db_page));
}

static int
need_start(struct http_request *req, const char *prefix, enum stmt stmt,
    db_done_fn done)
{
	struct db_call	*call;
	char		 id[WEB_ID_MAX];

	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	if (!web_path_id(req, prefix, id, sizeof(id), NULL))
		return (web_error(req, 404, "not_found", NULL));
	call = db_prepare(req, stmt, done);
	call->page = "need";
	db_text(call, id);
	db_text(call, web_lang_code(web_lang(req)));
	if (stmt == SQL_NEED_PAGE)
		session_bind(req, call);
	return (db_run(req));
}
