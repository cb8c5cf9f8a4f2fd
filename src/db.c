/*
 * The one way a handler talks to PostgreSQL (and runs slow work off the
 * event loop): a request's steps, each one SQL statement or one task,
 * run asynchronously through Kore's pgsql layer and task threads.
 *
 *	if (http_state_exists(req))
 *		return (db_run(req));
 *	(check the method and the input, answering 4xx itself)
 *	call = db_prepare(req, SQL_NEED_GET, need_done);
 *	db_int(call, id);
 *	db_text(call, lang);
 *	return (db_run(req));
 *
 * That first line is every handler's prologue: a request woken by its
 * database step goes on where it stopped.
 *
 * A done callback answers the request from the result, or chains the
 * next step with db_stmt() or db_task() (login: look the account up,
 * verify the password on a task thread, then open the session).
 *
 * db_run owns the state machine: it queues when every pooled connection
 * is busy (first come, first served: see db_acquire), sleeps while a
 * query or a task runs, and answers errors itself:
 * SQLSTATE SHnnn (raised by the api functions) become HTTP nnn with the
 * error code in the message; a database that cannot be reached becomes
 * 503 with Retry-After.  A read-only statement whose connection died is
 * sent once more on a fresh one (the first query after a restart).
 *
 * Two pools: the primary (SHOP_DATABASE, pool "db") and, when
 * SHOP_READ_DATABASE is set, a streaming replica (pool "read").  A
 * statement marked STMT_PUBLIC goes to the replica when the request has
 * no session and its client did not just write (the rw cookie web.c sets
 * on every answer to a POST: read-your-writes); everything else goes to
 * the primary.  A replica that cannot be reached, or refuses a statement
 * as read-only, sends that statement to the primary and the worker's
 * next ones there for DB_READ_BACKOFF ms.
 *
 * Every statement is sent with the request's id in a comment in front of
 * it (obs.c): the id is hex digits only, so it cannot close the comment.
 */
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "shop.h"

enum {
	DB_SETUP,
	DB_WAIT,
	DB_RESULT,
	DB_ERROR,
	DB_TASK,
	DB_PAUSE,
	DB_DONE
};

struct db_lograte;

/* What the layers above provide (db_hooks_set, called by web_init). */
static const struct db_hooks	*db_hooks;

static int	db_setup(struct http_request *);
static int	db_wait(struct http_request *);
static int	db_result(struct http_request *);
static int	db_error(struct http_request *);
static int	db_taskstate(struct http_request *);
static int	db_task_entry(struct kore_task *);
static int	db_pausestate(struct http_request *);
static int	db_done(struct http_request *);
static void	db_free(struct http_request *);
static void	db_reset(struct http_request *, struct db_call *);
static void	db_params_free(struct db_call *);
static int	db_next(struct http_request *, struct db_call *);
static int	db_unavailable(struct http_request *, struct db_call *,
		    const char *);
static int	db_acquire(struct http_request *, struct db_call *);
static void	db_release(struct db_call *);
static int	db_choose(struct http_request *, struct db_call *);
static int	db_conn_error(const char *);
static int	db_conn_stale(PGconn *);
static void	db_pgsql_cleanup(struct db_call *);
static void	db_failover(struct http_request *, struct db_call *);
static void	db_fail(struct http_request *, int, const char *,
		    const char *, json_t *);
static int	db_log_rated(struct db_lograte *, struct db_call *,
		    const char *);
static void	db_log_count(void *, u_int64_t);
static void	db_unreached(struct db_call *, u_int64_t);

/*
 * A line a failing database would write for every request (an outage
 * wrote 37,600 lines in 6 s, burying everything else: issue 14): each
 * kind at most once a second per worker.  The first is written at once;
 * the others in that second are counted, and a timer writes the count
 * when the second is over (one line), then counts the next second the
 * same way while they go on.
 */
struct db_lograte {
	const char	*what;
	u_int64_t	 until;		/* count, do not write, until then */
	u_int32_t	 counted;
	int		 timer;		/* db_log_count will write the count */
	int		 stmt;		/* the last one counted */
	char		 state[6];
};

