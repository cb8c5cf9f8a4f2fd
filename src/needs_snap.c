/*
 * The open needs as the matching engine reads them (matching.c): one
 * query's rows of api.match_needs, sorted by kind and category, and the
 * snapshot each worker keeps of them.
 *
 * The snapshot is kept for SHOP_MATCH_CACHE_SECONDS (5): loading 100,000
 * rows costs far more than the engine itself (~0.25 s against ~0.01 s),
 * and a proposal a few seconds stale is only a proposal: accepting one
 * loads the needs afresh, and the pledge is made under the usual rules
 * (the cap refuses what is no longer there).  When it has expired, one
 * run reloads it and the others of the worker use the old one meanwhile,
 * so that a busy worker does not load 100,000 rows once per request.  A
 * snapshot keeps the query's PGresult as the storage of its texts; it is
 * reference-counted on the event loop and only read by task threads.
 */
#include <stdlib.h>
#include <string.h>

#include "shop.h"

static struct needs_snap	*cache;
static int			 cache_seconds = -1;
static int			 cache_loading;	/* a run reloads it */

static int	 cache_ttl(void);
static int64_t	 num(const char *);
static int	 str_cmp(const void *, const void *);
static size_t	 rows_order(PGresult *, int *);

static int64_t
num(const char *s)
{
	return (s != NULL ? strtoll(s, NULL, 10) : 0);
}

static int
cache_ttl(void)
{
	const char	*v;

	if (cache_seconds < 0) {
		v = getenv("SHOP_MATCH_CACHE_SECONDS");
		cache_seconds = v != NULL ? atoi(v) : 5;
		if (cache_seconds < 0)
			cache_seconds = 0;
	}
	return (cache_seconds);
}

/* Drops a reference; the last one frees (on the event loop only). */
void
needs_snap_release(struct needs_snap *s)
{
	if (s == NULL || --s->refs > 0)
		return;
	PQclear(s->res);
	free(s->v);
	free(s->org);
	free(s);
}

