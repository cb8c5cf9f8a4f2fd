/*
 * The foundation account's bank statements (issue 16): an admin uploads
 * the account's statement as the bank exports it (CSV, UTF-8 or GBK);
 * its lines are read here by the columns named once for that bank
 * (src/lib/statement.c) and kept, classified and confirmed by the
 * database (sql/api/093_statements.sql).  Admins only: 401 without a
 * session, 403 for anyone else.
 *
 *   GET  /admin/fund/import, /api/v1/fund/statements: banks, statements
 *   POST the same (multipart: file, bank_name, col_*): import one
 *   GET  /admin/fund/import/{id}, /api/v1/fund/statements/{id}
 *   POST .../{id}/confirm: every proposed receipt of it, at once
 *   POST /admin/fund/lines/{id}, /api/v1/fund/lines/{id}: one decision
 *
 * All but the upload are declared actions (src/action.c); the upload is
 * multipart, read here.  400 for input that does not fit (the file's
 * faults: not_csv, unknown_encoding, no_mapping, bad_mapping, no_header,
 * bad_statement_amount with its row, no_lines), 413 for a file over
 * 2 MiB, 404 for a statement or line that is not there, 409 for a
 * decision that no longer fits (the line decided, the pledge received or
 * the amount wrong).
 */
#include <string.h>

#include "shop.h"

int	fund_statements(struct http_request *);

/* The largest statement taken: some 20,000 lines of a bank's CSV. */
#define STATEMENT_MAX_BYTES	(2 * 1024 * 1024)

#define COL_PREFIX	"col_"

static const char *const actions[] = { "confirm", "ignore", NULL };

/* The upload's fields besides the file (multipart, see conf/kore.conf). */
static const struct field upload_fields[] = {
	{ "bank_name", FIELD_TEXT, 1, 1, 50, NULL },
	{ "col_date", FIELD_TEXT, 0, 1, 50, NULL },
	{ "col_amount", FIELD_TEXT, 0, 1, 50, NULL },
	{ "col_credit", FIELD_TEXT, 0, 1, 50, NULL },
	{ "col_debit", FIELD_TEXT, 0, 1, 50, NULL },
	{ "col_counterparty", FIELD_TEXT, 0, 1, 50, NULL },
	{ "col_note", FIELD_TEXT, 0, 1, 50, NULL },
	{ "col_balance", FIELD_TEXT, 0, 1, 50, NULL },
	{ "col_line_id", FIELD_TEXT, 0, 1, 50, NULL },
	CSRF_FIELD,
};

static const struct field decide_fields[] = {
	{ "action", FIELD_CHOICE, 1, 0, 0, actions },
	{ "pledge", FIELD_INT, 0, 1, ID_MAX, NULL },
	{ "reference_code", FIELD_TEXT, 0, 4, 20, NULL },
	{ "note", FIELD_LINES, 0, 0, 500, NULL },
	CSRF_FIELD,
};

static const struct field csrf_only[] = {
	CSRF_FIELD,
};

static const struct action statements_page = {
	.stmt = SQL_FUND_STATEMENTS_PAGE, .binds = "$sid $lang",
	.tmpl = "fund_import",
};
static const struct action statement_page = {
	.stmt = SQL_FUND_STATEMENT_PAGE, .binds = "$sid $lang $id",
	.tmpl = "fund_statement",
};
static const struct action statement_confirm = {
	.stmt = SQL_FUND_STATEMENT_CONFIRM, .binds = "$sid $id $ip",
	ACTION_FIELDS(csrf_only), .again = &statement_page,
	.back = "/admin/fund/import/#",
};
/* A line's decision goes back to the line's statement. */
static const struct action line_decide = {
	.stmt = SQL_FUND_LINE_DECIDE,
	.binds = "$sid $id action pledge reference_code note $ip",
	ACTION_FIELDS(decide_fields), .back = "/admin/fund/import/@",
	.back_id = "statement",
};
static const struct action_path statements_path = {
	NULL, NULL, &statements_page, NULL
};

ACTION_HANDLER(fund_statement, "/admin/fund/import/",
    "/api/v1/fund/statements/", &statement_page, NULL)
