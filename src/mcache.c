/*
 * The microcache: what anonymous readers share -- the shelf, a need, the
 * home page and the campaigns, as API and as pages -- answered from a
 * cache each worker keeps (pcache.c), never more than a second old.  On a
 * campaign day a crowd opens the same few pages at once: one request per
 * key and second asks the database (single flight), the others that come
 * meanwhile sleep until its answer is kept and are then answered from it.
 * The transparency page keeps its parts in the same cache
 * (transparency.c, keys "t|...").
 *
 * Bypassed by: a reader with a session (cookie or bearer token: pages and
 * answers then name the reader), every method but GET, and
 * SHOP_PAGE_CACHE=0 (SHOP_TRANSPARENCY_CACHE=0 too, its older name).
 *
 * A handler asks first:
 *
 *	if (http_state_exists(req))
 *		return (db_run(req));
 *	if (web_cached(req, &r))
 *		return (r);
 *	(start the query as always)
 *
 * A write through this node (any request but GET or HEAD that ran a
 * statement: db.c calls mcache_write) makes every answer kept before it
 * old, in every worker: the node's workers share a write counter (one
 * shared page, mapped before Kore forks them), and an answer is served
 * only while the counter is what it was when its data were asked for.  So
 * a reader sees their own change at once, and changes made elsewhere
 * (another node, the periodic jobs) within a second.
 *
 * An answer older than MC_FRESH is refreshed ahead: the first reader
 * after that fetches the next while the others are still served it, so
 * that the crowd on a busy key does not wait for its fetch each second
 * (the cached home page's p99 in make bench was that wait).  The window
 * is short on purpose: every refresh still makes one reader wait for the
 * database, and a key refreshed ahead is asked for more often (1000 /
 * 950: 5% more; the shelf alone is a hundred keys a worker in make bench).
 * When the cache has no answer of the right age (none, a second old, or
 * older than a write), the request fetches it for the others: the
 * answer it gives (web_send calls mcache_answer) is kept when it is a
 * 200, 400 or 404 in JSON or HTML; any other answer, or a request that
 * ends without one (mcache_end, from db.c), hands the fetch to the next
 * reader.  An answer is born when its request came in (before its
 * query), so nothing served is older than a second since the database
 * was asked.
 *
 * Pages hold the reader's anti-CSRF token (forms anyone may send, e.g. an
 * objection): the places where the fetching reader's token stands are
 * kept with the page, and each reader is served their own token there
 * (session_csrf, which sets its cookie when the reader has none yet).
 *
 * Key: the path, the query string's parameters sorted (lang= left out:
 * the language is the reader's, from the query, the cookie or
 * Accept-Language, and ends the key).
 */
#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>

#include "shop.h"

#define MC_SLOTS	1024		/* answers kept per worker */
#define MC_MAX_AGE	1000		/* ms: the promise */
#define MC_FRESH	950		/* ms: then refreshed ahead (below) */
#define MC_KEY		640		/* longest key; longer: not cached */
#define MC_BODY_MAX	(512 * 1024)	/* larger answers are not kept */
#define MC_PARAMS	32		/* query parameters sorted */

/* A request fetching key for the others. */
struct mc_fill {
	struct http_request	*req;
	uint64_t		 born;
	uint64_t		 gen;
	char			 csrf[SESSION_HEX];	/* "": no page yet */
	char			 key[MC_KEY];
	TAILQ_ENTRY(mc_fill)	 link;
};

/* A request asleep until key is kept (or its fetch fails). */
struct mc_wait {
	struct http_request	*req;
	int			 ready;
	char			 key[MC_KEY];
	TAILQ_ENTRY(mc_wait)	 link;
};

static struct pcache			 cache;
static int				 cache_ready;
static TAILQ_HEAD(, mc_fill)		 fills = TAILQ_HEAD_INITIALIZER(fills);
static TAILQ_HEAD(, mc_wait)		 waits = TAILQ_HEAD_INITIALIZER(waits);
static int				 wake_pending;
static uint64_t				*writes;	/* shared */
static uint64_t				 writes_local;	/* if not */

static void	 mc_map(void) __attribute__((constructor));
static uint64_t	 mc_writes(void);
static int	 mc_key(struct http_request *, const char *, char *, size_t);
static int	 mc_cmp(const void *, const void *);
static struct mc_fill *mc_fill_of(struct http_request *);
static void	 mc_fill_done(struct mc_fill *);
static void	 mc_wake(const char *);
static void	 mc_wake_now(void *, u_int64_t);

