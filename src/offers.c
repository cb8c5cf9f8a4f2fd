/*
 * Offers: what donors can give.  The public list (/offers), a donor's own
 * (/me/offers), one offer with what the engine proposes for it (its
 * donor's page: src/matching.c), and the changes: post, edit, withdraw,
 * accept the engine's proposals, accept or decline what staff proposed.
 * The rules are in sql/api/060_offers.sql and 061_matching.sql.
 */
#include <stdlib.h>
#include <string.h>

#include "shop.h"

#define YUAN_MAX	2000000000	/* fen */

int	offers_list(struct http_request *);
int	me_offers(struct http_request *);
int	offer_page(struct http_request *);
int	offer_action(struct http_request *);
int	proposal_action(struct http_request *);

static const struct field list_fields[] = {
	{ "kind", FIELD_CHOICE, 0, 0, 0, need_kinds },
	{ "town", FIELD_SLUG, 0, 0, 40, NULL },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
	{ "per_page", FIELD_INT, 0, 1, 100, NULL },
	{ "lang", FIELD_CHOICE, 0, 0, 0, web_langs },
};

/* An offer as posted: amounts in yuan (forms) become fen here. */
static const struct field offer_fields[] = {
	{ "kind", FIELD_CHOICE, 0, 0, 0, need_kinds },
	{ "category", FIELD_SLUG, 0, 0, 40, NULL },
	{ "item", FIELD_TEXT, 0, 0, 60, NULL },
	{ "spec", FIELD_TEXT, 0, 0, 60, NULL },
	{ "unit", FIELD_TEXT, 0, 0, 10, NULL },
	{ "quantity", FIELD_INT, 0, 1, 1000000, NULL },
	{ "amount", FIELD_YUAN, 0, 1, YUAN_MAX, NULL },
	{ "terms", FIELD_INT, 0, 1, 24, NULL },
	{ "term_amount", FIELD_YUAN, 0, 1, YUAN_MAX, NULL },
	{ "towns", FIELD_TEXT, 0, 0, 200, NULL },
	{ "town1", FIELD_SLUG, 0, 0, 40, NULL },
	{ "town2", FIELD_SLUG, 0, 0, 40, NULL },
	{ "town3", FIELD_SLUG, 0, 0, 40, NULL },
	{ "towns_only", FIELD_BOOL, 0, 0, 0, NULL },
	{ "campaign", FIELD_SLUG, 0, 0, 40, NULL },
	{ "valid_until", FIELD_TEXT, 0, 10, 10, NULL },
	{ "note", FIELD_LINES, 0, 0, 500, NULL },
	{ "anonymous", FIELD_BOOL, 0, 0, 0, NULL },
	{ "for_org", FIELD_BOOL, 0, 0, 0, NULL },
	CSRF_FIELD,
};

/* Accepting: the offer's version as shown, and one need or all. */
static const struct field accept_fields[] = {
	{ "version", FIELD_INT, 1, 1, 2000000000, NULL },
	{ "need_id", FIELD_INT, 0, 1, ID_MAX, NULL },
	CSRF_FIELD,
};

static json_t	*offer_json(const struct form *);
static int	offers_again(struct http_request *, struct db_call *, int,
		    const char *, const char *, json_t *);
static int	create_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);
static int	offer_saved(struct http_request *, struct db_call *,
		    PGresult *);
static int	offer_post(struct http_request *, const char *);
static int	decided(struct http_request *, struct db_call *,
		    PGresult *);

/*
 * The offer described by f (checked against offer_fields) as the JSON
 * api.offer_from_input reads: texts as typed, numbers as numbers, yuan
 * made fen, the towns of the form's selects joined to the towns list.
 */
