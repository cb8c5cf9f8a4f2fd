/*
 * Periodic work, in the first worker only, on a task thread with a
 * blocking connection of its own (the event loop never waits on it):
 * every SHOP_LOG_CHECKPOINT_SECONDS (default 60) it
 *   - runs the periodic jobs below: needs whose public notice is over
 *     (with no open objection) go on the shelf, needs past their
 *     deadline expire (api.needs_tick); pledges run their course
 *     (api.pledges_tick: donors of pledges due soon are told; overdue
 *     pledges expire, their quantity goes back on the shelf), "1+1"
 *     pairings with a missed term are flagged, put right, lapsed or
 *     completed (api.pairings_tick), quarterly report reminders go to
 *     the outbox, each once (api.reports_tick), the sealed private
 *     parts of children whose guardian withdrew consent are purged
 *     once their retention is over (api.privacy_tick); and
 *   - signs a checkpoint of the public log when it grew.
 *
 * A job works in bounded batches: each call of its statement handles at
 * most a batch of due rows, in a transaction of its own, and answers
 * {"done": rows handled, "backlog": rows still due}.  The job calls it
 * again while a batch did something, some is left and the run is within
 * its budget (three quarters of the period, so that it usually ends
 * before the next tick); every job gets one batch a run, so a long
 * backlog of one does not starve the others.  No statement grows with
 * the backlog, so none outlasts the app role's statement timeout.
 * Several nodes may run the jobs at once: each batch skips the rows
 * another holds.
 *
 * After each batch the job's state (batches, rows done, backlog, error)
 * is saved in the table job_runs, which /healthz reads on any worker and
 * node (health.c).  A run still going skips the next tick.
 */
#include <string.h>

#include "shop.h"

struct job {
	const char	*name;		/* its row in job_runs */
	enum stmt	 stmt;		/* one batch; $1 its size */
	int		 batch;		/* rows a batch handles at most */
};

struct job_run {
	u_int64_t	 started;	/* kore_time_ms() */
	int		 batches;
	long long	 done;
	long long	 backlog;	/* -1: not known */
	char		 error[41];	/* empty: none */
};

static void	jobs_tick(void *, u_int64_t);
static int	jobs_run(struct kore_task *);
static void	jobs_done(struct kore_task *);
static void	jobs_drain(PGconn *, const struct job *, u_int64_t);
static int	jobs_batch(PGconn *, const struct job *, struct job_run *);
static void	jobs_checkpoint(PGconn *);
static void	jobs_save(PGconn *, const char *, const struct job_run *);

/*
 * Batch sizes.  A batch's log appends each update the one row of
 * log_head (and a row of log_stats) in its transaction: a batch of more
 * than a page of those rows' versions (about 180) spills into new pages,
 * and the bloated tables slow every append after it (after a backlog
 * drained in batches of 250: 10 times for a transaction of 4,500 appends).
 * A hundred fit, and keep a batch far under the 5 s statement timeout
 * even on a loaded machine, and the log's lock, held from a batch's first
 * append to its commit, briefly held.
 */
static const struct job	jobs[] = {
	{ "needs_tick",		SQL_NEEDS_TICK,		100 },
	{ "pledges_tick",	SQL_PLEDGES_TICK,	100 },
	/* After the pledges: reads their expiries. */
	{ "pairings_tick",	SQL_PAIRINGS_TICK,	100 },
	{ "reports_tick",	SQL_REPORTS_TICK,	100 },
	/* Children's private parts past their retention (rights.c). */
	{ "privacy_tick",	SQL_PRIVACY_TICK,	100 },
};

static struct kore_task	task;
static int		busy;

void
jobs_init(void)
{
	if (worker == NULL || worker->id != 1 || cfg.log_interval <= 0)
		return;
	kore_timer_add(jobs_tick, (u_int64_t)cfg.log_interval * 1000, NULL, 0);
}

static void
jobs_tick(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	if (busy)
		return;
	busy = 1;
	kore_task_create(&task, jobs_run);
	kore_task_bind_callback(&task, jobs_done);
	kore_task_run(&task);
}

static void
jobs_done(struct kore_task *t)
{
	if (kore_task_state(t) != KORE_TASK_STATE_FINISHED)
		return;
	kore_task_destroy(t);
	busy = 0;
}