ACTION_HANDLER(fund_statement_confirm, "/admin/fund/import/",
    "/api/v1/fund/statements/", NULL, &statement_confirm)
ACTION_HANDLER(fund_line, "/admin/fund/lines/", "/api/v1/fund/lines/", NULL,
    &line_decide)

/* An upload between its two steps: the file, and what came with it. */
struct upload {
	struct buf	 data;
	struct form	 form;
	char		 filename[201];
};

static int	upload(struct http_request *);
static void	upload_free(void *);
static int	upload_mapped(struct http_request *, struct db_call *,
		    PGresult *);
static int	upload_done(struct http_request *, struct db_call *,
		    PGresult *);
static int	to_statement(struct http_request *, PGresult *, int);
static int	upload_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);
static int	refuse(struct http_request *, struct db_call *, int,
		    const char *, const char *, json_t *, json_t *);

/* The statements' list, or an upload. */
int
fund_statements(struct http_request *req)
{
	if (http_state_exists(req))
		return (db_run(req));
	if (req->method == HTTP_METHOD_POST)
		return (upload(req));
	return (action_serve(req, &statements_path));
}

/*
 * POST /admin/fund/import, /api/v1/fund/statements: multipart/form-data
 * with the file ("file"), the bank's name ("bank_name") and, the first time
 * or to change them, its columns' header texts ("col_date", "col_amount"
 * or "col_credit" and "col_debit", "col_note", "col_counterparty",
 * "col_balance", "col_line_id").  First the bank's kept columns (and the
 * role) from the database, then the file read with them, then its lines
 * in one call.  201 with what was kept; 200 when the file held nothing
 * new.  A form goes on to the statement's page.
 */
static int
upload(struct http_request *req)
{
	struct http_file	*file;
	struct upload		*up;
	struct db_call		*call;
	struct form		 f;
	struct form_error	 err;
	json_t			*values;

	switch (web_multipart_input(req, &f, upload_fields,
	    NFIELDS(upload_fields), &err)) {
	case -1:
		form_free(&f);
		return (KORE_RESULT_OK);
	case 0:
		return (form_page_bad_input(req, SQL_FUND_STATEMENTS_PAGE,
		    "fund_import", NULL, &f, &err));
	}
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	file = http_file_lookup(req, "file");
	if (file == NULL || file->length == 0 ||
	    file->length > STATEMENT_MAX_BYTES) {
		values = form_page_values(&f);
		form_free(&f);
		return (refuse(req, NULL, file == NULL || file->length == 0 ?
		    400 : 413, file == NULL || file->length == 0 ? "required" :
		    "too_large", "file", NULL, values));
	}
	up = kore_calloc(1, sizeof(*up));
	up->form = f;
	kore_strlcpy(up->filename, file->filename != NULL ? file->filename : "",
	    sizeof(up->filename));
	buf_init(&up->data, file->length + 1);
	web_file_read(file, &up->data);
	call = db_prepare(req, SQL_FUND_BANK_MAPPING, upload_mapped);
	call->arg = up;
	call->arg_free = upload_free;
	call->on_error = upload_refused;
	session_bind(req, call);
	db_text(call, form_get(&up->form, "bank_name"));
	return (db_run(req));
}

static void
upload_free(void *arg)
{
	struct upload	*up = arg;

	buf_free(&up->data);
	form_free(&up->form);
	kore_free(up);
}

/*
 * The bank's kept columns, or those the form names (all of them, when it
 * names any): the file read with them, its lines to the database.
 */
