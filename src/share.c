/*
 * Sharing the public pages: share posters, robots.txt and the sitemap.
 *
 *   GET /needs/{id}/poster.png        a listed need's poster (404 else)
 *   GET /campaigns/{slug}/poster.png  a campaign's poster (404 else)
 *   GET /robots.txt                   what crawlers may read
 *   GET /sitemap.xml[?page=N]         the public pages (sitemaps.org)
 *
 * A poster is drawn from the public JSON of its need or campaign (the
 * API's statements, SQL_NEED_GET and SQL_CAMPAIGN_GET: nothing a public
 * page does not show, never a photo) by poster_png (src/lib/poster.c) on
 * a task thread, in the reader's language.  The OpenGraph tags of the
 * need, campaign and home pages come from api.share_og
 * (sql/api/025_share.sql) through the layout (web_og, src/web.c): a
 * need's or campaign's image is its poster.
 *
 * The sitemap lists the fixed public pages, the campaigns and every
 * public need, SITEMAP_URLS a file (the protocol's limit): when they are
 * more, /sitemap.xml is an index of its pages, /sitemap.xml?page=N.
 */
#include "shop.h"

#define SITEMAP_URLS	50000

/* A poster on its way: what it says (owned by strings) and its PNG. */
struct poster_job {
	struct poster	 p;
	json_t		*strings;
	struct buf	 png;
	int		 ok;
};

int	share_need_poster(struct http_request *);
int	share_campaign_poster(struct http_request *);
int	share_robots(struct http_request *);
int	share_sitemap(struct http_request *);

static int	need_data(struct http_request *, struct db_call *, PGresult *);
static int	campaign_data(struct http_request *, struct db_call *,
		    PGresult *);
static int	draw(struct http_request *, struct db_call *, json_t *);
static const char *say(struct poster_job *, const char *, const char *);
static const char *msg(enum lang, const char *);
static int	poster_task(struct kore_task *);
static int	drawn(struct http_request *, struct db_call *, PGresult *);
static void	poster_job_free(void *);
static int	sitemap_done(struct http_request *, struct db_call *,
		    PGresult *);

static const struct field sitemap_fields[] = {
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};

