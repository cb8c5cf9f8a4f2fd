/*
 * Downloads of a table the database built (see sql/api/077_exports.sql):
 * {"filename", "sheet", "columns": [...], "rows": [[cell, ...], ...]},
 * a cell being a string, an integer, {"fen": n} or null.
 *
 * CSV is UTF-8 with a byte-order mark, so that Excel, which the city
 * committee uses, reads the Chinese headers as UTF-8 (csv.c writes it).
 * An .xlsx workbook is written by libxlsxwriter on a task thread (it
 * compresses, and it writes files): to a temporary file under SHOP_VAR,
 * read back into memory, then removed.  Both are answered with the
 * security headers, no-store, and an ASCII file name.
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
#define XLSX_MAX	(64 * 1024 * 1024)

/* An .xlsx in the making: the table in, the file's bytes out. */
struct xlsx_job {
	json_t		*table;
	char		 dir[PATH_MAX];
	char		*data;		/* malloc'd by the task */
	size_t		 len;
	int		 ok;
};

static json_t	*export_table(struct http_request *, PGresult *);
static int	 export_send(struct http_request *, json_t *, const char *,
		    const char *, const void *, size_t);
static void	 xlsx_job_free(void *);
static int	 xlsx_task(struct kore_task *);
static int	 xlsx_write(struct xlsx_job *, const char *);
static int	 xlsx_read(struct xlsx_job *, int);
static int	 xlsx_done(struct http_request *, struct db_call *,
		    PGresult *);

/* The table in the statement's answer; answers 500 and NULL if none. */
static json_t *
export_table(struct http_request *req, PGresult *res)
{
	json_t	*t;

	if ((t = web_db_object(res, 0)) == NULL ||
	    !json_is_string(json_object_get(t, "filename")) ||
	    !json_is_array(json_object_get(t, "columns")) ||
	    !json_is_array(json_object_get(t, "rows"))) {
		json_decref(t);
		web_error(req, 500, "internal", NULL);
		return (NULL);
	}
	return (t);
}

/* Answers the file: name is the table's file name plus ext. */
static int
export_send(struct http_request *req, json_t *t, const char *ext,
    const char *ctype, const void *data, size_t len)
{
	const char	*name, *p;
	char		 disp[200];

	name = json_string_value(json_object_get(t, "filename"));
	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			fatal("export: unsafe file name");
	}
	(void)snprintf(disp, sizeof(disp), "attachment; filename=\"%s.%s\"",
	    name, ext);
	http_response_header(req, "content-disposition", disp);
	http_response_header(req, "cache-control", "no-store");
	return (web_send(req, 200, ctype, data, len));
}

/* A done callback: the table as a CSV download. */
int
export_csv(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct buf	 b;
	json_t		*t;
	int		 r;

	(void)call;
	if ((t = export_table(req, res)) == NULL)
		return (KORE_RESULT_OK);
	buf_init(&b, 4096);
	csv_begin(&b, NULL);
	(void)csv_table(&b, json_object_get(t, "columns"),
	    json_object_get(t, "rows"));
	r = export_send(req, t, "csv", "text/csv; charset=utf-8", b.data,
	    b.len);
	buf_free(&b);
	json_decref(t);
	return (r);
}

/* A done callback: the table as an .xlsx download, made on a task. */
int
export_xlsx(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct xlsx_job	*j;
	json_t		*t;

	if ((t = export_table(req, res)) == NULL)
		return (KORE_RESULT_OK);
	j = kore_calloc(1, sizeof(*j));
	j->table = t;
	kore_strlcpy(j->dir, cfg.var, sizeof(j->dir));
	call->arg = j;
	call->arg_free = xlsx_job_free;
	db_task(call, xlsx_task, xlsx_done);
	return (KORE_RESULT_OK);
}

static void
xlsx_job_free(void *arg)
{
	struct xlsx_job	*j = arg;

	json_decref(j->table);
	free(j->data);
	kore_free(j);
}

