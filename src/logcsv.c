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
 *
 * A whole download costs the database the whole log, a cost that grows
 * with every gift (at 150,000 entries a soak's downloads took the other
 * readers past 15 s: issue 14).  But the log only grows: an entry never
 * changes once appended, so a complete piece of a whole download (its
 * 2000 positions all there) is the same bytes forever.  Each worker keeps
 * those pieces as it sends them, up to KEEP_MAX bytes, and sends them
 * again without asking; only the last, incomplete piece (and a period's
 * pieces, which begin anywhere) is fetched each time.
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
#define KEEP_MAX	(64 * 1024 * 1024)	/* bytes of pieces kept */

/* What a download keeps between its pieces. */
struct log_arg {
	struct stream	 s;
	long long	 next;		/* the next position to fetch */
	long long	 last;
	long long	 mark;		/* the kept piece's end checked */
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
static int	piece_whole(struct log_arg *);
static void	piece_keep(struct log_arg *, struct buf *, size_t);
static void	pieces_check(struct log_arg *, json_t *);

/*
 * The complete pieces of whole downloads this worker sent: kept[k] holds
 * positions k * PIECE .. k * PIECE + PIECE - 1 (NULL csv.data: not
 * kept), and the leaf hash of its last entry.  An append-only log
 * changes no entry, but a database restored to an earlier time gives
 * later positions to other entries: each download asks for the leaf hash
 * at the end of the highest piece kept (kept_top, when it began) and
 * drops them all when it differs.
 */
struct kept_piece {
	struct buf	csv;
	char		last_hash[65];
};

static struct kept_piece	*kept;
static size_t			 nkept;
static size_t			 kept_bytes;
static long long		 kept_top = -1;

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
	arg->mark = kept_top;
	db_int(call, arg->mark);
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
	pieces_check(arg, json_object_get(r, "mark"));
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

/* The last piece was sent: the next one, kept or fetched. */
static int
log_fetch(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct log_arg	*arg = call->arg;
	struct buf	 b, *k;

	(void)res;
	if (piece_whole(arg) && (size_t)(arg->next / PIECE) < nkept &&
	    (k = &kept[arg->next / PIECE].csv)->data != NULL) {
		buf_init(&b, k->len);
		buf_append(&b, k->data, k->len);
		stream_write(req, &arg->s, &b);
		buf_free(&b);
		arg->next += PIECE;
		db_pause(call, arg->next <= arg->last ? log_fetch : log_finish);
		return (KORE_RESULT_OK);
	}
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
	piece_keep(arg, &b, json_array_size(rows));
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

/* Whether the piece at arg->next is a complete piece of the whole log. */
static int
piece_whole(struct log_arg *arg)
{
	return (arg->since[0] == '\0' && arg->until[0] == '\0' &&
	    arg->next % PIECE == 0 && arg->next + PIECE - 1 <= arg->last);
}

/* Keeps a copy of the piece b of n rows when it is complete and fits. */
static void
piece_keep(struct log_arg *arg, struct buf *b, size_t n)
{
	size_t	k = arg->next / PIECE, more;

	if (!piece_whole(arg) || n != PIECE || kept_bytes + b->len > KEEP_MAX)
		return;
	if (k >= nkept) {
		more = k + 16;
		kept = kore_realloc(kept, more * sizeof(*kept));
		memset(kept + nkept, 0, (more - nkept) * sizeof(*kept));
		nkept = more;
	}
	/* The last row ends with its leaf hash: "64 hex digits" CR LF. */
	if (kept[k].csv.data != NULL || b->len < 68)
		return;
	buf_init(&kept[k].csv, b->len);
	buf_append(&kept[k].csv, b->data, b->len);
	memcpy(kept[k].last_hash, b->data + b->len - 67, 64);
	kept[k].last_hash[64] = '\0';
	kept_bytes += b->len;
	if ((long long)k * PIECE + PIECE - 1 > kept_top)
		kept_top = (long long)k * PIECE + PIECE - 1;
}

/*
 * Drops every kept piece unless the database has, at arg->mark, the leaf
 * hash kept for it (no entry there is fine while the log's end is before
 * it: a replica a moment behind).  The piece may have gone meanwhile
 * (another download dropped them): nothing to check then.
 */
static void
pieces_check(struct log_arg *arg, json_t *mark)
{
	size_t	k;

	if (arg->mark < 0 || (size_t)(arg->mark / PIECE) >= nkept ||
	    kept[arg->mark / PIECE].csv.data == NULL)
		return;
	if (json_is_string(mark) ? strcmp(json_string_value(mark),
	    kept[arg->mark / PIECE].last_hash) == 0 : arg->last < arg->mark)
		return;
	kore_log(LOG_NOTICE, "log.csv: the entry at %lld is not the one kept: "
	    "the kept pieces are dropped", arg->mark);
	for (k = 0; k < nkept; k++)
		buf_free(&kept[k].csv);
	memset(kept, 0, nkept * sizeof(*kept));
	kept_bytes = 0;
	kept_top = -1;
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
