/*
 * The census of the register (摸清底数, issue 18): /branch/census and
 * /api/v1/branch/census, the figures of the caller's subtree (city-wide
 * for admins) by poverty cause, level, left behind, town and school
 * stage; its downloads are list_export.c's (/branch/census.csv, .xlsx).
 * The figures are api.children_census's (sql/api/044_census.sql); the
 * page draws each dimension as bars (chart.c), on the server, no script.
 */
#include <string.h>

#include "shop.h"

static int	census_done(struct http_request *, struct db_call *,
		    PGresult *);

/* GET: the figures; 401 without a session, 403 outside staff. */
static const struct action census_get = {
	.stmt = SQL_CENSUS_PAGE, .binds = "$sid $lang", .tmpl = "census",
	.done = census_done,
};

ACTION_HANDLER(census, NULL, NULL, &census_get, NULL)

/*
 * The API passes the figures through; the page gets each dimension's
 * chart ("svg", already escaped by chart.c) beside its table.
 */
static int
census_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct chart_series	 series;
	struct chart		 c;
	struct buf		 b;
	json_t			*ctx, *dim;
	const char		*msgs, *key;
	char			 id[48];
	size_t			 i;

	if (web_is_api(req))
		return (web_db_json(req, call, res));
	if ((ctx = web_db_ctx(res)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	msgs = json_string_value(json_object_get(web_messages(web_lang(req)),
	    "census.children"));
	json_array_foreach(json_object_get(ctx, "dimensions"), i, dim) {
		key = json_string_value(json_object_get(dim, "key"));
		(void)snprintf(id, sizeof(id), "census-%s", key ? key : "x");
		memset(&c, 0, sizeof(c));
		c.id = id;
		c.title = json_string_value(json_object_get(dim, "name"));
		c.label = "name";
		c.empty = json_string_value(json_object_get(
		    web_messages(web_lang(req)), "census.none"));
		series.key = "count";
		series.name = msgs != NULL ? msgs : "count";
		c.series = &series;
		c.nseries = 1;
		buf_init(&b, 4096);
		if (chart_bars(&b, &c, json_object_get(dim, "rows")))
			json_object_set_new(dim, "svg", json_stringn(b.data,
			    b.len));
		buf_free(&b);
	}
	return (form_page_render(req, call, ctx));
}
