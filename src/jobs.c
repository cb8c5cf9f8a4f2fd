/*
 * Periodic work, in the first worker only, on a task thread with a
 * blocking connection of its own (the event loop never waits on it):
 * every SHOP_LOG_CHECKPOINT_SECONDS (default 60) it
 *   - lets pledges run their course (api.pledges_tick: donors of pledges
 *     due soon are told; overdue pledges expire, their quantity goes
 *     back on the shelf),
 *   - finds "1+1" pairings with a missed term (api.pairings_tick: flag,
 *     put right, lapse back to the pool, complete), and
 *   - signs a checkpoint of the public log when it grew.
 * A run still going skips the next tick.
 */
#include "shop.h"

static void	jobs_tick(void *, u_int64_t);
static int	jobs_run(struct kore_task *);
static void	jobs_done(struct kore_task *);

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

	(void)t;
	db = PQconnectdb(cfg.database);
	if (PQstatus(db) != CONNECTION_OK) {
		PQfinish(db);
		return (KORE_RESULT_ERROR);
	}
	res = PQexec(db, stmts[SQL_TICK].sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		kore_log(LOG_WARNING, "pledges tick failed: SQLSTATE %s",
		    state ? state : "none");
	}
	PQclear(res);
	/* "1+1" pairings: after the pledges, whose expiries it reads. */
	res = PQexec(db, stmts[SQL_PAIRINGS_TICK].sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		kore_log(LOG_WARNING, "pairings tick failed: SQLSTATE %s",
		    state ? state : "none");
	}
	PQclear(res);
	checkpoint_periodic(db);
	PQfinish(db);
	return (KORE_RESULT_OK);
}
