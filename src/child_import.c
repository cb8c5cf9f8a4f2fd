/*
 * Children imported from a school's spreadsheet (issue 18): a CSV file
 * as Excel saves it (UTF-8 with or without a BOM, or GBK: read by
 * statement_utf8 and statement_records, src/lib/statement.c), a header
 * row naming the columns (Chinese, as the child form names them, or the
 * API's field names), one child a row.  Staff of the importing
 * organisation only; the rules are sql/api/045_child_import.sql's.
 *
 *   GET  /branch/children-import: the upload form
 *   POST /branch/children-import, /api/v1/branch/children-import
 *	  (multipart: file): every row checked, nothing written to the
 *	  register.  Problems: 200 (a form: 400) listing each row's, nothing
 *	  kept.  None: the children's numbers reserved, each row's private
 *	  part sealed to its child here exactly as children.c seals a child
 *	  typed in (private_seal over child_private_fields), the import kept;
 *	  201 with it (a form goes on to its page).
 *   GET  /branch/children-import/{id}, /api/v1/...: the kept import
 *   POST .../{id}/confirm: every row written in one transaction, or none
 *
 * The private cells are checked here with the child form's own fields
 * (child_field) and never reach the database in the clear; the public
 * cells are the database's to read (Chinese names of stages, causes,
 * towns), where every problem of every row is listed.  An alias that
 * looks like a full name or holds the real name is a warning in the
 * preview; confirming the import confirms those aliases.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "shop.h"

int	child_import(struct http_request *);

#define IMPORT_MAX_BYTES	(4 * 1024 * 1024)
/*
 * Rows a file may hold: confirming writes them all in one statement (all
 * or nothing) under shop_app's 5 s statement timeout; 5,000 took 4.0 s
 * once and over 5 s another time on the shared test machine at a load
 * of 15 to 23 (docs/needs-and-pledges.md).
 */
#define IMPORT_MAX_ROWS		2000
/* Rows a statement checks: each within the statement timeout. */
#define IMPORT_CHUNK		1000

/* A column's field and the header texts that name it. */
struct import_col {
	const char	*field;
	int		 required;
	int		 priv;		/* a private field: sealed here */
	const char	*names[4];
};

static const struct import_col import_cols[] = {
	{ "alias", 1, 0, { "化名", NULL } },
	{ "birth_year", 1, 0, { "出生年份", "出生年", NULL } },
	{ "gender", 1, 0, { "性别", NULL } },
	{ "town", 0, 0, { "镇", "乡镇", "所在镇", NULL } },
	{ "school_stage", 1, 0, { "学段", NULL } },
	{ "poverty_level", 0, 0, { "困难程度", "贫困程度", NULL } },
	{ "poverty_causes", 0, 0, { "致贫原因", NULL } },
	{ "left_behind", 0, 0, { "留守儿童", "是否留守", NULL } },
	{ "consent_on", 1, 0, { "同意日期", "监护人同意日期", NULL } },
	{ "real_name", 1, 1, { "真实姓名", "姓名", NULL } },
	{ "id_number", 0, 1, { "身份证号", "身份证号码", NULL } },
	{ "guardian", 0, 1, { "监护人", NULL } },
	{ "guardian_relation", 0, 1, { "与监护人关系", "监护人关系", NULL } },
	{ "phone", 0, 1, { "联系电话", "电话", NULL } },
	{ "address", 0, 1, { "家庭住址", "住址", NULL } },
	{ "notes", 0, 1, { "备注", NULL } },
};

#define IMPORT_NCOLS	(sizeof(import_cols) / sizeof(import_cols[0]))

static const struct field upload_fields[] = {
	CSRF_FIELD,
};

/* An upload between its steps. */
struct import {
	char		 filename[201];
	const char	*encoding;
	json_t		*publics;	/* each row's public cells, as typed */
	json_t		*privates;	/* each row's private fields */
	json_t		*problems;	/* [{row, field, code}] found here */
	json_t		*warnings;	/* [{row, field, code}] */
	json_t		*checked;	/* the public fields, as read there */
	size_t		 next;		/* the first row not yet checked */
};

static int	import_home(struct http_request *);
static int	import_upload(struct http_request *);
static int	import_read(struct import *, const char *, size_t,
		    struct form_error *);
static int	import_header(json_t *, int *, struct form_error *);
static void	import_row(struct import *, json_t *, const int *, size_t);
static void	import_problem(json_t *, size_t, const char *, const char *);
static void	import_wipe(json_t *);
static void	import_free(void *);
static void	import_send(struct http_request *, struct db_call *,
		    struct import *);