static struct db_lograte	db_rate_down = {
	.what = "database unavailable"
};
static struct db_lograte	db_rate_failed = { .what = "statement failed" };
static struct db_lograte	db_rate_full = { .what = "database disk full" };
static struct db_lograte	db_rate_cut = {
	.what = "statement failed mid-answer"
};
static struct db_lograte	db_rate_lost = {
	.what = "statement complete without its result"
};

/* How long a worker leaves a replica alone that failed (ms). */
#define DB_READ_BACKOFF	5000

/*
 * A connection is opened (or reopened: PQreset) by a blocking call
 * inside the event loop, and while PostgreSQL recovered from a crash it
 * left attempts unanswered for seconds: every request of the worker
 * waited behind one, 503s included (5 to 9 s, issue 14).  So libpq gives
 * an attempt DB_CONNECT_TIMEOUT seconds at most (its least: 2), and after
 * an attempt that failed slowly (DB_SLOW_CONNECT ms or more) the worker
 * makes none for DB_DOWN_WAIT ms: its statements for the primary fail at
 * once meanwhile, as if they had tried, and one attempt each period finds
 * the server back.  A server that refuses at once (stopped, or starting)
 * costs nothing to ask again, and is asked each time: the first request
 * after it is back succeeds.
 */
#define DB_CONNECT_TIMEOUT	"2"
#define DB_SLOW_CONNECT		100
#define DB_DOWN_WAIT		500

/*
 * The calls of this worker waiting for a connection, oldest first, and
 * how many connections its calls hold (at most pgsql_conn_max).  Kore's
 * own queue is not fair: a connection released is taken by whichever
 * request runs next, often a new one, and the woken one goes to the back
 * again; under load a few requests waited for seconds.  Here a released
 * connection is handed to the oldest waiting call, and a new call waits
 * behind the others.  A call holds its slot for one statement at a time
 * (not while a task of its request runs).
 */
struct db_pool {
	const char		*name;		/* Kore's name of the database */
	TAILQ_HEAD(, db_call)	 queue;
	u_int32_t		 nqueue;
	u_int32_t		 held;
};

static struct db_pool	db_pools[DB_POOLS] = {
	{ "db", TAILQ_HEAD_INITIALIZER(db_pools[0].queue), 0, 0 },
	{ "read", TAILQ_HEAD_INITIALIZER(db_pools[1].queue), 0, 0 },
};
static u_int64_t	db_read_down;	/* leave the replica alone until */
static u_int64_t	db_down;	/* try no new connection until */
static char		db_sql[8192];	/* the statement with its comment */

static struct http_state	db_states[] = {
	KORE_HTTP_STATE(db_setup),
	KORE_HTTP_STATE(db_wait),
	KORE_HTTP_STATE(db_result),
	KORE_HTTP_STATE(db_error),
	KORE_HTTP_STATE(db_taskstate),
	KORE_HTTP_STATE(db_pausestate),
	KORE_HTTP_STATE(db_done),
};

/*
 * Starts the steps of req, with no step yet: follow with db_stmt() or
 * db_task().  The call belongs to the request and is freed with it.
 */
struct db_call *
db_begin(struct http_request *req)
{
	struct db_call	*call;

	call = http_state_create(req, sizeof(*call), db_free);
	call->next = DB_DONE;
	call->req = req;
	call->obs.t0 = req->start;
	obs_request_id(req, call->obs.rid);
	kore_pgsql_init(&call->pgsql);
	kore_pgsql_bind_request(&call->pgsql, req);
	return (call);
}

/* db_begin and db_stmt: the common case of one statement. */
struct db_call *
db_prepare(struct http_request *req, enum stmt stmt, db_done_fn done)
{
	struct db_call	*call;

	call = db_begin(req);
	db_stmt(call, stmt, done);
	return (call);
}

/*
 * The next step is stmt, whose result goes to done; bind its parameters
 * after this call.  From a done callback, it runs once the current
 * statement is complete.
 */
void
db_stmt(struct db_call *call, enum stmt stmt, db_done_fn done)
{
	db_params_free(call);
	call->stmt = stmt;
	call->done = done;
	call->next = DB_SETUP;
	call->route = DB_ROUTE_AUTO;
	call->on_fail = NULL;
	call->failed = 0;
}

