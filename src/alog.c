/*
 * Kore's access log, gathered as fast as requests come.  Each worker
 * writes its lines into a buffer it shares with the parent (128 KB), and
 * the parent moves them to the log file on a 100 ms timer, only once a
 * buffer holds 96 KB.  Past about 12,000 requests a second a buffer
 * fills before the timer comes: the worker then sleeps a millisecond at a
 * time until the parent takes it (accesslog.c), so the static route's
 * rate was capped and its p99 tens of milliseconds.
 *
 * Here a worker whose buffer passes a quarter asks the parent to gather
 * at once (a Kore message; once, until the buffer was taken), and the
 * parent gathers and writes every worker's lines.  The log stays Kore's:
 * same file, same lines.
 */
#include "shop.h"

#define ALOG_MSG	(KORE_MSG_APP_BASE + 15)
#define ALOG_NUDGE	(KORE_ACCESSLOG_BUFLEN / 4)

static void	alog_gather(struct kore_msg *, const void *);

static int	asked;

/* In the parent, before the workers start: the message it answers. */
void
alog_parent_init(void)
{
	if (!kore_msg_register(ALOG_MSG, alog_gather))
		fatal("alog: message %d taken", ALOG_MSG);
}

static void
alog_gather(struct kore_msg *msg, const void *data)
{
	(void)msg;
	(void)data;
	kore_accesslog_gather(NULL, kore_time_ms(), 1);
}

/*
 * In a worker, as it answers: asks the parent to gather when the buffer
 * is filling.  The offset is read without the buffer's lock: a stale
 * value only delays or repeats a harmless request.
 */
void
alog_check(void)
{
	if (worker == NULL)
		return;
	if (worker->lb.offset < ALOG_NUDGE) {
		asked = 0;
		return;
	}
	if (!asked) {
		asked = 1;
		kore_msg_send(KORE_MSG_PARENT, ALOG_MSG, NULL, 0);
	}
}
