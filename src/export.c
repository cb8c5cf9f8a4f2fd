/*
 * Downloads of a table the database builds (sql/api/077_exports.sql,
 * 098_list_exports.sql), one page at a time:
 *
 *	{"filename", "sheet", "columns": [...], "rows": [[cell, ...], ...],
 *	 "next": <cursor>}
 *
 * a cell being a string, an integer, {"fen": n} or null.  export_csv and
 * export_xlsx are the done callbacks of the first page's statement.  When
 * the page has a next, the same statement is sent again with the same
 * parameters but the last, which becomes the cursor (the actions bind it
 * as $after: NULL for the first page), until a page comes without one; a
 * quarterly report is a table of one page.  So a list of any length never
 * sits in memory: one page of rows and one piece of the file do.
 *
 * CSV is UTF-8 with a byte-order mark, so that Excel, which the city
 * committee uses, reads the Chinese headers as UTF-8 (csv.c writes the
 * cells), streamed (stream.c) a page a piece: the headers go once the
 * first page is known, so a refusal (401, 403, 400) is still an answer;
 * a failure after that cuts the download.
 *
 * An .xlsx workbook is written by libxlsxwriter in constant_memory mode
 * (each row goes to a temporary file as the next begins) on task threads,
 * a page a task, into a file under SHOP_VAR; once the last page is in and
 * the workbook closed (zipped, on a task), the file is streamed in pieces
 * and disappears with the download.  Both answers carry the security
 * headers, no-store, and an ASCII file name.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "shop.h"

#define XLSX_TYPE	"application/vnd.openxmlformats-officedocument." \
			"spreadsheetml.sheet"
#define CSV_TYPE	"text/csv; charset=utf-8"
#define XLSX_PIECE	(256 * 1024)	/* bytes of the file a piece */

/* A download under way: the statement to send again, the file. */
struct export {
	enum stmt	 stmt;
	int		 nparams;
	char		*params[DB_MAX_PARAMS];	/* the last: the cursor */
	char		 disp[160];		/* Content-Disposition */
	struct stream	 s;
	int		 began;

	/* .xlsx: the page the task writes, the workbook, the file. */
	int		 xlsx;
	char		*sheet;		/* the sheet's name */
	json_t		*columns;
	json_t		*rows;
	int		 last;		/* rows is the last page */
	int		 ok;		/* the task did its part */
	char		 dir[PATH_MAX];
	char		 path[PATH_MAX];
	int		 fd;
	lxw_workbook	*wb;
	lxw_worksheet	*ws;
	lxw_format	*money;
	lxw_row_t	 row;		/* the next row of the sheet */
	off_t		 sent;
	off_t		 size;
};

static struct export *export_new(struct db_call *, int);
static void	 export_free(void *);
static json_t	*export_table(struct http_request *, struct db_call *,
		    PGresult *);
static void	 export_name(struct export *, json_t *, const char *);
static int	 export_next(struct db_call *, json_t *);
static void	 export_again(struct db_call *, db_done_fn);
static int	 export_finish(struct http_request *, struct db_call *,
		    PGresult *);
static int	 csv_fetch(struct http_request *, struct db_call *,
		    PGresult *);
static int	 csv_page(struct http_request *, struct db_call *,
		    PGresult *);
static int	 xlsx_page(struct http_request *, struct db_call *,
		    PGresult *);
static int	 xlsx_task(struct kore_task *);
static int	 xlsx_open(struct export *);
static void	 xlsx_rows(struct export *);
static int	 xlsx_written(struct http_request *, struct db_call *,
		    PGresult *);
static int	 xlsx_piece(struct http_request *, struct db_call *,
		    PGresult *);

/*
 * The download of call's first statement, whose parameters are kept to
 * be sent again; it belongs to call.
 */
static struct export *
export_new(struct db_call *call, int xlsx)
{
	struct export	*e;
	int		 i;

	e = kore_calloc(1, sizeof(*e));
	e->stmt = call->stmt;
	e->nparams = call->nparams;
	for (i = 0; i < call->nparams; i++)
		e->params[i] = call->values[i] ? kore_strdup(call->values[i]) :
		    NULL;
	e->xlsx = xlsx;
	e->fd = -1;
	kore_strlcpy(e->dir, cfg.var, sizeof(e->dir));
	call->arg = e;
	call->arg_free = export_free;
	return (e);
}

/* Also when a download fails half-way: the workbook and its file go. */
static void
export_free(void *arg)
{
	struct export	*e = arg;
	int		 i;

	for (i = 0; i < e->nparams; i++)
		kore_free(e->params[i]);
	kore_free(e->sheet);
	json_decref(e->columns);
	json_decref(e->rows);
	if (e->wb != NULL)
		lxw_workbook_free(e->wb);
	if (e->path[0] != '\0')
		(void)unlink(e->path);
	if (e->fd != -1)
		(void)close(e->fd);
	kore_free(e);
}

/*
 * The page in the statement's answer.  A bad one (a bug) is answered
 * 500 before the download began, and cuts it after: NULL then.
 */