/*
 * The next step runs entry on a task thread (it may only touch the call's
 * arg, never the request), then then(req, call, NULL) on the worker.
 */
void
db_task(struct db_call *call, int (*entry)(struct kore_task *),
    db_done_fn then)
{
	call->task_entry = entry;
	call->done = then;
	call->next = DB_TASK;
}

/*
 * The next step waits (the request sleeps) until db_resume(req), then
 * runs then(req, call, NULL): a streamed answer sends a piece, pauses
 * until it is sent, then fetches the next (stream.c).
 */
void
db_pause(struct db_call *call, db_done_fn then)
{
	call->done = then;
	call->next = DB_PAUSE;
}

/* Wakes the request paused by db_pause (or lets it go on at once). */
void
db_resume(struct http_request *req)
{
	struct db_call	*call = http_state_get(req);

	call->resumed = 1;
	http_request_wakeup(req);
}

/* The call that owns task t (for a task's entry function). */
struct db_call *
db_task_call(struct kore_task *t)
{
	return ((struct db_call *)(void *)((char *)t -
	    offsetof(struct db_call, task)));
}

/* Binds the next parameter as text; NULL binds SQL NULL. */
void
db_text(struct db_call *call, const char *v)
{
	if (call->nparams == DB_MAX_PARAMS)
		fatal("db_text: too many parameters for %d", call->stmt);
	call->values[call->nparams] = v ? kore_strdup(v) : NULL;
	call->lengths[call->nparams] = v ? (int)strlen(v) : 0;
	call->formats[call->nparams] = 0;
	call->nparams++;
}

void
db_int(struct db_call *call, long long v)
{
	char	num[32];

	(void)snprintf(num, sizeof(num), "%lld", v);
	db_text(call, num);
}

void
db_bool(struct db_call *call, int v)
{
	db_text(call, v ? "true" : "false");
}

int
db_run(struct http_request *req)
{
	struct db_call	*call = http_state_get(req);

	/* The first entry: start at the first step. */
	if (!call->started) {
		if (call->next == DB_DONE)
			fatal("db_run: no step was given");
		call->started = 1;
		req->fsm_state = call->next;
		call->next = DB_DONE;
	}
	return (http_state_run(db_states, sizeof(db_states) /
	    sizeof(db_states[0]), req));
}

/* Row r, column c of a result (NULL when SQL NULL); its length in *len. */
const char *
db_value(PGresult *res, int r, int c, size_t *len)
{
	if (res == NULL || r >= PQntuples(res) || c >= PQnfields(res) ||
	    PQgetisnull(res, r, c))
		return (NULL);
	if (len != NULL)
		*len = (size_t)PQgetlength(res, r, c);
	return (PQgetvalue(res, r, c));
}

static void
db_params_free(struct db_call *call)
{
	int	i;

	for (i = 0; i < call->nparams; i++)
		kore_free(call->values[i]);
	call->nparams = 0;
}

static int
db_setup(struct http_request *req)
{
	struct db_call	*call = http_state_get(req);
	u_int64_t	 t0;

	if (call->nparams != stmts[call->stmt].nparams)
		fatal("statement %d takes %d parameters, got %d", call->stmt,
		    stmts[call->stmt].nparams, call->nparams);

	if (!call->holding) {
		if (!call->waiting)
			call->pool = db_choose(req, call);
		if (!db_acquire(req, call))
			return (HTTP_STATE_RETRY);
		if (!call->holding)
			return (HTTP_STATE_COMPLETE);	/* answered 503 */
	}
	/* The primary could not be reached a moment ago: fail as it did. */
	if (call->pool == DB_POOL_PRIMARY && kore_time_ms() < db_down) {
		req->fsm_state = DB_ERROR;
		return (HTTP_STATE_CONTINUE);
	}
	t0 = kore_time_ms();
	if (!kore_pgsql_setup(&call->pgsql, db_pools[call->pool].name,
	    KORE_PGSQL_ASYNC)) {
		/* Every pooled connection is busy: we were queued. */
		if (call->pgsql.state == KORE_PGSQL_STATE_INIT)
			return (HTTP_STATE_RETRY);
		/* A new connection that could not be opened. */
		db_unreached(call, t0);
		req->fsm_state = DB_ERROR;
		return (HTTP_STATE_CONTINUE);
	}

	/* A connection broken by a server restart: reconnect it first. */
	if (db_conn_stale(call->pgsql.conn->db)) {
		t0 = kore_time_ms();
		PQreset(call->pgsql.conn->db);
		if (PQstatus(call->pgsql.conn->db) != CONNECTION_OK)
			db_unreached(call, t0);
	}

	if ((size_t)snprintf(db_sql, sizeof(db_sql), "/* %s */ %s", call->obs.rid,
	    stmts[call->stmt].sql) >= sizeof(db_sql))
		fatal("statement %d is too long", call->stmt);
	if (call->pool == DB_POOL_READ)
		call->obs.used_read = 1;
	if (!kore_pgsql_query_param_fields(&call->pgsql, db_sql, 0,
	    call->nparams,
	    (const char **)(void *)call->values, call->lengths,
	    call->formats)) {
		req->fsm_state = DB_ERROR;
		return (HTTP_STATE_CONTINUE);
	}
	req->fsm_state = DB_WAIT;
	return (HTTP_STATE_CONTINUE);
}

