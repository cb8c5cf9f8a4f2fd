/*
 * Pledges: a donor's promise against a need, delivered, and confirmed as
 * received by the need's organisation.  The rules (the cap under any
 * concurrency, idempotency, who may do what) are in sql/api/05*.sql;
 * here are the forms, the pages and the API around them.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shop.h"

int	pledge_create(struct http_request *);
int	need_pledges(struct http_request *);
int	pledge_action(struct http_request *);
int	pledge_receipt(struct http_request *);
int	pledge_page(struct http_request *);
int	pledge_photo(struct http_request *);
int	me_pledges(struct http_request *);
int	me_statement(struct http_request *);

static const char *const methods[] = { "school", "post", "transfer", NULL };
static const char *const outcomes[] = { "received", "cancelled", NULL };

static const struct field create_fields[] = {
	{ "quantity", FIELD_INT, 0, 1, 2000000000, NULL },
	{ "amount", FIELD_YUAN, 0, 1, 2000000000, NULL },
	{ "anonymous", FIELD_BOOL, 0, 0, 0, NULL },
	{ "message", FIELD_LINES, 0, 0, 500, NULL },
	{ "idem", FIELD_KEY, 0, 0, 0, NULL },
	CSRF_FIELD,
};

static const struct field deliver_fields[] = {
	{ "method", FIELD_CHOICE, 1, 0, 0, methods },
	{ "reference", FIELD_TEXT, 0, 1, 80, NULL },
	{ "note", FIELD_LINES, 0, 0, 500, NULL },
	CSRF_FIELD,
};

static const struct field receive_fields[] = {
	{ "note", FIELD_LINES, 0, 0, 500, NULL },
	{ "thank_you", FIELD_LINES, 0, 0, 500, NULL },
	CSRF_FIELD,
};

static const struct field code_fields[] = {
	{ "code", FIELD_TEXT, 1, 8, 12, NULL },
	{ "note", FIELD_LINES, 0, 0, 500, NULL },
	{ "thank_you", FIELD_LINES, 0, 0, 500, NULL },
	CSRF_FIELD,
};

static const struct field dispute_fields[] = {
	{ "reason", FIELD_LINES, 1, 2, 500, NULL },
	CSRF_FIELD,
};

static const struct field resolve_fields[] = {
	{ "outcome", FIELD_CHOICE, 1, 0, 0, outcomes },
	{ "note", FIELD_LINES, 0, 0, 500, NULL },
	CSRF_FIELD,
};

/* The columns of /me/statement.csv. */
static const char *const statement_head[] = {
	"日期", "需求", "学校", "数量", "单位", "金额(元)", "收据码",
	"核验链接", NULL
};

static const struct field year_fields[] = {
	{ "year", FIELD_INT, 0, 2017, 2100, NULL },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};

/*
 * A photo on its way: the bytes as they came (copied out of the request,
 * which the task may not touch), the two JPEGs photo_clean made of them,
 * its verdict and how long it took on the task thread.
 */
struct photo_job {
	struct buf	in;
	struct buf	full;
	struct buf	thumb;
	int		result;
	double		ms;		/* on the task, wall clock */
	double		cpu_ms;		/* the worker's CPU meanwhile */
};

static int	created(struct http_request *, struct db_call *, PGresult *);
static int	acted(struct http_request *, struct db_call *, PGresult *);
static int	page_done(struct http_request *, struct db_call *,
		    PGresult *);
static int	photo_done(struct http_request *, struct db_call *,
		    PGresult *);
static int	statement_csv(struct http_request *, struct db_call *,
		    PGresult *);
static int	statement_page(struct http_request *, struct db_call *,
		    PGresult *);
static int	photo_upload(struct http_request *, const char *);
static int	photo_allowed(struct http_request *, struct db_call *,
		    PGresult *);
static int	photo_task(struct kore_task *);
static int	photo_cleaned(struct http_request *, struct db_call *,
		    PGresult *);
static void	photo_job_free(void *);
static void	verify_link(json_t *, const char *, const char *,
		    const char *);

