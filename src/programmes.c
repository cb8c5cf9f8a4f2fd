/*
 * The plan's programmes (issue 7): the targets' dashboard, the programme
 * records (green loans, trainings, young leaders, youths out of poverty)
 * and the branches' quarterly reports, as pages and as API; and the
 * admins' book of the foundation account's pay-outs (issue 8).
 *
 * Every route is a row of one table: the page and API paths ('#' is a
 * record's number), the statement, how its parameters are bound, the
 * input it takes, and for a form where it goes next or which page shows
 * it again with the message.  One handler, prog_route, serves them all;
 * who may do what is decided by the api functions (sql/api/07*.sql).
 *
 * Binding: a route's binds name the statement's parameters in order:
 * $sid (the session), $lang, $id (the record's number), $ip, $idem (the
 * Idempotency-Key header, else the form's idem field), or the name of an
 * input field (NULL when absent).
 */
#include <string.h>

#include "shop.h"

int	prog_route(struct http_request *);

#define FIELDS(x)	x, NFIELDS(x)

static const char *const rank_choices[] = { "score", "leaders_young",
	"leaders_ecommerce", "training_attendance", "leaders_rural",
	"poverty_exits", "finance_sessions", "loans_disbursed", NULL };
static const char *const loan_statuses[] = { "applied", "approved",
	"disbursed", "repaying", "repaid", "rejected", "defaulted", NULL };
static const char *const loan_actions[] = { "approve", "reject",
	"disburse", "default", NULL };
static const char *const training_kinds[] = { "entrepreneurship",
	"ecommerce", "finance", "skills", "youth_home", "counselling",
	"city_trip", NULL };
static const char *const leader_kinds[] = { "young", "ecommerce", "rural",
	NULL };
static const char *const relations[] = { "employs", "helps", NULL };
static const char *const exit_statuses[] = { "recorded", "verified",
	"rejected", NULL };
static const char *const decisions[] = { "verify", "reject", NULL };
static const char *const report_actions[] = { "save", "submit", NULL };

static const struct field f_none[] = { CSRF_FIELD };
static const struct field f_rank[] = {
	{ "rank", FIELD_CHOICE, 0, 0, 0, rank_choices },
};
static const struct field f_target[] = {
	{ "value", FIELD_INT, 0, 1, 1000000000000LL, NULL },
	{ "value_yuan", FIELD_TEXT, 0, 1, 14, NULL },
	{ "deadline", FIELD_TEXT, 0, 1, 10, NULL },
	CSRF_FIELD,
};
static const struct field f_loans[] = {
	{ "status", FIELD_CHOICE, 0, 0, 0, loan_statuses },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};
static const struct field f_loan_new[] = {
	{ "org_id", FIELD_INT, 0, 1, ID_MAX, NULL },
	{ "beneficiary_id", FIELD_INT, 1, 1, ID_MAX, NULL },
	{ "bank", FIELD_TEXT, 1, 1, 60, NULL },
	{ "amount", FIELD_INT, 0, 1, 50000000, NULL },
	{ "amount_yuan", FIELD_TEXT, 0, 1, 14, NULL },
	{ "term_months", FIELD_INT, 1, 1, 120, NULL },
	{ "purpose", FIELD_TEXT, 1, 1, 200, NULL },
	{ "applied_on", FIELD_TEXT, 0, 1, 10, NULL },
	{ "note", FIELD_LINES, 0, 0, 1000, NULL },
	CSRF_FIELD,
};
static const struct field f_loan_action[] = {
	{ "action", FIELD_CHOICE, 1, 0, 0, loan_actions },
	{ "on", FIELD_TEXT, 0, 1, 10, NULL },
	{ "note", FIELD_LINES, 0, 0, 1000, NULL },
	CSRF_FIELD,
};
static const struct field f_loan_pay[] = {
	{ "amount", FIELD_INT, 0, 1, 50000000, NULL },
	{ "amount_yuan", FIELD_TEXT, 0, 1, 14, NULL },
	{ "paid_on", FIELD_TEXT, 0, 1, 10, NULL },
	{ "note", FIELD_TEXT, 0, 0, 200, NULL },
	CSRF_FIELD,
};
static const struct field f_trainings[] = {
	{ "kind", FIELD_CHOICE, 0, 0, 0, training_kinds },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};
