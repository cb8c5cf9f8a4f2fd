/*
 * Random bytes for tokens and ids (request ids, anti-CSRF tokens, form
 * keys, sessions, codes): OpenSSL's generator, drawn 4 KB at a time.
 * RAND_bytes sets its generator up again on every call (a cipher
 * context, parameter lookups): a shelf page asked it three times (its
 * request id, the reader's anti-CSRF token, a form key), 6% of a
 * worker's time on the bench's mix of pages.  Drawn in bulk, a token
 * costs a copy.
 *
 * Each byte is handed out once and wiped from the pool.  The pool is a
 * thread's own, and a process forked from one that drew (Kore's workers
 * from the parent) starts with an empty one: no two processes hand out
 * the same bytes.  The child's only thread is the one that forked, so a
 * fork handler that empties that thread's pool is enough.
 *
 * The one way the server and its tools draw random bytes.  A failure of
 * OpenSSL's generator aborts: nothing should go on without it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "lib.h"

#define RND_POOL	4096

static __thread unsigned char	pool[RND_POOL];
static __thread size_t		left;	/* the pool's last left bytes */
static pthread_once_t		once = PTHREAD_ONCE_INIT;

/* In the child of a fork, in the thread that forked. */
static void
rnd_forked(void)
{
	OPENSSL_cleanse(pool, sizeof(pool));
	left = 0;
}

static void
rnd_once(void)
{
	if (pthread_atfork(NULL, NULL, rnd_forked) != 0)
		abort();
}

void
rnd_bytes(void *out, size_t len)
{
	/* Before the first draw: nothing was drawn before it to forget. */
	if (pthread_once(&once, rnd_once) != 0)
		abort();
	if (len > RND_POOL / 4) {
		if (RAND_bytes(out, (int)len) != 1)
			abort();
		return;
	}
	if (len > left) {
		if (RAND_bytes(pool, RND_POOL) != 1)
			abort();
		left = RND_POOL;
	}
	memcpy(out, pool + RND_POOL - left, len);
	OPENSSL_cleanse(pool + RND_POOL - left, len);
	left -= len;
}