/* GET /needs/{id}/poster.png: 404 for an id that is not a public need. */
int
share_need_poster(struct http_request *req)
{
	struct db_call	*call;
	const char	*rest;
	char		 id[WEB_ID_MAX];

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	if (!web_path_id(req, "/needs/", id, sizeof(id), &rest) ||
	    strcmp(rest, "/poster.png"))
		return (web_error(req, 404, "not_found", NULL));
	call = db_prepare(req, SQL_NEED_GET, need_data);
	db_text(call, id);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

/* GET /campaigns/{slug}/poster.png: 404 for an unknown slug. */
int
share_campaign_poster(struct http_request *req)
{
	struct db_call	*call;
	char		 slug[SLUG_MAX];

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	if (!campaign_slug(req->path, "/campaigns/", "/poster.png", slug))
		return (web_error(req, 404, "not_found", NULL));
	call = db_prepare(req, SQL_CAMPAIGN_GET, campaign_data);
	db_text(call, slug);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

/*
 * A need's poster: its title; its school, town and the child's public
 * alias; what is pledged and what is still needed.
 */
static int
need_data(struct http_request *req, struct db_call *call, PGresult *res)
{
	enum lang	 lang = web_lang(req);
	json_t		*o, *n, *b, *s;
	struct buf	 t;
	long long	 left;

	if ((o = web_db_object(res, 0)) == NULL ||
	    !json_is_object(n = json_object_get(o, "need"))) {
		json_decref(o);
		return (web_error(req, 500, "internal", NULL));
	}
	s = json_object();
	buf_init(&t, 256);
	json_object_set(s, "title", json_object_get(n, "title"));
	buf_printf(&t, "%s · %s", json_string_value(json_object_get(n,
	    "org_name")), json_string_value(json_object_get(n, "town_name")));
	if (json_is_object(b = json_object_get(n, "beneficiary")))
		buf_printf(&t, " · %s", json_string_value(json_object_get(b,
		    "alias")));
	json_object_set_new(s, "line", json_string(t.data));
	buf_reset(&t);
	left = json_integer_value(json_object_get(n, "remaining"));
	if (!strcmp(json_string_value(json_object_get(n, "status")),
	    "fulfilled")) {
		buf_puts(&t, msg(lang, "share.fulfilled"));
	} else {
		buf_printf(&t, "%s %lld%% · %s ", msg(lang, "share.pledged"),
		    json_integer_value(json_object_get(n, "pledged_pct")),
		    msg(lang, "share.remaining"));
		if (json_is_true(json_object_get(n, "is_money")))
			fmt_yuan(&t, left);
		else
			buf_printf(&t, "%lld %s", left, json_string_value(
			    json_object_get(n, "unit")));
	}
	json_object_set_new(s, "progress", json_string(t.data));
	json_object_set(s, "pct", json_object_get(n, "pledged_pct"));
	buf_reset(&t);
	buf_printf(&t, "%s/needs/%lld", cfg.public_url,
	    json_integer_value(json_object_get(n, "id")));
	json_object_set_new(s, "url", json_string(t.data));
	buf_free(&t);
	json_decref(o);
	return (draw(req, call, s));
}

/* A campaign's poster: its name, summary, needs and share fulfilled. */
static int
campaign_data(struct http_request *req, struct db_call *call, PGresult *res)
{
	enum lang	 lang = web_lang(req);
	json_t		*o, *c, *s;
	struct buf	 t;

	if ((o = web_db_object(res, 0)) == NULL ||
	    !json_is_object(c = json_object_get(o, "campaign"))) {
		json_decref(o);
		return (web_error(req, 500, "internal", NULL));
	}
	s = json_object();
	buf_init(&t, 256);
	json_object_set(s, "title", json_object_get(c, "name"));
	json_object_set(s, "line", json_object_get(c, "summary"));
	buf_printf(&t, "%lld %s · %s %lld%%",
	    json_integer_value(json_object_get(c, "needs")),
	    msg(lang, "share.campaign_needs"),
	    msg(lang, "share.campaign_fulfilled"),
	    json_integer_value(json_object_get(c, "fulfilled_pct")));
	json_object_set_new(s, "progress", json_string(t.data));
	json_object_set(s, "pct", json_object_get(c, "fulfilled_pct"));
	buf_reset(&t);
	buf_printf(&t, "%s/campaigns/%s", cfg.public_url,
	    json_string_value(json_object_get(c, "slug")));
	json_object_set_new(s, "url", json_string(t.data));
	buf_free(&t);
	json_decref(o);
	return (draw(req, call, s));
}

/* Draws the poster of strings (owned now) on a task thread. */
static int
draw(struct http_request *req, struct db_call *call, json_t *strings)
{
	struct poster_job	*job;
	enum lang		 lang = web_lang(req);

	job = kore_calloc(1, sizeof(*job));
	job->strings = strings;
	job->p.site = msg(lang, "site.name");
	job->p.title = say(job, "title", NULL);
	job->p.line = say(job, "line", NULL);
	job->p.progress = say(job, "progress", NULL);
	job->p.pct = json_integer_value(json_object_get(strings, "pct"));
	job->p.url = say(job, "url", NULL);
	job->p.caption = msg(lang, "share.scan");
	buf_init(&job->png, 64 * 1024);
	call->arg = job;
	call->arg_free = poster_job_free;
	db_task(call, poster_task, drawn);
	return (KORE_RESULT_OK);
}

/* The string member key of job's strings, or def. */
static const char *
say(struct poster_job *job, const char *key, const char *def)
{
	const char	*v;

	v = json_string_value(json_object_get(job->strings, key));
	return (v != NULL ? v : def);
}

/* The message key in lang (the catalogues are loaded for good). */
static const char *
msg(enum lang lang, const char *key)
{
	const char	*v;

	v = json_string_value(json_object_get(web_messages(lang), key));
	return (v != NULL ? v : key);
}

/* On a task thread: libvips lays out the text and writes the PNG. */
static int
poster_task(struct kore_task *t)
{
	struct poster_job	*job = db_task_call(t)->arg;

	job->ok = poster_png(&job->p, &job->png);
	return (KORE_RESULT_OK);
}

static int
drawn(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct poster_job	*job = call->arg;

	(void)res;
	if (!job->ok)
		return (web_error(req, 500, "internal", NULL));
	/* Progress moves: a forwarded poster may be a minute old. */
	http_response_header(req, "cache-control", "public, max-age=60");
	http_response_header(req, "vary", "Accept-Language, Cookie");
	return (web_send(req, 200, "image/png", job->png.data, job->png.len));
}

static void
poster_job_free(void *p)
{
	struct poster_job	*job = p;

	json_decref(job->strings);
	buf_free(&job->png);
	kore_free(job);
}

/*
 * GET /robots.txt: crawlers keep out of the signed-in areas, the API and
 * the one-time links (receipts, resets, unsubscribing), and are told
 * where the sitemap is.
 */
int
share_robots(struct http_request *req)
{
	static const char *const private[] = { "/admin", "/branch", "/me",
	    "/api/", "/login", "/logout", "/register", "/password",
	    "/accounts", "/orgs", "/pledges", "/pairings", "/proposals",
	    "/objections", "/programmes", "/reports", "/verify/", "/receipts",
	    "/unsubscribe", "/healthz", "/needs/*/pledge", "/needs/*/pair",
	    "/needs/*/objections", NULL };
	struct buf	b;
	int		i;

	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	buf_init(&b, 1024);
	buf_puts(&b, "User-agent: *\n");
	for (i = 0; private[i] != NULL; i++)
		buf_printf(&b, "Disallow: %s\n", private[i]);
	buf_printf(&b, "Allow: /\n\nSitemap: %s/sitemap.xml\n",
	    cfg.public_url);
	http_response_header(req, "cache-control", "public, max-age=3600");
	web_send(req, 200, "text/plain; charset=utf-8", b.data, b.len);
	buf_free(&b);
	return (KORE_RESULT_OK);
}

/* GET /sitemap.xml[?page=N]: 404 for a page past the last. */
int
share_sitemap(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET) ||
	    !web_query(req, &f, sitemap_fields, NFIELDS(sitemap_fields)))
		return (KORE_RESULT_OK);
	call = db_prepare(req, SQL_SITEMAP, sitemap_done);
	/* No page asked: the index, unless one file holds them all. */
	call->extra = json_pack("{s:b, s:I}", "index", form_get(&f, "page")
	    == NULL, "page", (json_int_t)form_int(&f, "page", 1));
	db_int(call, form_int(&f, "page", 1));
	db_int(call, SITEMAP_URLS);
	form_free(&f);
	return (db_run(req));
}

