/*
 * Merkle trees in the manner of Certificate Transparency (RFC 6962, RFC
 * 9162 section 2.1): leaf hash = SHA-256(0x00 || entry), node hash =
 * SHA-256(0x01 || left || right), the tree over n leaves split at the
 * largest power of two below n.
 *
 * Roots and proofs are computed from the hashes of perfect subtrees,
 * asked of a node source (merkle_node_fn): node (level, index) covers
 * leaves index * 2^level .. (index + 1) * 2^level - 1.  The log keeps
 * those hashes as it grows (sql/008_public_log.sql), so a root or a proof
 * costs O(log n) lookups whatever the size of the log.  A tape records
 * the nodes a computation asks for, so that a caller can fetch them all
 * in one query and run the computation again over what it fetched.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib.h"

struct proof {
	merkle_node_fn	  node;
	void		 *arg;
	unsigned char	(*path)[MERKLE_HASH];
	size_t		  n;
	size_t		  cap;
};

static uint64_t	split(uint64_t);
static int	push_range(struct proof *, uint64_t, uint64_t);
static int	path(struct proof *, uint64_t, uint64_t, uint64_t);
static int	subproof(struct proof *, uint64_t, uint64_t, uint64_t, int);

/* SHA-256(0x00 || data). */
void
merkle_leaf(const void *data, size_t len, unsigned char *out)
{
	static const unsigned char	 zero = 0x00;
	EVP_MD_CTX			*ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, &zero, 1) ||
	    !EVP_DigestUpdate(ctx, data, len) ||
	    !EVP_DigestFinal_ex(ctx, out, NULL))
		abort();
	EVP_MD_CTX_free(ctx);
}

/* SHA-256(0x01 || left || right). */
void
merkle_node(const unsigned char *left, const unsigned char *right,
    unsigned char *out)
{
	unsigned char	in[1 + 2 * MERKLE_HASH];

	in[0] = 0x01;
	memcpy(in + 1, left, MERKLE_HASH);
	memcpy(in + 1 + MERKLE_HASH, right, MERKLE_HASH);
	if (!EVP_Digest(in, sizeof(in), out, NULL, EVP_sha256(), NULL))
		abort();
}

/* The root of the empty tree: SHA-256 of nothing. */
void
merkle_empty(unsigned char *out)
{
	if (!EVP_Digest("", 0, out, NULL, EVP_sha256(), NULL))
		abort();
}

/* The largest power of two below n (n >= 2). */
static uint64_t
split(uint64_t n)
{
	return ((uint64_t)1 << (63 - __builtin_clzll(n - 1)));
}

/*
 * The hash of leaves start .. end - 1 as a tree of their own (MTH of RFC
 * 6962), for a range that starts on a multiple of the smallest power of
 * two at least as large as the range: every range an RFC proof names is
 * one.  It is the fold, from the right, of the perfect subtrees given by
 * the bits of end - start.  Returns 0 when the range is not aligned or
 * the node source fails.
 */
int
merkle_range(merkle_node_fn node, void *arg, uint64_t start, uint64_t end,
    unsigned char *out)
{
	unsigned char	nodes[64][MERKLE_HASH];
	uint64_t	size, pos;
	int		level, n;

	if (end <= start)
		return (0);
	size = end - start;
	pos = start;
	n = 0;
	for (level = 63; level >= 0; level--) {
		if (!((size >> level) & 1))
			continue;
		if (pos & (((uint64_t)1 << level) - 1))
			return (0);
		if (!node(arg, (unsigned int)level, pos >> level, nodes[n]))
			return (0);
		pos += (uint64_t)1 << level;
		n++;
	}
	memcpy(out, nodes[n - 1], MERKLE_HASH);
	for (n -= 2; n >= 0; n--)
		merkle_node(nodes[n], out, out);
	return (1);
}

/* The root of the tree of the first size leaves. */
int
merkle_root(merkle_node_fn node, void *arg, uint64_t size,
    unsigned char *out)
{
	if (size == 0) {
		merkle_empty(out);
		return (1);
	}
	return (merkle_range(node, arg, 0, size, out));
}

static int
push_range(struct proof *p, uint64_t start, uint64_t end)
{
	if (p->n == p->cap)
		return (0);
	return (merkle_range(p->node, p->arg, start, end, p->path[p->n++]));
}

/* PATH(m, D[a:b]) of RFC 6962 section 2.1.1. */
static int
path(struct proof *p, uint64_t m, uint64_t a, uint64_t b)
{
	uint64_t	k;

	if (b - a == 1)
		return (1);
	k = split(b - a);
	if (m < a + k)
		return (path(p, m, a, a + k) && push_range(p, a + k, b));
	return (path(p, m, a + k, b) && push_range(p, a, a + k));
}

/*
 * SUBPROOF(m, D[a:b], whole) of RFC 6962 section 2.1.2: m is the size of
 * the old tree within D[a:b].
 */
static int
subproof(struct proof *p, uint64_t m, uint64_t a, uint64_t b, int whole)
{
	uint64_t	k;

	if (m == b - a)
		return (whole ? 1 : push_range(p, a, b));
	k = split(b - a);
	if (m <= k)
		return (subproof(p, m, a, a + k, whole) &&
		    push_range(p, a + k, b));
	return (subproof(p, m - k, a + k, b, 0) && push_range(p, a, a + k));
}

/*
 * The inclusion proof of leaf index in the tree of size leaves, into
 * out (room for MERKLE_MAX_PATH hashes), its length in *n.  Returns 0
 * when index is not below size or the node source fails.
 */