static int	import_checked(struct http_request *, struct db_call *,
		    PGresult *);
static void	import_messages(struct http_request *, json_t *);
static int	import_problems(struct http_request *, json_t *, json_t *,
		    json_t *);
static int	import_kept(struct http_request *, struct db_call *,
		    PGresult *);
static int	import_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);
static int	import_confirm_refused(struct http_request *,
		    struct db_call *, int, const char *, const char *);
static int	import_confirmed(struct http_request *, struct db_call *,
		    PGresult *);

/*
 * The routes above.  400 for a file that is no CSV (not_csv,
 * unknown_encoding, missing_column naming it, no_rows), 413 over 4 MiB
 * or 2,000 rows, 404 for another organisation's import, 409 for one
 * confirmed already or more than a day old.
 */
int
child_import(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;
	const char	*rest;
	char		 id[WEB_ID_MAX], ip[64];
	int		 api = web_is_api(req);

	if (http_state_exists(req))
		return (db_run(req));
	if (!strcmp(req->path, api ? "/api/v1/branch/children-import" :
	    "/branch/children-import")) {
		if (!web_method(req, HTTP_METHOD_POST | (api ? 0 :
		    HTTP_METHOD_GET)))
			return (KORE_RESULT_OK);
		if (req->method == HTTP_METHOD_POST)
			return (import_upload(req));
		return (import_home(req));
	}
	if (!web_path_id(req, api ? "/api/v1/branch/children-import/" :
	    "/branch/children-import/", id, sizeof(id), &rest))
		return (web_error(req, 404, "not_found", NULL));
	if (!strcmp(rest, "/confirm")) {
		if (!web_method(req, HTTP_METHOD_POST))
			return (KORE_RESULT_OK);
		if (!web_post_input(req, &f, session_csrf_only,
		    NFIELDS(session_csrf_only)))
			return (KORE_RESULT_OK);
		form_free(&f);
		request_client_ip(req, ip, sizeof(ip));
		call = db_prepare(req, SQL_CHILD_IMPORT_CONFIRM,
		    import_confirmed);
		call->on_error = import_confirm_refused;
		call->arg = kore_strdup(id);
		call->arg_free = kore_free;
		session_bind(req, call);
		db_text(call, id);
		db_text(call, ip);
		return (db_run(req));
	}
	if (*rest != '\0')
		return (web_error(req, 404, "not_found", NULL));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	call = db_prepare(req, SQL_CHILD_IMPORT_PAGE, api ? web_db_json :
	    form_page_done);
	call->page = "child-import";
	session_bind(req, call);
	db_text(call, id);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

/* GET /branch/children-import: the form, and the columns it reads. */
static int
import_home(struct http_request *req)
{
	struct db_call	*call;

	call = db_prepare(req, SQL_CHILD_IMPORT_HOME, form_page_done);
	call->page = "child-import";
	session_bind(req, call);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

/* The private values of o leave no copy behind in the worker. */
static void
import_wipe(json_t *o)
{
	json_t		*v;
	const char	*k;

	json_object_foreach(o, k, v) {
		if (json_is_string(v))
			OPENSSL_cleanse((char *)(uintptr_t)json_string_value(v),
			    json_string_length(v));
	}
}

static void
import_free(void *arg)
{
	struct import	*im = arg;
	json_t		*o;
	size_t		 i;

	json_array_foreach(im->privates, i, o)
		import_wipe(o);
	json_decref(im->publics);
	json_decref(im->privates);
	json_decref(im->problems);
	json_decref(im->warnings);
	json_decref(im->checked);
	kore_free(im);
}

/* A problem of row (its line in the file) into list. */
static void
import_problem(json_t *list, size_t row, const char *field, const char *code)
{
	json_array_append_new(list, json_pack("{s:I, s:s, s:s}", "row",
	    (json_int_t)row, "field", field, "code", code));
}

/*
 * The header record: col[k] the place of import_cols[k] (-1: absent).
 * 0 with err (missing_column, its field) when a required one is absent.
 */
static int
import_header(json_t *head, int *col, struct form_error *err)
{
	json_t		*cell;
	const char	*t;
	size_t		 k, c, n;

	for (k = 0; k < IMPORT_NCOLS; k++) {
		col[k] = -1;
		json_array_foreach(head, c, cell) {
			t = json_string_value(cell);
			if (!strcmp(t, import_cols[k].field))
				col[k] = (int)c;
			for (n = 0; import_cols[k].names[n] != NULL; n++)
				if (!strcmp(t, import_cols[k].names[n]))
					col[k] = (int)c;
			if (col[k] != -1)
				break;
		}
		if (col[k] == -1 && import_cols[k].required) {
			err->code = "missing_column";
			kore_strlcpy(err->field, import_cols[k].field,
			    sizeof(err->field));
			return (0);
		}
	}
	return (1);
}

/*
 * One data record of the file (row: its line) into im: its public cells
 * as typed (the date of consent read as the bank statements' dates are),
 * its private fields checked with the child form's fields, the alias
 * looked at.
 */
static void
import_row(struct import *im, json_t *rec, const int *col, size_t row)
{
	struct form		 f;
	struct form_error	 err;
	const struct field	*fd;
	json_t			*pub, *priv;
	const char		*v, *alias, *name;
	char			 day[11];
	size_t			 k, i;

	pub = json_pack("{s:I}", "row", (json_int_t)row);
	priv = json_object();
	for (k = 0; k < IMPORT_NCOLS; k++) {
		v = col[k] == -1 ? "" : json_string_value(json_array_get(rec,
		    (size_t)col[k]));
		if (v == NULL)
			v = "";
		if (import_cols[k].priv) {
			if (*v != '\0')
				json_object_set_new(priv, import_cols[k].field,
				    json_string(v));
			continue;
		}
		if (!strcmp(import_cols[k].field, "consent_on") &&
		    statement_date(v, strlen(v), day))
			v = day;
		json_object_set_new(pub, import_cols[k].field, json_string(v));
	}

	/* The private fields, checked one by one: every problem listed. */
	form_init(&f);
	memset(&err, 0, sizeof(err));
	if (!form_from_json(&f, priv, &err))
		import_problem(im->problems, row, "real_name", "bad_request");
	for (i = 0; child_private_names[i] != NULL; i++) {
		fd = child_field(child_private_names[i]);
		memset(&err, 0, sizeof(err));
		if (fd != NULL && !form_check(&f, fd, 1, 0, &err))
			import_problem(im->problems, row, fd->name, err.code ?
			    err.code : "bad_request");
	}
	if (!child_tel_ok(form_get(&f, "phone")))
		import_problem(im->problems, row, "phone", "bad_tel");

	alias = json_string_value(json_object_get(pub, "alias"));
	name = form_get(&f, "real_name");
	if (alias != NULL && name != NULL && alias_matches_name(alias,
	    strlen(alias), name, strlen(name)))
		import_problem(im->warnings, row, "alias", "alias_is_real_name");
	else if (alias != NULL && alias_looks_like_name(alias, strlen(alias)))
		import_problem(im->warnings, row, "alias",
		    "alias_looks_like_name");
	json_array_append_new(im->privates, child_private_fields(&f));
	json_array_append_new(im->publics, pub);
	for (i = 0; i < f.n; i++)
		OPENSSL_cleanse(f.v[i].value, strlen(f.v[i].value));
	form_free(&f);
	import_wipe(priv);
	json_decref(priv);
}

/*
 * The file's bytes into im: decoded, its records read, its header found,
 * each data record (blank ones skipped) checked.  0 with err when the
 * file as a whole is refused (err->code; 413 codes: too_many_rows).
 */
static int
import_read(struct import *im, const char *s, size_t len,
    struct form_error *err)
{
	struct buf	 text;
	json_t		*recs, *rec, *cell;
	int		 col[IMPORT_NCOLS], blank;
	size_t		 i, c;

	memset(err, 0, sizeof(*err));
	err->code = NULL;
	buf_init(&text, len + 16);
	if (len == 0 || memchr(s, '\0', len) != NULL)
		err->code = "not_csv";
	else if (!statement_utf8(s, len, &text, &im->encoding))
		err->code = "unknown_encoding";
	else if ((recs = statement_records(text.data, text.len,
	    IMPORT_MAX_ROWS + 1)) == NULL)
		err->code = "not_csv";
	if (err->code != NULL) {
		seal_buf_wipe(&text);
		return (0);
	}
	seal_buf_wipe(&text);
	if (json_array_size(recs) > IMPORT_MAX_ROWS + 1) {
		err->code = "too_many_rows";
	} else if (json_array_size(recs) == 0 ||
	    import_header(json_array_get(recs, 0), col, err)) {
		json_array_foreach(recs, i, rec) {
			if (i == 0)
				continue;
			blank = 1;
			json_array_foreach(rec, c, cell)
				blank &= json_string_length(cell) == 0;
			if (!blank)
				import_row(im, rec, col, i + 1);
		}
		if (json_array_size(im->publics) == 0 && err->code == NULL)
			err->code = "no_rows";
	}
	json_array_foreach(recs, i, rec) {
		json_array_foreach(rec, c, cell)
			OPENSSL_cleanse((char *)(uintptr_t)
			    json_string_value(cell), json_string_length(cell));
	}
	json_decref(recs);
	return (err->code == NULL);
}

/* POST: the file read and checked here, then its public cells. */
static int
import_upload(struct http_request *req)
{
	struct http_file	*file;
	struct import		*im;
	struct db_call		*call;
	struct form		 f;
	struct form_error	 err;
	struct buf		 data;

	switch (web_multipart_input(req, &f, upload_fields,
	    NFIELDS(upload_fields), &err)) {
	case -1:
		form_free(&f);
		return (KORE_RESULT_OK);
	case 0:
		return (form_page_bad_input(req, SQL_CHILD_IMPORT_HOME,
		    "child-import", NULL, &f, &err));
	}
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	form_free(&f);
	file = http_file_lookup(req, "file");
	if (file == NULL || file->length == 0)
		return (form_page_again(req, NULL, SQL_CHILD_IMPORT_HOME,
		    "child-import", NULL, 400, "required", "file", NULL));
	if (file->length > IMPORT_MAX_BYTES)
		return (form_page_again(req, NULL, SQL_CHILD_IMPORT_HOME,
		    "child-import", NULL, 413, "too_large", "file", NULL));

	im = kore_calloc(1, sizeof(*im));
	kore_strlcpy(im->filename, file->filename != NULL ? file->filename :
	    "", sizeof(im->filename));
	im->publics = json_array();
	im->privates = json_array();
	im->problems = json_array();
	im->warnings = json_array();
	im->checked = json_array();
	buf_init(&data, file->length + 1);
	web_file_read(file, &data);
	if (!import_read(im, data.data, data.len, &err)) {
		seal_buf_wipe(&data);
		import_free(im);
		return (form_page_again(req, NULL, SQL_CHILD_IMPORT_HOME,
		    "child-import", NULL, !strcmp(err.code, "too_many_rows") ?
		    413 : 400, err.code, err.field[0] ? err.field : "file",
		    NULL));
	}
	seal_buf_wipe(&data);

	call = db_begin(req);
	call->arg = im;
	call->arg_free = import_free;
	call->on_error = import_refused;
	import_send(req, call, im);
	return (db_run(req));
}

/*
 * Chains the check of the next IMPORT_CHUNK rows; the last asks for the
 * children's numbers when nothing is wrong so far.
 */
static void
import_send(struct http_request *req, struct db_call *call, struct import *im)
{
	json_t	*chunk;
	size_t	 i, n = json_array_size(im->publics);
	char	*text;
	int	 last;

	chunk = json_array();
	for (i = im->next; i < n && i < im->next + IMPORT_CHUNK; i++)
		json_array_append(chunk, json_array_get(im->publics, i));
	im->next = i;
	last = im->next == n;
	db_stmt(call, SQL_CHILD_IMPORT_CHECK, import_checked);
	session_bind(req, call);
	text = json_dumps(chunk, JSON_COMPACT);
	json_decref(chunk);
	db_text(call, text);
	free(text);
	db_int(call, last && json_array_size(im->problems) == 0 ? (long long)n :
	    0);
}

/* A refused step of an upload: the form again, or the JSON error. */
static int
import_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	return (form_page_again(req, call, SQL_CHILD_IMPORT_HOME,
	    "child-import", NULL, status, code, field, NULL));
}

/*
 * The rows' public cells read: with problems (here or there) the
 * preview that lists them; else each private part sealed to its child's
 * number and the import kept.
 */
static int
import_checked(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct import		*im = call->arg;
	struct private_sealed	 sealed;
	json_t			*r, *ids, *pubs, *rows, *row;
	char			 aad[96], num[32], *text;
	size_t			 i;
	int			 ret;

	if ((r = web_db_ctx(res)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	json_array_extend(im->problems, json_object_get(r, "problems"));
	json_array_extend(im->checked, json_object_get(r, "publics"));
	if (im->next < json_array_size(im->publics)) {
		json_decref(r);
		import_send(req, call, im);
		return (KORE_RESULT_OK);
	}
	ids = json_object_get(r, "ids");
	pubs = im->checked;
	if (json_array_size(im->problems) > 0 || !json_is_array(ids) ||
	    json_array_size(ids) != json_array_size(im->privates)) {
		json_object_set(r, "checked", im->checked);
		ret = import_problems(req, r, im->problems, im->warnings);
		json_decref(r);
		return (ret);
	}
	rows = json_array();
	for (i = 0; i < json_array_size(ids); i++) {
		(void)snprintf(num, sizeof(num), "%lld", (long long)
		    json_integer_value(json_array_get(ids, i)));
		private_aad(aad, sizeof(aad), "child", num);
		if (!private_seal(&sealed, aad, json_array_get(im->privates,
		    i))) {
			json_decref(rows);
			json_decref(r);
			return (web_error(req, 500, "internal", NULL));
		}
		row = json_pack("{s:O, s:O, s:O, s:s, s:s, s:s}",
		    "row", json_object_get(json_array_get(im->publics, i), "row"),
		    "id", json_array_get(ids, i),
		    "public", json_array_get(pubs, i),
		    "key_id", sealed.key_id, "nonce", sealed.nonce,
		    "sealed", sealed.hex);
		private_sealed_free(&sealed);
		json_array_append_new(rows, row);
	}
	json_decref(r);
	db_stmt(call, SQL_CHILD_IMPORT_SAVE, import_kept);
	session_bind(req, call);
	db_text(call, web_lang_code(web_lang(req)));
	db_text(call, im->filename);
	db_text(call, im->encoding);
	text = json_dumps(rows, JSON_COMPACT);
	json_decref(rows);
	db_text(call, text);
	free(text);
	import_messages(req, im->warnings);
	text = json_dumps(im->warnings, JSON_COMPACT);
	db_text(call, text);
	free(text);
	return (KORE_RESULT_OK);
}

/* Each problem of list gets its message in the reader's language. */
static void
import_messages(struct http_request *req, json_t *list)
{
	struct buf	 msg;
	json_t		*p;
	size_t		 i;

	json_array_foreach(list, i, p) {
		buf_init(&msg, 128);
		web_error_message(&msg, web_lang(req),
		    json_string_value(json_object_get(p, "code")),
		    json_string_value(json_object_get(p, "field")), NULL);
		json_object_set_new(p, "message", json_string(msg.data));
		buf_free(&msg);
	}
}

/*
 * The preview of a file with problems, nothing kept: each problem and
 * warning with its message in the reader's language; the API 200
 * {"ok": false, "rows", "problems", "warnings"}, the page 400.
 */
static int
import_problems(struct http_request *req, json_t *r, json_t *problems,
    json_t *warnings)
{
	json_t		*body, *viewer;
	int		 ret;

	import_messages(req, problems);
	import_messages(req, warnings);
	body = json_pack("{s:b, s:I, s:O, s:O}", "ok", 0, "rows",
	    (json_int_t)json_array_size(json_object_get(r, "checked")),
	    "problems", problems, "warnings", warnings);
	if (web_is_api(req)) {
		ret = web_json(req, 200, body);
		json_decref(body);
		return (ret);
	}
	if ((viewer = json_object_get(r, "viewer")) != NULL)
		json_object_set(body, "viewer", viewer);
	json_object_set_new(body, "title", json_string(json_string_value(
	    json_object_get(web_messages(web_lang(req)), "cimport.title"))));
	ret = web_page(req, 400, "child-import", body);
	json_decref(body);
	return (ret);
}

/* Kept: 201 with the import; a form goes on to its page. */
static int
import_kept(struct http_request *req, struct db_call *call, PGresult *res)
{
	char	to[64];

	(void)call;
	(void)snprintf(to, sizeof(to), "/branch/children-import/%lld",
	    web_db_id(res, "id"));
	return (web_saved(req, res, 201, to));
}

/* A refused confirmation: the import's page with the message. */
static int
import_confirm_refused(struct http_request *req, struct db_call *call,
    int status, const char *code, const char *field)
{
	return (form_page_again(req, call, SQL_CHILD_IMPORT_PAGE,
	    "child-import", call->arg, status, code, field, NULL));
}

/* Confirmed: the JSON, or the register's page. */
static int
import_confirmed(struct http_request *req, struct db_call *call,
    PGresult *res)
{
	char	to[64];

	(void)snprintf(to, sizeof(to), "/branch/children-import/%s",
	    (const char *)call->arg);
	return (web_saved(req, res, 200, to));
}
