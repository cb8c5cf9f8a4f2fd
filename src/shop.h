/*
 * The Kore side of the platform.  Prototypes grouped by the file that
 * defines them, lowest layer first: configuration, the statements and
 * db.c (which knows nothing above it: web.c installs its hooks), the
 * session, the web layer (web.c, form_page.c, action.c), then the
 * areas.  The pure modules are in src/lib/lib.h.
 */
#ifndef SHOP_H
#define SHOP_H

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>
#include <kore/tasks.h>

#include "lib.h"

/* init.c: configuration, read once in the parent from the environment. */
struct config {
	const char	*database;	/* SHOP_DATABASE: libpq conninfo */
	const char	*read_database;	/* SHOP_READ_DATABASE: a replica */
	const char	*var;		/* SHOP_VAR: keys and other state */
	int		 tls;		/* SHOP_TLS=1: behind a TLS proxy */
	int		 trust_proxy;	/* SHOP_TRUST_PROXY=1: X-Real-IP */
	const char	*log_key;	/* SHOP_LOG_KEY: the log's signing key */
	const char	*log_origin;	/* SHOP_LOG_ORIGIN: the log's name */
	int		 log_interval;	/* SHOP_LOG_CHECKPOINT_SECONDS */
	/* children and needs */
	const char	*data_key_file;	/* SHOP_DATA_KEY_FILE, or var/data.key */

	/* The transparency page (transparency.c). */
	const char	*public_url;	/* SHOP_PUBLIC_URL: the site's address */
	int		 page_cache;	/* SHOP_PAGE_CACHE=0: off */
};

extern struct config	cfg;

/* stmt.c: every SQL statement of the platform, chosen by this enum. */
enum stmt {
	SQL_HEALTH,
	SQL_OPS_METRICS,
	SQL_REPLICA_STATUS,
	SQL_JOB_RUN_SAVE,
	SQL_HOME,
	SQL_HOME_PAGE,
	SQL_NEEDS_LIST,
	SQL_NEEDS_PAGE,
	SQL_NEED_GET,
	SQL_NEED_PAGE,
	SQL_NEED_PLEDGES,
	SQL_NEED_PLEDGES_PAGE,
	SQL_VIEWER_PAGE,
	SQL_LOGIN_BEGIN,
	SQL_LOGIN_FINISH,
	SQL_REGISTER_CHECK,
	SQL_REGISTER,
	SQL_REGISTER_PAGE,
	SQL_LOGOUT,
	SQL_ME,
	SQL_ME_PAGE,
	SQL_ME_UPDATE,
	SQL_PASSWORD_CURRENT,
	SQL_PASSWORD_SET,
	SQL_ADMIN_PAGE,
	SQL_BRANCH_PAGE,
	SQL_ORGS_LIST,
	SQL_ORG_CREATE,
	SQL_ACCOUNTS_LIST,
	SQL_ACCOUNT_CREATE,
	SQL_ACCOUNT_DISABLE,
	SQL_AUDIT_SEARCH,
	/* Accounts that can be recovered (src/recover.c, issue 12). */
	SQL_PASSWORD_FORGOT,
	SQL_PASSWORD_TOKEN_CHECK,
	SQL_PASSWORD_TOKEN_PAGE,
	SQL_PASSWORD_RESET,
	SQL_VERIFY_EMAIL,
	SQL_VERIFY_EMAIL_PAGE,
	SQL_VERIFY_RESEND,
	SQL_VERIFY_CODE,
	SQL_ACCOUNT_SEND_LINK,
	SQL_LOG_HEAD,
	SQL_LOG_CHECKPOINT_ADD,
	SQL_LOG_ENTRIES,
	SQL_LOG_NODES,

