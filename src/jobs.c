/*
 * Periodic work, in the first worker only, on a task thread with a
 * blocking connection of its own (the event loop never waits on it):
 * every SHOP_LOG_CHECKPOINT_SECONDS (default 60) it
 *   - runs the periodic statements below: needs whose public notice is
 *     over (with no open objection) go on the shelf, needs past their
 *     deadline expire (api.needs_tick; several nodes may run it: it
 *     skips rows another holds); pledges run their course
 *     (api.pledges_tick: donors of pledges due soon are told; overdue
 *     pledges expire, their quantity goes back on the shelf), "1+1"
 *     pairings with a missed term are flagged, put right, lapsed or
 *     completed (api.pairings_tick), quarterly report reminders go to
 *     the outbox (each once); and
 *   - signs a checkpoint of the public log when it grew.
 * A run still going skips the next tick.
 */
#include "shop.h"

static void	jobs_tick(void *, u_int64_t);
static int	jobs_run(struct kore_task *);
static void	jobs_done(struct kore_task *);

/* One statement per job, each in its own transaction. */
static const enum stmt	jobs[] = {
	SQL_NEEDS_TICK,
	SQL_TICK,
	SQL_PAIRINGS_TICK,	/* after the pledges: reads their expiries */
	SQL_REPORTS_TICK,
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

static int
jobs_run(struct kore_task *t)
{
	PGconn		*db;
	PGresult	*res;
	const char	*state;
	size_t		 i;

	(void)t;
	watchdog_thread();
	db = PQconnectdb(cfg.database);
	if (PQstatus(db) != CONNECTION_OK) {
		PQfinish(db);
		return (KORE_RESULT_ERROR);
	}
	for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
		res = PQexec(db, stmts[jobs[i]].sql);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			kore_log(LOG_WARNING, "job %d failed: SQLSTATE %s",
			    jobs[i], state ? state : "none");
		}
		PQclear(res);
	}
	checkpoint_periodic(db);
	PQfinish(db);
	return (KORE_RESULT_OK);
}