/*
 * POST /needs/{id}/pledge (form) and /api/v1/needs/{id}/pledges: a donor
 * pledges quantity (in the need's unit: fen for money; a form may give
 * amount in yuan instead), optionally anonymous, with a message to the
 * child.  401/403 for anyone but a donor, 404 for a need not listed, 409
 * with what remains when too little is left, 422 for an Idempotency-Key
 * (form: idem) reused with another request.  201 with the pledge (API),
 * or on to the pledge's page.
 */
int
pledge_create(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;
	const char	*key;
	char		 id[24], qty[24];
	int64_t		 fen;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (!web_path_id(req, web_is_api(req) ? "/api/v1/needs/" : "/needs/",
	    id, sizeof(id), &key) || (strcmp(key, "/pledge") &&
	    strcmp(key, "/pledges")))
		return (web_error(req, 404, "not_found", NULL));
	if (!web_post_input(req, &f, create_fields, NFIELDS(create_fields)))
		return (KORE_RESULT_OK);
	if (form_get(&f, "amount") != NULL) {
		fen = form_fen(&f, "amount", 0);
		(void)snprintf(qty, sizeof(qty), "%lld", (long long)fen);
	} else if (form_get(&f, "quantity") != NULL) {
		kore_strlcpy(qty, form_get(&f, "quantity"), sizeof(qty));
	} else {
		form_free(&f);
		return (web_error(req, 400, "required", "quantity"));
	}
	if (!web_idem_key(req, &f, &key)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	call = db_prepare(req, SQL_PLEDGE_CREATE, created);
	session_bind(req, call);
	db_text(call, id);
	db_text(call, qty);
	db_bool(call, form_bool(&f, "anonymous"));
	db_text(call, form_get(&f, "message"));
	db_text(call, key);
	form_free(&f);
	return (db_run(req));
}

/*
 * GET /needs/{id}/pledges?page= (page), /api/v1/needs/{id}/pledges: a
 * listed need's public pledges, newest first, 50 a page (its page shows
 * the newest ten); 404 as the need.  A POST to the API's path makes one
 * (pledge_create).
 */
static const struct field pledges_query[] = {
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};

int
need_pledges(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;
	char		 id[WEB_ID_MAX];
	const char	*rest;
	int		 api = web_is_api(req), r;

	if (http_state_exists(req))
		return (db_run(req));
	if (api && req->method == HTTP_METHOD_POST)
		return (pledge_create(req));
	if (web_cached(req, &r))
		return (r);
	if (!web_method(req, HTTP_METHOD_GET |
	    (api ? HTTP_METHOD_POST : 0)))
		return (KORE_RESULT_OK);
	if (!web_path_id(req, api ? "/api/v1/needs/" : "/needs/", id,
	    sizeof(id), &rest) || strcmp(rest, "/pledges"))
		return (web_error(req, 404, "not_found", NULL));
	if (!web_query(req, &f, pledges_query, NFIELDS(pledges_query)))
		return (KORE_RESULT_OK);
	call = db_prepare(req, api ? SQL_NEED_PLEDGES : SQL_NEED_PLEDGES_PAGE,
	    api ? web_db_json : web_db_page);
	call->page = "need-pledges";
	db_text(call, id);
	db_text(call, web_lang_code(web_lang(req)));
	db_text(call, form_get(&f, "page"));
	if (!api)
		session_bind(req, call);
	form_free(&f);
	return (db_run(req));
}

/* Made: 201 with it (API), or on to its page. */
static int
created(struct http_request *req, struct db_call *call, PGresult *res)
{
	(void)call;
	return (web_saved_record(req, res, 201, "pledge", "/me/pledges/"));
}

/*
 * POST /pledges/{id}/{action} and /api/v1/pledges/{id}/{action}:
 *   cancel     the donor, before delivery
 *   deliver    the donor: method (school, post, transfer), reference
 *              (tracking number or transfer reference), note
 *   receive    staff of the need's organisation (or above): note,
 *              thank_you
 *   dispute    staff: reason (delivered but never arrived)
 *   resolve    staff: outcome (received, cancelled), note
 *   approve, reject   staff: the donor's message to the child
 *   photos     staff or the donor: a photo of the hand-over (multipart
 *              "photo": JPEG, PNG or HEIC, up to 12 MB; see photo_upload)
 * 404 for a pledge the caller may not act on; 409 in the wrong state.
 */
int
pledge_action(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;
	const char	*action;
	char		 id[24];

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (!web_path_id(req, web_is_api(req) ? "/api/v1/pledges/" :
	    "/pledges/", id, sizeof(id), &action) || *action++ != '/')
		return (web_error(req, 404, "not_found", NULL));
	if (!strcmp(action, "photos"))
		return (photo_upload(req, id));

	if (!strcmp(action, "cancel") || !strcmp(action, "approve") ||
	    !strcmp(action, "reject")) {
		if (!web_post_input(req, &f, session_csrf_only,
		    NFIELDS(session_csrf_only)))
			return (KORE_RESULT_OK);
		if (action[0] == 'c') {
			call = db_prepare(req, SQL_PLEDGE_CANCEL, acted);
			session_bind(req, call);
			db_text(call, id);
		} else {
			call = db_prepare(req, SQL_PLEDGE_MODERATE, acted);
			session_bind(req, call);
			db_text(call, id);
			db_bool(call, action[0] == 'a');
		}
	} else if (!strcmp(action, "deliver")) {
		if (!web_post_input(req, &f, deliver_fields, NFIELDS(deliver_fields)))
			return (KORE_RESULT_OK);
		call = db_prepare(req, SQL_PLEDGE_DELIVER, acted);
		session_bind(req, call);
		db_text(call, id);
		db_text(call, form_get(&f, "method"));
		db_text(call, form_get(&f, "reference"));
		db_text(call, form_get(&f, "note"));
	} else if (!strcmp(action, "receive")) {
		if (!web_post_input(req, &f, receive_fields, NFIELDS(receive_fields)))
			return (KORE_RESULT_OK);
		call = db_prepare(req, SQL_PLEDGE_RECEIVE, acted);
		session_bind(req, call);
		db_text(call, id);
		db_text(call, form_get(&f, "note"));
		db_text(call, form_get(&f, "thank_you"));
	} else if (!strcmp(action, "dispute")) {
		if (!web_post_input(req, &f, dispute_fields, NFIELDS(dispute_fields)))
			return (KORE_RESULT_OK);
		call = db_prepare(req, SQL_PLEDGE_DISPUTE, acted);
		session_bind(req, call);
		db_text(call, id);
		db_text(call, form_get(&f, "reason"));
	} else if (!strcmp(action, "resolve")) {
		if (!web_post_input(req, &f, resolve_fields, NFIELDS(resolve_fields)))
			return (KORE_RESULT_OK);
		call = db_prepare(req, SQL_PLEDGE_RESOLVE, acted);
		session_bind(req, call);
		db_text(call, id);
		db_text(call, form_get(&f, "outcome"));
		db_text(call, form_get(&f, "note"));
	} else {
		return (web_error(req, 404, "not_found", NULL));
	}
	form_free(&f);
	call->page = web_is_api(req) ? NULL : "back";
	return (db_run(req));
}

/* An action done: the JSON answer, or back to where the form was. */
static int
acted(struct http_request *req, struct db_call *call, PGresult *res)
{
	static const char *const	 back[] = {
		"/me/pledges", "/branch/pledges", NULL
	};
	const char			*ref;
	char				 where[80];
	json_t				*r;

	if (web_is_api(req))
		return (web_db_json(req, call, res));
	/* Back to the page the form was on, when it is one of ours. */
	if (http_request_header(req, "referer", &ref) &&
	    hdr_back_path(ref, strlen(ref), back, where, sizeof(where)))
		return (web_redirect(req, where));
	if ((r = web_db_object(res, 0)) == NULL)
		return (web_redirect(req, "/me/pledges"));
	(void)snprintf(where, sizeof(where), "/me/pledges/%lld",
	    (long long)json_integer_value(json_object_get(r, "id")));
	json_decref(r);
	return (web_redirect(req, where));
}

/*
 * POST /receipts, /api/v1/receipts (staff): confirms receipt in one step
 * with the code the donor shows (typed, or scanned from the QR code).
 */
int
pledge_receipt(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (!web_post_input(req, &f, code_fields, NFIELDS(code_fields)))
		return (KORE_RESULT_OK);
	call = db_prepare(req, SQL_PLEDGE_RECEIVE_CODE, acted);
	session_bind(req, call);
	db_text(call, form_get(&f, "code"));
	db_text(call, form_get(&f, "note"));
	db_text(call, form_get(&f, "thank_you"));
	form_free(&f);
	return (db_run(req));
}

/*
 * Photos come as multipart/form-data with one file "photo" (and csrf,
 * or the X-CSRF-Token header), from the school's receive page or the
 * donor's delivery page: a phone's photo as it is, up to PHOTO_BYTES_MAX
 * (12 MB).  Decoding it is slow, so it goes to a task thread
 * (photo_task): 415 unsupported_image when its bytes are not a JPEG, PNG
 * or HEIC (whatever the client called it), 413 too_many_pixels when its
 * header claims more than PHOTO_PIXELS_MAX, 400 bad_image when it does
 * not decode whole; else stored, upright and without its metadata, by
 * the api function.  Who may add one is asked first (api.pledge_photo_may:
 * 401, 404 for anyone else): a photo is read and decoded for them only.
 */
static int
photo_upload(struct http_request *req, const char *id)
{
	struct http_file	*file;
	struct db_call		*call;
	struct form		 f;
	struct form_error	 err;
	char			 tmp[80], *csrf;

	http_populate_multipart_form(req);
	form_init(&f);
	if ((file = http_file_lookup(req, "photo")) == NULL)
		return (web_error(req, 400, "required", "photo"));
	if (file->length > PHOTO_BYTES_MAX)
		return (web_error(req, 400, "too_large", "photo"));
	/* The form's csrf field is declared in conf/kore.conf (params). */
	if (http_argument_get_string(req, "csrf", &csrf)) {
		(void)snprintf(tmp, sizeof(tmp), "csrf=%s", csrf);
		(void)form_parse_urlencoded(&f, tmp, strlen(tmp), &err);
	}
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	form_free(&f);
	call = db_prepare(req, SQL_PLEDGE_PHOTO_MAY, photo_allowed);
	/* Kept for the answer: the task may not read the request. */
	kore_strlcpy(tmp, id, sizeof(tmp));
	call->extra = json_pack("{s:s}", "pledge", tmp);
	session_bind(req, call);
	db_text(call, id);
	return (db_run(req));
}

/* The caller may add a photo: now read it, and decode it on a task. */
static int
photo_allowed(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct http_file	*file;
	struct photo_job	*job;
	char			 chunk[8192];
	ssize_t			 n;

	(void)res;
	if ((file = http_file_lookup(req, "photo")) == NULL)
		return (web_error(req, 400, "required", "photo"));
	job = kore_calloc(1, sizeof(*job));
	buf_init(&job->in, file->length + 1);
	buf_init(&job->full, 256 * 1024);
	buf_init(&job->thumb, 32 * 1024);
	http_file_rewind(file);
	while ((n = http_file_read(file, chunk, sizeof(chunk))) > 0)
		buf_append(&job->in, chunk, (size_t)n);
	call->arg = job;
	call->arg_free = photo_job_free;
	db_task(call, photo_task, photo_cleaned);
	return (KORE_RESULT_OK);
}

/* On a task thread: libvips decodes, turns, scales and writes again. */
static int
photo_task(struct kore_task *t)
{
	struct photo_job	*job = db_task_call(t)->arg;
	struct timespec		 a, b, ca, cb;

	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	/* The process's: libvips decodes on a thread of its own. */
	(void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
	job->result = photo_clean((unsigned char *)job->in.data, job->in.len,
	    &job->full, &job->thumb);
	(void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	job->ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	job->cpu_ms = (cb.tv_sec - ca.tv_sec) * 1e3 +
	    (cb.tv_nsec - ca.tv_nsec) / 1e6;
	return (KORE_RESULT_OK);
}

/*
 * Back on the worker: refused, or stored (as base64 text, the photo and
 * its thumbnail).  Server-Timing says how long the task took (the
 * figure tests/api/photos.test.mjs prints).
 */
static int
photo_cleaned(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct photo_job	*job = call->arg;
	struct buf		 b64, t64;
	char			 timing[80];

	(void)res;
	(void)snprintf(timing, sizeof(timing),
	    "photo;dur=%.1f, photo-cpu;dur=%.1f", job->ms, job->cpu_ms);
	http_response_header(req, "server-timing", timing);
	switch (job->result) {
	case PHOTO_OK:
		break;
	case PHOTO_UNSUPPORTED:
		return (web_error(req, 415, "unsupported_image", "photo"));
	case PHOTO_TOO_MANY_PIXELS:
		return (web_error(req, 413, "too_many_pixels", "photo"));
	default:
		return (web_error(req, 400, "bad_image", "photo"));
	}
	buf_init(&b64, job->full.len * 4 / 3 + 8);
	b64_encode(&b64, job->full.data, job->full.len);
	buf_init(&t64, job->thumb.len * 4 / 3 + 8);
	b64_encode(&t64, job->thumb.data, job->thumb.len);
	db_stmt(call, SQL_PLEDGE_PHOTO_ADD, acted);
	session_bind(req, call);
	db_text(call, json_string_value(json_object_get(call->extra,
	    "pledge")));
	db_text(call, "image/jpeg");
	db_text(call, b64.data);
	db_text(call, t64.data);
	buf_free(&b64);
	buf_free(&t64);
	return (KORE_RESULT_OK);
}

static void
photo_job_free(void *p)
{
	struct photo_job	*job = p;

	buf_free(&job->in);
	buf_free(&job->full);
	buf_free(&job->thumb);
	kore_free(job);
}

/*
 * GET /me/pledges/{id} (page), /api/v1/pledges/{id}: one pledge with its
 * history, its receipt code as a QR code for the donor, where its events
 * are in the public log.  404 for anyone but its donor, the need's staff
 * and admins.  GET /me/pledges/{id}/certificate: the printable donation
 * certificate of a received pledge.
 */
int
pledge_page(struct http_request *req)
{
	struct db_call	*call;
	const char	*rest;
	char		 id[24];
	int		 api = web_is_api(req);

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	if (!web_path_id(req, api ? "/api/v1/pledges/" : "/me/pledges/", id,
	    sizeof(id), &rest) || (*rest != '\0' &&
	    strcmp(rest, "/certificate")))
		return (web_error(req, 404, "not_found", NULL));
	if (api) {
		call = db_prepare(req, SQL_PLEDGE_GET, web_db_json);
	} else {
		call = db_prepare(req, SQL_PLEDGE_PAGE, page_done);
		call->page = *rest ? "certificate" : "pledge";
	}
	session_bind(req, call);
	db_text(call, id);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

/* The pledge page: the QR code of the receipt code for its donor. */
static int
page_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t		*pledge;
	const char	*code;
	struct buf	 svg;
	json_t		*d;

	if (!strcmp(call->page, "certificate")) {
		d = web_db_object(res, 0);
		pledge = d ? json_object_get(d, "pledge") : NULL;
		if (d == NULL || !json_is_true(json_object_get(pledge,
		    "is_received")) || !json_is_true(json_object_get(d,
		    "is_donor"))) {
			json_decref(d);
			return (web_error(req, 404, "not_found", NULL));
		}
		json_decref(call->extra);
		call->extra = json_object();
		verify_link(call->extra, json_string_value(json_object_get(d,
		    "verify_code")), "verify_url", "verify_qr");
		json_decref(d);
		return (web_db_page(req, call, res));
	}
	if ((d = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	pledge = json_object_get(d, "pledge");
	code = json_string_value(json_object_get(pledge, "receipt_code"));
	json_decref(call->extra);
	call->extra = json_object();
	if (json_is_true(json_object_get(pledge, "is_received")))
		verify_link(call->extra, json_string_value(json_object_get(d,
		    "verify_code")), "verify_url", NULL);
	if (code != NULL && json_is_true(json_object_get(d, "is_donor"))) {
		buf_init(&svg, 4096);
		if (qr_svg(code, code, &svg))
			json_object_set_new(call->extra, "qr_svg",
			    json_stringn(svg.data, svg.len));
		buf_free(&svg);
	}
	json_decref(d);
	return (web_db_page(req, call, res));
}

/*
 * GET /pledges/{id}/photos/{photo}, and .../{photo}/thumb (400 px, for
 * the pages): for the donor and the need's staff.
 */
int
pledge_photo(struct http_request *req)
{
	struct db_call	*call;
	const char	*rest;
	char		 id[24], photo[24];
	size_t		 n;
	int		 thumb;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	if (!web_path_id(req, "/pledges/", id, sizeof(id), &rest) ||
	    strncmp(rest, "/photos/", 8))
		return (web_error(req, 404, "not_found", NULL));
	rest += 8;
	n = strspn(rest, "0123456789");
	thumb = !strcmp(rest + n, "/thumb");
	if (n == 0 || n >= sizeof(photo) || rest[0] == '0' ||
	    (rest[n] != '\0' && !thumb))
		return (web_error(req, 404, "not_found", NULL));
	memcpy(photo, rest, n);
	photo[n] = '\0';
	call = db_prepare(req, SQL_PLEDGE_PHOTO, photo_done);
	session_bind(req, call);
	db_text(call, id);
	db_text(call, photo);
	db_bool(call, thumb);
	return (db_run(req));
}

static int
photo_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t		*r;
	const char	*data;
	unsigned char	*bin;
	size_t		 len, n;

	(void)call;
	if ((r = web_db_object(res, 0)) == NULL ||
	    (data = json_string_value(json_object_get(r, "data"))) == NULL) {
		json_decref(r);
		return (web_error(req, 500, "internal", NULL));
	}
	len = strlen(data);
	bin = kore_malloc(len / 4 * 3 + 4);
	if (!b64_decode(data, len, bin, len / 4 * 3 + 4, &n)) {
		kore_free(bin);
		json_decref(r);
		return (web_error(req, 500, "internal", NULL));
	}
	http_response_header(req, "cache-control", "private, max-age=3600");
	web_send(req, 200, json_string_value(json_object_get(r, "type")), bin,
	    n);
	kore_free(bin);
	json_decref(r);
	return (KORE_RESULT_OK);
}

/*
 * Sets o[url_key] to the public address of /verify/{code} and, when
 * qr_key is not NULL, o[qr_key] to its QR code (SVG); nothing without a
 * code.
 */
static void
verify_link(json_t *o, const char *code, const char *url_key,
    const char *qr_key)
{
	struct buf	url, svg;

	if (code == NULL)
		return;
	buf_init(&url, 128);
	buf_printf(&url, "%s/verify/%s", cfg.public_url, code);
	json_object_set_new(o, url_key, json_string(url.data));
	if (qr_key != NULL) {
		buf_init(&svg, 4096);
		if (qr_svg(url.data, url.data, &svg))
			json_object_set_new(o, qr_key, json_stringn(svg.data,
			    svg.len));
		buf_free(&svg);
	}
	buf_free(&url);
}

/*
 * GET /me/pledges?status=&page= (page), /api/v1/me/pledges: the donor's
 * pledges, newest first, 20 a page, of one status or all
 * (sql/api/051_pledges_read.sql); 400 for a bad filter.
 */
static const char *const pledge_statuses[] = { "pledged", "delivered",
	"disputed", "received", "cancelled", "expired", NULL };
static const struct field mine_query[] = {
	{ "status", FIELD_CHOICE, 0, 0, 0, pledge_statuses },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};

int
me_pledges(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET) ||
	    !web_query(req, &f, mine_query, NFIELDS(mine_query)))
		return (KORE_RESULT_OK);
	if (web_is_api(req)) {
		call = db_prepare(req, SQL_ME_PLEDGES, outbox_db_json);
	} else {
		call = db_prepare(req, SQL_ME_PLEDGES_PAGE,
		    web_db_page);
		call->page = "my-pledges";
	}
	session_bind(req, call);
	db_text(call, web_lang_code(web_lang(req)));
	db_text(call, form_get(&f, "status"));
	db_text(call, form_get(&f, "page"));
	form_free(&f);
	return (db_run(req));
}

/*
 * GET /me/statement?year=&page= (page), /me/statement.csv?year= (a
 * download of the whole year), /api/v1/me/statement?year=&page=: what
 * the donor gave in a year (received pledges), 50 a page, for the
 * donor's records; each gift with its verification link (and on the
 * page its QR code).
 */
int
me_statement(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;
	int		 csv = !strcmp(req->path, "/me/statement.csv");

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET) ||
	    !web_query(req, &f, year_fields, NFIELDS(year_fields)))
		return (KORE_RESULT_OK);
	if (web_is_api(req)) {
		call = db_prepare(req, SQL_DONOR_STATEMENT, web_db_json);
	} else {
		call = db_prepare(req, SQL_DONOR_STATEMENT_PAGE, csv ?
		    statement_csv : statement_page);
		call->page = "statement";
	}
	session_bind(req, call);
	db_int(call, form_int(&f, "year",
	    day_year(day_shanghai(time(NULL)))));
	if (csv)
		db_text(call, NULL);
	else
		db_int(call, form_int(&f, "page", 1));
	db_text(call, web_lang_code(web_lang(req)));
	form_free(&f);
	return (db_run(req));
}