	/* Pledges (src/pledges.c). */
	SQL_PLEDGE_CREATE,
	SQL_PLEDGE_CANCEL,
	SQL_PLEDGE_DELIVER,
	SQL_PLEDGE_RECEIVE,
	SQL_PLEDGE_RECEIVE_CODE,
	SQL_PLEDGE_DISPUTE,
	SQL_PLEDGE_RESOLVE,
	SQL_PLEDGE_MODERATE,
	SQL_PLEDGE_PHOTO_MAY,
	SQL_PLEDGE_PHOTO_ADD,
	SQL_PLEDGE_PHOTO,
	SQL_PLEDGE_GET,
	SQL_PLEDGE_PAGE,
	SQL_ME_PLEDGES,
	SQL_ME_PLEDGES_PAGE,
	SQL_DONOR_STATEMENT,
	SQL_DONOR_STATEMENT_PAGE,
	SQL_VERIFY,
	SQL_VERIFY_PAGE,
	SQL_LOG_ENTRY_PAGE,
	SQL_BRANCH_PLEDGES_PAGE,
	SQL_PLEDGES_TICK,
	/* Where to take a gift (src/where.c). */
	SQL_ORG_CONTACT,
	SQL_ORG_CONTACT_PAGE,
	SQL_ORG_CONTACT_SAVE,

	/* Programmes, targets and quarterly reports (issue 7). */
	SQL_TARGETS_PUBLIC,
	SQL_TARGETS_PAGE,
	SQL_TARGET_UPDATE,
	SQL_PROG_HOME,
	SQL_LOANS_PAGE,
	SQL_LOAN_CREATE,
	SQL_LOAN_PAGE,
	SQL_LOAN_ACTION,
	SQL_LOAN_PAY,
	SQL_TRAININGS_PAGE,
	SQL_TRAINING_CREATE,
	SQL_TRAINING_PAGE,
	SQL_TRAINING_UPDATE,
	SQL_TRAINING_ATTENDEES,
	SQL_LEADERS_PAGE,
	SQL_LEADER_CREATE,
	SQL_LEADER_PAGE,
	SQL_LEADER_HELPS,
	SQL_EXITS_PAGE,
	SQL_EXIT_CREATE,
	SQL_EXIT_REVIEW,
	SQL_REPORTS_PAGE,
	SQL_REPORT_CREATE,
	SQL_REPORT_PAGE,
	SQL_REPORT_SAVE,
	SQL_REPORT_REVISE,
	SQL_REPORT_EXPORT,
	SQL_ROLLUP_EXPORT,
	SQL_REPORT_SETTINGS,
	SQL_REPORT_DEADLINE,
	SQL_REPORTS_REMIND,
	SQL_REPORTS_TICK,

	/* The foundation account's pay-outs (issue 8). */
	SQL_FUND_PAGE,
	SQL_FUND_PAYOUT,
	/* Its bank statements (src/statements.c, issue 16). */
	SQL_FUND_STATEMENTS_PAGE,
	SQL_FUND_STATEMENT_PAGE,
	SQL_FUND_BANK_MAPPING,
	SQL_FUND_STATEMENT_IMPORT,
	SQL_FUND_STATEMENT_CONFIRM,
	SQL_FUND_LINE_DECIDE,