static json_t *
offer_json(const struct form *f)
{
	static const char *const texts[] = {
		"kind", "category", "item", "spec", "unit", "campaign",
		"valid_until", "note", NULL
	};
	static const char *const money[] = { "amount", "term_amount", NULL };
	static const char *const flags[] = {
		"towns_only", "anonymous", "for_org", NULL
	};
	struct buf	 towns;
	json_t		*j;
	const char	*v;
	char		 name[8];
	int64_t		 fen;
	size_t		 i;

	j = json_object();
	for (i = 0; texts[i] != NULL; i++)
		if ((v = form_get(f, texts[i])) != NULL)
			json_object_set_new(j, texts[i], json_string(v));
	if (form_get(f, "quantity") != NULL)
		json_object_set_new(j, "quantity",
		    json_integer(form_int(f, "quantity", 0)));
	if (form_get(f, "terms") != NULL)
		json_object_set_new(j, "terms",
		    json_integer(form_int(f, "terms", 0)));
	for (i = 0; money[i] != NULL; i++) {
		if ((v = form_get(f, money[i])) == NULL)
			continue;
		/* Checked by the field list (FIELD_YUAN, at least 1 fen). */
		fen = form_fen(f, money[i], 0);
		json_object_set_new(j, money[i], json_integer(fen));
	}
	for (i = 0; flags[i] != NULL; i++)
		if (form_get(f, flags[i]) != NULL)
			json_object_set_new(j, flags[i],
			    json_boolean(form_bool(f, flags[i])));
	buf_init(&towns, 64);
	if ((v = form_get(f, "towns")) != NULL)
		buf_puts(&towns, v);
	for (i = 1; i <= 3; i++) {
		(void)snprintf(name, sizeof(name), "town%zu", i);
		if ((v = form_get(f, name)) != NULL)
			buf_printf(&towns, ",%s", v);
	}
	if (towns.len > 0)
		json_object_set_new(j, "towns", json_string(buf_cstr(&towns)));
	buf_free(&towns);
	return (j);
}

/*
 * /me/offers again with a refused new offer's message, rendered as
 * me_offers renders it (the proposals' reasons in words); call is the
 * request's steps, or NULL from the handler.  Takes values.
 */
static int
offers_again(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field, json_t *values)
{
	return (form_page_again_with(req, call, SQL_ME_OFFERS,
	    matching_words_done, "my-offers", NULL, status, code, field,
	    values));
}

/* A new offer the database refused. */
static int
create_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	return (offers_again(req, call, status, code, field,
	    call->arg != NULL ? form_page_values(call->arg) : NULL));
}

static void
form_arg_free(void *p)
{
	form_free(p);
	kore_free(p);
}

/*
 * GET /offers (page), /api/v1/offers: the live offers, newest first
 * (kind=, town=, page=, per_page=), public without contact data.
 * POST /offers (form), /api/v1/offers (donors): a new offer: kind;
 * category, item, spec, unit; quantity (goods, service) or amount in
 * yuan (money, scholarship: the budget), terms and term_amount (yuan,
 * at most per term) for a scholarship; towns (slugs, comma-separated;
 * forms: town1..town3) and towns_only; campaign; valid_until
 * (YYYY-MM-DD); note; anonymous; for_org (given for the donor's caring
 * organisation).  400 naming the field at fault; 201 with the offer, or
 * on to its page.
 */
int
offers_list(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (req->method == HTTP_METHOD_POST)
		return (offer_post(req, NULL));
	if (!web_query(req, &f, list_fields, NFIELDS(list_fields)))
		return (KORE_RESULT_OK);
	call = db_prepare(req, SQL_OFFERS_LIST, web_is_api(req) ?
	    web_db_json : web_db_page);
	call->page = "offers";
	db_text(call, form_get(&f, "kind"));
	db_text(call, form_get(&f, "town"));
	db_int(call, form_int(&f, "page", 1));
	db_int(call, form_int(&f, "per_page", 20));
	db_text(call, web_lang_code(web_lang(req)));
	session_bind(req, call);
	form_free(&f);
	return (db_run(req));
}

/* A new offer (id NULL) or a changed one. */
static int
offer_post(struct http_request *req, const char *id)
{
	struct form_error	 err;
	struct db_call		*call;
	struct form		*f;
	json_t			*in;
	char			*s;
	int			 r;

	f = kore_calloc(1, sizeof(*f));
	if (!web_input(req, f, offer_fields, NFIELDS(offer_fields), &err)) {
		/* A new one: /me/offers again (under /api/, the JSON error). */
		if (id == NULL)
			r = offers_again(req, NULL, 400, err.code,
			    err.field[0] ? err.field : NULL, form_page_values(f));
		else
			r = web_error(req, 400, err.code, err.field[0] ?
			    err.field : NULL);
		form_arg_free(f);
		return (r);
	}
	if (!web_post_ok(req, f)) {
		form_arg_free(f);
		return (KORE_RESULT_OK);
	}
	in = offer_json(f);
	s = json_dumps(in, JSON_COMPACT);
	json_decref(in);
	if (id == NULL) {
		call = db_prepare(req, SQL_OFFER_CREATE, offer_saved);
		call->on_error = create_refused;
	} else {
		call = db_prepare(req, SQL_OFFER_UPDATE, offer_saved);
	}
	call->arg = f;
	call->arg_free = form_arg_free;
	session_bind(req, call);
	if (id != NULL)
		db_text(call, id);
	db_text(call, s);
	db_text(call, web_lang_code(web_lang(req)));
	free(s);
	return (db_run(req));
}