static const struct field f_training_new[] = {
	{ "org_id", FIELD_INT, 0, 1, ID_MAX, NULL },
	{ "kind", FIELD_CHOICE, 1, 0, 0, training_kinds },
	{ "title", FIELD_TEXT, 1, 1, 80, NULL },
	{ "held_on", FIELD_TEXT, 1, 1, 10, NULL },
	{ "organiser", FIELD_TEXT, 1, 1, 60, NULL },
	{ "place", FIELD_TEXT, 1, 1, 60, NULL },
	{ "attendance", FIELD_INT, 1, 0, 100000, NULL },
	{ "note", FIELD_LINES, 0, 0, 1000, NULL },
	{ "attendees", FIELD_TEXT, 0, 0, 2000, NULL },
	CSRF_FIELD,
};
static const struct field f_training_edit[] = {
	{ "title", FIELD_TEXT, 0, 1, 80, NULL },
	{ "held_on", FIELD_TEXT, 0, 1, 10, NULL },
	{ "organiser", FIELD_TEXT, 0, 1, 60, NULL },
	{ "place", FIELD_TEXT, 0, 1, 60, NULL },
	{ "attendance", FIELD_INT, 0, 0, 100000, NULL },
	{ "note", FIELD_LINES, 0, 0, 1000, NULL },
	CSRF_FIELD,
};
static const struct field f_attendees[] = {
	{ "add", FIELD_TEXT, 0, 0, 2000, NULL },
	{ "remove", FIELD_INT, 0, 1, ID_MAX, NULL },
	CSRF_FIELD,
};
static const struct field f_leaders[] = {
	{ "kind", FIELD_CHOICE, 0, 0, 0, leader_kinds },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};
static const struct field f_leader_new[] = {
	{ "org_id", FIELD_INT, 0, 1, ID_MAX, NULL },
	{ "name", FIELD_TEXT, 1, 1, 30, NULL },
	{ "young", FIELD_BOOL, 0, 0, 0, NULL },
	{ "ecommerce", FIELD_BOOL, 0, 0, 0, NULL },
	{ "rural", FIELD_BOOL, 0, 0, 0, NULL },
	{ "business", FIELD_TEXT, 1, 1, 100, NULL },
	{ "town", FIELD_SLUG, 0, 0, 40, NULL },
	{ "since", FIELD_TEXT, 1, 1, 10, NULL },
	{ "note", FIELD_LINES, 0, 0, 1000, NULL },
	CSRF_FIELD,
};
static const struct field f_helps[] = {
	{ "add", FIELD_INT, 0, 1, ID_MAX, NULL },
	{ "relation", FIELD_CHOICE, 0, 0, 0, relations },
	{ "since", FIELD_TEXT, 0, 1, 10, NULL },
	{ "remove", FIELD_INT, 0, 1, ID_MAX, NULL },
	CSRF_FIELD,
};
static const struct field f_exits[] = {
	{ "status", FIELD_CHOICE, 0, 0, 0, exit_statuses },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};