	/* children, the life of needs, objections, campaigns */
	SQL_CHILDREN_LIST,
	SQL_CHILDREN_PAGE,
	SQL_CHILDREN_FORM_PAGE,
	SQL_CHILD_NEW_ID,
	SQL_CHILD_CREATE,
	SQL_CHILD_FOR_EDIT,
	SQL_CHILD_UPDATE,
	SQL_CHILD_GET,
	SQL_CHILD_PAGE,
	SQL_CHILD_PRIVATE,
	SQL_CHILD_PRIVATE_PAGE,
	SQL_CHILD_ARCHIVE,
	/* the register's census and import (issue 18) */
	SQL_CENSUS_PAGE,
	SQL_EXPORT_CENSUS,
	SQL_CHILD_IMPORT_HOME,
	SQL_CHILD_IMPORT_CHECK,
	SQL_CHILD_IMPORT_SAVE,
	SQL_CHILD_IMPORT_PAGE,
	SQL_CHILD_IMPORT_CONFIRM,
	SQL_WORK_NEEDS,
	SQL_WORK_NEEDS_PAGE,
	SQL_NEED_NEW_PAGE,
	SQL_NEED_CREATE,
	SQL_WORK_NEED,
	SQL_WORK_NEED_PAGE,
	SQL_NEED_UPDATE,
	SQL_NEED_TRANSITION,
	SQL_NEED_PAGE_AGAIN,
	SQL_OBJECTION_FILE,
	SQL_OBJECTION_RESOLVE,
	SQL_OBJECTION_FOLLOW,
	SQL_OBJECTION_FOLLOW_PAGE,
	SQL_ADMIN_NEEDS,
	SQL_ADMIN_NEEDS_PAGE,
	SQL_SETTINGS_GET,
	SQL_SETTINGS_SET,
	SQL_CAMPAIGNS_LIST,
	SQL_CAMPAIGNS_PAGE,
	SQL_CAMPAIGN_GET,
	SQL_CAMPAIGN_PAGE,
	SQL_CAMPAIGNS_ADMIN_PAGE,
	SQL_CAMPAIGN_EDIT_PAGE,
	SQL_CAMPAIGN_SAVE,
	SQL_SITEMAP,
	SQL_NEEDS_TICK,
	/* Offers, matching and pairings (src/offers.c, matching.c,
	   pairings.c). */
	SQL_OFFERS_LIST,
	SQL_OFFER_CREATE,
	SQL_OFFER_UPDATE,
	SQL_OFFER_WITHDRAW,
	SQL_ME_OFFERS,
	SQL_MATCH_NEEDS,
	SQL_MATCH_OFFERS,
	SQL_OFFER_ENGINE,
	SQL_NEED_ENGINE,
	SQL_OFFER_PAGE,
	SQL_OFFER_ACCEPT,
	SQL_NEED_OFFERS,
	SQL_PROPOSAL_CREATE,
	SQL_PROPOSAL_DECIDE,
	SQL_MATCHING_SCOPE,
	SQL_MATCHING_PAGE,
	SQL_RECOMMEND_BASIS,
	SQL_RECOMMENDED,
	SQL_PREFS_SAVE,
	SQL_PAIRING_FORM,
	SQL_PAIRING_CREATE,
	SQL_PAIRINGS_LIST,
	SQL_PAIRING_GET,
	SQL_PAIRING_END,
	SQL_PAIRING_RENEW,
	SQL_PAIRINGS_TICK,
	/* The transparency page (src/transparency.c). */
	SQL_TRANSPARENCY,
	SQL_TRANSPARENCY_PAGE,
	SQL_TRANSPARENCY_RECORDS,
	SQL_TRANSPARENCY_RECORDS_PAGE,
	SQL_TRANSPARENCY_LOG_RANGE,
	SQL_TRANSPARENCY_LOG_PAGE,
	/* The outbox and each account's choices (src/outbox.c, prefs.c). */
	SQL_OUTBOX_LIST,
	SQL_OUTBOX_PAGE,
	SQL_OUTBOX_RETRY,
	SQL_NOTIFY_PREFS,
	SQL_NOTIFY_PREFS_PAGE,
	SQL_NOTIFY_PREFS_SET,
	SQL_UNSUBSCRIBE_PAGE,
	SQL_UNSUBSCRIBE,
	/* The lists' downloads (src/list_export.c): the cursor last. */
	SQL_EXPORT_CHILDREN,
	SQL_EXPORT_WORK_NEEDS,
	SQL_EXPORT_ADMIN_NEEDS,
	SQL_EXPORT_PLEDGES,
	SQL_EXPORT_LOANS,
	SQL_EXPORT_TRAININGS,
	SQL_EXPORT_LEADERS,
	SQL_EXPORT_FUND,
	SQL_EXPORT_AUDIT,
	SQL_EXPORT_ME,
	SQL_PRIVACY_PAGE,
	SQL_ME_DATA_PAGE,
	SQL_CONTACT_CHANGE,
	SQL_ME_EXPORT,
	SQL_ME_DELETE,
	SQL_CHILD_WITHDRAW,
	SQL_PRIVACY_TICK,
	SQL_ORG_UPDATE,
	SQL_ORG_DISABLE,
	SQL_ORG_ENABLE,
	SQL_ACCOUNT_UPDATE,
	SQL__COUNT
};

#define STMT_READONLY	0x01	/* safe to send again on a new connection */
#define STMT_PUBLIC	0x02	/* a public page's read: a replica may answer */

struct stmt_def {
	const char	*sql;
	int		 nparams;
	int		 flags;
};

