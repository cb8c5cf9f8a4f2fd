/*
 * The public log as CSV, for spreadsheets (columns: sql/LOG_FORMAT.md):
 *
 *	GET /transparency/log.csv[?since=YYYY-MM-DD&until=YYYY-MM-DD]
 *
 * every entry, or those appended on the days of the period (Asia/
 * Shanghai, inclusive; 400 naming the field for a bad date or a period
 * that ends before it begins), one row each with its fields and its leaf
 * hash.  UTF-8 with a BOM, Chinese headers, formulas defused (csv.c).
 * Sent in pieces of 2000 entries (stream.c): the positions of the period
 * first, then each piece fetched once the one before is on its way, so a
 * download of any size holds one piece in memory.
 */
#include <string.h>

#include "shop.h"

int	logcsv_download(struct http_request *);


static const struct field period_fields[] = {
	{ "since", FIELD_DATE, 0, 2000, 2099, NULL },
	{ "until", FIELD_DATE, 0, 2000, 2099, NULL },
	{ "lang", FIELD_CHOICE, 0, 0, 0, web_langs },
};

/* The columns, in sql/LOG_FORMAT.md's order. */
static const char *const log_head[] = {
	"位置", "时间(UTC)", "北京时间", "事件", "说明", "需求编号", "认捐编号",
	"需求类型", "类别", "镇", "数量", "金额(分)", "单位", "每学期金额(分)",
	"捐赠人", "叶子哈希(SHA-256)", NULL
};

#define PIECE		2000	/* entries a piece (api.transparency_log_page) */

/* What a download keeps between its pieces. */
struct log_arg {
	struct stream	 s;
	long long	 next;		/* the next position to fetch */
	long long	 last;
	char		 since[11];
	char		 until[11];
};

static int	log_range(struct http_request *, struct db_call *, PGresult *);
static int	log_fetch(struct http_request *, struct db_call *, PGresult *);
static int	log_page(struct http_request *, struct db_call *, PGresult *);
static int	log_finish(struct http_request *, struct db_call *,
		    PGresult *);
static void	log_row(struct buf *, json_t *);
static void	cell_int(struct buf *, json_t *);

/*
 * GET /transparency/log.csv?since=&until=: every entry of the public log
 * (or those of the period), one row each with its fields and leaf hash,
 * in pieces of PIECE entries.
 */
int
logcsv_download(struct http_request *req)
{
	struct log_arg	*arg;
	struct db_call	*call;
	struct form	 f;
	const char	*v;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET) ||
	    !transparency_filters(req, &f, period_fields,
	    NFIELDS(period_fields)))
		return (KORE_RESULT_OK);
	arg = kore_calloc(1, sizeof(*arg));
	if ((v = form_get(&f, "since")) != NULL)
		kore_strlcpy(arg->since, v, sizeof(arg->since));
	if ((v = form_get(&f, "until")) != NULL)
		kore_strlcpy(arg->until, v, sizeof(arg->until));
	form_free(&f);
	call = db_prepare(req, SQL_TRANSPARENCY_LOG_RANGE, log_range);
	call->arg = arg;
	call->arg_free = kore_free;
	db_text(call, arg->since[0] ? arg->since : NULL);
	db_text(call, arg->until[0] ? arg->until : NULL);
	return (db_run(req));
}

/* The period's positions are known: the headers, the header row. */
static int
log_range(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct log_arg	*arg = call->arg;
	struct buf	 b;
	json_t		*r, *first, *last;
	char		 disp[128];

	if ((r = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	first = json_object_get(r, "first");
	last = json_object_get(r, "last");
	arg->next = json_is_integer(first) ? json_integer_value(first) : 0;
	arg->last = json_is_integer(last) ? json_integer_value(last) : -1;
	json_decref(r);

	(void)snprintf(disp, sizeof(disp),
	    "attachment; filename=\"public-log%s%s%s%s.csv\"",
	    arg->since[0] ? "-from-" : "", arg->since,
	    arg->until[0] ? "-to-" : "", arg->until);
	if (!stream_begin(req, call, &arg->s, "text/csv; charset=utf-8",
	    disp, "no-cache"))
		return (KORE_RESULT_OK);
	buf_init(&b, 512);
	csv_begin(&b, log_head);
	stream_write(req, &arg->s, &b);
	buf_free(&b);
	db_pause(call, arg->next <= arg->last ? log_fetch : log_finish);
	return (KORE_RESULT_OK);
}

/* The last piece was sent: the next one. */
static int
log_fetch(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct log_arg	*arg = call->arg;

	(void)req;
	(void)res;
	db_stmt(call, SQL_TRANSPARENCY_LOG_PAGE, log_page);
	db_int(call, arg->next);
	db_int(call, arg->last);
	db_text(call, arg->since[0] ? arg->since : NULL);
	db_text(call, arg->until[0] ? arg->until : NULL);
	return (KORE_RESULT_OK);
}

static int
log_page(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct log_arg	*arg = call->arg;
	struct buf	 b;
	json_t		*rows, *row;
	const char	*v;
	size_t		 i, len;

	if ((v = db_value(res, 0, 0, &len)) == NULL ||
	    (rows = json_loadb(v, len, 0, NULL)) == NULL) {
		call->abort(req, call);
		return (KORE_RESULT_OK);
	}
	buf_init(&b, 65536);
	json_array_foreach(rows, i, row)
		log_row(&b, row);
	json_decref(rows);
	stream_write(req, &arg->s, &b);
	buf_free(&b);
	/* The piece covered next .. next + PIECE - 1 (fewer rows: the
	 * period). */
	arg->next += PIECE;
	db_pause(call, arg->next <= arg->last ? log_fetch : log_finish);
	return (KORE_RESULT_OK);
}

static int
log_finish(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct log_arg	*arg = call->arg;

	(void)res;
	stream_end(req, call, &arg->s);
	return (KORE_RESULT_OK);
}

static void
cell_int(struct buf *b, json_t *v)
{
	buf_putc(b, ',');
	if (json_is_integer(v))
		csv_int(b, json_integer_value(v));
}

/* One entry as a row: the columns of log_range's header row. */
static void
log_row(struct buf *b, json_t *e)
{
	static const char *const text[] = { "need_kind", "category", "town" };
	size_t	i;

	csv_int(b, json_integer_value(json_object_get(e, "position")));
	buf_putc(b, ',');
	csv_cell(b, json_string_value(json_object_get(e, "time")));
	buf_putc(b, ',');
	csv_cell(b, json_string_value(json_object_get(e, "local")));
	buf_putc(b, ',');
	csv_cell(b, json_string_value(json_object_get(e, "kind")));
	buf_putc(b, ',');
	csv_cell(b, json_string_value(json_object_get(e, "kind_name")));
	cell_int(b, json_object_get(e, "need"));
	cell_int(b, json_object_get(e, "pledge"));
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		buf_putc(b, ',');
		csv_cell(b, json_string_value(json_object_get(e, text[i])));
	}
	cell_int(b, json_object_get(e, "quantity"));
	cell_int(b, json_object_get(e, "amount"));
	buf_putc(b, ',');
	csv_cell(b, json_string_value(json_object_get(e, "unit")));
	cell_int(b, json_object_get(e, "unit_amount"));
	buf_putc(b, ',');
	csv_cell(b, json_string_value(json_object_get(e, "donor")));
	buf_putc(b, ',');
	csv_cell(b, json_string_value(json_object_get(e, "leaf_hash")));
	buf_puts(b, "\r\n");
}
