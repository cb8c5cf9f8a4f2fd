/*
 * Campaigns: the public list (/campaigns) and page (/campaigns/{slug}),
 * with their needs and progress; admins create and edit them
 * (/admin/campaigns).  The same under /api/v1/campaigns.  The rules are
 * in sql/api/042_campaigns.sql.
 */
#include <string.h>

#include "shop.h"

int	campaigns(struct http_request *);
int	campaign(struct http_request *);

static const struct field campaign_fields[] = {
	{ "slug", FIELD_SLUG, 0, 0, 41, NULL },
	{ "name_zh", FIELD_TEXT, 1, 1, 60, NULL },
	{ "name_en", FIELD_TEXT, 1, 1, 120, NULL },
	{ "summary_zh", FIELD_TEXT, 0, 0, 200, NULL },
	{ "summary_en", FIELD_TEXT, 0, 0, 400, NULL },
	{ "description_zh", FIELD_LINES, 0, 0, 4000, NULL },
	{ "description_en", FIELD_LINES, 0, 0, 8000, NULL },
	{ "starts_on", FIELD_DATE, 1, 2000, 2100, NULL },
	{ "ends_on", FIELD_DATE, 1, 2000, 2100, NULL },
	{ "target_needs", FIELD_INT, 0, 1, 1000000, NULL },
	CSRF_FIELD,
};


/* A posted campaign form. */
struct campaign_post {
	struct form	form;
	char		slug[SLUG_MAX];
};

static int	campaign_post(struct http_request *, const char *);
static void	campaign_post_free(void *);
static int	campaign_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);
static int	campaign_saved(struct http_request *, struct db_call *,
		    PGresult *);

/*
 * The slug in path between prefix and suffix (the end of the path: ""
 * when nothing follows), into slug (SLUG_MAX bytes); 0 if none.
 */
int
campaign_slug(const char *path, const char *prefix, const char *suffix,
    char *slug)
{
	size_t		 plen = strlen(prefix), len;
	const char	*s;

	if (strncmp(path, prefix, plen))
		return (0);
	s = path + plen;
	len = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");
	if (len == 0 || len >= SLUG_MAX || strcmp(s + len, suffix))
		return (0);
	memcpy(slug, s, len);
	slug[len] = '\0';
	return (1);
}

/*
 * GET /campaigns, /api/v1/campaigns: every campaign with its figures.
 * GET /admin/campaigns (admins): the same with their forms.  POST
 * /admin/campaigns, /api/v1/campaigns (admins): a new campaign; 400
 * naming the field, 409 for a slug already taken.
 */
int
campaigns(struct http_request *req)
{
	struct db_call	*call;
	int		 admin = !strncmp(req->path, "/admin/", 7), r;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET | ((admin || web_is_api(req)) ?
	    HTTP_METHOD_POST : 0)))
		return (KORE_RESULT_OK);
	if (req->method == HTTP_METHOD_POST)
		return (campaign_post(req, NULL));
	if (!admin && web_cached(req, &r))
		return (r);
	if (web_is_api(req)) {
		call = db_prepare(req, SQL_CAMPAIGNS_LIST, web_db_json);
		db_text(call, web_lang_code(web_lang(req)));
		return (db_run(req));
	}
	call = db_prepare(req, admin ? SQL_CAMPAIGNS_ADMIN_PAGE :
	    SQL_CAMPAIGNS_PAGE, form_page_done);
	call->page = admin ? "campaigns-admin" : "campaigns";
	session_bind(req, call);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

/*
 * GET /campaigns/{slug}, /api/v1/campaigns/{slug}: the campaign, its
 * figures and its public needs; 404 for an unknown slug.  GET
 * /admin/campaigns/{slug}: its form (admins).  POST /admin/campaigns/
 * {slug}, /api/v1/campaigns/{slug} (admins): its fields anew (the slug
 * stays).
 */