extern const struct stmt_def	stmts[SQL__COUNT];

/* obs.c: request ids, the JSON-lines access log, the counters. */
#define OBS_ID_LEN	33	/* a request id: up to 32 hex digits */

/* What a request with steps keeps for its answer's record (db.c). */
struct obs_steps {
	char		rid[OBS_ID_LEN];	/* the request's id */
	u_int64_t	t0;			/* the handler's first run */
	int		used_read;		/* the replica answered a step */
};

void		 obs_init(void);
void		 obs_request_id(struct http_request *, char *);
void		 obs_answer(struct http_request *, int, ssize_t,
		    const struct obs_steps *);
const char	*obs_id(struct http_request *, const struct obs_steps *);
void		 obs_db_wait(int, u_int64_t);
void		 obs_db_state(int, u_int32_t, u_int32_t);
void		 obs_db_event(int, int);
void		 obs_metrics(struct buf *);
void		 obs_edge(int);

/* Costly work a request may begin (obs_work). */
enum obs_work {
	OBS_WORK_TASK,		/* a task: password, photo, workbook, matching */
	OBS_WORK_KINDS
};
void		 obs_work(enum obs_work);

/* What the microcache did with an anonymous GET (obs_cache). */
enum obs_cache {
	OBS_CACHE_HIT,		/* served what it kept */
	OBS_CACHE_FETCH,	/* this reader asks the database for all */
	OBS_CACHE_WAIT,		/* asleep until another's fetch (then again) */
	OBS_CACHE_KINDS
};
void		 obs_cache(enum obs_cache);

/* db.c: a request's steps (statements and tasks), asynchronously. */
#define DB_MAX_PARAMS	16

/* The pools: the primary (SHOP_DATABASE) and a replica (SHOP_READ_DATABASE). */
#define DB_POOL_PRIMARY	0
#define DB_POOL_READ	1
#define DB_POOLS	2

/* Where a step may go (db_call.route). */
#define DB_ROUTE_AUTO		0	/* the replica for STMT_PUBLIC and
					   no session nor recent write */
#define DB_ROUTE_PRIMARY	1
#define DB_ROUTE_READ		2	/* the replica, or fail: no fallback */


struct db_call;
typedef int	(*db_done_fn)(struct http_request *, struct db_call *,
		    PGresult *);

struct db_call {
	struct kore_pgsql	 pgsql;
	struct kore_task	 task;
	int			 task_live;
	int			(*task_entry)(struct kore_task *);
	enum stmt		 stmt;
	int			 nparams;
	char			*values[DB_MAX_PARAMS];
	int			 lengths[DB_MAX_PARAMS];
	int			 formats[DB_MAX_PARAMS];
	db_done_fn		 done;
	int			 next;		/* the chained step */
	int			 started;
	int			 called;	/* done ran for this step */
	PGresult		*held;		/* a write's rows, until it
						   is complete (db_result) */
	int			 retried;
	const char		*page;	/* template for web_db_page */
	const char		*saved_to;	/* web_db_saved: where a
						   form goes on */
	int			 status;	/* its status, 200 when 0 */
	json_t			*extra;	/* merged into its data */
	int			(*on_error)(struct http_request *,
				    struct db_call *, int, const char *,
				    const char *);
	json_t			*error_detail;	/* the refusal's detail
						   ({remaining}...) while
						   on_error runs */
	void			*arg;
	void			(*arg_free)(void *);
	struct http_request	*req;
	TAILQ_ENTRY(db_call)	 queue;		/* waiting for a connection */
	int			 waiting;
	int			 holding;	/* holds one of the worker's */
	u_int64_t		 queued_at;	/* since when it waits */
	int			 route;		/* DB_ROUTE_* of this step */
	int			 pool;		/* DB_POOL_* of its connection */

	/*
	 * When set, a step that fails (the database unreachable, or an
	 * error) runs on_fail(req, call, result or NULL) with failed set,
	 * instead of being answered 503/500: /healthz and /metrics report
	 * what is down.  Reset by db_stmt.
	 */
	db_done_fn		 on_fail;
	int			 failed;
	const char		*fail_reason;	/* "unreachable", "error" */

	struct obs_steps	 obs;		/* its id, its first run */