static const struct field f_exit_new[] = {
	{ "beneficiary_id", FIELD_INT, 1, 1, ID_MAX, NULL },
	{ "exited_on", FIELD_TEXT, 1, 1, 10, NULL },
	{ "evidence", FIELD_LINES, 1, 1, 2000, NULL },
	CSRF_FIELD,
};
static const struct field f_exit_review[] = {
	{ "decision", FIELD_CHOICE, 1, 0, 0, decisions },
	{ "note", FIELD_TEXT, 0, 0, 500, NULL },
	CSRF_FIELD,
};
static const struct field f_reports[] = {
	{ "year", FIELD_INT, 0, 2017, 2100, NULL },
	{ "quarter", FIELD_INT, 0, 1, 4, NULL },
};
static const struct field f_report_new[] = {
	{ "year", FIELD_INT, 1, 2017, 2100, NULL },
	{ "quarter", FIELD_INT, 1, 1, 4, NULL },
	CSRF_FIELD,
};
static const struct field f_report_save[] = {
	{ "narrative", FIELD_LINES, 0, 0, 10000, NULL },
	{ "action", FIELD_CHOICE, 0, 0, 0, report_actions },
	CSRF_FIELD,
};
static const struct field f_settings[] = {
	{ "due_days", FIELD_INT, 0, 0, 90, NULL },
	{ "remind_days", FIELD_INT, 0, 0, 90, NULL },
	{ "first_year", FIELD_INT, 0, 2017, 2100, NULL },
	{ "first_quarter", FIELD_INT, 0, 1, 4, NULL },
	CSRF_FIELD,
};
static const struct field f_deadline[] = {
	{ "year", FIELD_INT, 1, 2017, 2100, NULL },
	{ "quarter", FIELD_INT, 1, 1, 4, NULL },
	{ "due_on", FIELD_TEXT, 0, 1, 10, NULL },
	CSRF_FIELD,
};
static const struct field f_fund[] = {
	{ "need", FIELD_INT, 0, 1, ID_MAX, NULL },
};
static const struct field f_payout[] = {
	{ "need", FIELD_INT, 1, 1, ID_MAX, NULL },
	{ "amount", FIELD_INT, 0, 1, 2147483647, NULL },
	{ "amount_yuan", FIELD_TEXT, 0, 1, 14, NULL },
	{ "paid_on", FIELD_TEXT, 0, 1, 10, NULL },
	{ "reference", FIELD_TEXT, 1, 1, 80, NULL },
	{ "note", FIELD_LINES, 0, 0, 500, NULL },
	{ "idem", FIELD_TEXT, 0, 8, 100, NULL },
	CSRF_FIELD,
};

struct prog_route {
	int			 method;	/* HTTP_METHOD_GET or _POST */
	const char		*api;		/* its path under /api/v1 */
	const char		*page;		/* its page or form; NULL: none */
	enum stmt		 stmt;
	const char		*binds;
	const struct field	*fields;
	size_t			 nfields;
	const char		*tmpl;		/* GET: the page's template */
	const char		*again;		/* POST: the page shown again */
	const char		*back;		/* POST: where the form goes
						   ('#': the record, '@': the
						   id the statement returns) */
	db_done_fn		 done;		/* GET: another answer */
};

#define GET		HTTP_METHOD_GET
#define POST		HTTP_METHOD_POST
#define PROG_PAGE	"$sid $lang $id"

