/*
 * A worker dies whole or not at all.
 *
 * Kore 4.1's sandbox kills with SECCOMP_RET_KILL, which is
 * SECCOMP_RET_KILL_THREAD: a forbidden system call ends the thread that
 * made it and no other.  The kernel tells nobody: no signal, and no
 * SIGCHLD to the parent while any thread of the worker lives.  When the
 * event loop's thread died that way (glibc's abort() did, before init.c
 * allowed tgkill) the worker stayed a zombie whose task threads waited
 * for work for ever; the parent never reaped it, never released the
 * accept lock it held (a worker keeps that lock until it is busy), never
 * started another, and hung in waitpid() when told to stop.  New
 * connections were accepted by no one: /healthz went unanswered until
 * someone killed the worker by hand.  A task thread killed alone leaves
 * the requests given to it waiting for ever.
 *
 * So each thread of a worker holds a robust mutex of its own for its
 * whole life, the event loop's from kore_worker_configure() on, a task
 * thread's from its first task on.  When a thread ends, however it ends,
 * the kernel marks the mutexes it still holds "owner died" (the robust
 * futex list that glibc registers for every thread) and wakes a waiter.
 * A watchdog thread waits on the event loop's mutex, and looks at the
 * task threads' twice a second; when one answers EOWNERDEAD it ends the
 * whole worker at once with SIGSYS (the one way a thread dies alone
 * here), so the parent reaps it, says "died from sandbox violation",
 * releases its accept lock and starts a new worker.
 *
 * A worker that exits, or that a fatal signal kills (SIGABRT, SIGSEGV,
 * SIGBUS...: their default actions end every thread), needs no watchdog;
 * the watchdog's own calls (futex, clock_gettime, write, rt_sigaction,
 * rt_sigprocmask, gettid, tgkill, kill) are all allowed by the sandbox.
 */
#include <sys/prctl.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "shop.h"

#define WATCHDOG_MAX		32	/* the event loop and task threads */
#define WATCHDOG_PERIOD_MS	500	/* how often task threads are seen */

static void	*watchdog_run(void *);
static void	 watchdog_fire(void);

static pthread_mutex_t	held[WATCHDOG_MAX];
static int		nheld;		/* slots locked by their thread */
static pthread_mutex_t	held_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int	watched;
static char		message[160];
static size_t		message_len;

/*
 * In each worker, on the event loop's thread, before any task runs:
 * watches that thread and starts the watchdog.
 */
void
watchdog_init(void)
{
	pthread_mutexattr_t	 attr;
	pthread_attr_t		 tattr;
	pthread_t		 tid;
	sigset_t		 all, old;
	int			 i, n;

	if (kore_task_threads + 1 > WATCHDOG_MAX)
		fatal("watchdog: task_threads above %d", WATCHDOG_MAX - 1);
	if ((errno = pthread_mutexattr_init(&attr)) != 0 ||
	    (errno = pthread_mutexattr_setrobust(&attr,
	    PTHREAD_MUTEX_ROBUST)) != 0)
		fatal("watchdog: robust mutex: %s", errno_s);
	for (i = 0; i < WATCHDOG_MAX; i++) {
		if ((errno = pthread_mutex_init(&held[i], &attr)) != 0)
			fatal("watchdog: pthread_mutex_init: %s", errno_s);
	}
	pthread_mutexattr_destroy(&attr);

	n = snprintf(message, sizeof(message), "%s: a thread of this worker "
	    "ended alone (a sandbox violation?): ending the worker\n",
	    kore_worker_name(worker->id));
	message_len = n > 0 && (size_t)n < sizeof(message) ? (size_t)n : 0;

	watchdog_thread();

	/* Kore's signals stay with the event loop, never the watchdog. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&tattr);
	pthread_attr_setdetachstate(&tattr, PTHREAD_CREATE_DETACHED);
	errno = pthread_create(&tid, &tattr, watchdog_run, NULL);
	pthread_attr_destroy(&tattr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (errno != 0)
		fatal("watchdog: pthread_create: %s", errno_s);
}

/*
 * Watches the calling thread from now until it ends: called on the
 * event loop's thread by watchdog_init() and on a task thread as each
 * task starts (once per thread does the work).
 */
void
watchdog_thread(void)
{
	if (watched)
		return;
	watched = 1;
	pthread_mutex_lock(&held_lock);
	if (nheld < WATCHDOG_MAX) {
		/* Held until the thread ends: never unlocked. */
		pthread_mutex_lock(&held[nheld]);
		__atomic_store_n(&nheld, nheld + 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&held_lock);
}

static void *
watchdog_run(void *arg)
{
	struct timespec	ts;
	int		i, n;

	(void)arg;
	(void)prctl(PR_SET_NAME, "watchdog", 0, 0, 0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += WATCHDOG_PERIOD_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		/* The event loop's: woken by the kernel as it dies. */
		if (pthread_mutex_clocklock(&held[0], CLOCK_MONOTONIC,
		    &ts) != ETIMEDOUT)
			watchdog_fire();
		n = __atomic_load_n(&nheld, __ATOMIC_ACQUIRE);
		for (i = 1; i < n; i++) {
			if (pthread_mutex_trylock(&held[i]) != EBUSY)
				watchdog_fire();
		}
	}
	return (NULL);
}

/*
 * Ends every thread of the worker now.  Only async-signal-safe calls:
 * the dead thread may have held any lock (stdio's, malloc's).
 */
static void
watchdog_fire(void)
{
	struct sigaction	sa;
	sigset_t		sys;

	if (kore_foreground && message_len > 0)
		(void)write(STDOUT_FILENO, message, message_len);
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGSYS, &sa, NULL);
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	(void)pthread_sigmask(SIG_UNBLOCK, &sys, NULL);
	/* On this thread, at once: the kernel ends all the others. */
	(void)raise(SIGSYS);
	(void)kill(getpid(), SIGKILL);
	_exit(1);
}