/*
 * This worker's cache, made on first use; turned off (fresh 0) by
 * SHOP_PAGE_CACHE=0.
 */
struct pcache *
mcache_store(void)
{
	if (!cache_ready) {
		pcache_init(&cache, MC_SLOTS, cfg.page_cache ? MC_FRESH : 0,
		    MC_MAX_AGE);
		cache_ready = 1;
	}
	return (&cache);
}

/*
 * The write counter, in memory shared by the workers Kore forks from the
 * process that loads the module (this runs when it is loaded).  Without
 * it (mmap failed), each worker counts its own writes.
 */
static void
mc_map(void)
{
	void	*p;

	p = mmap(NULL, sizeof(*writes), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	writes = p == MAP_FAILED ? &writes_local : p;
}

static uint64_t
mc_writes(void)
{
	return (__atomic_load_n(writes, __ATOMIC_ACQUIRE));
}

/* A write was made through this node: what was kept before is old. */
void
mcache_write(void)
{
	__atomic_add_fetch(writes, 1, __ATOMIC_ACQ_REL);
}

/*
 * Whether the cache deals with req (in language lang): *hit is then the
 * kept answer for the web layer to send (web_cached), or NULL when req
 * was put to sleep until another request's answer is kept (*r =
 * KORE_RESULT_RETRY: Kore calls the handler again once woken).  0: the
 * handler answers as always, and when the cache is on, that answer is
 * kept for the others.
 */
int
mcache_lookup(struct http_request *req, const char *lang,
    const struct pcache_entry **hit, int *r)
{
	const struct pcache_entry	*e;
	struct mcache_head			 h;
	struct mc_fill			*fill;
	struct mc_wait			*w;
	char				 key[MC_KEY], sid[SESSION_HEX];
	uint64_t			 now, gen;
	int				 wait;

	if (!cfg.page_cache || req->method != HTTP_METHOD_GET ||
	    session_sid(req, sid) != SESSION_NONE ||
	    !mc_key(req, lang, key, sizeof(key)))
		return (0);
	now = kore_time_ms();
	gen = mc_writes();
	if ((e = pcache_get(mcache_store(), key, now, &wait)) != NULL) {
		memcpy(&h, e->data, sizeof(h));
		if (h.gen == gen) {
			obs_cache(OBS_CACHE_HIT);
			*hit = e;
			return (1);
		}
		/* Older than a write: asked for again. */
		pcache_expire(mcache_store(), key);
		e = pcache_get(mcache_store(), key, now, &wait);
	}
	if (wait) {
		obs_cache(OBS_CACHE_WAIT);
		w = kore_calloc(1, sizeof(*w));
		w->req = req;
		kore_strlcpy(w->key, key, sizeof(w->key));
		TAILQ_INSERT_TAIL(&waits, w, link);
		http_request_sleep(req);
		*hit = NULL;
		*r = KORE_RESULT_RETRY;
		return (1);
	}
	obs_cache(OBS_CACHE_FETCH);
	fill = kore_calloc(1, sizeof(*fill));
	fill->req = req;
	fill->born = now;
	fill->gen = gen;
	kore_strlcpy(fill->key, key, sizeof(fill->key));
	TAILQ_INSERT_TAIL(&fills, fill, link);
	return (0);
}

/*
 * The key of req: path, then "?" and the query's parameters sorted,
 * without lang=, then "|" and the reader's language.  0 when it does
 * not fit (such a request is not cached).
 */
static int
mc_key(struct http_request *req, const char *lang, char *key, size_t size)
{
	const char	*part[MC_PARAMS];
	char		 copy[MC_KEY], *rest, *p;
	size_t		 n, i, len;
	int		 w;

	n = 0;
	if (req->query_string != NULL) {
		if (kore_strlcpy(copy, req->query_string, sizeof(copy)) >=
		    sizeof(copy))
			return (0);
		rest = copy;
		while ((p = strsep(&rest, "&")) != NULL) {
			if (*p == '\0' || !strncmp(p, "lang=", 5))
				continue;
			if (n == MC_PARAMS)
				return (0);
			part[n++] = p;
		}
		qsort(part, n, sizeof(part[0]), mc_cmp);
	}
	w = snprintf(key, size, "%s?", req->path);
	if (w < 0 || (size_t)w >= size)
		return (0);
	len = (size_t)w;
	for (i = 0; i < n; i++) {
		w = snprintf(key + len, size - len, "%s%s", i ? "&" : "",
		    part[i]);
		if (w < 0 || (size_t)w >= size - len)
			return (0);
		len += (size_t)w;
	}
	w = snprintf(key + len, size - len, "|%s", lang);
	return (w > 0 && (size_t)w < size - len);
}

static int
mc_cmp(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

static struct mc_fill *
mc_fill_of(struct http_request *req)
{
	struct mc_fill	*fill;

	TAILQ_FOREACH(fill, &fills, link) {
		if (fill->req == req)
			return (fill);
	}
	return (NULL);
}

/* The anti-CSRF token a page of req holds (web_page). */
void
mcache_csrf(struct http_request *req, const char *csrf)
{
	struct mc_fill	*fill;

	if (!TAILQ_EMPTY(&fills) && (fill = mc_fill_of(req)) != NULL)
		kore_strlcpy(fill->csrf, csrf, sizeof(fill->csrf));
}

/*
 * req answers status with body (web_send): kept for the others when req
 * fetched it and it is an answer to keep.
 */
void
mcache_answer(struct http_request *req, int status, const char *ctype,
    const void *body, size_t len)
{
	struct mc_fill	*fill;
	struct mcache_head	 h;
	const char	*p, *end;
	char		*data;
	size_t		 tok = SESSION_HEX - 1;

	if (TAILQ_EMPTY(&fills) || (fill = mc_fill_of(req)) == NULL)
		return;
	memset(&h, 0, sizeof(h));
	h.gen = fill->gen;
	h.status = status;
	h.page = !strncmp(ctype, "text/html", 9);
	if ((status != 200 && status != 400 && status != 404) ||
	    len > MC_BODY_MAX || (!h.page &&
	    strncmp(ctype, "application/json", 16)) ||
	    (h.page && fill->csrf[0] == '\0')) {
		mc_fill_done(fill);
		return;
	}
	/* Where the fetching reader's token stands in the page. */
	for (p = body, end = p + len; h.page && (size_t)(end - p) >= tok &&
	    (p = memmem(p, (size_t)(end - p), fill->csrf, tok)) != NULL;
	    p += tok) {
		if (h.ncsrf == MCACHE_CSRF_MAX) {
			mc_fill_done(fill);
			return;
		}
		h.csrf[h.ncsrf++] = (size_t)(p - (const char *)body);
	}
	data = kore_malloc(sizeof(h) + len);
	memcpy(data, &h, sizeof(h));
	memcpy(data + sizeof(h), body, len);
	pcache_put(mcache_store(), fill->key, data, sizeof(h) + len,
	    fill->born);
	kore_free(data);
	mc_fill_done(fill);
}

/* The request is over (db.c frees its steps): a fetch left undone. */
void
mcache_end(struct http_request *req)
{
	struct mc_fill	*fill;

	if (!TAILQ_EMPTY(&fills) && (fill = mc_fill_of(req)) != NULL)
		mc_fill_done(fill);
}

/*
 * The fetch is over, kept or not (then the next reader fetches): the
 * readers waiting for its key are woken.
 */
static void
mc_fill_done(struct mc_fill *fill)
{
	TAILQ_REMOVE(&fills, fill, link);
	pcache_abort(mcache_store(), fill->key);
	mc_wake(fill->key);
	kore_free(fill);
}

/*
 * Wakes the readers waiting for key, from a timer due at once: woken
 * within Kore's pass over the requests, they could wait for the worker's
 * next event before their turn.
 */
static void
mc_wake(const char *key)
{
	struct mc_wait	*w;
	int		 any = 0;

	TAILQ_FOREACH(w, &waits, link) {
		if (!strcmp(w->key, key))
			any = w->ready = 1;
	}
	if (any && !wake_pending) {
		wake_pending = 1;
		kore_timer_add(mc_wake_now, 0, NULL, KORE_TIMER_ONESHOT);
	}
}

static void
mc_wake_now(void *unused, u_int64_t now)
{
	struct mc_wait	*w, *next;

	(void)unused;
	(void)now;
	wake_pending = 0;
	for (w = TAILQ_FIRST(&waits); w != NULL; w = next) {
		next = TAILQ_NEXT(w, link);
		if (!w->ready)
			continue;
		TAILQ_REMOVE(&waits, w, link);
		http_request_wakeup(w->req);
		kore_free(w);
	}
}