/*
 * On a task thread: the workbook into a new file under the job's
 * directory, read back into j->data; the file is removed either way.
 */
static int
xlsx_task(struct kore_task *t)
{
	struct xlsx_job	*j = db_task_call(t)->arg;
	char		 path[PATH_MAX];
	int		 fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/export-XXXXXX",
	    j->dir) >= sizeof(path))
		return (KORE_RESULT_OK);
	if ((fd = mkstemp(path)) == -1)
		return (KORE_RESULT_OK);
	j->ok = xlsx_write(j, path) && xlsx_read(j, fd);
	(void)close(fd);
	(void)unlink(path);
	return (KORE_RESULT_OK);
}

/* The table as one worksheet: bold headers, money as yuan. */
static int
xlsx_write(struct xlsx_job *j, const char *path)
{
	lxw_workbook_options	 opt;
	lxw_workbook		*wb;
	lxw_worksheet		*ws;
	lxw_format		*head, *money;
	json_t			*cols, *rows, *row, *v, *fen;
	const char		*sheet;
	size_t			 r, c;

	memset(&opt, 0, sizeof(opt));
	opt.tmpdir = j->dir;
	if ((wb = workbook_new_opt(path, &opt)) == NULL)
		return (0);
	sheet = json_string_value(json_object_get(j->table, "sheet"));
	if ((ws = workbook_add_worksheet(wb, sheet)) == NULL &&
	    (ws = workbook_add_worksheet(wb, NULL)) == NULL) {
		workbook_close(wb);
		return (0);
	}
	head = workbook_add_format(wb);
	format_set_bold(head);
	money = workbook_add_format(wb);
	format_set_num_format(money, "#,##0.00");
	cols = json_object_get(j->table, "columns");
	rows = json_object_get(j->table, "rows");
	worksheet_set_column(ws, 0, 0, 30, NULL);
	worksheet_set_column(ws, 1, (lxw_col_t)json_array_size(cols), 16,
	    NULL);
	worksheet_freeze_panes(ws, 1, 0);
	json_array_foreach(cols, c, v) {
		if (json_is_string(v))
			worksheet_write_string(ws, 0, (lxw_col_t)c,
			    json_string_value(v), head);
	}
	json_array_foreach(rows, r, row) {
		json_array_foreach(row, c, v) {
			if (json_is_string(v))
				worksheet_write_string(ws, (lxw_row_t)r + 1,
				    (lxw_col_t)c, json_string_value(v), NULL);
			else if (json_is_integer(v))
				worksheet_write_number(ws, (lxw_row_t)r + 1,
				    (lxw_col_t)c, (double)json_integer_value(v),
				    NULL);
			else if (json_is_object(v) && json_is_integer(fen =
			    json_object_get(v, "fen")))
				worksheet_write_number(ws, (lxw_row_t)r + 1,
				    (lxw_col_t)c,
				    (double)json_integer_value(fen) / 100.0,
				    money);
		}
	}
	return (workbook_close(wb) == LXW_NO_ERROR);
}

/* The file behind fd (which workbook_close wrote) into j->data. */
static int
xlsx_read(struct xlsx_job *j, int fd)
{
	struct stat	st;
	ssize_t		n;
	size_t		got;

	if (fstat(fd, &st) == -1 || st.st_size <= 0 || st.st_size > XLSX_MAX)
		return (0);
	if ((j->data = malloc((size_t)st.st_size)) == NULL)
		return (0);
	for (got = 0; got < (size_t)st.st_size; got += (size_t)n) {
		n = pread(fd, j->data + got, (size_t)st.st_size - got,
		    (off_t)got);
		if (n <= 0)
			return (0);
	}
	j->len = got;
	return (1);
}

static int
xlsx_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct xlsx_job	*j = call->arg;

	(void)res;
	if (!j->ok) {
		kore_log(LOG_ERR, "export: the workbook could not be written");
		return (web_error(req, 500, "internal", NULL));
	}
	return (export_send(req, j->table, "xlsx", XLSX_TYPE, j->data,
	    j->len));
}