/* The page: each gift's verification link and QR code (for print). */
static int
statement_page(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*ctx, *it;
	size_t	 i;
	int	 r;

	if ((ctx = web_db_ctx(res)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	json_array_foreach(json_object_get(ctx, "items"), i, it)
		verify_link(it, json_string_value(json_object_get(it,
		    "verify_code")), "verify_url", "verify_qr");
	web_notifications(ctx, web_lang(req));
	r = web_page(req, 200, call->page, ctx);
	json_decref(ctx);
	return (r);
}

/*
 * The CSV: amounts in yuan (money, and a scholarship's terms times its
 * amount a term; goods have none), and the link anyone may check each
 * gift at.
 */
static int
statement_csv(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t		*d, *it, *amount;
	struct buf	 b;
	size_t		 i;
	char		 disp[96];

	(void)call;
	if ((d = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	buf_init(&b, 4096);
	csv_begin(&b, statement_head);
	json_array_foreach(json_object_get(d, "items"), i, it) {
		csv_cell(&b, json_string_value(json_object_get(it,
		    "received_on")));
		buf_putc(&b, ',');
		csv_cell(&b, json_string_value(json_object_get(it,
		    "need_title")));
		buf_putc(&b, ',');
		csv_cell(&b, json_string_value(json_object_get(it,
		    "org_name")));
		buf_putc(&b, ',');
		/* Money is counted in fen: its quantity is written in yuan. */
		if (json_is_true(json_object_get(it, "is_money"))) {
			csv_yuan(&b, json_integer_value(json_object_get(it,
			    "quantity")));
			buf_putc(&b, ',');
			csv_cell(&b, "元");
		} else {
			buf_printf(&b, "%lld,", (long long)json_integer_value(
			    json_object_get(it, "quantity")));
			csv_cell(&b, json_string_value(json_object_get(it,
			    "unit")));
		}
		buf_putc(&b, ',');
		if (json_is_integer(amount = json_object_get(it, "amount")))
			csv_yuan(&b, json_integer_value(amount));
		buf_putc(&b, ',');
		csv_cell(&b, json_string_value(json_object_get(it,
		    "receipt_code")));
		buf_putc(&b, ',');
		buf_printf(&b, "%s/verify/%s", cfg.public_url,
		    json_string_value(json_object_get(it, "verify_code")));
		buf_puts(&b, "\r\n");
	}
	(void)snprintf(disp, sizeof(disp),
	    "attachment; filename=\"statement-%lld.csv\"",
	    (long long)json_integer_value(json_object_get(d, "year")));
	http_response_header(req, "content-disposition", disp);
	http_response_header(req, "cache-control", "private, no-store");
	web_send(req, 200, "text/csv; charset=utf-8", b.data, b.len);
	buf_free(&b);
	json_decref(d);
	return (KORE_RESULT_OK);
}

/*
 * GET /branch/pledges (page), /api/v1/branch/pledges: for staff, what
 * waits on their organisations, most urgent first, the pledges on their
 * way paged and filtered (sql/api/051_pledges_read.sql); the
 * receipt-code form.
 */
static const char *const incoming_statuses[] = { "pledged", "delivered",
	NULL };
static const struct field branch_query[] = {
	{ "status", FIELD_CHOICE, 0, 0, 0, incoming_statuses },
	{ "kind", FIELD_CHOICE, 0, 0, 0, need_kinds },
	{ "q", FIELD_TEXT, 0, 1, 50, NULL },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};
static const struct action branch_pledges_get = {
	.stmt = SQL_BRANCH_PLEDGES_PAGE,
	.binds = "$sid $lang status kind q page",
	ACTION_FIELDS(branch_query), .tmpl = "branch-pledges",
};
ACTION_HANDLER(branch_pledges, NULL, NULL, &branch_pledges_get, NULL)
