/*
 * The transparency page: what was asked, given and delivered, for anyone,
 * and how to check that the public log was not rewritten.
 *
 *	GET /transparency		the page: figures (in all and by
 *					campaign), charts by town, category and
 *					month, the latest gifts received, the
 *					log's checkpoint and how to verify it
 *	GET /api/v1/transparency	the same data as JSON
 *	GET /transparency/totals.csv	the figures, CSV
 *	GET /transparency/log.csv	the public log, CSV (logcsv.c)
 *	GET /transparency/entries/{n}	one entry of the log in plain words
 *
 * The page and the API take filters for the gifts received (the figures
 * are always of everything): town, category, campaign (slugs), since and
 * until (dates; Asia/Shanghai days, inclusive).  log.csv takes since and
 * until.  A bad value is a 400 naming the field.
 *
 * A crowd on the page must not load the database.  Each worker keeps its
 * answers in the microcache's store (mcache.c, pcache.c), keyed by what
 * makes them differ (the language and the filters): the JSON ("j|"), and
 * the page's body rendered, charts included ("h|").  An answer is served
 * for up to a second after it was asked of the database; past that (or
 * before anything is kept) one request fetches and the others wait for
 * it.  So a change is on the page at most a second after its commit, and
 * a crowd costs about one query a second per worker and key.  The part
 * that does not depend on the filters (the figures, a pass over the
 * needs) is kept apart too ("g|lang"), so that readers trying filters
 * cost only the filtered part.  The layout around the body (who is
 * signed in) is rendered per request: a reader without a session costs
 * no query at all; with one, api.viewer (an index lookup).  The totals
 * CSV shares the JSON's cache.  SHOP_PAGE_CACHE=0 turns the cache off
 * (to measure what it saves).
 */
#include <stdlib.h>
#include <string.h>

#include "shop.h"

int	transparency_page(struct http_request *);
int	transparency_api(struct http_request *);
int	transparency_totals_csv(struct http_request *);

static const struct action log_entry_get = {
	.stmt = SQL_LOG_ENTRY_PAGE, .binds = "$lang $id $sid",
	.tmpl = "log-entry",
};
ACTION_HANDLER(log_entry_page, "/transparency/entries/", NULL,
    &log_entry_get, NULL)

static const struct field filter_fields[] = {
	{ "town", FIELD_SLUG, 0, 0, 40, NULL },
	{ "category", FIELD_SLUG, 0, 0, 40, NULL },
	{ "campaign", FIELD_SLUG, 0, 0, 40, NULL },
	{ "since", FIELD_DATE, 0, 2000, 2099, NULL },
	{ "until", FIELD_DATE, 0, 2000, 2099, NULL },
	{ "lang", FIELD_CHOICE, 0, 0, 0, web_langs },
};

enum tp_answer {
	TP_PAGE,
	TP_JSON,
	TP_TOTALS
};

#define NFILTERS	5

/*
 * What a request of the page, the API or the totals keeps.  key is the
 * JSON's, "j|lang|filters"; looked the one it looks up (the page: its
 * body's, "h|..."); born, when its data were asked for; owed, whether it
 * fetches looked for others too.
 */
struct tp_arg {
	enum tp_answer		 answer;
	enum lang		 lang;
	char			 filter[NFILTERS][41];	/* "": absent */
	char			 sid[SESSION_HEX];		/* "": public */
	char			 key[192];
	char			 looked[192];
	uint64_t		 born;
	int			 owed;
	char			*html;		/* cached body (viewer path) */
	char			*general;	/* a fresh general part */
	uint64_t		 general_born;
	struct http_request	*req;
	int			 waiting;	/* in the waiters list */
	int			 ready;		/* to be woken */
	TAILQ_ENTRY(tp_arg)	 link;
};

TAILQ_HEAD(tp_waiters, tp_arg);

/* One column of the totals CSV. */
struct tp_column {
	const char	*head;
	const char	*key;
	int		 money;		/* fen, written as yuan */
};

static const struct tp_column totals_columns[] = {
	{ "已发布需求", "needs_posted", 0 },
	{ "进行中需求", "needs_open", 0 },
	{ "已完成需求", "needs_fulfilled", 0 },
	{ "受助儿童", "children_helped", 0 },
	{ "物资认捐(件数)", "goods_pledged", 0 },
	{ "物资收到(件数)", "goods_received", 0 },
	{ "资金认捐(元)", "money_pledged", 1 },
	{ "资金到账(元)", "money_received", 1 },
	{ "资金拨付(元)", "money_paid_out", 1 },
	{ "助学金(学期)", "scholarship_terms", 0 },
	{ "助学金金额(元)", "scholarship_amount", 1 },
	{ "服务名额", "service_places", 0 },
};