static const struct prog_route routes[] = {
	/* Targets: the public summary and the admins' dashboard. */
	{ GET, "/api/v1/targets", NULL, SQL_TARGETS_PUBLIC, "$lang",
	    NULL, 0, NULL, NULL, NULL, NULL },
	{ GET, "/api/v1/admin/targets", "/admin/targets", SQL_TARGETS_PAGE,
	    "$sid $lang rank", FIELDS(f_rank), "targets", NULL, NULL, NULL },
	{ POST, "/api/v1/admin/targets/#", "/admin/targets/#",
	    SQL_TARGET_UPDATE, "$sid $id value value_yuan deadline $ip",
	    FIELDS(f_target), NULL, "/admin/targets", "/admin/targets", NULL },

	/* Programme records. */
	{ GET, NULL, "/programmes", SQL_PROG_HOME, "$sid $lang", NULL, 0,
	    "programmes", NULL, NULL, NULL },
	{ GET, "/api/v1/loans", "/programmes/loans", SQL_LOANS_PAGE,
	    "$sid $lang status page", FIELDS(f_loans), "loans", NULL, NULL,
	    NULL },
	{ POST, "/api/v1/loans", "/programmes/loans", SQL_LOAN_CREATE,
	    "$sid org_id beneficiary_id bank amount amount_yuan term_months "
	    "purpose applied_on note $ip", FIELDS(f_loan_new), NULL,
	    "/programmes/loans", "/programmes/loans/@", NULL },
	{ GET, "/api/v1/loans/#", "/programmes/loans/#", SQL_LOAN_PAGE,
	    PROG_PAGE, NULL, 0, "loan", NULL, NULL, NULL },
	{ POST, "/api/v1/loans/#/status", "/programmes/loans/#/status",
	    SQL_LOAN_ACTION, "$sid $id action on note $ip",
	    FIELDS(f_loan_action), NULL, "/programmes/loans/#",
	    "/programmes/loans/#", NULL },
	{ POST, "/api/v1/loans/#/payments", "/programmes/loans/#/payments",
	    SQL_LOAN_PAY, "$sid $id amount amount_yuan paid_on note $ip",
	    FIELDS(f_loan_pay), NULL, "/programmes/loans/#",
	    "/programmes/loans/#", NULL },
	{ GET, "/api/v1/trainings", "/programmes/trainings",
	    SQL_TRAININGS_PAGE, "$sid $lang kind page", FIELDS(f_trainings),
	    "trainings", NULL, NULL, NULL },
	{ POST, "/api/v1/trainings", "/programmes/trainings",
	    SQL_TRAINING_CREATE, "$sid org_id kind title held_on organiser "
	    "place attendance note attendees $ip", FIELDS(f_training_new),
	    NULL, "/programmes/trainings", "/programmes/trainings/@", NULL },
	{ GET, "/api/v1/trainings/#", "/programmes/trainings/#",
	    SQL_TRAINING_PAGE, PROG_PAGE, NULL, 0, "training", NULL, NULL,
	    NULL },
	{ POST, "/api/v1/trainings/#", "/programmes/trainings/#",
	    SQL_TRAINING_UPDATE, "$sid $id title held_on organiser place "
	    "attendance note $ip", FIELDS(f_training_edit), NULL,
	    "/programmes/trainings/#", "/programmes/trainings/#", NULL },
	{ POST, "/api/v1/trainings/#/attendees",
	    "/programmes/trainings/#/attendees", SQL_TRAINING_ATTENDEES,
	    "$sid $id add remove $ip", FIELDS(f_attendees), NULL,
	    "/programmes/trainings/#", "/programmes/trainings/#", NULL },
	{ GET, "/api/v1/leaders", "/programmes/leaders", SQL_LEADERS_PAGE,
	    "$sid $lang kind page", FIELDS(f_leaders), "leaders", NULL, NULL,
	    NULL },
	{ POST, "/api/v1/leaders", "/programmes/leaders", SQL_LEADER_CREATE,
	    "$sid org_id name young ecommerce rural business town since note "
	    "$ip", FIELDS(f_leader_new), NULL, "/programmes/leaders",
	    "/programmes/leaders/@", NULL },
	{ GET, "/api/v1/leaders/#", "/programmes/leaders/#", SQL_LEADER_PAGE,
	    PROG_PAGE, NULL, 0, "leader", NULL, NULL, NULL },
	{ POST, "/api/v1/leaders/#/helps", "/programmes/leaders/#/helps",
	    SQL_LEADER_HELPS, "$sid $id add relation since remove $ip",
	    FIELDS(f_helps), NULL, "/programmes/leaders/#",
	    "/programmes/leaders/#", NULL },
	{ GET, "/api/v1/exits", "/programmes/exits", SQL_EXITS_PAGE,
	    "$sid $lang status page", FIELDS(f_exits), "exits", NULL, NULL,
	    NULL },
	{ POST, "/api/v1/exits", "/programmes/exits", SQL_EXIT_CREATE,
	    "$sid beneficiary_id exited_on evidence $ip", FIELDS(f_exit_new),
	    NULL, "/programmes/exits", "/programmes/exits", NULL },
	{ POST, "/api/v1/exits/#/review", "/programmes/exits/#/review",
	    SQL_EXIT_REVIEW, "$sid $id decision note $ip",
	    FIELDS(f_exit_review), NULL, "/programmes/exits",
	    "/programmes/exits", NULL },

	/* Quarterly reports. */
	{ GET, "/api/v1/reports", "/reports", SQL_REPORTS_PAGE,
	    "$sid $lang year quarter", FIELDS(f_reports), "reports", NULL,
	    NULL, NULL },
	{ POST, "/api/v1/reports", "/reports", SQL_REPORT_CREATE,
	    "$sid year quarter $ip", FIELDS(f_report_new), NULL, "/reports",
	    "/reports/@", NULL },
	{ GET, "/api/v1/reports/#", "/reports/#", SQL_REPORT_PAGE, PROG_PAGE,
	    NULL, 0, "report", NULL, NULL, NULL },
	{ POST, "/api/v1/reports/#", "/reports/#", SQL_REPORT_SAVE,
	    "$sid $id narrative action $ip", FIELDS(f_report_save), NULL,
	    "/reports/#", "/reports/#", NULL },
	{ POST, "/api/v1/reports/#/revise", "/reports/#/revise",
	    SQL_REPORT_REVISE, "$sid $id $ip", FIELDS(f_none), NULL,
	    "/reports/#", "/reports/@", NULL },
	{ GET, "/api/v1/reports/#/export.csv", "/reports/#/export.csv",
	    SQL_REPORT_EXPORT, "$sid $id", NULL, 0, NULL, NULL, NULL,
	    export_csv },
	{ GET, "/api/v1/reports/#/export.xlsx", "/reports/#/export.xlsx",
	    SQL_REPORT_EXPORT, "$sid $id", NULL, 0, NULL, NULL, NULL,
	    export_xlsx },
	{ GET, "/api/v1/reports/rollup.csv", "/reports/rollup.csv",
	    SQL_ROLLUP_EXPORT, "$sid year quarter", FIELDS(f_reports), NULL,
	    NULL, NULL, export_csv },
	{ GET, "/api/v1/reports/rollup.xlsx", "/reports/rollup.xlsx",
	    SQL_ROLLUP_EXPORT, "$sid year quarter", FIELDS(f_reports), NULL,
	    NULL, NULL, export_xlsx },
	{ POST, "/api/v1/reports/settings", "/reports/settings",
	    SQL_REPORT_SETTINGS, "$sid due_days remind_days first_year "
	    "first_quarter $ip", FIELDS(f_settings), NULL, "/reports",
	    "/reports", NULL },
	{ POST, "/api/v1/reports/deadlines", "/reports/deadlines",
	    SQL_REPORT_DEADLINE, "$sid year quarter due_on $ip",
	    FIELDS(f_deadline), NULL, "/reports", "/reports", NULL },
	{ POST, "/api/v1/reports/remind", "/reports/remind",
	    SQL_REPORTS_REMIND, "$sid $ip", FIELDS(f_none), NULL, "/reports",
	    "/reports", NULL },

	/* The foundation account (admins). */
	{ GET, "/api/v1/fund", "/admin/fund", SQL_FUND_PAGE, "$sid $lang need",
	    FIELDS(f_fund), "fund", NULL, NULL, NULL },
	{ POST, "/api/v1/fund/payouts", "/admin/fund/payouts",
	    SQL_FUND_PAYOUT, "$sid need amount amount_yuan paid_on reference "
	    "note $idem $ip", FIELDS(f_payout), NULL, "/admin/fund",
	    "/admin/fund", NULL },
};