int
campaign(struct http_request *req)
{
	struct db_call	*call;
	char		 slug[SLUG_MAX];
	int		 admin = !strncmp(req->path, "/admin/", 7);
	int		 api = web_is_api(req), r;

	if (http_state_exists(req))
		return (db_run(req));
	if (!campaign_slug(req->path, api ? "/api/v1/campaigns/" : admin ?
	    "/admin/campaigns/" : "/campaigns/", "", slug))
		return (web_error(req, 404, "not_found", NULL));
	if (!web_method(req, HTTP_METHOD_GET | ((admin || api) ?
	    HTTP_METHOD_POST : 0)))
		return (KORE_RESULT_OK);
	if (req->method == HTTP_METHOD_POST)
		return (campaign_post(req, slug));
	if (!admin && web_cached(req, &r))
		return (r);
	if (api) {
		call = db_prepare(req, SQL_CAMPAIGN_GET, web_db_json);
		db_text(call, slug);
		db_text(call, web_lang_code(web_lang(req)));
		return (db_run(req));
	}
	call = db_prepare(req, admin ? SQL_CAMPAIGN_EDIT_PAGE :
	    SQL_CAMPAIGN_PAGE, form_page_done);
	call->page = admin ? "campaign-edit" : "campaign";
	session_bind(req, call);
	db_text(call, slug);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

static void
campaign_post_free(void *p)
{
	struct campaign_post	*cp = p;

	form_free(&cp->form);
	kore_free(cp);
}

static int
campaign_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	struct campaign_post	*cp = call->arg;

	if (cp->slug[0] == '\0')
		return (form_page_again(req, call, SQL_CAMPAIGNS_ADMIN_PAGE,
		    "campaigns-admin", NULL, status, code, field,
		    form_page_values(&cp->form)));
	return (form_page_again(req, call, SQL_CAMPAIGN_EDIT_PAGE, "campaign-edit",
	    cp->slug, status, code, field, form_page_values(&cp->form)));
}

/* POST a campaign, new (slug NULL: it comes in the form) or again. */
static int
campaign_post(struct http_request *req, const char *slug)
{
	struct campaign_post	*cp;
	struct form_error	 err;
	struct db_call		*call;
	struct form		 f;
	json_t			*o;
	char			*text, ip[64];
	size_t			 i;

	if (!web_input(req, &f, campaign_fields, NFIELDS(campaign_fields),
	    &err))
		return (form_page_bad_input(req, slug ? SQL_CAMPAIGN_EDIT_PAGE :
		    SQL_CAMPAIGNS_ADMIN_PAGE, slug ? "campaign-edit" :
		    "campaigns-admin", slug, &f, &err));
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	o = json_object();
	for (i = 0; i < NFIELDS(campaign_fields); i++) {
		const char *name = campaign_fields[i].name;

		if (strcmp(name, "csrf") && strcmp(name, "slug") &&
		    form_get(&f, name) != NULL)
			json_object_set_new(o, name,
			    json_string(form_get(&f, name)));
	}
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	request_client_ip(req, ip, sizeof(ip));
	cp = kore_calloc(1, sizeof(*cp));
	cp->form = f;
	if (slug != NULL)
		kore_strlcpy(cp->slug, slug, sizeof(cp->slug));
	call = db_prepare(req, SQL_CAMPAIGN_SAVE, campaign_saved);
	call->arg = cp;
	call->arg_free = campaign_post_free;
	call->on_error = campaign_refused;
	session_bind(req, call);
	db_text(call, slug ? slug : form_get(&cp->form, "slug"));
	db_bool(call, slug == NULL);
	db_text(call, text);
	free(text);
	db_text(call, ip);
	return (db_run(req));
}

static int
campaign_saved(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct campaign_post	*cp = call->arg;

	return (web_saved(req, res, cp->slug[0] ? 200 : 201,
	    "/admin/campaigns"));
}