static const char *const filter_names[NFILTERS] = {
	"town", "category", "campaign", "since", "until"
};

static struct tp_waiters	waiters = TAILQ_HEAD_INITIALIZER(waiters);
static int			wake_pending;

static struct pcache	*tp_cache(void);
static struct tp_arg *tp_arg_new(struct http_request *, enum tp_answer,
		    enum lang, const struct form *);
static void	 tp_arg_free(void *);
static void	 tp_put(const char *, const char *, size_t, uint64_t);
static void	 tp_wake(const char *);
static void	 tp_wake_now(void *, u_int64_t);
static struct db_call *tp_steps(struct http_request *, struct tp_arg *,
		    struct db_call *);
static int	 tp_get(struct http_request *, enum tp_answer);
static int	 tp_serve(struct http_request *, struct tp_arg *,
		    struct db_call *);
static int	 tp_again(struct http_request *, struct db_call *,
		    PGresult *);
static int	 tp_cached(struct http_request *, struct tp_arg *,
		    struct db_call *, const struct pcache_entry *);
static void	 tp_fetch(struct tp_arg *, struct db_call *);
static void	 bind_filters(struct db_call *, struct tp_arg *);
static int	 tp_done(struct http_request *, struct db_call *,
		    PGresult *);
static int	 viewer_done(struct http_request *, struct db_call *,
		    PGresult *);
static void	 tp_complete(json_t *);
static char	*tp_body(json_t *, enum lang);
static json_t	*tp_chart(enum lang, const char *, json_t *, int);
static const char *msg(enum lang, const char *);
static int	 page_send(struct http_request *, const char *, json_t *);
static int	 totals_send(struct http_request *, json_t *);
static void	 totals_row(struct buf *, const char *, json_t *);

/* This worker's cache: the microcache's (mcache.c). */
static struct pcache *
tp_cache(void)
{
	return (mcache_store());
}

/*
 * Reads the query string against spec; a period that ends before it
 * begins is a 400 on until.  Answers and returns 0 when refused.  (The
 * log's download reads its period with it too.)
 */
int
transparency_filters(struct http_request *req, struct form *f,
    const struct field *spec, size_t n)
{
	const char	*since, *until;

	if (!web_query(req, f, spec, n))
		return (0);
	since = form_get(f, "since");
	until = form_get(f, "until");
	if (since != NULL && until != NULL && strcmp(since, until) > 0) {
		form_free(f);
		web_error(req, 400, "bad_period", "until");
		return (0);
	}
	return (1);
}

/*
 * What a request asks: its filters and session, and its keys: "j|" (the
 * JSON) then the language and the filters; the page looks up its body
 * ("h|...") instead.
 */
static struct tp_arg *
tp_arg_new(struct http_request *req, enum tp_answer answer, enum lang lang,
    const struct form *f)
{
	struct tp_arg	*arg;
	const char	*v;
	size_t		 i, len;

	arg = kore_calloc(1, sizeof(*arg));
	arg->req = req;
	arg->answer = answer;
	arg->lang = lang;
	if (answer == TP_PAGE && session_sid(req, arg->sid) == SESSION_NONE)
		arg->sid[0] = '\0';
	len = (size_t)snprintf(arg->key, sizeof(arg->key), "j|%s",
	    web_lang_code(lang));
	for (i = 0; i < NFILTERS; i++) {
		v = f != NULL ? form_get(f, filter_names[i]) : NULL;
		kore_strlcpy(arg->filter[i], v != NULL ? v : "",
		    sizeof(arg->filter[i]));
		len += (size_t)snprintf(arg->key + len, sizeof(arg->key) - len,
		    "|%s", arg->filter[i]);
	}
	/* Slugs of 40 and dates of 10 characters fit: keys are never cut. */
	if (len >= sizeof(arg->key))
		fatal("tp_arg_new: key too long");
	kore_strlcpy(arg->looked, arg->key, sizeof(arg->looked));
	if (answer == TP_PAGE)
		arg->looked[0] = 'h';
	return (arg);
}