/*
 * Gives call one of the worker's connections when one is free and no
 * older call waits for it; otherwise puts call at the back of the queue
 * and puts the request to sleep (returns 0) until db_release hands it a
 * connection.  A full queue is answered 503 (returns 1, holding nothing).
 */
static int
db_acquire(struct http_request *req, struct db_call *call)
{
	struct db_pool	*p = &db_pools[call->pool];

	if (call->waiting)
		return (0);
	if (p->held < pgsql_conn_max && TAILQ_EMPTY(&p->queue)) {
		p->held++;
		call->holding = 1;
		obs_db_state(call->pool, p->held, p->nqueue);
		return (1);
	}
	if (p->nqueue >= pgsql_queue_limit) {
		http_response_header(req, "retry-after", "1");
		db_fail(req, 503, "busy", NULL, NULL);
		return (1);
	}
	TAILQ_INSERT_TAIL(&p->queue, call, queue);
	p->nqueue++;
	call->waiting = 1;
	call->queued_at = kore_time_ms();
	obs_db_state(call->pool, p->held, p->nqueue);
	http_request_sleep(req);
	return (0);
}

/* Gives the connection call held to the oldest waiting call, if any. */
static void
db_release(struct db_call *call)
{
	struct db_pool	*p = &db_pools[call->pool];
	struct db_call	*next;

	if (!call->holding)
		return;
	call->holding = 0;
	if ((next = TAILQ_FIRST(&p->queue)) != NULL) {
		TAILQ_REMOVE(&p->queue, next, queue);
		p->nqueue--;
		next->waiting = 0;
		next->holding = 1;
		obs_db_wait(call->pool, kore_time_ms() - next->queued_at);
		http_request_wakeup(next->req);
	} else {
		p->held--;
	}
	obs_db_state(call->pool, p->held, p->nqueue);
}

/*
 * The layer above answers for the database: db.c knows how a failure
 * maps to a status and an error code, the web layer how to say it, and
 * whether a request must read what it has just written.
 */
void
db_hooks_set(const struct db_hooks *h)
{
	db_hooks = h;
}

static void
db_fail(struct http_request *req, int status, const char *code,
    const char *field, json_t *detail)
{
	db_hooks->fail(req, status, code, field, detail);
}

/*
 * The pool of call's next statement (see the top of this file).  The
 * request's session is looked for, not checked: any session cookie or
 * bearer token sends it to the primary.
 */
static int
db_choose(struct http_request *req, struct db_call *call)
{
	if (cfg.read_database == NULL || call->route == DB_ROUTE_PRIMARY)
		return (DB_POOL_PRIMARY);
	if (call->route == DB_ROUTE_READ)
		return (DB_POOL_READ);
	if (!(stmts[call->stmt].flags & STMT_PUBLIC) ||
	    kore_time_ms() < db_read_down || db_hooks->primary_only(req))
		return (DB_POOL_PRIMARY);
	return (DB_POOL_READ);
}