/* Saved: 201 (new) or 200 with it (API), or on to its page. */
static int
offer_saved(struct http_request *req, struct db_call *call, PGresult *res)
{
	return (web_saved_record(req, res, call->stmt == SQL_OFFER_CREATE ?
	    201 : 200, "offer", "/me/offers/"));
}

/*
 * GET /me/offers (page), /api/v1/me/offers (donors): their offers, the
 * proposals staff made to them, and the form for a new offer.
 */
int
me_offers(struct http_request *req)
{
	struct db_call	*call;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	call = db_prepare(req, SQL_ME_OFFERS, matching_words_done);
	call->page = "my-offers";
	session_bind(req, call);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

/*
 * GET /me/offers/{id}, /api/v1/offers/{id}: the offer and the needs
 * proposed for it (src/matching.c).  POST: the offer changed (its
 * donor; the same fields as a new one, the kind stays).
 */
int
offer_page(struct http_request *req)
{
	char	id[24];

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (!web_path_id(req, web_is_api(req) ? "/api/v1/offers/" :
	    "/me/offers/", id, sizeof(id), NULL))
		return (web_error(req, 404, "not_found", NULL));
	if (req->method == HTTP_METHOD_POST)
		return (offer_post(req, id));
	return (matching_offer_page(req, id));
}

/*
 * POST /offers/{id}/withdraw|accept, /api/v1/offers/{id}/...: its donor
 * withdraws the offer, or accepts the engine's proposals for it (see
 * matching_offer_accept).  404 for someone else's offer.
 */
int
offer_action(struct http_request *req)
{
	static const char *const	 actions[] = {
		"withdraw", "accept", NULL
	};
	struct db_call			*call;
	struct form			 f;
	char				 id[WEB_ID_MAX];
	int				 accept;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if ((accept = web_path_action(req, web_is_api(req) ?
	    "/api/v1/offers/" : "/offers/", id, sizeof(id), actions)) == -1)
		return (web_error(req, 404, "not_found", NULL));
	if (!web_post_input(req, &f, accept ? accept_fields :
	    session_csrf_only, accept ? NFIELDS(accept_fields) :
	    NFIELDS(session_csrf_only)))
		return (KORE_RESULT_OK);
	if (accept)
		return (matching_offer_accept(req, id, &f));
	form_free(&f);
	call = db_prepare(req, SQL_OFFER_WITHDRAW, web_db_saved);
	call->saved_to = "/me/offers";
	session_bind(req, call);
	db_text(call, id);
	return (db_run(req));
}

/*
 * POST /proposals/{id}/accept|decline, /api/v1/proposals/{id}/...: the
 * offer's donor answers a proposal staff made.  Accepting makes the
 * pledge (or, for a child seeking a pair, the pairing) as their own;
 * doing it twice makes one.  404 for anyone else's proposal; 409 when
 * it was answered or lapsed.
 */
int
proposal_action(struct http_request *req)
{
	static const char *const	 actions[] = {
		"decline", "accept", NULL
	};
	struct db_call			*call;
	struct form			 f;
	char				 id[WEB_ID_MAX];
	int				 accept;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if ((accept = web_path_action(req, web_is_api(req) ?
	    "/api/v1/proposals/" : "/proposals/", id, sizeof(id),
	    actions)) == -1)
		return (web_error(req, 404, "not_found", NULL));
	if (!web_post_input(req, &f, session_csrf_only,
	    NFIELDS(session_csrf_only)))
		return (KORE_RESULT_OK);
	form_free(&f);
	call = db_prepare(req, SQL_PROPOSAL_DECIDE, decided);
	session_bind(req, call);
	db_text(call, id);
	db_bool(call, accept);
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

static int
decided(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*r;

	(void)call;
	if (!web_is_api(req))
		return (web_redirect(req, "/me/offers"));
	if ((r = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	web_json(req, json_is_true(json_object_get(r, "created")) ? 201 : 200,
	    r);
	json_decref(r);
	return (KORE_RESULT_OK);
}