static json_t *
export_table(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct export	*e = call->arg;
	json_t		*t;

	if ((t = web_db_object(res, 0)) == NULL ||
	    !json_is_string(json_object_get(t, "filename")) ||
	    !json_is_array(json_object_get(t, "columns")) ||
	    !json_is_array(json_object_get(t, "rows"))) {
		json_decref(t);
		kore_log(LOG_ERR, "export: statement %d gave no table",
		    call->stmt);
		if (e != NULL && e->began)
			call->abort(req, call);
		else
			web_error(req, 500, "internal", NULL);
		return (NULL);
	}
	return (t);
}

/*
 * Whether table t has a next page; its cursor then replaces the last
 * parameter, to be sent again.
 */
static int
export_next(struct db_call *call, json_t *t)
{
	struct export	*e = call->arg;
	json_t		*next = json_object_get(t, "next");
	char		 num[32];

	if (!json_is_integer(next) || e->nparams == 0)
		return (0);
	(void)snprintf(num, sizeof(num), "%lld",
	    (long long)json_integer_value(next));
	kore_free(e->params[e->nparams - 1]);
	e->params[e->nparams - 1] = kore_strdup(num);
	return (1);
}

/* The statement again, with the cursor: the next page to done. */
static void
export_again(struct db_call *call, db_done_fn done)
{
	struct export	*e = call->arg;
	int		 i;

	db_stmt(call, e->stmt, done);
	for (i = 0; i < e->nparams; i++)
		db_text(call, e->params[i]);
}

/* The file's headers: its name, ASCII (the statement's), plus ext. */
static void
export_name(struct export *e, json_t *t, const char *ext)
{
	const char	*name, *p;

	name = json_string_value(json_object_get(t, "filename"));
	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			fatal("export: unsafe file name");
	}
	(void)snprintf(e->disp, sizeof(e->disp),
	    "attachment; filename=\"%s.%s\"", name, ext);
}

static int
export_finish(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct export	*e = call->arg;

	(void)res;
	stream_end(req, call, &e->s);
	return (KORE_RESULT_OK);
}

/* A done callback: the table as a CSV download, a page a piece. */
int
export_csv(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct export	*e;
	struct buf	 b;
	json_t		*t;
	int		 more;

	if ((t = export_table(req, call, res)) == NULL)
		return (KORE_RESULT_OK);
	e = export_new(call, 0);
	export_name(e, t, "csv");
	more = export_next(call, t);
	if (!stream_begin(req, call, &e->s, CSV_TYPE, e->disp, "no-store")) {
		json_decref(t);
		return (KORE_RESULT_OK);
	}
	e->began = 1;
	buf_init(&b, 65536);
	csv_begin(&b, NULL);
	(void)csv_table(&b, json_object_get(t, "columns"),
	    json_object_get(t, "rows"));
	json_decref(t);
	stream_write(req, &e->s, &b);
	buf_free(&b);
	db_pause(call, more ? csv_fetch : export_finish);
	return (KORE_RESULT_OK);
}

/* The last piece is on its way: the next page. */
static int
csv_fetch(struct http_request *req, struct db_call *call, PGresult *res)
{
	(void)req;
	(void)res;
	export_again(call, csv_page);
	return (KORE_RESULT_OK);
}

static int
csv_page(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct export	*e = call->arg;
	struct buf	 b;
	json_t		*t;
	int		 more;

	if ((t = export_table(req, call, res)) == NULL)
		return (KORE_RESULT_OK);
	more = export_next(call, t);
	buf_init(&b, 65536);
	(void)csv_rows(&b, json_object_get(t, "rows"));
	json_decref(t);
	stream_write(req, &e->s, &b);
	buf_free(&b);
	db_pause(call, more ? csv_fetch : export_finish);
	return (KORE_RESULT_OK);
}

/* A done callback: the table as an .xlsx download, written on tasks. */
int
export_xlsx(struct http_request *req, struct db_call *call, PGresult *res)
{
	(void)export_new(call, 1);
	return (xlsx_page(req, call, res));
}

/* A page of the workbook: its rows to a task. */
static int
xlsx_page(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct export	*e = call->arg;
	json_t		*t;
	const char	*sheet;

	if ((t = export_table(req, call, res)) == NULL)
		return (KORE_RESULT_OK);
	if (e->columns == NULL) {
		export_name(e, t, "xlsx");
		e->columns = json_incref(json_object_get(t, "columns"));
		sheet = json_string_value(json_object_get(t, "sheet"));
		e->sheet = kore_strdup(sheet != NULL ? sheet : "");
	}
	e->last = !export_next(call, t);
	json_decref(e->rows);
	e->rows = json_incref(json_object_get(t, "rows"));
	json_decref(t);
	db_task(call, xlsx_task, xlsx_written);
	return (KORE_RESULT_OK);
}

/*
 * On a task thread (it touches only the export): the workbook opened
 * with the first page, the page's rows written, the workbook closed
 * with the last.
 */
