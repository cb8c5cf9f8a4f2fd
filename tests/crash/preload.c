/*
 * The bugs that kill a worker, on demand, for tests/api/
 * worker_death.test.mjs: the test compiles this file and preloads it
 * (LD_PRELOAD) into the Kore node it starts for itself; the module has
 * no such code.  The thread a signal reaches fails the way a bug would
 * make it fail:
 *
 *	SIGUSR2		abort(), as glibc does on heap corruption
 *	SIGALRM		a store through a null pointer (SIGSEGV)
 *	SIGPWR		a system call the worker sandbox forbids
 *
 * Kore does not use these signals.  A signal sent to a thread's id
 * (kill(2) with a task thread's id) is taken by that thread when it can.
 */
#include <sys/syscall.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void	crash_init(void) __attribute__((constructor));
static void	crash_abort(int);
static void	crash_segv(int);
static void	crash_sandbox(int);

static void
crash_init(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = crash_abort;
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = crash_segv;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = crash_sandbox;
	sigaction(SIGPWR, &sa, NULL);
}

static void
crash_abort(int sig)
{
	(void)sig;
	abort();
}

static void
crash_segv(int sig)
{
	(void)sig;
	*(volatile int *)0 = 0;
}

/* getpgid(2) is not in the sandbox's list: the thread is killed. */
static void
crash_sandbox(int sig)
{
	(void)sig;
	(void)syscall(SYS_getpgid, 0);
}