/*
 * The request is over: out of the waiters; if it was fetching for others
 * and gave them nothing, the next of them fetches.
 */
static void
tp_arg_free(void *p)
{
	struct tp_arg	*arg = p;

	if (arg->waiting)
		TAILQ_REMOVE(&waiters, arg, link);
	if (arg->owed) {
		pcache_abort(tp_cache(), arg->looked);
		tp_wake(arg->looked);
	}
	kore_free(arg->html);
	kore_free(arg->general);
	kore_free(arg);
}

/* Keeps an answer, and wakes the requests that waited for it. */
static void
tp_put(const char *key, const char *data, size_t len, uint64_t born)
{
	pcache_put(tp_cache(), key, data, len, born);
	tp_wake(key);
}

/*
 * Wakes the requests waiting for key, from a timer due at once: woken
 * from here (within Kore's pass over the requests) they could wait for
 * the worker's next event or timer before their turn.
 */
static void
tp_wake(const char *key)
{
	struct tp_arg	*arg;
	int		 any = 0;

	TAILQ_FOREACH(arg, &waiters, link) {
		if (!strcmp(arg->looked, key))
			any = arg->ready = 1;
	}
	if (any && !wake_pending) {
		wake_pending = 1;
		kore_timer_add(tp_wake_now, 0, NULL, KORE_TIMER_ONESHOT);
	}
}

static void
tp_wake_now(void *unused, u_int64_t now)
{
	struct tp_arg	*arg, *next;

	(void)unused;
	(void)now;
	wake_pending = 0;
	for (arg = TAILQ_FIRST(&waiters); arg != NULL; arg = next) {
		next = TAILQ_NEXT(arg, link);
		if (!arg->ready)
			continue;
		TAILQ_REMOVE(&waiters, arg, link);
		arg->waiting = arg->ready = 0;
		db_resume(arg->req);
	}
}

static void
bind_filters(struct db_call *call, struct tp_arg *arg)
{
	size_t	i;

	db_text(call, web_lang_code(arg->lang));
	for (i = 0; i < NFILTERS; i++)
		db_text(call, arg->filter[i][0] ? arg->filter[i] : NULL);
}

/*
 * The request's steps: call when they have begun, else begun here, and
 * then owning arg (freed with the request).
 */
static struct db_call *
tp_steps(struct http_request *req, struct tp_arg *arg, struct db_call *call)
{
	if (call == NULL) {
		call = db_begin(req);
		call->arg = arg;
		call->arg_free = tp_arg_free;
	}
	return (call);
}

/*
 * Answers from the cache, or fetches (for those who come meanwhile too),
 * or waits for the request that fetches.  call is NULL from a handler
 * (the steps begin here, and the handler's answer is returned), or the
 * request's steps when it waited (the next step is chained).  The request
 * owns arg from here on.
 */
static int
tp_serve(struct http_request *req, struct tp_arg *arg, struct db_call *call)
{
	const struct pcache_entry	*e;
	int				 wait, begun = call == NULL;

	arg->born = kore_time_ms();
	if ((e = pcache_get(tp_cache(), arg->looked, arg->born, &wait)) !=
	    NULL) {
		obs_cache(OBS_CACHE_HIT);
		return (tp_cached(req, arg, call, e));
	}
	if (cfg.page_cache)
		obs_cache(wait ? OBS_CACHE_WAIT : OBS_CACHE_FETCH);
	call = tp_steps(req, arg, call);
	if (wait) {
		arg->waiting = 1;
		TAILQ_INSERT_TAIL(&waiters, arg, link);
		db_pause(call, tp_again);
	} else {
		tp_fetch(arg, call);
	}
	return (begun ? db_run(req) : KORE_RESULT_OK);
}

/* Woken: the request it waited for has answered (or failed). */
static int
tp_again(struct http_request *req, struct db_call *call, PGresult *res)
{
	(void)res;
	return (tp_serve(req, call->arg, call));
}