/* Whether SHOP_READ_DATABASE names a replica. */
int
db_read_configured(void)
{
	return (cfg.read_database != NULL);
}

/* The steps of req, or NULL when it has none (it never queried). */
struct db_call *
db_call_of(struct http_request *req)
{
	return (http_state_exists(req) ? http_state_get(req) : NULL);
}

/* In the parent: the pools (the replica's only when it is configured). */
void
db_init(void)
{
	/* Unless the operator chose a limit (the workers inherit it). */
	if (setenv("PGCONNECT_TIMEOUT", DB_CONNECT_TIMEOUT, 0) == -1)
		fatal("setenv: %s", errno_s);
	if (!kore_pgsql_register("db", cfg.database))
		fatal("cannot register the database");
	if (cfg.read_database != NULL &&
	    !kore_pgsql_register("read", cfg.read_database))
		fatal("cannot register the read-only database");
}

static int
db_wait(struct http_request *req)
{
	struct db_call	*call = http_state_get(req);

	switch (call->pgsql.state) {
	case KORE_PGSQL_STATE_WAIT:
		return (HTTP_STATE_RETRY);
	case KORE_PGSQL_STATE_COMPLETE:
		req->fsm_state = DB_DONE;
		break;
	case KORE_PGSQL_STATE_ERROR:
		req->fsm_state = DB_ERROR;
		break;
	case KORE_PGSQL_STATE_RESULT:
		req->fsm_state = DB_RESULT;
		break;
	default:
		kore_pgsql_continue(&call->pgsql);
		break;
	}
	return (HTTP_STATE_CONTINUE);
}

/*
 * A statement's rows.  A read-only statement's callback runs on them at
 * once.  Any other's rows are held until the statement is complete:
 * over the extended protocol its implicit transaction commits after the
 * rows and their CommandComplete have arrived (at Sync), and the commit
 * can still fail (a serialization conflict, a deferred constraint, the
 * server gone before its WAL was flushed); answered from the rows, a
 * write was acknowledged that never happened (a pledge answered 201 and
 * not there after a crash: tests/api/commit_acknowledged.test.mjs).
 */
static int
db_result(struct http_request *req)
{
	struct db_call	*call = http_state_get(req);

	if (!call->called && !(stmts[call->stmt].flags & STMT_READONLY)) {
		if (call->held == NULL) {
			call->held = call->pgsql.result;
			call->pgsql.result = NULL;
		}
	} else if (!call->called) {
		call->called = 1;
		if (req->method != HTTP_METHOD_GET &&
		    req->method != HTTP_METHOD_HEAD)
			db_hooks->wrote();
		call->done(req, call, call->pgsql.result);
	}
	kore_pgsql_continue(&call->pgsql);
	req->fsm_state = DB_WAIT;
	return (HTTP_STATE_CONTINUE);
}

/*
 * The statement is complete (committed, for a write): go on to the step
 * its callback chained, or finish.  A statement that returned no rows
 * still reaches its callback; a write's held rows reach it now.
 */
static int
db_done(struct http_request *req)
{
	struct db_call	*call = http_state_get(req);

	if (!call->called) {
		call->called = 1;
		/*
		 * Every statement returns rows; none seen means Kore read the
		 * connection again before this request ran, and replaced the
		 * result (conf/kore.conf: http_request_ms).  The callback then
		 * answers 500.
		 */
		if (call->held == NULL &&
		    db_log_rated(&db_rate_lost, call, NULL))
			kore_log(LOG_ERR, "statement %d complete without its "
			    "result", call->stmt);
		if (req->method != HTTP_METHOD_GET &&
		    req->method != HTTP_METHOD_HEAD)
			db_hooks->wrote();
		call->done(req, call, call->held);
	}
	return (db_next(req, call));
}

static int
db_next(struct http_request *req, struct db_call *call)
{
	if (call->next == DB_DONE) {
		/* A callback that neither answered nor chained is a bug. */
		if (req->status == 0) {
			kore_log(LOG_ERR, "statement %d left unanswered",
			    call->stmt);
			db_fail(req, 500, "internal", NULL, NULL);
		}
		return (HTTP_STATE_COMPLETE);
	}
	db_pgsql_cleanup(call);
	db_release(call);
	kore_pgsql_init(&call->pgsql);
	kore_pgsql_bind_request(&call->pgsql, req);
	call->retried = 0;
	call->called = 0;
	req->fsm_state = call->next;
	call->next = DB_DONE;
	return (HTTP_STATE_CONTINUE);
}