	/*
	 * A streamed answer (stream.c): the step after db_pause waits for
	 * db_resume; once the answer has begun, errors call abort (which
	 * cuts the connection) instead of answering.
	 */
	int			 resumed;
	void			(*abort)(struct http_request *,
				    struct db_call *);
};

/*
 * What db.c needs of the layers above it, installed once (web_init):
 * fail answers req with an error (status, code, field or NULL, detail or
 * NULL); primary_only says whether req must read from the primary (a
 * signed-in reader, or one who has just written); wrote is told that a
 * request other than GET ran a statement (the microcache's answers are
 * then old); ended that a request with steps is being freed.
 */
struct db_hooks {
	void	(*fail)(struct http_request *, int, const char *,
		    const char *, json_t *);
	int	(*primary_only)(struct http_request *);
	void	(*wrote)(void);
	void	(*ended)(struct http_request *);
};

void		 db_hooks_set(const struct db_hooks *);
struct db_call	*db_begin(struct http_request *);
struct db_call	*db_prepare(struct http_request *, enum stmt, db_done_fn);
void		 db_stmt(struct db_call *, enum stmt, db_done_fn);
void		 db_task(struct db_call *, int (*)(struct kore_task *),
		    db_done_fn);
struct db_call	*db_task_call(struct kore_task *);
void		 db_text(struct db_call *, const char *);
void		 db_int(struct db_call *, long long);
void		 db_bool(struct db_call *, int);
void		 db_pause(struct db_call *, db_done_fn);
void		 db_resume(struct http_request *);
int		 db_run(struct http_request *);
const char	*db_value(PGresult *, int, int, size_t *);
struct db_call	*db_call_of(struct http_request *);
int		 db_read_configured(void);
void		 db_init(void);

/* request.c: what a request says about its client. */
void		 request_client_ip(struct http_request *, char *, size_t);
int		 request_cookie(struct http_request *, const char *, char *,
		    size_t);

/* session.c: sessions and CSRF, below the web layer. */
#define SESSION_HEX	65	/* 64 hex digits and a NUL */

enum session_source {
	SESSION_NONE,
	SESSION_COOKIE,
	SESSION_BEARER
};

enum session_source session_sid(struct http_request *, char *);
void		 session_csrf(struct http_request *, char *);
int		 session_csrf_token(struct http_request *, char *);
void		 session_csrf_cookie(struct http_request *, const char *);
const char	*session_post_check(struct http_request *,
		    const struct form *);
void		 session_csrf_of(char *, const char *);
void		 session_cookie(struct http_request *, const char *, long long);
void		 session_bind(struct http_request *, struct db_call *);
void		 session_new_token(char *, char *);
void		 session_hash(char *, const char *);

/* The fields of a form that carries nothing but its CSRF token. */
extern const struct field	session_csrf_only[1];

/* web.c: answers, languages, errors, the page layout. */

/* The languages' codes by enum lang, NULL-terminated: form choices. */
extern const char *const	web_langs[];

#define WEB_RW_SECONDS	10	/* read-your-writes: the primary after a POST */

void		 web_init(void);
void		 web_mark_write(struct http_request *);
int		 web_wrote_recently(struct http_request *);
enum lang	 web_lang(struct http_request *);
const char	*web_lang_code(enum lang);
int		 web_is_api(struct http_request *);
void		 web_headers(struct http_request *, const char *);
void		 web_security_headers(const char *, void (*)(void *,
		    const char *, const char *), void *);
void		 web_render(struct buf *, enum lang, const char *,
		    const char *, json_t *);
const char	*web_error_body(struct buf *, enum lang, int, int,
		    const char *, const char *, const char *);
int		 web_send(struct http_request *, int, const char *,
		    const void *, size_t);
int		 web_json_text(struct http_request *, int, const char *,
		    size_t);
int		 web_json(struct http_request *, int, json_t *);
int		 web_error(struct http_request *, int, const char *,
		    const char *);
int		 web_error_detail(struct http_request *, int, const char *,
		    const char *, json_t *);
int		 web_page(struct http_request *, int, const char *, json_t *);
void		 web_page_headers(struct http_request *);
int		 web_method(struct http_request *, int);
int		 web_post_ok(struct http_request *, const struct form *);
int		 web_idem_key(struct http_request *, const struct form *,
		    const char **);