#define NROUTES		(sizeof(routes) / sizeof(routes[0]))
#define ID_LEN		16

/* A form's steps: its route, values, the record's number, the address. */
struct prog_post {
	const struct prog_route	*route;
	struct form		 form;
	char			 id[ID_LEN];
	char			 ip[64];
};

static int	prog_match(const char *, const char *, char *);
static const struct prog_route *prog_find(struct http_request *, char *,
		    int *);
static void	prog_bind(struct http_request *, struct db_call *,
		    const char *, const struct form *, const char *,
		    const char *);
static int	prog_get(struct http_request *, const struct prog_route *,
		    const char *);
static int	prog_post(struct http_request *, const struct prog_route *,
		    const char *);
static void	prog_post_free(void *);
static int	prog_again(struct http_request *, struct db_call *,
		    struct prog_post *, int, const char *, const char *);
static int	prog_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);
static int	prog_posted(struct http_request *, struct db_call *,
		    PGresult *);

/*
 * Whether path matches pat, where '#' stands for a record's number (1 to
 * 15 digits, no leading zero), copied to id.
 */
static int
prog_match(const char *pat, const char *path, char *id)
{
	size_t	len;

	while (*pat != '\0') {
		if (*pat == '#') {
			len = strspn(path, "0123456789");
			if (len == 0 || len >= ID_LEN || *path == '0')
				return (0);
			memcpy(id, path, len);
			id[len] = '\0';
			path += len;
			pat++;
			continue;
		}
		if (*pat++ != *path++)
			return (0);
	}
	return (*path == '\0');
}

