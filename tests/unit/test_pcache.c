/*
 * The short-lived cache of answers: fresh; served stale only while one
 * request fetches the next; never at max age, when the others wait for
 * the one fetching; a late answer does not replace a newer one; eviction
 * of the least recently served; off when fresh = 0.
 */
#include "unit.h"

static void
put(struct pcache *c, const char *key, const char *data, uint64_t born)
{
	pcache_put(c, key, data, strlen(data), born);
}

/* The data served, or "FETCH" (this asker fetches) or "WAIT". */
static const char *
get(struct pcache *c, const char *key, uint64_t now)
{
	const struct pcache_entry	*e;
	int				 wait;

	if ((e = pcache_get(c, key, now, &wait)) != NULL)
		return (e->data);
	return (wait ? "WAIT" : "FETCH");
}

static void
test_ages(void **state)
{
	struct pcache	c;

	(void)state;
	pcache_init(&c, 4, 500, 1000);
	/* Nothing yet: the first fetches, the others wait for it. */
	assert_string_equal(get(&c, "k", 1000), "FETCH");
	assert_string_equal(get(&c, "k", 1001), "WAIT");
	put(&c, "k", "one", 1000);
	assert_string_equal(get(&c, "k", 1010), "one");
	assert_string_equal(get(&c, "k", 1499), "one");
	/* Past fresh: the first asker fetches, the others get it stale. */
	assert_string_equal(get(&c, "k", 1500), "FETCH");
	assert_string_equal(get(&c, "k", 1600), "one");
	assert_string_equal(get(&c, "k", 1999), "one");
	/* Never at max age: while the fetch goes on, they wait. */
	assert_string_equal(get(&c, "k", 2000), "WAIT");
	assert_string_equal(get(&c, "k", 2500), "WAIT");
	put(&c, "k", "two", 1500);
	assert_string_equal(get(&c, "k", 2600), "FETCH");	/* 1100 old */
	assert_string_equal(get(&c, "k", 2610), "WAIT");
	/* The fetch failed: the next asker fetches. */
	pcache_abort(&c, "k");
	assert_string_equal(get(&c, "k", 2620), "FETCH");
	put(&c, "k", "three", 2620);
	assert_string_equal(get(&c, "k", 2700), "three");
	/* Past max with nobody fetching: the asker fetches. */
	assert_string_equal(get(&c, "k", 5000), "FETCH");
	/* Other keys are apart. */
	assert_string_equal(get(&c, "other", 5000), "FETCH");
	pcache_free(&c);
}

static void
test_peek(void **state)
{
	struct pcache	c;

	(void)state;
	pcache_init(&c, 4, 500, 1000);
	assert_null(pcache_peek(&c, "k", 1000));
	assert_string_equal(get(&c, "k", 1000), "FETCH");
	assert_null(pcache_peek(&c, "k", 1000));	/* no data yet */
	put(&c, "k", "one", 1000);
	assert_non_null(pcache_peek(&c, "k", 1499));
	/* Only fresh, and a peek past fresh marks no fetch. */
	assert_null(pcache_peek(&c, "k", 1500));
	assert_null(pcache_peek(&c, "k", 1800));
	assert_string_equal(get(&c, "k", 1800), "FETCH");
	assert_string_equal(get(&c, "k", 1810), "one");
	pcache_free(&c);
}

static void
test_late_answer(void **state)
{
	struct pcache	c;

	(void)state;
	pcache_init(&c, 4, 500, 1000);
	put(&c, "k", "new", 5000);
	/* An answer asked for earlier, arriving later, is older. */
	put(&c, "k", "old", 4000);
	assert_string_equal(get(&c, "k", 5100), "new");
	/* One as old: the first stays. */
	put(&c, "k", "same age", 5000);
	assert_string_equal(get(&c, "k", 5100), "new");
	/* A clock read before the entry was born is age 0. */
	assert_string_equal(get(&c, "k", 4900), "new");
	pcache_free(&c);
}

static void
test_eviction(void **state)
{
	struct pcache	c;
	char		key[16];
	int		i;

	(void)state;
	pcache_init(&c, 3, 500, 1000);
	put(&c, "a", "A", 100);
	put(&c, "b", "B", 110);
	put(&c, "c", "C", 120);
	assert_string_equal(get(&c, "a", 200), "A");	/* a served last */
	put(&c, "d", "D", 210);				/* b goes */
	assert_string_equal(get(&c, "b", 220), "FETCH");	/* c goes */
	assert_string_equal(get(&c, "a", 230), "A");
	assert_string_equal(get(&c, "d", 240), "D");
	assert_string_equal(get(&c, "c", 250), "FETCH");
	/* Many keys never take more than the slots. */
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		put(&c, key, key, 300 + i);
	}
	assert_string_equal(get(&c, "k99", 400), "k99");
	assert_string_equal(get(&c, "k98", 400), "k98");
	assert_string_equal(get(&c, "k0", 400), "FETCH");
	pcache_free(&c);
}

static void
test_off(void **state)
{
	struct pcache	c;

	(void)state;
	pcache_init(&c, 4, 0, 0);
	assert_string_equal(get(&c, "k", 1000), "FETCH");
	assert_string_equal(get(&c, "k", 1000), "FETCH");
	put(&c, "k", "one", 1000);
	assert_string_equal(get(&c, "k", 1000), "FETCH");
	pcache_free(&c);
}

/* Data made old by a write: the next asker fetches, the others wait. */
static void
test_expire(void **state)
{
	struct pcache	c;

	(void)state;
	pcache_init(&c, 4, 1000, 1000);
	put(&c, "k", "one", 1000);
	assert_string_equal(get(&c, "k", 1100), "one");
	pcache_expire(&c, "k");
	assert_string_equal(get(&c, "k", 1100), "FETCH");
	assert_string_equal(get(&c, "k", 1101), "WAIT");
	put(&c, "k", "two", 1100);
	assert_string_equal(get(&c, "k", 1200), "two");
	pcache_expire(&c, "none");	/* no such key: nothing happens */
	assert_string_equal(get(&c, "k", 1200), "two");
	pcache_free(&c);
}

static void
test_binary(void **state)
{
	struct pcache			 c;
	const struct pcache_entry	*e;
	int				 wait;

	(void)state;
	pcache_init(&c, 2, 500, 1000);
	pcache_put(&c, "k", "a\0b", 3, 10);
	assert_non_null(e = pcache_get(&c, "k", 10, &wait));
	assert_int_equal(e->len, 3);
	assert_memory_equal(e->data, "a\0b", 3);
	pcache_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ages),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_late_answer),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_binary),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