int		 web_cached(struct http_request *, int *);
int		 web_query(struct http_request *, struct form *,
		    const struct field *, size_t);
int		 web_db_json(struct http_request *, struct db_call *,
		    PGresult *);
int		 web_input(struct http_request *, struct form *,
		    const struct field *, size_t, struct form_error *);
int		 web_multipart_input(struct http_request *, struct form *,
		    const struct field *, size_t, struct form_error *);
void		 web_file_read(struct http_file *, struct buf *);
int		 web_post_input(struct http_request *, struct form *,
		    const struct field *, size_t);
int		 web_saved(struct http_request *, PGresult *, int,
		    const char *);
int		 web_db_saved(struct http_request *, struct db_call *,
		    PGresult *);
int		 web_saved_record(struct http_request *, PGresult *, int,
		    const char *, const char *);
int		 web_redirect(struct http_request *, const char *);
#define WEB_ID_MAX	24	/* a record's number as text, and its NUL */

int		 web_path_id(struct http_request *, const char *, char *,
		    size_t, const char **);
int		 web_path_action(struct http_request *, const char *, char *,
		    size_t, const char *const *);
void		 web_error_message(struct buf *, enum lang, const char *,
		    const char *, json_t *);
int		 web_db_page(struct http_request *, struct db_call *,
		    PGresult *);
json_t		*web_json_object(const char *, size_t);
json_t		*web_db_object(PGresult *, int);
json_t		*web_db_ctx(PGresult *);
long long	 web_db_id(PGresult *, const char *);
json_t		*web_messages(enum lang);
void		 web_notifications(json_t *, enum lang);
const struct tmpl_set *web_templates(void);

/* form_page.c: form pages, and a refused form shown again. */
json_t		*form_page_values(const struct form *);
int		 form_page_render(struct http_request *, struct db_call *,
		    json_t *);
int		 form_page_done(struct http_request *, struct db_call *,
		    PGresult *);
int		 form_page_again(struct http_request *, struct db_call *,
		    enum stmt, const char *, const char *, int, const char *,
		    const char *, json_t *);
int		 form_page_bad_input(struct http_request *, enum stmt,
		    const char *, const char *, struct form *,
		    const struct form_error *);
int		 form_page_again_with(struct http_request *, struct db_call *,
		    enum stmt, db_done_fn, const char *, const char *, int,
		    const char *, const char *, json_t *);
void		 form_page_refused(struct http_request *, struct db_call *,
		    const char *, int, const char *, const char *, json_t *);

/* The choices of the lists' filters, for their pages and downloads. */
extern const char *const need_statuses[];	/* need_work.c */

/* admin.c: the search of the audit log, which its downloads take too. */
#define AUDIT_SEARCH_FIELDS	7
extern const struct field	audit_search_fields[AUDIT_SEARCH_FIELDS];
extern const char *const loan_statuses[];	/* programmes.c */
/* children.c: the register's filters, the page number last */
#define CHILDREN_NFILTERS	9
extern const struct field children_filters[CHILDREN_NFILTERS];
const struct field *child_field(const char *);
int		 child_tel_ok(const char *);
json_t		*child_private_fields(const struct form *);
extern const char *const child_private_names[];
extern const char *const training_kinds[];
extern const char *const leader_kinds[];

/*
 * action.c: a path's GET and POST declared as data (see its header):
 * the statement, its parameters, the input, and the page or the form's
 * way on.
 */
struct action {
	enum stmt		 stmt;
	const char		*binds;	/* the statement's parameters */
	const struct field	*fields;	/* the input it takes */
	size_t			 nfields;
	const char		*tmpl;	/* GET: the page's template */
	db_done_fn		 done;	/* GET: another answer */
	const struct action	*again;	/* POST: the page shown again */
	const char		*back;	/* POST: where a form goes ('#': the
					   record, '@': the id returned) */
	const char		*back_id;	/* the answer's member '@'
					   reads ("id" when NULL) */
};

