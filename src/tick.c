/*
 * The needs job: every SHOP_TICK_SECONDS (60 by default) the first worker
 * calls api.needs_tick(), which puts needs whose public notice is over
 * (with no open objection) on the shelf and expires needs whose deadline
 * passed.  It runs here rather than lazily when a page is read, so that
 * public reads stay reads (they may go to a replica) and the shelf
 * changes at the same time for everyone.  Several nodes may run it at
 * once: the function locks the rows it moves and skips those locked.
 *
 * The query goes through Kore's pool like a request's, asynchronously,
 * with a callback instead of a request.
 */
#include "shop.h"

static struct kore_pgsql	tick_pg;
static int			tick_busy;
static u_int64_t		tick_began;

static void	tick_run(void *, u_int64_t);
static void	tick_query(void);
static void	tick_state(struct kore_pgsql *, void *);
static void	tick_end(void);

/* In the first worker: the job at every interval (none when 0). */
void
tick_start(void)
{
	if (cfg.tick_seconds <= 0)
		return;
	(void)kore_timer_add(tick_run, (u_int64_t)cfg.tick_seconds * 1000,
	    NULL, 0);
}

static void
tick_run(void *arg, u_int64_t now)
{
	(void)arg;
	if (tick_busy) {
		/*
		 * A connection lost during the query never calls back;
		 * after ten intervals the job is started afresh.
		 */
		if (now - tick_began < (u_int64_t)cfg.tick_seconds * 10000)
			return;
		kore_log(LOG_WARNING, "needs job: no answer, starting again");
		tick_end();
	}
	tick_busy = 1;
	tick_began = now;
	kore_pgsql_init(&tick_pg);
	kore_pgsql_bind_callback(&tick_pg, tick_state, NULL);
	tick_query();
}

static void
tick_query(void)
{
	if (!kore_pgsql_setup(&tick_pg, "db", KORE_PGSQL_ASYNC)) {
		/* Every connection busy: called back once one is free. */
		if (tick_pg.state == KORE_PGSQL_STATE_INIT)
			return;
		kore_log(LOG_WARNING, "needs job: no database connection");
		tick_end();
		return;
	}
	if (!kore_pgsql_query(&tick_pg, stmts[SQL_NEEDS_TICK].sql)) {
		kore_log(LOG_WARNING, "needs job: query not sent");
		tick_end();
	}
}

static void
tick_state(struct kore_pgsql *pg, void *arg)
{
	const char	*state, *v;
	json_t		*r;

	(void)arg;
	switch (pg->state) {
	case KORE_PGSQL_STATE_INIT:
		tick_query();
		break;
	case KORE_PGSQL_STATE_WAIT:
		break;
	case KORE_PGSQL_STATE_RESULT:
		v = db_value(pg->result, 0, 0, NULL);
		if (v != NULL && (r = json_loads(v, 0, NULL)) != NULL) {
			if (json_integer_value(json_object_get(r, "opened")) ||
			    json_integer_value(json_object_get(r, "expired")))
				kore_log(LOG_NOTICE, "needs job: %s", v);
			json_decref(r);
		}
		kore_pgsql_continue(pg);
		break;
	case KORE_PGSQL_STATE_ERROR:
		state = pg->result != NULL ? PQresultErrorField(pg->result,
		    PG_DIAG_SQLSTATE) : NULL;
		kore_log(LOG_WARNING, "needs job failed: SQLSTATE %s",
		    state != NULL ? state : "(none)");
		/* As for a request: give the connection back, no more. */
		tick_end();
		break;
	case KORE_PGSQL_STATE_COMPLETE:
		tick_end();
		break;
	default:
		kore_pgsql_continue(pg);
		break;
	}
}

static void
tick_end(void)
{
	kore_pgsql_cleanup(&tick_pg);
	tick_busy = 0;
}
