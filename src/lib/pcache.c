/*
 * Answers kept for a short time, by key: each worker keeps one such cache
 * for the transparency page, so that a crowd on it costs the database a
 * couple of queries a second per worker, however large the crowd.
 *
 * An entry is born when its data were asked of the database (before the
 * query was sent, so its data are at least that recent).  One request at
 * a time fetches a key (the entry is then "refreshing"):
 *
 *	age < fresh		served as is
 *	fresh <= age < max	the first asker fetches the next; meanwhile
 *				the others are served this one
 *	max <= age, or none	never served: the first asker fetches, the
 *				others wait for it (pcache_get says so)
 *
 * A change in the database is thus seen at most max after its commit,
 * and a crowd makes one query, not one each, even when an answer takes
 * longer than max - fresh to come.  The fetcher gives its answer to
 * pcache_put, or calls pcache_abort when it has none (the next asker then
 * fetches).  Slots are few and fixed: a new key takes a free slot, or the
 * one served least recently.  fresh = 0 turns the cache off.
 *
 * Times are milliseconds of any clock that does not go back.
 */
#include <stdlib.h>
#include <string.h>

#include "lib.h"

static uint64_t			 key_hash(const char *);
static struct pcache_entry	*find(struct pcache *, const char *);
static struct pcache_entry	*slot_for(struct pcache *, const char *);

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

/* FNV-1a: slots are compared by hash first, the key only on a match. */
static uint64_t
key_hash(const char *key)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 0x100000001b3ULL;
	return (h);
}

static struct pcache_entry *
find(struct pcache *c, const char *key)
{
	uint64_t	h = key_hash(key);
	size_t		i;

	for (i = 0; i < c->n; i++) {
		if (c->slot[i].hash == h && c->slot[i].key != NULL &&
		    !strcmp(c->slot[i].key, key))
			return (&c->slot[i]);
	}
	return (NULL);
}

/* A slot for a new key: a free one, or the one served least recently. */
static struct pcache_entry *
slot_for(struct pcache *c, const char *key)
{
	struct pcache_entry	*e, *old = &c->slot[0];
	size_t			 i;

	for (i = 0; i < c->n; i++) {
		e = &c->slot[i];
		if (e->key == NULL) {
			old = e;
			break;
		}
		if (e->used < old->used)
			old = e;
	}
	free(old->key);
	free(old->data);
	memset(old, 0, sizeof(*old));
	if ((old->key = strdup(key)) == NULL)
		abort();
	old->hash = key_hash(key);
	return (old);
}

/*
 * The entry to serve for key at time now, or NULL.  With NULL, *wait
 * says what to do: 0, fetch the data and give them to pcache_put (or
 * call pcache_abort); 1, another request is fetching them: wait for its
 * pcache_put or pcache_abort, then ask again.  The entry stays valid
 * until the next pcache_put for another key.
 */
const struct pcache_entry *
pcache_get(struct pcache *c, const char *key, uint64_t now, int *wait)
{
	struct pcache_entry	*e;
	uint64_t		 age;

	*wait = 0;
	if (c->fresh == 0)
		return (NULL);
	if ((e = find(c, key)) == NULL) {
		e = slot_for(c, key);
		e->used = now;
		e->refreshing = 1;
		return (NULL);
	}
	age = now > e->born ? now - e->born : 0;
	if (e->data != NULL && (age < c->fresh ||
	    (age < c->max && e->refreshing))) {
		e->used = now;
		return (e);
	}
	if (e->refreshing) {
		*wait = 1;
		return (NULL);
	}
	e->refreshing = 1;
	return (NULL);
}

/* The entry for key if it is fresh, or NULL; nothing is marked. */
const struct pcache_entry *
pcache_peek(struct pcache *c, const char *key, uint64_t now)
{
	struct pcache_entry	*e;

	if (c->fresh == 0 || (e = find(c, key)) == NULL || e->data == NULL ||
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
 * fetch is over.
 */
void
pcache_put(struct pcache *c, const char *key, const char *data, size_t len,
    uint64_t born)
{
	struct pcache_entry	*e;

	if (c->fresh == 0)
		return;
	if ((e = find(c, key)) == NULL)
		e = slot_for(c, key);
	e->refreshing = 0;
	if (e->data != NULL && e->born >= born)
		return;
	free(e->data);
	if ((e->data = malloc(len + 1)) == NULL)
		abort();
	memcpy(e->data, data, len);
	e->data[len] = '\0';
	e->len = len;
	e->born = born;
	if (e->used < born)
		e->used = born;
}

/* The data of key are too old to serve, whatever their age. */
void
pcache_expire(struct pcache *c, const char *key)
{
	struct pcache_entry	*e;

	if ((e = find(c, key)) != NULL && e->data != NULL) {
		free(e->data);
		e->data = NULL;
		e->len = 0;
	}
}

/* The fetch of key failed: the next asker fetches. */
void
pcache_abort(struct pcache *c, const char *key)
{
	struct pcache_entry	*e;

	if ((e = find(c, key)) != NULL)
		e->refreshing = 0;
}