/* A path's actions; page and api end where the record's number begins. */
struct action_path {
	const char		*page;	/* NULL: no record's number */
	const char		*api;
	const struct action	*get;	/* NULL: the path takes no GET */
	const struct action	*post;	/* NULL: nor POST */
};

/* An action's input fields: .fields and .nfields of the array x. */
#define ACTION_FIELDS(x)	.fields = (x), .nfields = NFIELDS(x)

/* The handler fn a route of conf/kore.conf names: path's actions. */
#define ACTION_HANDLER(fn, page, api, get, post)			\
	static const struct action_path fn##_path = {			\
		page, api, get, post					\
	};								\
	int	fn(struct http_request *);				\
	int								\
	fn(struct http_request *req)					\
	{								\
		return (action_serve(req, &fn##_path));			\
	}

int		 action_serve(struct http_request *,
		    const struct action_path *);

/* recover.c: one-time links and codes sent to an account (issue 12). */
#define RECOVER_URL_MAX	400

struct recover_link {
	char	token[SESSION_HEX];	/* only ever in the message */
	char	hash[SESSION_HEX];		/* its hex SHA-256: what is stored */
	char	url[RECOVER_URL_MAX];	/* SHOP_PUBLIC_URL, a path, token */
};

void		 recover_link(struct recover_link *, const char *);
void		 recover_link_bind(struct db_call *, const char *);
void		 recover_verify_bind(struct db_call *);

/*
 * secret.c: a posted form that holds a password, and the state of its
 * steps: a password's hash (stored, or new), the client's address,
 * whether a task went well.  It heads a larger struct of the steps, or
 * stands alone: secret_new(sizeof(that)); secret_free (an arg_free)
 * wipes all of it before freeing.
 */
struct secret {
	struct form	form;
	size_t		size;
	char		hash[PASSWORD_HASH_MAX];
	char		ip[64];
	int		ok;
};

/*
 * The password fields of the forms: a new one of 10 to 128 characters
 * (and, on pages, the same typed again); one typed to sign in or to
 * confirm, up to 128.
 */
#define SECRET_NEW_FIELD(n)	{ n, FIELD_TEXT, 1, 10, 128, NULL }
#define SECRET_AGAIN_FIELD(n)	{ n, FIELD_TEXT, 0, 0, 128, NULL }
#define SECRET_TYPED_FIELD(n)	{ n, FIELD_TEXT, 1, 1, 128, NULL }

void		*secret_new(size_t);
void		 secret_free(void *);
int		 secret_twice(struct http_request *, const struct secret *,
		    const char *);
void		 secret_stored(struct secret *, PGresult *);
int		 secret_matches(const struct secret *, const char *);
int		 secret_hash(struct kore_task *);

/* me.c: the signed-in person's own account. */
int		 me_refused(struct http_request *, struct db_call *, int,
		    const char *, const char *);

/* log.c: the public log's API, and its proofs for other pages. */
void		 log_inclusion_chain(struct db_call *, uint64_t, uint64_t,
		    db_done_fn);
json_t		*log_inclusion_result(struct db_call *);

/* checkpoint.c: the log's signing key and signed checkpoints. */
enum checkpoint_state {
	CHECKPOINT_CURRENT,	/* the latest checkpoint is the head */
	CHECKPOINT_NEW,		/* signed a new one: store it */
	CHECKPOINT_BROKEN	/* the log does not extend the latest one */
};

struct checkpoint {
	uint64_t	size;
	char		root[64];	/* base64 */
	struct buf	note;
};

void		 checkpoint_init(void);
int		 checkpoint_periodic(PGconn *, char *, size_t);
const char	*checkpoint_origin(void);
const char	*checkpoint_key_json(void);
enum checkpoint_state checkpoint_from_head(json_t *, struct checkpoint *);
void		 checkpoint_free(struct checkpoint *);

/*
 * needs_snap.c: the open needs as the engine reads them, from one query,
 * sorted by kind and category: the engine gives an offer only needs of its kind
 * (and category, when it names one), so a run for one offer reads only
 * that range.
 */
struct needs_snap {
	PGresult		*res;	/* owns the texts */
	struct match_need	*v;
	int64_t			*org;
	size_t			 n;
	uint64_t		 loaded;	/* kore_time_ms() */
	int			 refs;
};

struct needs_snap	*needs_snap_cached(int *);
struct needs_snap	*needs_snap_build(PGresult *);
void			 needs_snap_keep(struct needs_snap *);
void			 needs_snap_abandon(void);
void			 needs_snap_release(struct needs_snap *);
void			 needs_snap_range(const struct needs_snap *,
			    const struct match_offer *, size_t *, size_t *);

/* matching.c: the matching engine over the database (issue 6). */
int		 matching_offer_page(struct http_request *, const char *);
int		 matching_offer_accept(struct http_request *, const char *,
		    struct form *);
int		 matching_words_done(struct http_request *, struct db_call *,
		    PGresult *);
/* stream.c: an answer sent in pieces, each once the last was sent. */
struct stream {
	int	chunked;	/* HTTP/1.1 chunks; else up to the close */
	int	head;		/* a HEAD request: headers only */
	int	close;		/* the connection closes at the end */
};

int		 stream_begin(struct http_request *, struct db_call *,
		    struct stream *, const char *, const char *, const char *);
void		 stream_write(struct http_request *, struct stream *,
		    struct buf *);
void		 stream_end(struct http_request *, struct db_call *,
		    struct stream *);

/* campaigns.c: the campaigns. */
#define SLUG_MAX	48

int		 campaign_slug(const char *, const char *, const char *,
		    char *);

/* transparency.c: the transparency page. */
int		 transparency_filters(struct http_request *, struct form *,
		    const struct field *, size_t);

/* outbox.c: the outbox's messages on the site. */
int		 outbox_db_json(struct http_request *, struct db_call *,
		    PGresult *);

/* edge.c: connections before a request reaches a handler. */
void		 edge_init(void);
void		 edge_answered(struct connection *);

/* jobs.c: periodic work in one worker. */
void		 jobs_init(void);

/* watchdog.c: a worker with a dead thread ends whole. */
void		 watchdog_init(void);
void		 watchdog_thread(void);

/* export.c: a table from the database as a CSV or .xlsx download. */
int		 export_csv(struct http_request *, struct db_call *,
		    PGresult *);
int		 export_xlsx(struct http_request *, struct db_call *,
		    PGresult *);

/* assets.c: files embedded from assets/. */
struct asset {
	const char	*name;
	const char	*data;
	const char	*end;
	size_t		 len;
};

const struct asset	*asset_find(const char *);
const struct asset	*asset_all(size_t *);
const char		*asset_version(void);
json_t			*asset_static_names(void);
const char		*asset_type(const char *);
void			 asset_hash(const struct asset *, char *);

/* private.c: the data keys, sealing and opening private data. */
struct private_sealed {
	char	 key_id[SEAL_ID_LEN + 1];
	char	 nonce[SEAL_NONCE_LEN * 2 + 1];
	char	*hex;
};

void		 private_init(void);
int		 private_seal(struct private_sealed *, const char *, json_t *);
void		 private_bind(struct db_call *, struct private_sealed *);
void		 private_sealed_free(struct private_sealed *);
json_t		*private_open(json_t *, const char *);
void		 private_aad(char *, size_t, const char *, const char *);


/* mcache.c: anonymous answers kept a second (one cache a worker). */
#define MCACHE_CSRF_MAX	16		/* token places kept per page */

/* What precedes the body of a kept answer. */
struct mcache_head {
	uint64_t	gen;		/* writes counted when asked for */
	int		status;
	int		page;		/* HTML; else JSON */
	size_t		ncsrf;
	size_t		csrf[MCACHE_CSRF_MAX];	/* offsets of the token */
};

struct pcache	*mcache_store(void);
int		 mcache_lookup(struct http_request *, const char *,
		    const struct pcache_entry **, int *);
void		 mcache_csrf(struct http_request *, const char *);
void		 mcache_answer(struct http_request *, int, const char *,
		    const void *, size_t);
void		 mcache_end(struct http_request *);
void		 mcache_write(void);

/* alog.c: Kore's access log gathered before its buffers fill. */
void		 alog_parent_init(void);
void		 alog_check(void);

/* cards.c: the shelf's cards, rendered once per need, language and text. */
int		 cards_render(struct buf *, const char *, size_t, enum lang);

#endif