static int
db_taskstate(struct http_request *req)
{
	struct db_call	*call = http_state_get(req);

	if (!call->task_live) {
		kore_task_create(&call->task, db_task_entry);
		kore_task_bind_request(&call->task, req);
		call->task_live = 1;
		obs_work(OBS_WORK_TASK);
		kore_task_run(&call->task);
		return (HTTP_STATE_RETRY);
	}
	if (!kore_task_finished(&call->task))
		return (HTTP_STATE_RETRY);
	kore_task_destroy(&call->task);
	call->task_live = 0;
	call->called = 1;
	call->done(req, call, NULL);
	return (db_next(req, call));
}

/* On the task thread: watched by the watchdog, then the step's entry. */
static int
db_task_entry(struct kore_task *t)
{
	watchdog_thread();
	return (db_task_call(t)->task_entry(t));
}

static int
db_pausestate(struct http_request *req)
{
	struct db_call	*call = http_state_get(req);

	if (!call->resumed) {
		http_request_sleep(req);
		return (HTTP_STATE_RETRY);
	}
	call->resumed = 0;
	call->called = 1;
	call->done(req, call, NULL);
	return (db_next(req, call));
}

/* Drops the failed attempt and starts the statement again. */
static void
db_reset(struct http_request *req, struct db_call *call)
{
	db_pgsql_cleanup(call);
	kore_pgsql_init(&call->pgsql);
	kore_pgsql_bind_request(&call->pgsql, req);
	call->retried = 1;
	req->fsm_state = DB_SETUP;
}

/*
 * The replica failed call's statement: the worker leaves it alone for a
 * while, and the statement goes to the primary (not counted as its one
 * retry).
 */
static void
db_failover(struct http_request *req, struct db_call *call)
{
	kore_log(LOG_WARNING, "replica failed statement %d: using the "
	    "primary for %d ms", call->stmt, DB_READ_BACKOFF);
	db_read_down = kore_time_ms() + DB_READ_BACKOFF;
	obs_db_event(DB_POOL_READ, 1);
	db_pgsql_cleanup(call);
	db_release(call);
	kore_pgsql_init(&call->pgsql);
	kore_pgsql_bind_request(&call->pgsql, req);
	call->route = DB_ROUTE_PRIMARY;
	req->fsm_state = DB_SETUP;
}

/*
 * Whether a pooled connection is broken.  One the server (or PgBouncer)
 * closed while it sat idle reads as end of file: poll finds that without
 * waiting, and libpq then marks it bad.  Checked before each statement,
 * so a restarted server or pooler costs no failed statement, read or
 * write: each connection is reconnected before it is used.
 */
static int
db_conn_stale(PGconn *db)
{
	struct pollfd	pfd;

	if (PQstatus(db) != CONNECTION_OK)
		return (1);
	pfd.fd = PQsocket(db);
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (pfd.fd == -1 || poll(&pfd, 1, 0) == -1)
		return (1);
	if (pfd.revents != 0 && !PQconsumeInput(db))
		return (1);
	return (PQstatus(db) != CONNECTION_OK);
}

/*
 * kore_pgsql_cleanup, except for a connection libpq has closed: when the
 * server (or PgBouncer) went away mid-statement, libpq drops the socket
 * and PQsocket says -1, and Kore 4.1 would take -1 out of its event loop,
 * fail and kill the worker (kore_platform_disable_read: Bad file
 * descriptor).  The closed socket left the event loop by itself; there is
 * nothing to cancel.  The connection goes back to the pool, where
 * db_conn_stale finds it bad and reconnects it.
 */
static void
db_pgsql_cleanup(struct db_call *call)
{
	struct kore_pgsql	*pgsql = &call->pgsql;

	if (pgsql->conn != NULL && PQsocket(pgsql->conn->db) == -1)
		pgsql->flags &= ~KORE_PGSQL_SCHEDULED;
	kore_pgsql_cleanup(pgsql);
	PQclear(call->held);
	call->held = NULL;
}