/* The cached answer, for this request. */
static int
tp_cached(struct http_request *req, struct tp_arg *arg, struct db_call *call,
    const struct pcache_entry *e)
{
	json_t	*d;
	int	 r, begun = call == NULL;

	if (arg->answer == TP_PAGE && arg->sid[0] != '\0') {
		/* Signed in: the layout names the reader. */
		arg->html = kore_strdup(e->data);
		call = tp_steps(req, arg, call);
		db_stmt(call, SQL_VIEWER_PAGE, viewer_done);
		db_text(call, arg->sid);
		db_text(call, web_lang_code(arg->lang));
		return (begun ? db_run(req) : KORE_RESULT_OK);
	}
	switch (arg->answer) {
	case TP_JSON:
		r = web_json_text(req, 200, e->data, e->len);
		break;
	case TP_TOTALS:
		if ((d = json_loadb(e->data, e->len, 0, NULL)) == NULL) {
			r = web_error(req, 500, "internal", NULL);
			break;
		}
		r = totals_send(req, d);
		json_decref(d);
		break;
	default:
		r = page_send(req, e->data, NULL);
		break;
	}
	if (begun)
		tp_arg_free(arg);
	return (r);
}

/*
 * Asks the database for what the cache did not have: the part that
 * depends on the filters, and the general part unless a fresh one is in
 * the cache (so that readers trying many filters do not recompute the
 * figures each time).  Those who come for the same key meanwhile wait.
 */
static void
tp_fetch(struct tp_arg *arg, struct db_call *call)
{
	const struct pcache_entry	*g;
	enum stmt			 stmt;
	char				 gkey[8];
	int				 page = arg->answer == TP_PAGE;

	arg->owed = 1;
	(void)snprintf(gkey, sizeof(gkey), "g|%s", web_lang_code(arg->lang));
	if ((g = pcache_peek(tp_cache(), gkey, arg->born)) != NULL) {
		arg->general = kore_strdup(g->data);
		arg->general_born = g->born;
		stmt = page ? SQL_TRANSPARENCY_RECORDS_PAGE :
		    SQL_TRANSPARENCY_RECORDS;
	} else {
		stmt = page ? SQL_TRANSPARENCY_PAGE : SQL_TRANSPARENCY;
	}
	db_stmt(call, stmt, tp_done);
	bind_filters(call, arg);
	if (page)
		db_text(call, arg->sid[0] ? arg->sid : NULL);
}

/*
 * GET of the page or its data (answer), from the cache when it can.  400
 * on a bad filter (unknown slugs: from the database).
 */
static int
tp_get(struct http_request *req, enum tp_answer answer)
{
	struct form	f;
	struct tp_arg	*arg;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET) ||
	    !transparency_filters(req, &f, filter_fields,
	    NFIELDS(filter_fields)))
		return (KORE_RESULT_OK);
	arg = tp_arg_new(req, answer, web_lang(req), &f);
	form_free(&f);
	return (tp_serve(req, arg, NULL));
}

/* GET /transparency: the page. */
int
transparency_page(struct http_request *req)
{
	return (tp_get(req, TP_PAGE));
}

/* GET /api/v1/transparency: the page's data. */
int
transparency_api(struct http_request *req)
{
	return (tp_get(req, TP_JSON));
}

/*
 * GET /transparency/totals.csv: the figures in all, by campaign, by
 * category and by town (Chinese headers and names, UTF-8 with a BOM).
 */
int
transparency_totals_csv(struct http_request *req)
{
	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	return (tp_serve(req, tp_arg_new(req, TP_TOTALS, LANG_ZH, NULL),
	    NULL));
}

/*
 * The data arrived: completed (the key, the commands), kept in the cache
 * as JSON (and the page's body, for a page), then answered.
 */
static int
tp_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct tp_arg	*arg = call->arg;
	json_t		*d, *part, *viewer;
	const char	*general;
	char		*text, *body, key[sizeof(arg->key)];
	uint64_t	 born = arg->born;
	size_t		 len;
	int		 r, col;

	/* The general part: new (kept for others), or the cached one. */
	if ((general = db_value(res, 0, 0, &len)) != NULL) {
		(void)snprintf(key, sizeof(key), "g|%s",
		    web_lang_code(arg->lang));
		pcache_put(tp_cache(), key, general, len, born);
		d = json_loadb(general, len, 0, NULL);
	} else if (arg->general != NULL) {
		d = json_loads(arg->general, 0, NULL);
		born = arg->general_born;
	} else {
		d = NULL;
	}
	if (!json_is_object(d) || (part = web_db_object(res, 1)) == NULL) {
		json_decref(d);
		return (web_error(req, 500, "internal", NULL));
	}
	json_object_update(d, part);
	json_decref(part);
	tp_complete(d);
	if ((text = json_dumps(d, JSON_COMPACT)) == NULL)
		fatal("json_dumps");
	if (arg->answer == TP_PAGE) {
		if ((body = tp_body(d, arg->lang)) == NULL) {
			free(text);
			json_decref(d);
			return (web_error(req, 500, "internal", NULL));
		}
		tp_put(arg->key, text, strlen(text), born);
		tp_put(arg->looked, body, strlen(body), born);
		arg->owed = 0;
		viewer = (col = PQfnumber(res, "viewer")) >= 0 ?
		    web_db_object(res, col) : NULL;
		r = page_send(req, body, viewer);
		free(body);
	} else {
		tp_put(arg->key, text, strlen(text), born);
		arg->owed = 0;
		r = arg->answer == TP_JSON ? web_json_text(req, 200, text,
		    strlen(text)) : totals_send(req, d);
	}
	free(text);
	json_decref(d);
	return (r);
}