static int
xlsx_task(struct kore_task *t)
{
	struct export	*e = db_task_call(t)->arg;

	e->ok = 0;
	if (e->wb == NULL && !xlsx_open(e))
		return (KORE_RESULT_OK);
	xlsx_rows(e);
	json_decref(e->rows);
	e->rows = NULL;
	if (e->last) {
		e->ws = NULL;
		if (workbook_close(e->wb) != LXW_NO_ERROR) {
			e->wb = NULL;
			return (KORE_RESULT_OK);
		}
		e->wb = NULL;
		/* The file lives on in e->fd until the download ends. */
		(void)unlink(e->path);
		e->path[0] = '\0';
	}
	e->ok = 1;
	return (KORE_RESULT_OK);
}

/* A new file under the directory, the workbook, its sheet, the header. */
static int
xlsx_open(struct export *e)
{
	lxw_workbook_options	 opt;
	lxw_format		*head;
	json_t			*v;
	size_t			 c;

	if ((size_t)snprintf(e->path, sizeof(e->path), "%s/export-XXXXXX",
	    e->dir) >= sizeof(e->path) || (e->fd = mkstemp(e->path)) == -1) {
		e->path[0] = '\0';
		return (0);
	}
	memset(&opt, 0, sizeof(opt));
	opt.constant_memory = LXW_TRUE;
	opt.tmpdir = e->dir;
	if ((e->wb = workbook_new_opt(e->path, &opt)) == NULL)
		return (0);
	if ((e->ws = workbook_add_worksheet(e->wb, e->sheet)) == NULL &&
	    (e->ws = workbook_add_worksheet(e->wb, NULL)) == NULL)
		return (0);
	head = workbook_add_format(e->wb);
	format_set_bold(head);
	e->money = workbook_add_format(e->wb);
	format_set_num_format(e->money, "#,##0.00");
	worksheet_set_column(e->ws, 0, (lxw_col_t)json_array_size(e->columns),
	    16, NULL);
	worksheet_freeze_panes(e->ws, 1, 0);
	json_array_foreach(e->columns, c, v) {
		if (json_is_string(v))
			worksheet_write_string(e->ws, 0, (lxw_col_t)c,
			    json_string_value(v), head);
	}
	e->row = 1;
	return (1);
}

/* The page's rows, after those written: money as yuan. */
static void
xlsx_rows(struct export *e)
{
	json_t		*row, *v, *fen;
	size_t		 r, c;

	json_array_foreach(e->rows, r, row) {
		json_array_foreach(row, c, v) {
			if (json_is_string(v))
				worksheet_write_string(e->ws, e->row,
				    (lxw_col_t)c, json_string_value(v), NULL);
			else if (json_is_integer(v))
				worksheet_write_number(e->ws, e->row,
				    (lxw_col_t)c, (double)json_integer_value(v),
				    NULL);
			else if (json_is_object(v) && json_is_integer(fen =
			    json_object_get(v, "fen")))
				worksheet_write_number(e->ws, e->row,
				    (lxw_col_t)c,
				    (double)json_integer_value(fen) / 100.0,
				    e->money);
		}
		e->row++;
	}
}

/* The task is done: the next page, or the file's headers and first piece. */
static int
xlsx_written(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct export	*e = call->arg;
	struct stat	 st;

	(void)res;
	if (!e->ok || (e->last && (fstat(e->fd, &st) == -1 ||
	    st.st_size <= 0))) {
		kore_log(LOG_ERR, "export: the workbook could not be written");
		return (web_error(req, 500, "internal", NULL));
	}
	if (!e->last) {
		export_again(call, xlsx_page);
		return (KORE_RESULT_OK);
	}
	e->size = st.st_size;
	if (!stream_begin(req, call, &e->s, XLSX_TYPE, e->disp, "no-store"))
		return (KORE_RESULT_OK);
	e->began = 1;
	return (xlsx_piece(req, call, NULL));
}

/*
 * The next piece of the closed workbook's file (just written: the page
 * cache holds it, so the read does not wait on the disk), or the end.
 */
static int
xlsx_piece(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct export	*e = call->arg;
	struct buf	 b;
	ssize_t		 n;
	size_t		 want;

	(void)res;
	if (e->sent >= e->size)
		return (export_finish(req, call, NULL));
	want = (size_t)(e->size - e->sent) < XLSX_PIECE ?
	    (size_t)(e->size - e->sent) : XLSX_PIECE;
	buf_init(&b, want);
	if ((n = pread(e->fd, b.data, want, e->sent)) <= 0) {
		buf_free(&b);
		kore_log(LOG_ERR, "export: the workbook could not be read");
		call->abort(req, call);
		return (KORE_RESULT_OK);
	}
	b.len = (size_t)n;
	e->sent += n;
	stream_write(req, &e->s, &b);
	buf_free(&b);
	db_pause(call, xlsx_piece);
	return (KORE_RESULT_OK);
}