/* Whether SQLSTATE state (NULL: none) says the server is out of reach. */
static int
db_conn_error(const char *state)
{
	return (state == NULL || !strncmp(state, "08", 2) ||
	    !strncmp(state, "57P", 3) || !strncmp(state, "53", 2));
}

/*
 * A connection to call's pool, tried since t0, could not be opened: when
 * that took a while, the worker tries none for a moment (DB_DOWN_WAIT).
 */
static void
db_unreached(struct db_call *call, u_int64_t t0)
{
	u_int64_t	now = kore_time_ms();

	if (call->pool == DB_POOL_PRIMARY && now - t0 >= DB_SLOW_CONNECT)
		db_down = now + DB_DOWN_WAIT;
}

/*
 * Whether to write the line of r now (1), or count it (0) for
 * db_log_count; call is the failed one, state its SQLSTATE (or NULL).
 */
static int
db_log_rated(struct db_lograte *r, struct db_call *call, const char *state)
{
	u_int64_t	now = kore_time_ms();

	if (now >= r->until) {
		r->until = now + 1000;
		return (1);
	}
	r->counted++;
	r->stmt = call->stmt;
	kore_strlcpy(r->state, state ? state : "none", sizeof(r->state));
	if (!r->timer) {
		r->timer = 1;
		kore_timer_add(db_log_count, r->until - now, r,
		    KORE_TIMER_ONESHOT);
	}
	return (0);
}

/* The end of a second of r: how many lines were not written. */
static void
db_log_count(void *arg, u_int64_t now)
{
	struct db_lograte	*r = arg;

	r->timer = 0;
	if (r->counted == 0)
		return;
	kore_log(LOG_WARNING, "%s: %u more in the last second, not logged "
	    "one by one (the last: statement %d, SQLSTATE %s)", r->what,
	    r->counted, r->stmt, r->state);
	r->counted = 0;
	r->until = now + 1000;
}

static int
db_unavailable(struct http_request *req, struct db_call *call,
    const char *state)
{
	if (db_log_rated(&db_rate_down, call, state))
		kore_log(LOG_WARNING, "database unavailable for statement "
		    "%d: SQLSTATE %s", call->stmt, state ? state : "none");
	http_response_header(req, "retry-after", "5");
	db_fail(req, 503, "unavailable", NULL, NULL);
	return (HTTP_STATE_COMPLETE);
}

/*
 * Maps the failure to an answer.  The api functions raise SQLSTATE SHnnn
 * with a message that is an error code and a detail that is a JSON object
 * (see sql/api/000_util.sql); constraint violations that reach here are a
 * conflict; anything else is logged (the statement's number, never its
 * parameters: they may hold private data) and answered 500.
 */