/*
 * The route for req's path and method.  NULL when there is none; *allow
 * then holds the methods the path takes (0: the path is unknown).
 */
static const struct prog_route *
prog_find(struct http_request *req, char *id, int *allow)
{
	const struct prog_route	*r;
	const char		*pat;
	size_t			 i;
	int			 method, api = web_is_api(req);

	method = req->method == HTTP_METHOD_HEAD ? HTTP_METHOD_GET :
	    req->method;
	*allow = 0;
	for (i = 0; i < NROUTES; i++) {
		r = &routes[i];
		pat = api ? r->api : r->page;
		if (pat == NULL || !prog_match(pat, req->path, id))
			continue;
		if (r->method == method)
			return (r);
		*allow |= r->method;
	}
	return (NULL);
}

/*
 * Binds the parameters named in binds (see the top of this file); f may
 * be NULL (every field is then NULL).
 */
static void
prog_bind(struct http_request *req, struct db_call *call, const char *binds,
    const struct form *f, const char *id, const char *ip)
{
	const char	*p, *end, *key;
	char		 name[32];
	size_t		 len;

	for (p = binds; *p != '\0'; p = end) {
		p += strspn(p, " ");
		len = strcspn(p, " ");
		end = p + len;
		if (len == 0)
			break;
		if (len >= sizeof(name))
			fatal("prog_bind: name too long in '%s'", binds);
		memcpy(name, p, len);
		name[len] = '\0';
		if (!strcmp(name, "$sid"))
			session_bind(req, call);
		else if (!strcmp(name, "$lang"))
			db_text(call, web_lang_code(web_lang(req)));
		else if (!strcmp(name, "$id"))
			db_text(call, id);
		else if (!strcmp(name, "$ip"))
			db_text(call, ip);
		else if (!strcmp(name, "$idem"))
			db_text(call, http_request_header(req,
			    "idempotency-key", &key) ? key : f != NULL ?
			    form_get(f, "idem") : NULL);
		else
			db_text(call, f != NULL ? form_get(f, name) : NULL);
	}
}

/*
 * The programmes, targets and reports routes (see the table above).  404
 * for an unknown path, 405 for a method the path does not take; the rest
 * is said by each api function.
 */
int
prog_route(struct http_request *req)
{
	const struct prog_route	*r;
	char			 id[ID_LEN];
	int			 allow;

	if (http_state_exists(req))
		return (db_run(req));
	id[0] = '\0';
	if ((r = prog_find(req, id, &allow)) == NULL) {
		if (allow == 0)
			return (web_error(req, 404, "not_found", NULL));
		(void)web_method(req, allow);
		return (KORE_RESULT_OK);
	}
	if (r->method == HTTP_METHOD_GET)
		return (prog_get(req, r, id));
	return (prog_post(req, r, id));
}

/* A page, its JSON, or a download. */
static int
prog_get(struct http_request *req, const struct prog_route *r,
    const char *id)
{
	struct db_call	*call;
	struct form	 f;
	db_done_fn	 done;

	if (!web_query(req, &f, r->fields, r->nfields))
		return (KORE_RESULT_OK);
	done = r->done != NULL ? r->done : web_is_api(req) ? web_db_json :
	    form_page_done;
	call = db_prepare(req, r->stmt, done);
	call->page = r->tmpl;
	prog_bind(req, call, r->binds, &f, id, NULL);
	form_free(&f);
	return (db_run(req));
}

