/*
 * Merkle trees: the reference vectors of RFC 6962 (as published with
 * Certificate Transparency's implementations), a naive MTH to compare
 * with, and randomized checks that every proof verifies and that any
 * altered leaf, root or proof element does not.
 */
#include "unit.h"

/* The eight inputs of the Certificate Transparency test vectors. */
static const struct { const char *data; size_t len; } ct_leaves[] = {
	{ "", 0 },
	{ "\x00", 1 },
	{ "\x10", 1 },
	{ "\x20\x21", 2 },
	{ "\x30\x31", 2 },
	{ "\x40\x41\x42\x43", 4 },
	{ "\x50\x51\x52\x53\x54\x55\x56\x57", 8 },
	{ "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
	  16 },
};

/* The roots of the trees of the first 0 .. 8 inputs. */
static const char *const ct_roots[] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* Inclusion proofs: leaf index (0-based), tree size, path. */
static const struct {
	uint64_t	 index, size;
	const char	*path[3];
	size_t		 n;
} ct_inclusion[] = {
	{ 0, 1, { NULL }, 0 },
	{ 0, 8, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" },
	  3 },
	{ 5, 8, {
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" },
	  3 },
	{ 2, 3, {
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" },
	  1 },
	{ 1, 5, {
	    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" },
	  3 },
};

/* Consistency proofs: first, second, path. */
static const struct {
	uint64_t	 first, second;
	const char	*path[3];
	size_t		 n;
} ct_consistency[] = {
	{ 1, 1, { NULL }, 0 },
	{ 1, 8, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" },
	  3 },
	{ 6, 8, {
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" },
	  3 },
	{ 2, 5, {
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" },
	  2 },
};

static void
unhex(const char *s, unsigned char *out)
{
	size_t	i;

	assert_int_equal(strlen(s), 2 * MERKLE_HASH);
	for (i = 0; i < MERKLE_HASH; i++)
		assert_int_equal(sscanf(s + 2 * i, "%2hhx", &out[i]), 1);
}

static void
ct_tree(unsigned char (*leaves)[MERKLE_HASH])
{
	size_t	i;

	for (i = 0; i < NELEM(ct_leaves); i++)
		merkle_leaf(ct_leaves[i].data, ct_leaves[i].len, leaves[i]);
}

/* MTH(D[a:b]) exactly as RFC 6962 section 2.1 writes it. */
static void
naive_mth(unsigned char (*leaves)[MERKLE_HASH], uint64_t a, uint64_t b,
    unsigned char *out)
{
	unsigned char	l[MERKLE_HASH], r[MERKLE_HASH];
	uint64_t	k;

	if (b - a == 1) {
		memcpy(out, leaves[a], MERKLE_HASH);
		return;
	}
	for (k = 1; k * 2 < b - a; k *= 2)
		;
	naive_mth(leaves, a, a + k, l);
	naive_mth(leaves, a + k, b, r);
	merkle_node(l, r, out);
}

static void
random_leaves(unsigned char (*leaves)[MERKLE_HASH], size_t n)
{
	unsigned char	data[24];
	size_t		i, j, len;

	for (i = 0; i < n; i++) {
		len = (size_t)(random() % (long)sizeof(data));
		for (j = 0; j < len; j++)
			data[j] = (unsigned char)random();
		merkle_leaf(data, len, leaves[i]);
	}
}

static void
test_vectors(void **state)
{
	unsigned char		leaves[8][MERKLE_HASH], root[MERKLE_HASH];
	unsigned char		want[MERKLE_HASH], r2[MERKLE_HASH];
	unsigned char		path[MERKLE_MAX_PATH][MERKLE_HASH];
	struct merkle_leaves	t = { leaves, 8 };
	size_t			i, k, n;

	(void)state;
	ct_tree(leaves);
	for (i = 0; i <= 8; i++) {
		t.n = i;
		assert_true(merkle_root(merkle_leaves_node, &t, i, root));
		unhex(ct_roots[i], want);
		assert_memory_equal(root, want, MERKLE_HASH);
	}
	t.n = 8;
	for (i = 0; i < NELEM(ct_inclusion); i++) {
		t.n = ct_inclusion[i].size;
		assert_true(merkle_inclusion(merkle_leaves_node, &t,
		    ct_inclusion[i].index, ct_inclusion[i].size, path, &n));
		assert_int_equal(n, ct_inclusion[i].n);
		for (k = 0; k < n; k++) {
			unhex(ct_inclusion[i].path[k], want);
			assert_memory_equal(path[k], want, MERKLE_HASH);
		}
		unhex(ct_roots[ct_inclusion[i].size], root);
		assert_true(merkle_verify_inclusion(ct_inclusion[i].index,
		    ct_inclusion[i].size, leaves[ct_inclusion[i].index],
		    (const unsigned char (*)[MERKLE_HASH])path, n, root));
		unhex(ct_roots[0], root);
		assert_false(merkle_verify_inclusion(ct_inclusion[i].index,
		    ct_inclusion[i].size, leaves[ct_inclusion[i].index],
		    (const unsigned char (*)[MERKLE_HASH])path, n, root));
	}
	for (i = 0; i < NELEM(ct_consistency); i++) {
		t.n = ct_consistency[i].second;
		assert_true(merkle_consistency(merkle_leaves_node, &t,
		    ct_consistency[i].first, ct_consistency[i].second,
		    path, &n));
		assert_int_equal(n, ct_consistency[i].n);
		for (k = 0; k < n; k++) {
			unhex(ct_consistency[i].path[k], want);
			assert_memory_equal(path[k], want, MERKLE_HASH);
		}
		unhex(ct_roots[ct_consistency[i].first], root);
		unhex(ct_roots[ct_consistency[i].second], r2);
		assert_true(merkle_verify_consistency(ct_consistency[i].first,
		    ct_consistency[i].second, root, r2,
		    (const unsigned char (*)[MERKLE_HASH])path, n));
		root[0] ^= 1;
		assert_false(merkle_verify_consistency(ct_consistency[i].first,
		    ct_consistency[i].second, root, r2,
		    (const unsigned char (*)[MERKLE_HASH])path, n));
	}
}

/* Roots through the perfect subtrees equal the RFC's recursion. */
static void
test_naive(void **state)
{
	static unsigned char	leaves[300][MERKLE_HASH];
	unsigned char		a[MERKLE_HASH], b[MERKLE_HASH];
	struct merkle_leaves	t = { leaves, 300 };
	uint64_t		n;

	(void)state;
	srandom(6962);
	random_leaves(leaves, 300);
	for (n = 1; n <= 300; n++) {
		t.n = n;
		assert_true(merkle_root(merkle_leaves_node, &t, n, a));
		naive_mth(leaves, 0, n, b);
		assert_memory_equal(a, b, MERKLE_HASH);
	}
	/* A range that does not start on its alignment is refused. */
	assert_false(merkle_range(merkle_leaves_node, &t, 1, 3, a));
	assert_false(merkle_range(merkle_leaves_node, &t, 5, 5, a));
	/* Nodes beyond the leaves do not exist. */
	t.n = 6;
	assert_false(merkle_leaves_node(&t, 1, 3, a));
	assert_false(merkle_leaves_node(&t, 3, 0, a));
	assert_true(merkle_leaves_node(&t, 2, 0, a));
}

static void
flip(unsigned char *h, int bit)
{
	h[bit / 8 % MERKLE_HASH] ^= (unsigned char)(1 << (bit % 8));
}

/* Every inclusion proof in trees of 1 .. 70 leaves, and altered ones. */
static void
test_inclusion_random(void **state)
{
	static unsigned char	leaves[70][MERKLE_HASH];
	unsigned char		root[MERKLE_HASH], leaf[MERKLE_HASH];
	unsigned char		path[MERKLE_MAX_PATH][MERKLE_HASH];
	struct merkle_leaves	t = { leaves, 0 };
	const unsigned char	(*cp)[MERKLE_HASH];
	uint64_t		size, i;
	size_t			n, k;

	(void)state;
	srandom(9162);
	random_leaves(leaves, 70);
	cp = (const unsigned char (*)[MERKLE_HASH])path;
	for (size = 1; size <= 70; size++) {
		t.n = size;
		assert_true(merkle_root(merkle_leaves_node, &t, size, root));
		for (i = 0; i < size; i++) {
			assert_true(merkle_inclusion(merkle_leaves_node, &t, i,
			    size, path, &n));
			assert_true(merkle_verify_inclusion(i, size, leaves[i],
			    cp, n, root));
			/* Any altered leaf fails. */
			memcpy(leaf, leaves[i], MERKLE_HASH);
			flip(leaf, (int)(random() % 256));
			assert_false(merkle_verify_inclusion(i, size, leaf,
			    cp, n, root));
			/* So does another leaf, or another position. */
			if (size > 1) {
				assert_false(merkle_verify_inclusion(i, size,
				    leaves[(i + 1) % size], cp, n, root));
				assert_false(merkle_verify_inclusion(
				    (i + 1) % size, size, leaves[i], cp, n,
				    root));
			}
			/* Or an altered, shortened or lengthened path. */
			for (k = 0; k < n; k++) {
				flip(path[k], 7);
				assert_false(merkle_verify_inclusion(i, size,
				    leaves[i], cp, n, root));
				flip(path[k], 7);
			}
			if (n > 0)
				assert_false(merkle_verify_inclusion(i, size,
				    leaves[i], cp, n - 1, root));
			memcpy(path[n], root, MERKLE_HASH);
			assert_false(merkle_verify_inclusion(i, size,
			    leaves[i], cp, n + 1, root));
		}
		assert_false(merkle_inclusion(merkle_leaves_node, &t, size,
		    size, path, &n));
	}
}

/* Every consistency proof between trees of 1 .. 40 leaves. */
static void
test_consistency_random(void **state)
{
	static unsigned char	leaves[40][MERKLE_HASH];
	unsigned char		roots[41][MERKLE_HASH], bad[MERKLE_HASH];
	unsigned char		path[MERKLE_MAX_PATH][MERKLE_HASH];
	struct merkle_leaves	t = { leaves, 40 };
	const unsigned char	(*cp)[MERKLE_HASH];
	uint64_t		m, n;
	size_t			len, k;

	(void)state;
	srandom(20250705);
	random_leaves(leaves, 40);
	cp = (const unsigned char (*)[MERKLE_HASH])path;
	for (n = 1; n <= 40; n++)
		assert_true(merkle_root(merkle_leaves_node, &t, n, roots[n]));
	for (n = 1; n <= 40; n++) {
		t.n = n;
		for (m = 1; m <= n; m++) {
			assert_true(merkle_consistency(merkle_leaves_node, &t,
			    m, n, path, &len));
			assert_true(merkle_verify_consistency(m, n, roots[m],
			    roots[n], cp, len));
			memcpy(bad, roots[m], MERKLE_HASH);
			flip(bad, (int)(random() % 256));
			assert_false(merkle_verify_consistency(m, n, bad,
			    roots[n], cp, len));
			memcpy(bad, roots[n], MERKLE_HASH);
			flip(bad, (int)(random() % 256));
			assert_false(merkle_verify_consistency(m, n, roots[m],
			    bad, cp, len));
			for (k = 0; k < len; k++) {
				flip(path[k], 3);
				assert_false(merkle_verify_consistency(m, n,
				    roots[m], roots[n], cp, len));
				flip(path[k], 3);
			}
			/* A different old size does not pass either. */
			if (m < n && m > 1)
				assert_false(merkle_verify_consistency(m - 1,
				    n, roots[m], roots[n], cp, len));
		}
	}
	assert_false(merkle_consistency(merkle_leaves_node, &t, 0, 5, path,
	    &len));
	assert_false(merkle_consistency(merkle_leaves_node, &t, 6, 5, path,
	    &len));
}

/* A recorded tape, filled and replayed, gives the same proof. */
static void
test_tape(void **state)
{
	static unsigned char	leaves[1000][MERKLE_HASH];
	unsigned char		want[MERKLE_MAX_PATH][MERKLE_HASH];
	unsigned char		got[MERKLE_MAX_PATH][MERKLE_HASH];
	unsigned char		r1[MERKLE_HASH], r2[MERKLE_HASH];
	struct merkle_leaves	t = { leaves, 1000 };
	struct merkle_tape	tape;
	size_t			i, n1, n2;

	(void)state;
	srandom(1);
	random_leaves(leaves, 1000);
	assert_true(merkle_consistency(merkle_leaves_node, &t, 777, 1000,
	    want, &n1));

	merkle_tape_init(&tape);
	assert_true(merkle_consistency(merkle_tape_node, &tape, 777, 1000,
	    got, &n2));
	assert_int_equal(n1, n2);
	/* O(log n) nodes, each fetched from a store of subtrees. */
	assert_true(tape.n < 40);
	for (i = 0; i < tape.n; i++) {
		assert_true(merkle_leaves_node(&t, tape.node[i].level,
		    tape.node[i].index, tape.node[i].hash));
		tape.node[i].set = 1;
	}
	merkle_tape_rewind(&tape);
	assert_true(merkle_consistency(merkle_tape_node, &tape, 777, 1000,
	    got, &n2));
	assert_int_equal(n1, n2);
	assert_memory_equal(want, got, n1 * MERKLE_HASH);
	/* A computation that asks for other nodes fails on replay. */
	merkle_tape_rewind(&tape);
	assert_false(merkle_consistency(merkle_tape_node, &tape, 776, 1000,
	    got, &n2));
	merkle_tape_free(&tape);

	/* The root of 1000 leaves from its frontier, one subtree a bit. */
	merkle_tape_init(&tape);
	assert_true(merkle_root(merkle_tape_node, &tape, 1000, r1));
	assert_int_equal(tape.n, 6);	/* 1000 = 512+256+128+64+32+8 */
	for (i = 0; i < tape.n; i++) {
		assert_true(merkle_leaves_node(&t, tape.node[i].level,
		    tape.node[i].index, tape.node[i].hash));
		tape.node[i].set = 1;
	}
	merkle_tape_rewind(&tape);
	assert_true(merkle_root(merkle_tape_node, &tape, 1000, r1));
	assert_true(merkle_root(merkle_leaves_node, &t, 1000, r2));
	assert_memory_equal(r1, r2, MERKLE_HASH);
	merkle_tape_free(&tape);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_naive),
		cmocka_unit_test(test_inclusion_random),
		cmocka_unit_test(test_consistency_random),
		cmocka_unit_test(test_tape),
	};

	return (cmocka_run_group_tests_name("merkle", tests, NULL, NULL));
}