static int
db_error(struct http_request *req)
{
	struct db_call	*call = http_state_get(req);
	PGresult	*res = call->pgsql.result;
	const char	*state, *msg, *detail;
	json_t		*d, *v;
	int		 status;
	char		 field[64], num[32];
	int		(*on_error)(struct http_request *, struct db_call *, int,
			    const char *, const char *);

	call->next = DB_DONE;
	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (db_conn_error(state))
		obs_db_event(call->pool, 0);
	/* A replica down, or one that refused to write (25006). */
	if (call->pool == DB_POOL_READ && call->route == DB_ROUTE_AUTO &&
	    !call->called && (db_conn_error(state) ||
	    !strcmp(state, "25006"))) {
		db_failover(req, call);
		return (HTTP_STATE_CONTINUE);
	}
	if (db_conn_error(state)) {
		if (!call->retried && !call->called &&
		    (stmts[call->stmt].flags & STMT_READONLY)) {
			db_reset(req, call);
			return (HTTP_STATE_CONTINUE);
		}
	}
	if (call->on_fail != NULL && !call->called) {
		call->called = 1;
		call->failed = 1;
		call->fail_reason = state == NULL ? "unreachable" :
		    db_conn_error(state) ? "no_server" : "error";
		call->on_fail(req, call, res);
		return (db_next(req, call));
	}
	/* An answer already begun cannot become an error: it is cut. */
	if (call->abort != NULL) {
		if (db_log_rated(&db_rate_cut, call, state))
			kore_log(LOG_WARNING, "statement %d failed mid-answer: "
			    "SQLSTATE %s", call->stmt, state ? state : "none");
		call->abort(req, call);
		return (HTTP_STATE_COMPLETE);
	}
	/*
	 * The database's disk is full (53100): what must write is refused,
	 * in its own words, while reads go on; it heals when space returns.
	 */
	if (state != NULL && !strcmp(state, "53100")) {
		if (db_log_rated(&db_rate_full, call, state))
			kore_log(LOG_ERR, "database disk full: statement %d "
			    "refused", call->stmt);
		http_response_header(req, "retry-after", "30");
		db_fail(req, 503, "storage_full", NULL, NULL);
		return (HTTP_STATE_COMPLETE);
	}
	if (state == NULL || !strncmp(state, "08", 2) ||
	    !strncmp(state, "57P", 3) || !strncmp(state, "53", 2))
		return (db_unavailable(req, call, state));

	if (state[0] == 'S' && state[1] == 'H') {
		status = atoi(state + 2);
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		field[0] = '\0';
		d = detail ? json_loads(detail, 0, NULL) : NULL;
		if (d != NULL) {
			if (json_is_string(v = json_object_get(d, "field")))
				kore_strlcpy(field, json_string_value(v),
				    sizeof(field));
			json_object_del(d, "field");
			if (json_is_integer(v = json_object_get(d,
			    "retry_after"))) {
				(void)snprintf(num, sizeof(num), "%lld",
				    (long long)json_integer_value(v));
				http_response_header(req, "retry-after", num);
			}
		}
		if (status < 400 || status > 499)
			status = 400;
		msg = msg ? msg : "bad_request";
		if ((on_error = call->on_error) != NULL) {
			/*
			 * The handler answers, or chains a step (a form
			 * again); once: a failure of that step is answered
			 * here.
			 */
			call->on_error = NULL;
			call->error_detail = d;
			on_error(req, call, status, msg, field[0] ? field :
			    NULL);
			call->error_detail = NULL;
			json_decref(d);
			return (db_next(req, call));
		}
		db_fail(req, status, msg, field[0] ? field : NULL, d);
		json_decref(d);
		return (HTTP_STATE_COMPLETE);
	}
	if (!strcmp(state, "57014")) {
		http_response_header(req, "retry-after", "5");
		db_fail(req, 503, "timeout", NULL, NULL);
		return (HTTP_STATE_COMPLETE);
	}
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
	    !strcmp(state, "55P03")) {
		http_response_header(req, "retry-after", "1");
		db_fail(req, 503, "busy", NULL, NULL);
		return (HTTP_STATE_COMPLETE);
	}
	if (!strncmp(state, "23", 2)) {
		db_fail(req, 409, "conflict", NULL, NULL);
		return (HTTP_STATE_COMPLETE);
	}
	if (db_log_rated(&db_rate_failed, call, state))
		kore_log(LOG_ERR, "statement %d failed: SQLSTATE %s",
		    call->stmt, state);
	db_fail(req, 500, "internal", NULL, NULL);
	return (HTTP_STATE_COMPLETE);
}

/*
 * Frees the call with its request.  A task still running keeps the call
 * alive: Kore frees the request again once the task is finished.
 */
static void
db_free(struct http_request *req)
{
	struct db_call	*call = http_state_get(req);

	if (call == NULL)
		return;
	db_hooks->ended(req);
	if (call->task_live) {
		if (call->task.req != NULL) {
			if (!kore_task_finished(&call->task))
				return;
			kore_task_destroy(&call->task);
		}
		call->task_live = 0;
	}
	if (call->waiting) {
		TAILQ_REMOVE(&db_pools[call->pool].queue, call, queue);
		db_pools[call->pool].nqueue--;
		call->waiting = 0;
		obs_db_state(call->pool, db_pools[call->pool].held,
		    db_pools[call->pool].nqueue);
	}
	db_pgsql_cleanup(call);
	db_release(call);
	db_params_free(call);
	json_decref(call->extra);
	if (call->arg_free != NULL)
		call->arg_free(call->arg);
	http_state_cleanup(req);
}
