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
 * the same bytes.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "lib.h"

#define RND_POOL	4096

static __thread unsigned char	pool[RND_POOL];
static __thread size_t		left;	/* the pool's last left bytes */
static __thread pid_t		drawn_by;

void
rnd_bytes(void *out, size_t len)
{
	pid_t	pid = getpid();

	if (pid != drawn_by) {
		OPENSSL_cleanse(pool, sizeof(pool));
		left = 0;
		drawn_by = pid;
	}
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