/* The lines of api.sitemap as the sitemap's XML (or its index). */
static int
sitemap_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	const char	*v, *p, *end, *nl, *tab;
	struct buf	 b;
	size_t		 len;
	long		 pages, i;

	if ((v = db_value(res, 0, 0, &len)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	end = v + len;
	pages = strtol(v, NULL, 10);
	buf_init(&b, len * 2 + 1024);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	if (json_is_true(json_object_get(call->extra, "index")) &&
	    pages > 1) {
		buf_puts(&b, "<sitemapindex xmlns=\"http://www.sitemaps.org/"
		    "schemas/sitemap/0.9\">\n");
		for (i = 1; i <= pages; i++) {
			buf_puts(&b, "<sitemap><loc>");
			esc_html(&b, cfg.public_url, strlen(cfg.public_url));
			buf_printf(&b, "/sitemap.xml?page=%ld</loc></sitemap>\n",
			    i);
		}
		buf_puts(&b, "</sitemapindex>\n");
	} else {
		if ((p = memchr(v, '\n', len)) == NULL || json_integer_value(
		    json_object_get(call->extra, "page")) > pages) {
			buf_free(&b);
			return (web_error(req, 404, "not_found", NULL));
		}
		buf_puts(&b, "<urlset xmlns=\"http://www.sitemaps.org/"
		    "schemas/sitemap/0.9\">\n");
		/* One page a line: its path, a tab, its day or nothing. */
		for (p++; p < end; p = nl + 1) {
			if ((nl = memchr(p, '\n', end - p)) == NULL)
				nl = end;
			if ((tab = memchr(p, '\t', nl - p)) == NULL)
				continue;
			buf_puts(&b, "<url><loc>");
			esc_html(&b, cfg.public_url, strlen(cfg.public_url));
			esc_html(&b, p, tab - p);
			buf_puts(&b, "</loc>");
			if (nl - tab > 1) {
				buf_puts(&b, "<lastmod>");
				esc_html(&b, tab + 1, nl - tab - 1);
				buf_puts(&b, "</lastmod>");
			}
			buf_puts(&b, "</url>\n");
		}
		buf_puts(&b, "</urlset>\n");
	}
	http_response_header(req, "cache-control", "public, max-age=3600");
	web_send(req, 200, "application/xml; charset=utf-8", b.data, b.len);
	buf_free(&b);
	return (KORE_RESULT_OK);
}