static int
upload_mapped(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct upload		*up = call->arg;
	struct statement_map	 map;
	struct statement_error	 err;
	json_t			*row, *kept, *mapping, *st, *detail;
	const char		*v;
	char			 name[48], ip[64], *text, num[24];
	size_t			 i;
	int			 given = 0, r;

	row = web_db_object(res, 0);
	kept = json_object_get(row, "mapping");
	for (i = 0; i < STATEMENT_NCOLS; i++) {
		(void)snprintf(name, sizeof(name), COL_PREFIX "%s",
		    statement_cols[i]);
		given |= form_get(&up->form, name) != NULL;
	}
	mapping = json_object();
	for (i = 0; i < STATEMENT_NCOLS; i++) {
		(void)snprintf(name, sizeof(name), COL_PREFIX "%s",
		    statement_cols[i]);
		v = given ? form_get(&up->form, name) :
		    json_string_value(json_object_get(kept, statement_cols[i]));
		if (v != NULL)
			json_object_set_new(mapping, statement_cols[i],
			    json_string(v));
		map.col[i] = json_string_value(json_object_get(mapping,
		    statement_cols[i]));
	}
	st = statement_read(up->data.data, up->data.len, &map, &err);
	if (st == NULL) {
		detail = json_object();
		if (err.row > 0)
			json_object_set_new(detail, "row",
			    json_integer((json_int_t)err.row));
		(void)snprintf(name, sizeof(name), COL_PREFIX "%s", err.field);
		r = refuse(req, call, 400, err.code, err.field[0] ? name : NULL,
		    detail, form_page_values(&up->form));
		json_decref(mapping);
		json_decref(row);
		return (r);
	}
	json_decref(row);
	db_stmt(call, SQL_FUND_STATEMENT_IMPORT, upload_done);
	session_bind(req, call);
	db_text(call, form_get(&up->form, "bank_name"));
	text = json_dumps(mapping, JSON_COMPACT);
	db_text(call, text);
	free(text);
	json_decref(mapping);
	db_text(call, up->filename);
	db_text(call, json_string_value(json_object_get(st, "encoding")));
	text = json_dumps(json_object_get(st, "lines"), JSON_COMPACT);
	db_text(call, text);
	free(text);
	(void)snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(
	    json_object_get(st, "skipped")));
	db_text(call, num);
	json_decref(st);
	request_client_ip(req, ip, sizeof(ip));
	db_text(call, ip);
	/* The file is in the statement now. */
	buf_free(&up->data);
	buf_init(&up->data, 1);
	return (KORE_RESULT_OK);
}

/* Imported: 201 with what was kept (200: nothing new); a form goes on. */
static int
upload_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*r;
	int	 created;

	if ((r = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	created = json_is_true(json_object_get(r, "created"));
	json_decref(r);
	return (to_statement(req, res, created ? 201 : 200));
}

/*
 * The answer of the upload ("statement": its id): under /api/ the JSON
 * with status, from a form on to its page.
 */
static int
to_statement(struct http_request *req, PGresult *res, int status)
{
	json_t	*r;
	char	 where[64];

	if (web_is_api(req))
		return (web_saved(req, res, status, NULL));
	if ((r = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	(void)snprintf(where, sizeof(where), "/admin/fund/import/%lld",
	    (long long)json_integer_value(json_object_get(r, "statement")));
	json_decref(r);
	return (web_redirect(req, where));
}

/* The database refused the upload: the form again, or the JSON error. */
static int
upload_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	struct upload	*up = call->arg;

	return (refuse(req, call, status, code, field, NULL,
	    form_page_values(&up->form)));
}

/*
 * The upload refused: the JSON error, or the import page again with the
 * message (detail: what it names beyond the field, e.g. the row; NULL
 * for call's own) and the values typed.  call is NULL from the handler.
 * Takes detail and values.
 */
static int
refuse(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field, json_t *detail, json_t *values)
{
	json_t	*was;
	int	 from_handler = call == NULL, r;

	if (web_is_api(req)) {
		r = web_error_detail(req, status, code, field, detail != NULL ?
		    detail : call != NULL ? call->error_detail : NULL);
		json_decref(detail);
		json_decref(values);
		return (r);
	}
	if (from_handler)
		call = db_begin(req);
	was = call->error_detail;
	if (detail != NULL)
		call->error_detail = detail;
	(void)form_page_again(req, call, SQL_FUND_STATEMENTS_PAGE,
	    "fund_import", NULL, status, code, field, values);
	call->error_detail = was;
	json_decref(detail);
	return (from_handler ? db_run(req) : KORE_RESULT_OK);
}
