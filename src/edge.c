/*
 * The edge of the server: what Kore 4.1 does with a connection before a
 * request reaches a handler, where it needs help.
 *
 * Idle connections.  A worker checks its connections' timers (the
 * keep-alive time, the header timeout) only when its event loop wakes,
 * and a worker with no timer and no request in flight sleeps in
 * epoll_wait until a socket speaks.  An idle keep-alive connection was
 * then not closed at http_keepalive_time: when a request woke the worker
 * (often one sent on such a connection), the header timeout, checked
 * before the keep-alive time, answered 408 on every other connection
 * idle longer than it, just as their clients reused them.  A tick wakes
 * every worker once a second, so each idle connection is closed quietly
 * at http_keepalive_time, long before the header timeout.
 */
#include "shop.h"

#define EDGE_TICK_MS	1000

static void	edge_tick(void *, u_int64_t);

/* In each worker: the tick. */
void
edge_init(void)
{
	kore_timer_add(edge_tick, EDGE_TICK_MS, NULL, 0);
}

/* Nothing to do: waking is the point (the loop then checks timeouts). */
static void
edge_tick(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
}
