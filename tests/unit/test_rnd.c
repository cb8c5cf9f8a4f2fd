/*
 * Random bytes drawn in bulk (rnd.c): never the same bytes twice, across
 * the pool's refills, and not in a forked process either (Kore's workers
 * are forked from a parent that may have drawn).
 */
#include <sys/wait.h>

#include <unistd.h>

#include "unit.h"

#define TOKENS	2000		/* 32,000 bytes: the pool refilled 7 times */

static int
cmp16(const void *a, const void *b)
{
	return (memcmp(a, b, 16));
}

static void
test_distinct(void **state)
{
	static unsigned char	tok[TOKENS][16];
	unsigned char		big[2048], zero[2048];
	size_t			i;

	(void)state;
	for (i = 0; i < TOKENS; i++)
		rnd_bytes(tok[i], i % 7 == 0 ? 5 : 16);
	for (i = 0; i < TOKENS; i++) {
		if (i % 7 == 0)
			memset(tok[i] + 5, 0, 11);
	}
	qsort(tok, TOKENS, 16, cmp16);
	for (i = 1; i < TOKENS; i++)
		assert_int_not_equal(memcmp(tok[i - 1], tok[i], 16), 0);
	/* More than the pool gives at once: drawn directly. */
	memset(zero, 0, sizeof(zero));
	rnd_bytes(big, sizeof(big));
	assert_int_not_equal(memcmp(big, zero, sizeof(big)), 0);
}

/* A child's bytes differ from what the parent draws next. */
static void
test_fork(void **state)
{
	unsigned char	mine[16], theirs[16];
	int		fd[2], status;
	pid_t		pid;

	(void)state;
	rnd_bytes(mine, sizeof(mine));	/* the pool is drawn */
	assert_int_equal(pipe(fd), 0);
	if ((pid = fork()) == 0) {
		rnd_bytes(theirs, sizeof(theirs));
		_exit(write(fd[1], theirs, sizeof(theirs)) ==
		    (ssize_t)sizeof(theirs) ? 0 : 1);
	}
	assert_true(pid > 0);
	close(fd[1]);
	assert_int_equal(read(fd[0], theirs, sizeof(theirs)),
	    (ssize_t)sizeof(theirs));
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	rnd_bytes(mine, sizeof(mine));
	assert_int_not_equal(memcmp(mine, theirs, sizeof(mine)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distinct),
		cmocka_unit_test(test_fork),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