static int
str_cmp(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

/*
 * The rows of res in the order of their kind (the engine's order), then
 * category (byte order), as row numbers: a counting sort, as categories
 * are few (a table of slugs); rows of no known kind are left out.
 * Returns how many rows it ordered.
 */
static size_t
rows_order(PGresult *res, int *order)
{
	const char	**cats = NULL, *c;
	size_t		  ncat = 0, cap = 0, n, i, j, *count, nkey, sum, t;
	int		 *key;

	n = (size_t)PQntuples(res);
	if ((key = calloc(n + 1, sizeof(*key))) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		c = PQgetvalue(res, (int)i, 2);
		for (j = 0; j < ncat && strcmp(cats[j], c); j++)
			continue;
		if (j == ncat) {
			if (ncat == cap) {
				cap = cap ? cap * 2 : 32;
				if ((cats = realloc(cats, cap * sizeof(*cats))) ==
				    NULL)
					abort();
			}
			cats[ncat++] = c;
		}
	}
	qsort(cats, ncat, sizeof(*cats), str_cmp);
	nkey = MATCH_NKINDS * (ncat + 1);
	if ((count = calloc(nkey + 1, sizeof(*count))) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		c = PQgetvalue(res, (int)i, 2);
		key[i] = match_kind_parse(PQgetvalue(res, (int)i, 1));
		if (key[i] < 0)
			continue;
		/* Few categories: a binary search in the sorted names. */
		for (j = 0, t = ncat; j < t; ) {
			if (strcmp(cats[j + (t - j) / 2], c) < 0)
				j = j + (t - j) / 2 + 1;
			else
				t = j + (t - j) / 2;
		}
		key[i] = key[i] * (int)(ncat + 1) + (int)j;
		count[key[i] + 1]++;
	}
	for (i = 0, sum = 0; i <= nkey; i++) {
		sum += count[i];
		count[i] = sum;
	}
	for (i = 0; i < n; i++)
		if (key[i] >= 0)
			order[count[key[i]]++] = (int)i;
	sum = count[nkey - 1];
	free(count);
	free(key);
	free(cats);
	return (sum);
}

/*
 * The snapshot of the rows of api.match_needs in res, which it keeps
 * (their texts are the needs'), sorted by kind and category.  Runs on a
 * task thread: libc memory only.  One reference, the caller's.
 */
struct needs_snap *
needs_snap_build(PGresult *res)
{
	struct needs_snap	*s;
	struct match_need	*m;
	size_t			 k, n, nrows;
	int			*order, i;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		abort();
	n = res != NULL ? (size_t)PQntuples(res) : 0;
	if ((s->v = calloc(n + 1, sizeof(*s->v))) == NULL ||
	    (s->org = calloc(n + 1, sizeof(*s->org))) == NULL ||
	    (order = calloc(n + 1, sizeof(*order))) == NULL)
		abort();
	s->res = res;
	s->refs = 1;
	nrows = n > 0 ? rows_order(res, order) : 0;
	for (k = 0; k < nrows; k++) {
		i = order[k];
		m = &s->v[s->n];
		m->id = num(PQgetvalue(res, i, 0));
		if ((m->kind = match_kind_parse(PQgetvalue(res, i,
		    1))) < 0)
			continue;
		m->category = PQgetvalue(res, i, 2);
		m->item = PQgetvalue(res, i, 3);
		m->spec = PQgetvalue(res, i, 4);
		m->remaining = num(PQgetvalue(res, i, 5));
		m->unit_amount = num(PQgetvalue(res, i, 6));
		m->town = (int)num(PQgetvalue(res, i, 7));
		m->urgency = (int)num(PQgetvalue(res, i, 8));
		m->deadline = (int32_t)num(PQgetvalue(res, i, 9));
		m->opened = (int32_t)num(PQgetvalue(res, i, 10));
		m->campaign = (int)num(PQgetvalue(res, i, 11));
		s->org[s->n] = num(PQgetvalue(res, i, 12));
		s->n++;
	}
	free(order);
	return (s);
}

/*
 * The range [*lo, *hi) of the snapshot that offer o may give to: its
 * kind, and its category when it names one.
 */
void
needs_snap_range(const struct needs_snap *s, const struct match_offer *o,
    size_t *lo, size_t *hi)
{
	const char	*cat = o->category != NULL ? o->category : "";
	size_t		 a = 0, b = s->n, mid;

	while (a < b) {		/* the first of its kind (and category) */
		mid = a + (b - a) / 2;
		if (s->v[mid].kind < o->kind || (s->v[mid].kind == o->kind &&
		    *cat != '\0' && strcmp(s->v[mid].category, cat) < 0))
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a;
	b = s->n;
	while (a < b) {		/* the first after them */
		mid = a + (b - a) / 2;
		if (s->v[mid].kind < o->kind || (s->v[mid].kind == o->kind &&
		    (*cat == '\0' || strcmp(s->v[mid].category, cat) <= 0)))
			a = mid + 1;
		else
			b = mid;
	}
	*hi = a;
}

/*
 * A reference to the worker's snapshot while it is fresh, or while
 * another run reloads it.  NULL when the caller must load the needs: it
 * is then the loader (*loader = 1) and ends with needs_snap_keep or, if
 * it gives up, needs_snap_abandon.
 */
struct needs_snap *
needs_snap_cached(int *loader)
{
	if (cache != NULL && (cache_loading ||
	    kore_time_ms() - cache->loaded < (uint64_t)cache_ttl() * 1000)) {
		cache->refs++;
		return (cache);
	}
	*loader = 1;
	cache_loading = 1;
	return (NULL);
}

/* The loader's new snapshot s becomes the worker's (one more reference). */
void
needs_snap_keep(struct needs_snap *s)
{
	s->loaded = kore_time_ms();
	needs_snap_release(cache);
	cache = s;
	cache->refs++;
	cache_loading = 0;
}

/* The loader gave up: the next run loads. */
void
needs_snap_abandon(void)
{
	cache_loading = 0;
}