/* A cached page for a signed-in reader: col 1 is who they are. */
static int
viewer_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct tp_arg	*arg = call->arg;

	return (page_send(req, arg->html, web_db_object(res, 1)));
}

/*
 * What the database cannot say: the log's public key, and the three
 * commands that check the log with logverify from this site's address.
 */
static void
tp_complete(json_t *d)
{
	static json_t	*key;
	struct buf	 b;
	json_t		*cmds;

	if (key == NULL && (key = json_loads(checkpoint_key_json(), 0,
	    NULL)) == NULL)
		fatal("the log's key does not parse");
	json_object_set(d, "log_key", key);
	cmds = json_array();
	json_array_append_new(cmds, json_string("make build/logverify"));
	buf_init(&b, 128);
	buf_printf(&b, "build/logverify -s ~/.youth-shop-log -t %s",
	    cfg.public_url);
	json_array_append_new(cmds, json_string(b.data));
	buf_reset(&b);
	buf_printf(&b, "build/logverify -s ~/.youth-shop-log %s",
	    cfg.public_url);
	json_array_append_new(cmds, json_string(b.data));
	buf_free(&b);
	json_object_set_new(d, "verify", json_pack("{s:s, s:o}", "url",
	    cfg.public_url, "commands", cmds));
}

static const char *
msg(enum lang lang, const char *key)
{
	const char	*s;

	s = json_string_value(json_object_get(web_messages(lang), key));
	return (s != NULL ? s : key);
}

/* The page's body (malloc'd), or NULL when it cannot be rendered. */
static char *
tp_body(json_t *d, enum lang lang)
{
	struct buf	 out, qs;
	json_t		*ctx, *filt, *chart;
	const char	*v;
	char		*s;

	ctx = json_deep_copy(d);
	json_object_set_new(ctx, "lang", json_string(web_lang_code(lang)));
	json_object_set_new(ctx, "en", json_boolean(lang == LANG_EN));
	if ((chart = tp_chart(lang, "towns", json_object_get(d, "towns"),
	    0)) != NULL)
		json_object_set_new(ctx, "chart_towns", chart);
	if ((chart = tp_chart(lang, "categories", json_object_get(d,
	    "categories"), 0)) != NULL)
		json_object_set_new(ctx, "chart_categories", chart);
	if ((chart = tp_chart(lang, "months", json_object_get(d, "months"),
	    1)) != NULL)
		json_object_set_new(ctx, "chart_months", chart);

	/* The period of the filters, for the log's download link. */
	filt = json_object_get(d, "filters");
	buf_init(&qs, 64);
	if ((v = json_string_value(json_object_get(filt, "since"))) != NULL)
		buf_printf(&qs, "%ssince=%s", qs.len ? "&" : "?", v);
	if ((v = json_string_value(json_object_get(filt, "until"))) != NULL)
		buf_printf(&qs, "%suntil=%s", qs.len ? "&" : "?", v);
	json_object_set_new(ctx, "period_qs", json_string(qs.data));
	json_object_set_new(ctx, "has_period", json_boolean(qs.len > 0));
	buf_free(&qs);

	buf_init(&out, 65536);
	if (!tmpl_render(web_templates(), "transparency", ctx,
	    web_messages(lang), &out)) {
		kore_log(LOG_ERR, "cannot render the transparency page");
		buf_free(&out);
		json_decref(ctx);
		return (NULL);
	}
	json_decref(ctx);
	s = out.data;
	return (s);
}