/* A form or an API call that changes something. */
static int
prog_post(struct http_request *req, const struct prog_route *r,
    const char *id)
{
	struct form_error	 err;
	struct db_call		*call;
	struct prog_post	*p;
	int			 ok;

	p = kore_calloc(1, sizeof(*p));
	p->route = r;
	kore_strlcpy(p->id, id, sizeof(p->id));
	request_client_ip(req, p->ip, sizeof(p->ip));
	if (!(ok = web_input(req, &p->form, r->fields, r->nfields, &err)) &&
	    web_is_api(req)) {
		prog_post_free(p);
		return (web_error(req, 400, err.code, err.field[0] ?
		    err.field : NULL));
	}
	if (ok && !web_post_ok(req, &p->form)) {
		prog_post_free(p);
		return (KORE_RESULT_OK);
	}
	call = db_begin(req);
	call->arg = p;
	call->arg_free = prog_post_free;
	if (!ok) {
		prog_again(req, call, p, 400, err.code, err.field[0] ?
		    err.field : NULL);
		return (db_run(req));
	}
	db_stmt(call, r->stmt, prog_posted);
	call->on_error = prog_refused;
	prog_bind(req, call, r->binds, &p->form, p->id, p->ip);
	return (db_run(req));
}

static void
prog_post_free(void *arg)
{
	struct prog_post	*p = arg;

	form_free(&p->form);
	kore_free(p);
}

/*
 * A refused form: the JSON error under /api/, else the page the form was
 * on, again, with the message and what was typed: chains that page's
 * statement on call (every POST route with a page has an again).
 */
static int
prog_again(struct http_request *req, struct db_call *call,
    struct prog_post *p, int status, const char *code, const char *field)
{
	const struct prog_route	*page = NULL;
	struct buf		 msg;
	size_t			 i;

	if (!web_is_api(req) && p->route->again != NULL) {
		for (i = 0; i < NROUTES && page == NULL; i++) {
			if (routes[i].method == HTTP_METHOD_GET &&
			    routes[i].page != NULL &&
			    !strcmp(routes[i].page, p->route->again))
				page = &routes[i];
		}
		if (page == NULL)
			fatal("prog_again: no page %s", p->route->again);
	}
	if (page == NULL)
		return (web_error_detail(req, status, code, field,
		    call->error_detail));
	db_stmt(call, page->stmt, form_page_done);
	prog_bind(req, call, page->binds, NULL, p->id, p->ip);
	call->page = page->tmpl;
	call->status = status;
	buf_init(&msg, 128);
	web_error_message(&msg, web_lang(req), code, field,
	    call->error_detail);
	json_decref(call->extra);
	call->extra = json_pack("{s:s, s:o}", "error", msg.data, "values",
	    form_page_values(&p->form));
	buf_free(&msg);
	return (KORE_RESULT_OK);
}

/* An SHnnn answer of the statement (see db.c's on_error). */
static int
prog_refused(struct http_request *req, struct db_call *call, int status,
    const char *code, const char *field)
{
	return (prog_again(req, call, call->arg, status, code, field));
}

/*
 * Done: the API passes the answer through; a form goes on to the route's
 * back, where '#' is the record's number and '@' the id the statement
 * returned.
 */
static int
prog_posted(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct prog_post	*p = call->arg;
	struct buf		 to;
	json_t			*o, *v;
	const char		*s;
	int			 r;

	if (web_is_api(req))
		return (web_db_json(req, call, res));
	if ((o = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	buf_init(&to, 64);
	for (s = p->route->back; *s != '\0'; s++) {
		if (*s == '#')
			buf_puts(&to, p->id);
		else if (*s == '@' && json_is_integer(v = json_object_get(o,
		    "id")))
			buf_printf(&to, "%lld", (long long)json_integer_value(v));
		else
			buf_putc(&to, *s);
	}
	r = web_redirect(req, to.data);
	buf_free(&to);
	json_decref(o);
	return (r);
}