int
merkle_inclusion(merkle_node_fn node, void *arg, uint64_t index,
    uint64_t size, unsigned char (*out)[MERKLE_HASH], size_t *n)
{
	struct proof	p = { node, arg, out, 0, MERKLE_MAX_PATH };

	*n = 0;
	if (index >= size)
		return (0);
	if (!path(&p, index, 0, size))
		return (0);
	*n = p.n;
	return (1);
}

/*
 * The consistency proof between the trees of first and second leaves
 * (0 < first <= second; empty when they are equal).
 */
int
merkle_consistency(merkle_node_fn node, void *arg, uint64_t first,
    uint64_t second, unsigned char (*out)[MERKLE_HASH], size_t *n)
{
	struct proof	p = { node, arg, out, 0, MERKLE_MAX_PATH };

	*n = 0;
	if (first == 0 || first > second)
		return (0);
	if (first == second)
		return (1);
	if (!subproof(&p, first, 0, second, 1))
		return (0);
	*n = p.n;
	return (1);
}

/* RFC 9162 section 2.1.3.2: whether path proves leaf at index in root. */
int
merkle_verify_inclusion(uint64_t index, uint64_t size,
    const unsigned char *leaf, const unsigned char (*path_)[MERKLE_HASH],
    size_t n, const unsigned char *root)
{
	unsigned char	r[MERKLE_HASH];
	uint64_t	fn, sn;
	size_t		i;

	if (index >= size)
		return (0);
	fn = index;
	sn = size - 1;
	memcpy(r, leaf, MERKLE_HASH);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return (0);
		if ((fn & 1) || fn == sn) {
			merkle_node(path_[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			merkle_node(r, path_[i], r);
		fn >>= 1;
		sn >>= 1;
	}
	return (sn == 0 && !memcmp(r, root, MERKLE_HASH));
}

/*
 * RFC 9162 section 2.1.4.2: whether path proves that the tree of second
 * leaves with root2 extends the tree of first leaves with root1.
 */
int
merkle_verify_consistency(uint64_t first, uint64_t second,
    const unsigned char *root1, const unsigned char *root2,
    const unsigned char (*path_)[MERKLE_HASH], size_t n)
{
	unsigned char		 fr[MERKLE_HASH], sr[MERKLE_HASH];
	const unsigned char	*c;
	uint64_t		 fn, sn;
	size_t			 i;

	if (first == 0 || first > second)
		return (0);
	if (first == second)
		return (n == 0 && !memcmp(root1, root2, MERKLE_HASH));
	if (n == 0)
		return (0);
	/* A first tree of a power of two leaves is a node of the second. */
	i = 0;
	if ((first & (first - 1)) == 0)
		c = root1;
	else
		c = path_[i++];
	fn = first - 1;
	sn = second - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, c, MERKLE_HASH);
	memcpy(sr, c, MERKLE_HASH);
	for (; i < n; i++) {
		c = path_[i];
		if (sn == 0)
			return (0);
		if ((fn & 1) || fn == sn) {
			merkle_node(c, fr, fr);
			merkle_node(c, sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			merkle_node(sr, c, sr);
		fn >>= 1;
		sn >>= 1;
	}
	return (sn == 0 && !memcmp(fr, root1, MERKLE_HASH) &&
	    !memcmp(sr, root2, MERKLE_HASH));
}

/*
 * A node source over an array of leaf hashes (struct merkle_leaves): a
 * node is computed from its leaves.  For tests and small trees.
 */
int
merkle_leaves_node(void *arg, unsigned int level, uint64_t index,
    unsigned char *out)
{
	const struct merkle_leaves	*t = arg;
	unsigned char			 l[MERKLE_HASH], r[MERKLE_HASH];

	if (level >= 64 || index >= (t->n >> level))
		return (0);
	if (level == 0) {
		memcpy(out, t->hash[index], MERKLE_HASH);
		return (1);
	}
	if (!merkle_leaves_node(arg, level - 1, 2 * index, l) ||
	    !merkle_leaves_node(arg, level - 1, 2 * index + 1, r))
		return (0);
	merkle_node(l, r, out);
	return (1);
}

void
merkle_tape_init(struct merkle_tape *t)
{
	memset(t, 0, sizeof(*t));
}

void
merkle_tape_free(struct merkle_tape *t)
{
	free(t->node);
	memset(t, 0, sizeof(*t));
}

/*
 * A node source that records (tape->replay == 0: answers zeros and notes
 * which node was asked) or replays (answers the hashes the caller stored
 * in the recorded order, and fails if the computation asks for anything
 * else).  Recording fails beyond MERKLE_MAX_TAPE nodes.
 */
int
merkle_tape_node(void *arg, unsigned int level, uint64_t index,
    unsigned char *out)
{
	struct merkle_tape	*t = arg;
	struct merkle_tape_node	*nd;

	if (!t->replay) {
		if (t->n == MERKLE_MAX_TAPE)
			return (0);
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 64;
			t->node = realloc(t->node, t->cap * sizeof(*t->node));
			if (t->node == NULL)
				abort();
		}
		nd = &t->node[t->n++];
		memset(nd, 0, sizeof(*nd));
		nd->level = level;
		nd->index = index;
		memset(out, 0, MERKLE_HASH);
		return (1);
	}
	if (t->pos == t->n)
		return (0);
	nd = &t->node[t->pos++];
	if (nd->level != level || nd->index != index || !nd->set)
		return (0);
	memcpy(out, nd->hash, MERKLE_HASH);
	return (1);
}

/* Starts replaying a recorded tape from its first node. */
void
merkle_tape_rewind(struct merkle_tape *t)
{
	t->replay = 1;
	t->pos = 0;
}
