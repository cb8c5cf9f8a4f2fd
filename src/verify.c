/*
 * Receipts anyone can check: GET /verify/{code} (a page) and
 * /api/v1/verify/{code}.  A donor's certificate and yearly statement
 * carry the link and its QR code; whoever holds it sees the gift's public
 * facts and its inclusion proof in the signed log, and the logverify
 * command that checks it without trusting this site.  What is shown, and
 * why no more: sql/api/052_verify.sql.  GET /verify: the form where a
 * person types or pastes the code (or the link) printed on a receipt.
 */
#include <string.h>

#include "shop.h"

#define VERIFY_CODE_LEN	32	/* pledges.verify_code: 128 bits as hex */

int	verify_page(struct http_request *);
int	verify_lookup(struct http_request *);

static const struct field lookup_fields[] = {
	{ "code", FIELD_TEXT, 0, 1, 400, NULL },
};
static const struct action lookup_page = {
	.stmt = SQL_VIEWER_PAGE, .binds = "$sid $lang",
	.tmpl = "verify-lookup",
};
static const struct action_path lookup_path = {
	NULL, NULL, &lookup_page, NULL
};

static int	verify_code_of(const char *, char *);

static int	verify_found(struct http_request *, struct db_call *,
		    PGresult *);
static int	verify_proved(struct http_request *, struct db_call *,
		    PGresult *);
static int	verify_answer(struct http_request *, struct db_call *);

/*
 * GET /verify?code=: on to the gift's page when code holds one (typed in
 * either case, with spaces, or the whole link pasted); 400 with the form
 * again when it does not.  Without code, the form.
 */
int
verify_lookup(struct http_request *req)
{
	struct form	 f;
	json_t		*values;
	const char	*typed;
	char		 code[VERIFY_CODE_LEN + 1], where[64];

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET) ||
	    !web_query(req, &f, lookup_fields, NFIELDS(lookup_fields)))
		return (KORE_RESULT_OK);
	if ((typed = form_get(&f, "code")) == NULL) {
		form_free(&f);
		return (action_serve(req, &lookup_path));
	}
	if (verify_code_of(typed, code)) {
		form_free(&f);
		(void)snprintf(where, sizeof(where), "/verify/%s", code);
		return (web_redirect(req, where));
	}
	values = form_page_values(&f);
	form_free(&f);
	return (form_page_again(req, NULL, SQL_VIEWER_PAGE, "verify-lookup",
	    NULL, 400, "bad_verify_code", "code", values));
}

/*
 * The code in what a person typed: after the last "/verify/" if there is
 * one, spaces and dashes left out, in either case.  1 and code (its
 * VERIFY_CODE_LEN lower-case hex digits and a NUL) when it is one.
 */
static int
verify_code_of(const char *typed, char *code)
{
	const char	*p, *at;
	size_t		 n = 0;

	for (p = typed; (at = strstr(p, "/verify/")) != NULL; p = at + 8)
		;
	for (; *p != '\0'; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (n == VERIFY_CODE_LEN || strchr("0123456789abcdefABCDEF",
		    *p) == NULL)
			return (0);
		code[n++] = (char)(*p | 0x20);
	}
	code[n] = '\0';
	return (n == VERIFY_CODE_LEN);
}

/*
 * The code is 32 lower-case hex digits; anything else is 404, as is a
 * code no pledge has.
 */
int
verify_page(struct http_request *req)
{
	struct db_call	*call;
	const char	*code;
	int		 api = web_is_api(req);

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	code = req->path + strlen(api ? "/api/v1/verify/" : "/verify/");
	if (strlen(code) != VERIFY_CODE_LEN ||
	    strspn(code, "0123456789abcdef") != VERIFY_CODE_LEN)
		return (web_error(req, 404, "not_found", NULL));
	call = db_prepare(req, api ? SQL_VERIFY : SQL_VERIFY_PAGE,
	    verify_found);
	db_text(call, code);
	db_text(call, web_lang_code(web_lang(req)));
	if (!api)
		session_bind(req, call);
	return (db_run(req));
}

/*
 * The gift: prove the last of its entries the latest signed checkpoint
 * covers (a gift received a moment ago may not be in one yet: the page
 * says so, and the next checkpoint will hold it).
 */
static int
verify_found(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t		*d, *e;
	json_int_t	 size, pos, best = -1;
	size_t		 i;

	if ((d = web_is_api(req) ? web_db_object(res, 0) :
	    web_db_ctx(res)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	json_decref(call->extra);
	call->extra = d;
	size = json_integer_value(json_object_get(json_object_get(d,
	    "checkpoint"), "tree_size"));
	json_array_foreach(json_object_get(d, "entries"), i, e) {
		pos = json_integer_value(json_object_get(e, "position"));
		if (pos < size && pos > best)
			best = pos;
	}
	if (best < 0)
		return (verify_answer(req, call));
	log_inclusion_chain(call, (uint64_t)best, (uint64_t)size,
	    verify_proved);
	return (KORE_RESULT_OK);
}

static int
verify_proved(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*proof, *e;
	size_t	 i;

	(void)res;
	if ((proof = log_inclusion_result(call)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	json_object_set(call->extra, "proof", proof);
	/* The proved entry, marked for the page. */
	json_array_foreach(json_object_get(call->extra, "entries"), i, e)
		json_object_set_new(e, "proved", json_boolean(
		    json_integer_value(json_object_get(e, "position")) ==
		    json_integer_value(json_object_get(proof, "leaf_index"))));
	return (verify_answer(req, call));
}

/*
 * The answer: the JSON, or the page with the link as a QR code and the
 * command that checks the proved entry against the log's own checkpoint
 * (logverify -i position -l leaf_hash URL: tests/api/verify.test.mjs
 * runs it).
 */
static int
verify_answer(struct http_request *req, struct db_call *call)
{
	json_t		*d = call->extra, *proof;
	struct buf	 b, svg;
	const char	*code;

	code = json_string_value(json_object_get(d, "code"));
	buf_init(&b, 256);
	buf_printf(&b, "%s/verify/%s", cfg.public_url, code ? code : "");
	json_object_set_new(d, "url", json_string(b.data));
	if (web_is_api(req)) {
		buf_free(&b);
		return (web_json(req, 200, d));
	}
	buf_init(&svg, 4096);
	if (qr_svg(b.data, b.data, &svg))
		json_object_set_new(d, "qr_svg", json_stringn(svg.data,
		    svg.len));
	buf_free(&svg);
	if ((proof = json_object_get(d, "proof")) != NULL) {
		buf_reset(&b);
		buf_printf(&b, "build/logverify -i %lld -l %s %s",
		    (long long)json_integer_value(json_object_get(proof,
		    "leaf_index")), json_string_value(json_object_get(proof,
		    "leaf_hash")), cfg.public_url);
		json_object_set_new(d, "command", json_string(b.data));
	}
	buf_free(&b);
	return (web_page(req, 200, "verify", d));
}
