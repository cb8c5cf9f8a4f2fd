/*
 * Where to take a gift (issue 12): an organisation's delivery details
 * (address, contact person, phone, opening hours), kept by its own staff
 * and by admins at /branch/org and /api/v1/branch/org.  Who may see and
 * change them is decided in sql/api/055_where.sql; what a donor is shown
 * of them, on the pledge page, is api.pledge_where's.
 */
#include <stdlib.h>
#include <string.h>

#include "shop.h"

int	branch_org(struct http_request *);

/* ?org=: an organisation (admins); staff may name only their own. */
static const struct field org_query[] = {
	{ "org", FIELD_INT, 0, 1, ID_MAX, NULL },
};

/* The lengths are the schema's (sql/016_where.sql); the phone's form is
   checked by the api function, with the constraint's own test. */
static const struct field contact_fields[] = {
	{ "address", FIELD_LINES, 0, 5, 200, NULL },
	{ "contact_name", FIELD_TEXT, 0, 1, 50, NULL },
	{ "contact_phone", FIELD_TEXT, 0, 5, 20, NULL },
	{ "hours", FIELD_LINES, 0, 1, 120, NULL },
	CSRF_FIELD,
};

/* A posted form's organisation and values, for the form shown again. */
struct org_post {
	char	 org[24];
	json_t	*values;
};

static int	org_show(struct http_request *, const struct form *);
static int	org_save(struct http_request *, const struct form *);
static json_t	*org_values(const struct form *);
static void	org_post_free(void *);
static int	org_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);
static int	org_saved(struct http_request *, struct db_call *,
		    PGresult *);

/*
 * GET /branch/org (page), /api/v1/branch/org[?org=]: an organisation's
 * delivery details; POST: changes them (a field left out keeps its
 * value, an empty one clears it).  Staff: their own organisation (403
 * for any other); admins: any (?org=, their own without; 404 for none).
 * 401 without a session, 403 for donors; 400 naming the first bad field,
 * nothing written (a form comes back with its message and values).
 * Saved: 200 with the details (API), or back to the page.
 */
int
branch_org(struct http_request *req)
{
	struct form	q;
	int		r;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (!web_query(req, &q, org_query, NFIELDS(org_query)))
		return (KORE_RESULT_OK);
	if (req->method == HTTP_METHOD_POST)
		r = org_save(req, &q);
	else
		r = org_show(req, &q);
	form_free(&q);
	return (r);
}

static int
org_show(struct http_request *req, const struct form *q)
{
	struct db_call	*call;

	if (web_is_api(req)) {
		call = db_prepare(req, SQL_ORG_CONTACT, web_db_json);
	} else {
		call = db_prepare(req, SQL_ORG_CONTACT_PAGE, form_page_done);
		call->page = "org-contact";
	}
	session_bind(req, call);
	db_text(call, form_get(q, "org"));
	db_text(call, web_lang_code(web_lang(req)));
	return (db_run(req));
}

/*
 * The fields the form or body holds, as {name: "value"}: those sent
 * empty too (they clear), the CSRF token not.
 */
static json_t *
org_values(const struct form *f)
{
	json_t	*o = json_object();
	size_t	 i;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].name, "csrf"))
			json_object_set_new(o, f->v[i].name,
			    json_string(f->v[i].value));
	}
	return (o);
}

static int
org_save(struct http_request *req, const struct form *q)
{
	struct form_error	 err;
	struct db_call		*call;
	struct org_post		*p;
	struct form		 f;
	const char		*org = form_get(q, "org");
	char			*text, ip[64];

	/* "0": the caller's own organisation, for the page shown again. */
	if (!web_input(req, &f, contact_fields, NFIELDS(contact_fields),
	    &err))
		return (form_page_bad_input(req, SQL_ORG_CONTACT_PAGE,
		    "org-contact", org ? org : "0", &f, &err));
	if (!web_post_ok(req, &f)) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	p = kore_calloc(1, sizeof(*p));
	kore_strlcpy(p->org, org ? org : "0", sizeof(p->org));
	p->values = org_values(&f);
	form_free(&f);
	if ((text = json_dumps(p->values, JSON_COMPACT)) == NULL)
		fatal("json_dumps");
	request_client_ip(req, ip, sizeof(ip));
	call = db_prepare(req, SQL_ORG_CONTACT_SAVE, org_saved);
	call->arg = p;
	call->arg_free = org_post_free;
	call->on_error = org_refused;
	session_bind(req, call);
	db_text(call, org);
	db_text(call, text);
	db_text(call, ip);
	db_text(call, web_lang_code(web_lang(req)));
	free(text);
	return (db_run(req));
}

static void
org_post_free(void *arg)
{
	struct org_post	*p = arg;

	json_decref(p->values);
	kore_free(p);
}

/* Refused by the database: the form again, with what was typed. */
static int
org_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	struct org_post	*p = call->arg;

	return (form_page_again(req, call, SQL_ORG_CONTACT_PAGE, "org-contact",
	    p->org, status, code, field, json_deep_copy(p->values)));
}

/* Saved: the JSON answer, or the page again with "saved". */
static int
org_saved(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct org_post	*p = call->arg;
	char		 to[64];

	if (strcmp(p->org, "0"))
		(void)snprintf(to, sizeof(to), "/branch/org?org=%s", p->org);
	else
		kore_strlcpy(to, "/branch/org", sizeof(to));
	return (web_saved(req, res, 200, to));
}
