/*
 * Answers kept for a short time, by key: each worker keeps one such cache
 * for the transparency page, so that a crowd on it costs the database one
 * query a second or so per worker, however large the crowd.
 *
 * An entry is born when its data was asked of the database (before the
 * query was sent, so its data are at least that recent).  It is served
 * as is while younger than fresh; between fresh and max it is still
 * served to others while one request fetches its successor (so a crowd
 * does not all miss at once when it ages); it is never served at max or
 * older.  A change in the database is thus seen at most max after it was
 * committed.  Slots are few and fixed: a new key takes a free slot, or
 * the one served least recently.  fresh = 0 turns the cache off.
 *
 * Times are milliseconds of any clock that does not go back.
 */
#include <stdlib.h>
#include <string.h>

#include "lib.h"

static struct pcache_entry	*find(struct pcache *, const char *);

void
pcache_init(struct pcache *c, size_t slots, uint64_t fresh, uint64_t max)
{
	memset(c, 0, sizeof(*c));
	c->n = slots;
	c->fresh = fresh;
	c->max = max < fresh ? fresh : max;
	if ((c->slot = calloc(slots, sizeof(*c->slot))) == NULL)
		abort();
}

void
pcache_free(struct pcache *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++) {
		free(c->slot[i].key);
		free(c->slot[i].data);
	}
	free(c->slot);
	memset(c, 0, sizeof(*c));
}

static struct pcache_entry *
find(struct pcache *c, const char *key)
{
	size_t	i;

	for (i = 0; i < c->n; i++) {
		if (c->slot[i].key != NULL && !strcmp(c->slot[i].key, key))
			return (&c->slot[i]);
	}
	return (NULL);
}

/*
 * The entry to serve for key at time now, or NULL: the caller then asks
 * the database and gives the answer to pcache_put (or pcache_abort if it
 * has none).  A NULL for an entry between fresh and max marks it as
 * being refreshed, so that others keep being served it meanwhile.  The
 * entry stays valid until the next pcache_put.
 */
const struct pcache_entry *
pcache_get(struct pcache *c, const char *key, uint64_t now)
{
	struct pcache_entry	*e;
	uint64_t		 age;

	if (c->fresh == 0 || (e = find(c, key)) == NULL)
		return (NULL);
	age = now > e->born ? now - e->born : 0;
	if (age < c->fresh || (age < c->max && e->refreshing)) {
		e->used = now;
		return (e);
	}
	if (age < c->max)
		e->refreshing = 1;
	return (NULL);
}

/* The entry for key if it is fresh, or NULL; nothing is marked. */
const struct pcache_entry *
pcache_peek(struct pcache *c, const char *key, uint64_t now)
{
	struct pcache_entry	*e;

	if (c->fresh == 0 || (e = find(c, key)) == NULL ||
	    (now > e->born && now - e->born >= c->fresh))
		return (NULL);
	e->used = now;
	return (e);
}

/*
 * Keeps data (len bytes, copied) for key, asked for at time born; an
 * entry already there that is as young or younger stays (answers whose
 * oldest part was asked for at the same time are as fresh; the first
 * stays, so that readers within a second see one answer).  The key's
 * refresh is over.
 */
void
pcache_put(struct pcache *c, const char *key, const char *data, size_t len,
    uint64_t born)
{
	struct pcache_entry	*e, *old;
	size_t			 i;

	if (c->fresh == 0)
		return;
	if ((e = find(c, key)) != NULL) {
		e->refreshing = 0;
		if (e->born >= born)
			return;
	} else {
		old = &c->slot[0];
		for (i = 0; i < c->n; i++) {
			e = &c->slot[i];
			if (e->key == NULL)
				break;
			if (e->used < old->used)
				old = e;
		}
		if (i == c->n)
			e = old;
		free(e->key);
		memset(e, 0, sizeof(*e));
		if ((e->key = strdup(key)) == NULL)
			abort();
	}
	free(e->data);
	if ((e->data = malloc(len + 1)) == NULL)
		abort();
	memcpy(e->data, data, len);
	e->data[len] = '\0';
	e->len = len;
	e->born = born;
	e->used = born;
}

/* The refresh of key failed: the next request past fresh tries again. */
void
pcache_abort(struct pcache *c, const char *key)
{
	struct pcache_entry	*e;

	if ((e = find(c, key)) != NULL)
		e->refreshing = 0;
}