/* One of the page's charts as an SVG string, or NULL (logged). */
static json_t *
tp_chart(enum lang lang, const char *which, json_t *rows, int months)
{
	struct chart_series	 series[2];
	struct chart		 c;
	struct buf		 b;
	char			 key[64];
	json_t			*svg;

	memset(&c, 0, sizeof(c));
	(void)snprintf(key, sizeof(key), "tp.chart_%s", which);
	c.id = months ? "chart-months" : !strcmp(which, "towns") ?
	    "chart-towns" : "chart-categories";
	c.title = msg(lang, key);
	c.empty = msg(lang, "tp.chart_empty");
	c.series = series;
	c.nseries = 2;
	if (months) {
		c.label = "month";
		series[0].key = "pledges";
		series[0].name = msg(lang, "tp.series_pledges");
		series[1].key = "received";
		series[1].name = msg(lang, "tp.series_received");
	} else {
		c.label = "name";
		series[0].key = "needs_posted";
		series[0].name = msg(lang, "tp.series_posted");
		series[1].key = "needs_fulfilled";
		series[1].name = msg(lang, "tp.series_fulfilled");
	}
	buf_init(&b, 8192);
	if (!(months ? chart_columns(&b, &c, rows) : chart_bars(&b, &c,
	    rows))) {
		kore_log(LOG_ERR, "the %s chart's data do not fit", which);
		buf_free(&b);
		return (NULL);
	}
	svg = json_stringn(b.data, b.len);
	buf_free(&b);
	return (svg);
}

/* The body (already rendered) in the layout, for this reader. */
static int
page_send(struct http_request *req, const char *html, json_t *viewer)
{
	json_t	*ctx;
	int	 r;

	/* Our renderer's output: UTF-8 already, not checked again. */
	ctx = json_pack("{s:o, s:s}", "html", json_stringn_nocheck(html,
	    strlen(html)), "title", msg(web_lang(req), "tp.title"));
	if (viewer != NULL)
		json_object_set_new(ctx, "viewer", viewer);
	r = web_page(req, 200, "prerendered", ctx);
	json_decref(ctx);
	return (r);
}

static void
totals_row(struct buf *b, const char *scope, json_t *row)
{
	json_t	*v;
	size_t	 i;

	csv_cell(b, scope);
	buf_putc(b, ',');
	csv_cell(b, json_string_value(json_object_get(row, "name")));
	for (i = 0; i < NFIELDS(totals_columns); i++) {
		buf_putc(b, ',');
		v = json_object_get(row, totals_columns[i].key);
		if (!json_is_integer(v))
			continue;
		if (totals_columns[i].money)
			csv_yuan(b, json_integer_value(v));
		else
			csv_int(b, json_integer_value(v));
	}
	buf_putc(b, ',');
	if (json_is_integer(v = json_object_get(row, "fund_received")))
		csv_yuan(b, json_integer_value(v));
	buf_puts(b, "\r\n");
}

/* The totals CSV from the page's data (Chinese names). */
static int
totals_send(struct http_request *req, json_t *d)
{
	struct buf	 b;
	json_t		*row;
	const char	*asof, *head[NFIELDS(totals_columns) + 4];
	char		 disp[96];
	size_t		 i;

	head[0] = "范围";
	head[1] = "名称";
	for (i = 0; i < NFIELDS(totals_columns); i++)
		head[2 + i] = totals_columns[i].head;
	head[2 + i] = "基金账户收款(元)";
	head[3 + i] = NULL;
	buf_init(&b, 16384);
	csv_begin(&b, head);
	totals_row(&b, "全部", json_object_get(d, "totals"));
	json_array_foreach(json_object_get(d, "campaigns"), i, row)
		totals_row(&b, "公益行动", row);
	json_array_foreach(json_object_get(d, "categories"), i, row)
		totals_row(&b, "类别", row);
	json_array_foreach(json_object_get(d, "towns"), i, row)
		totals_row(&b, "镇", row);
	asof = json_string_value(json_object_get(d, "as_of"));
	(void)snprintf(disp, sizeof(disp),
	    "attachment; filename=\"transparency-totals-%.10s.csv\"",
	    asof != NULL ? asof : "");
	http_response_header(req, "content-disposition", disp);
	http_response_header(req, "cache-control", "no-cache");
	web_send(req, 200, "text/csv; charset=utf-8", b.data, b.len);
	buf_free(&b);
	return (KORE_RESULT_OK);
}