/* The task: every job until done or out of budget, then the checkpoint. */
static int
jobs_run(struct kore_task *t)
{
	PGconn		*db;
	u_int64_t	 until;
	size_t		 i;

	(void)t;
	watchdog_thread();
	until = kore_time_ms() + (u_int64_t)cfg.log_interval * 750;
	db = PQconnectdb(cfg.database);
	if (PQstatus(db) != CONNECTION_OK) {
		PQfinish(db);
		return (KORE_RESULT_ERROR);
	}
	for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++)
		jobs_drain(db, &jobs[i], until);
	jobs_checkpoint(db);
	PQfinish(db);
	return (KORE_RESULT_OK);
}

/*
 * Job j, batch after batch while a batch did something, some is left and
 * the clock is before until; its state saved after each.
 */
static void
jobs_drain(PGconn *db, const struct job *j, u_int64_t until)
{
	struct job_run	run;
	long long	before;

	memset(&run, 0, sizeof(run));
	run.started = kore_time_ms();
	run.backlog = -1;
	for (;;) {
		before = run.done;
		if (!jobs_batch(db, j, &run)) {
			kore_log(LOG_WARNING, "job %s failed: %s", j->name,
			    run.error);
			jobs_save(db, j->name, &run);
			return;
		}
		jobs_save(db, j->name, &run);
		if (run.done == before || run.backlog == 0 ||
		    kore_time_ms() >= until)
			return;
	}
}

/*
 * One batch of job j: adds what it did to run.  0 when it failed, the
 * reason in run->error (a SQLSTATE, or "bad_answer").
 */
static int
jobs_batch(PGconn *db, const struct job *j, struct job_run *run)
{
	PGresult	*res;
	json_t		*answer, *done, *backlog;
	const char	*v[1], *state;
	char		 limit[16];
	int		 ok = 0;

	(void)snprintf(limit, sizeof(limit), "%d", j->batch);
	v[0] = limit;
	res = PQexecParams(db, stmts[j->stmt].sql, 1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		kore_strlcpy(run->error, state != NULL ? state : "none",
		    sizeof(run->error));
		PQclear(res);
		return (0);
	}
	answer = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	PQclear(res);
	done = json_object_get(answer, "done");
	backlog = json_object_get(answer, "backlog");
	if (json_is_integer(done) && json_integer_value(done) >= 0 &&
	    json_is_integer(backlog) && json_integer_value(backlog) >= 0) {
		run->batches++;
		run->done += json_integer_value(done);
		run->backlog = json_integer_value(backlog);
		ok = 1;
	} else {
		kore_strlcpy(run->error, "bad_answer", sizeof(run->error));
	}
	json_decref(answer);
	return (ok);
}

/* The log's checkpoint, saved as the job "checkpoint" (done: 1 signed). */
static void
jobs_checkpoint(PGconn *db)
{
	struct job_run	run;
	int		r;

	memset(&run, 0, sizeof(run));
	run.started = kore_time_ms();
	r = checkpoint_periodic(db, run.error, sizeof(run.error));
	run.batches = 1;
	run.done = r > 0;
	run.backlog = r < 0 ? -1 : 0;
	if (r >= 0)
		run.error[0] = '\0';
	jobs_save(db, "checkpoint", &run);
}

/* Saves run as the latest run of job name (job_runs). */
static void
jobs_save(PGconn *db, const char *name, const struct job_run *run)
{
	PGresult	*res;
	const char	*v[6];
	char		 batches[16], done[32], backlog[32], ms[16];

	(void)snprintf(batches, sizeof(batches), "%d", run->batches);
	(void)snprintf(done, sizeof(done), "%lld", run->done);
	(void)snprintf(backlog, sizeof(backlog), "%lld", run->backlog);
	(void)snprintf(ms, sizeof(ms), "%llu",
	    (unsigned long long)(kore_time_ms() - run->started));
	v[0] = name;
	v[1] = batches;
	v[2] = done;
	v[3] = run->backlog < 0 ? NULL : backlog;
	v[4] = run->error[0] != '\0' ? run->error : NULL;
	v[5] = ms;
	res = PQexecParams(db, stmts[SQL_JOB_RUN_SAVE].sql, 6, NULL, v, NULL,
	    NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		kore_log(LOG_WARNING, "job %s: its state was not saved: %s",
		    name, PQresultErrorMessage(res));
	PQclear(res);
}
