/*
 * logverify: checks the platform's public log with nothing but what the
 * platform publishes and OpenSSL (formats: sql/LOG_FORMAT.md).
 *
 *	logverify [-q] [-t] [-k key.pem] [-s state] [-i index [-l hash]] URL
 *
 * It fetches the latest checkpoint and checks its Ed25519 signature;
 * fetches every entry, checks each is well formed and makes sense after
 * those before it, and recomputes the root; with -s, checks that the log
 * still holds the entries of the checkpoint it kept there (and the
 * platform's consistency proof from it), then keeps the new one; with -i,
 * checks the platform's inclusion proof of that entry (a receipt; -l
 * gives the leaf hash the receipt holds); with -t prints each need's
 * totals as the log tells them.
 *
 * Exit 0 when all holds; 1 when something does not, naming the first
 * entry at fault when there is one; 2 when it could not check (usage, the
 * network, an answer that is not what the API gives, a log too large).
 * Only this file ends the program on what the server sent: the pieces
 * return what is wrong (err.c), and main says it and exits.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "lv.h"

/*
 * The most entries checked: each leaf hash is kept in memory (32 bytes),
 * and a larger size from the server must not wrap the size of that array.
 */
#define LV_MAX_SIZE	(1ULL << 32)

/* The checkpoint kept between runs (-s). */
struct state {
	char		 origin[256];
	unsigned char	 key[32];
	uint64_t	 size;
	unsigned char	 root[LV_HASH];
	unsigned char	(*leaf)[LV_HASH];
};

static int	quiet;

static void	 usage(void) __attribute__((noreturn));
static void	 say(const char *, ...) __attribute__((format(printf, 1, 2)));
static void	 key_from_pem(const char *, unsigned char *);
static void	 key_from_platform(const struct lv_url *, unsigned char *);
static int	 state_load(const char *, struct state *);
static void	 state_save(const char *, const struct state *);
static void	 hash_field(const struct json *, const char *,
		    unsigned char *);
static size_t	 hash_list(const struct json *, const char *,
		    unsigned char (*)[LV_HASH]);
static int	 prefix_consistent(const struct lv_url *,
		    unsigned char (*)[LV_HASH], uint64_t, uint64_t,
		    const unsigned char *);
static void	 fetch_entries(const struct lv_url *, uint64_t,
		    unsigned char (*)[LV_HASH], struct ledger *);

static void
say(const char *fmt, ...)
{
	va_list	ap;

	if (quiet)
		return;
	fprintf(stderr, "logverify: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
usage(void)
{
	fprintf(stderr, "usage: logverify [-q] [-t] [-k key.pem] [-s state] "
	    "[-i index [-l leafhash]] URL\n"
	    "  URL    the platform, e.g. http://127.0.0.1:8888\n"
	    "  -k     the log's public key (PEM); else the platform's, "
	    "pinned in the state\n"
	    "  -s     keep the verified checkpoint in this file; check the "
	    "log extends it\n"
	    "  -i     check the inclusion proof of entry index (a receipt)\n"
	    "  -l     with -i: the leaf hash (base64) the receipt holds\n"
	    "  -t     print each need's totals from the log\n"
	    "  -q     say nothing unless something is wrong\n");
	exit(2);
}

static void
key_from_pem(const char *path, unsigned char *pub)
{
	FILE		*fp;
	EVP_PKEY	*k;
	size_t		 len = 32;

	if ((fp = fopen(path, "r")) == NULL)
		lv_fatal("%s: %s", path, strerror(errno));
	k = PEM_read_PUBKEY(fp, NULL, NULL, NULL);
	fclose(fp);
	if (k == NULL || EVP_PKEY_id(k) != EVP_PKEY_ED25519 ||
	    EVP_PKEY_get_raw_public_key(k, pub, &len) != 1 || len != 32)
		lv_fatal("%s: not an Ed25519 public key in PEM", path);
	EVP_PKEY_free(k);
}

static void
key_from_platform(const struct lv_url *u, unsigned char *pub)
{
	struct json	*j;
	const char	*s;
	char		*body;
	size_t		 len, klen;

	body = http_get(u, "/api/v1/log/key", &len);
	if ((j = json_parse(body, len)) == NULL ||
	    (s = json_str(j, "public_key", &len)) == NULL ||
	    !b64_dec(s, len, pub, 32, &klen) || klen != 32)
		lv_fatal("/api/v1/log/key: no Ed25519 public key");
	json_free(j);
	free(body);
}

/* The state in path: 0 if there is none yet; fatal if it is unreadable. */
static int
state_load(const char *path, struct state *st)
{
	FILE		*fp;
	char		 line[512], b64[64];
	unsigned long long size;
	size_t		 len;
	uint64_t	 i;

	memset(st, 0, sizeof(*st));
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return (0);
		lv_fatal("%s: %s", path, strerror(errno));
	}
	if (fgets(line, sizeof(line), fp) == NULL ||
	    strcmp(line, "logverify state 1\n") ||
	    fscanf(fp, "origin %255s\n", st->origin) != 1 ||
	    fscanf(fp, "key %63s\n", b64) != 1 ||
	    !b64_dec(b64, strlen(b64), st->key, 32, &len) || len != 32 ||
	    fscanf(fp, "size %llu\n", &size) != 1 || size > LV_MAX_SIZE ||
	    fscanf(fp, "root %63s\n", b64) != 1 ||
	    !b64_dec(b64, strlen(b64), st->root, LV_HASH, &len) ||
	    len != LV_HASH)
		lv_fatal("%s: not a logverify state", path);
	st->size = size;
	st->leaf = lv_alloc((size_t)(size ? size : 1) * LV_HASH);
	for (i = 0; i < size; i++) {
		if (fscanf(fp, "%63s\n", b64) != 1 || !b64_dec(b64,
		    strlen(b64), st->leaf[i], LV_HASH, &len) || len != LV_HASH)
			lv_fatal("%s: leaf %" PRIu64 " is missing or bad", path,
			    i);
	}
	fclose(fp);
	return (1);
}

/* Writes the state beside path, then renames it over path. */
static void
state_save(const char *path, const struct state *st)
{
	FILE		*fp;
	char		 tmp[4096], *s;
	uint64_t	 i;

	(void)snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL)
		lv_fatal("%s: %s", tmp, strerror(errno));
	fprintf(fp, "logverify state 1\norigin %s\n", st->origin);
	s = b64_enc(st->key, 32);
	fprintf(fp, "key %s\nsize %" PRIu64 "\n", s, st->size);
	free(s);
	s = b64_enc(st->root, LV_HASH);
	fprintf(fp, "root %s\n", s);
	free(s);
	for (i = 0; i < st->size; i++) {
		s = b64_enc(st->leaf[i], LV_HASH);
		fprintf(fp, "%s\n", s);
		free(s);
	}
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0 || fclose(fp) != 0 ||
	    rename(tmp, path) != 0)
		lv_fatal("cannot write %s", path);
}

static void
hash_field(const struct json *j, const char *key, unsigned char *out)
{
	const char	*s;
	size_t		 len, n;

	if ((s = json_str(j, key, &len)) == NULL ||
	    !b64_dec(s, len, out, LV_HASH, &n) || n != LV_HASH)
		lv_fatal("the platform's answer has no hash %s", key);
}

/* The hashes of array member key of j into out; how many. */
static size_t
hash_list(const struct json *j, const char *key, unsigned char (*out)[LV_HASH])
{
	struct json	*a = json_get(j, key);
	size_t		 i, n;

	if (a == NULL || a->type != JSON_ARR || a->n > LV_MAX_PATH)
		lv_fatal("the platform's answer has no list %s", key);
	for (i = 0; i < a->n; i++) {
		if (a->kid[i].type != JSON_STR || !b64_dec(a->kid[i].str,
		    a->kid[i].len, out[i], LV_HASH, &n) || n != LV_HASH)
			lv_fatal("a bad hash in %s", key);
	}
	return (a->n);
}

/*
 * Whether the first m leaves, as recomputed here, are the first m of the
 * tree of size leaves with root: by the platform's consistency proof.
 */
static int
prefix_consistent(const struct lv_url *u, unsigned char (*leaves)[LV_HASH],
    uint64_t m, uint64_t size, const unsigned char *root)
{
	unsigned char	 mine[LV_HASH], path[LV_MAX_PATH][LV_HASH];
	struct json	*j;
	char		 q[128], *body;
	size_t		 len, n;

	tree_root((const unsigned char (*)[LV_HASH])leaves, m, mine);
	if (m == size)
		return (memcmp(mine, root, LV_HASH) == 0);
	(void)snprintf(q, sizeof(q), "/api/v1/log/proof/consistency?"
	    "first=%" PRIu64 "&second=%" PRIu64, m, size);
	body = http_get(u, q, &len);
	if ((j = json_parse(body, len)) == NULL)
		lv_fatal("%s: not JSON", q);
	n = hash_list(j, "consistency_path", path);
	json_free(j);
	free(body);
	return (tree_verify_consistency(m, size, mine, root,
	    (const unsigned char (*)[LV_HASH])path, n));
}

/* Every entry of the tree of size: checked, hashed into leaves, added up. */
static void
fetch_entries(const struct lv_url *u, uint64_t size,
    unsigned char (*leaves)[LV_HASH], struct ledger *led)
{
	struct json	*j, *a, *e;
	struct lv_err	 err;
	const char	*s;
	char		 q[128], *body;
	size_t		 len, i;
	long long	 idx;
	uint64_t	 next = 0;
	int		 rc;

	while (next < size) {
		(void)snprintf(q, sizeof(q), "/api/v1/log/entries?start=%"
		    PRIu64 "&end=%" PRIu64, next, size - 1);
		body = http_get(u, q, &len);
		if ((j = json_parse(body, len)) == NULL ||
		    (a = json_get(j, "entries")) == NULL ||
		    a->type != JSON_ARR || a->n == 0)
			lv_fatal("%s: no entries", q);
		for (i = 0; i < a->n && next < size; i++) {
			e = &a->kid[i];
			if (!json_int(e, "index", &idx) ||
			    (s = json_str(e, "entry", &len)) == NULL)
				lv_fatal("%s: an entry without index or text",
				    q);
			/* The answer's numbering, not the log's text. */
			if ((uint64_t)idx != next)
				lv_fatal("%s: entry %lld where entry %" PRIu64
				    " should be", q, idx, next);
			tree_leaf(s, len, leaves[next]);
			if ((rc = ledger_add(led, next, s, len, &err)) !=
			    LV_OK)
				lv_end(rc, "entry %" PRIu64 ": %s", next,
				    err.msg);
			next++;
		}
		json_free(j);
		free(body);
	}
}

int
main(int argc, char *argv[])
{
	unsigned char	 pub[32], root[LV_HASH], mine[LV_HASH], h[LV_HASH];
	unsigned char	 path[LV_MAX_PATH][LV_HASH], (*leaves)[LV_HASH];
	const char	*keyfile = NULL, *statefile = NULL, *receipt = NULL;
	const char	*note;
	char		 q[128], *body, *end;
	struct lv_url	 url;
	struct state	 st;
	struct ledger	*led;
	struct checkpoint ck;
	struct lv_err	 err;
	struct json	*cp, *pr;
	size_t		 len, nlen, n;
	long long	 jsize, index = -1;
	uint64_t	 size, lo, hi, mid, i;
	int		 ch, totals = 0, kept, rc;

	while ((ch = getopt(argc, argv, "i:k:l:qs:t")) != -1) {
		switch (ch) {
		case 'i':
			errno = 0;
			index = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || index < 0 ||
			    errno == ERANGE)
				usage();
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'l':
			receipt = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 's':
			statefile = optarg;
			break;
		case 't':
			totals = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1 || !http_parse_url(&url, argv[optind]) ||
	    (receipt != NULL && index < 0))
		usage();
	kept = statefile != NULL && state_load(statefile, &st);

	/* The key: given, or the platform's (pinned in the state). */
	if (keyfile != NULL)
		key_from_pem(keyfile, pub);
	else
		key_from_platform(&url, pub);
	if (kept && memcmp(pub, st.key, 32) != 0)
		lv_fail("the log's key is not the one kept in %s", statefile);

	/* The checkpoint and its signature. */
	body = http_get(&url, "/api/v1/log/checkpoint", &len);
	if ((cp = json_parse(body, len)) == NULL ||
	    (note = json_str(cp, "checkpoint", &nlen)) == NULL)
		lv_fatal("/api/v1/log/checkpoint: no checkpoint");
	if (checkpoint_parse(note, nlen, &ck, &err) != LV_OK)
		lv_fatal("/api/v1/log/checkpoint: %s", err.msg);
	if ((rc = note_open(note, nlen, ck.origin, pub, &err)) != LV_OK)
		lv_end(rc, "the checkpoint of size %" PRIu64 " is not signed "
		    "by the log's key: %s", ck.size, err.msg);
	size = ck.size;
	memcpy(root, ck.root, LV_HASH);
	if (size > LV_MAX_SIZE)
		lv_fatal("a log of %" PRIu64 " entries: logverify checks at "
		    "most %llu", size, LV_MAX_SIZE);
	if (kept && strcmp(ck.origin, st.origin) != 0)
		lv_fail("the log is now named %s, not %s", ck.origin,
		    st.origin);
	hash_field(cp, "root_hash", h);
	if (!json_int(cp, "tree_size", &jsize) || (uint64_t)jsize != size ||
	    memcmp(h, root, LV_HASH) != 0)
		lv_fail("the checkpoint's fields are not what it signs");
	json_free(cp);
	free(body);
	say("checkpoint of %s: %" PRIu64 " entries, signature good",
	    ck.origin, size);

	/* Every entry, recomputed. */
	leaves = lv_alloc((size_t)(size ? size : 1) * LV_HASH);
	led = ledger_new();
	fetch_entries(&url, size, leaves, led);

	/* The entries of the kept checkpoint, unchanged since. */
	if (kept) {
		if (st.size > size)
			lv_fail("the log shrank: %s kept %" PRIu64 " entries, "
			    "the log now has %" PRIu64, statefile, st.size,
			    size);
		for (i = 0; i < st.size; i++) {
			if (memcmp(st.leaf[i], leaves[i], LV_HASH) != 0)
				lv_fail("entry %" PRIu64 ": changed since the "
				    "checkpoint of %" PRIu64 " entries kept in "
				    "%s", i, st.size, statefile);
		}
	}

	/* The root; if it differs, the first entry the tree disowns. */
	tree_root((const unsigned char (*)[LV_HASH])leaves, size, mine);
	if (memcmp(mine, root, LV_HASH) != 0) {
		if (size == 0)
			lv_fail("the checkpoint of the empty log does not have "
			    "the empty tree's root");
		lo = 0;
		hi = size;
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			if (prefix_consistent(&url, leaves, mid, size, root))
				lo = mid;
			else
				hi = mid;
		}
		lv_fail("entry %" PRIu64 ": not the entry the signed tree of "
		    "%" PRIu64 " entries holds", hi - 1, size);
	}
	say("all %" PRIu64 " entries well formed; the root they make is the "
	    "signed one", size);

	/* The platform's own proof that the kept checkpoint is a prefix. */
	if (kept && st.size > 0) {
		(void)snprintf(q, sizeof(q), "/api/v1/log/proof/consistency?"
		    "first=%" PRIu64 "&second=%" PRIu64, st.size, size);
		body = http_get(&url, q, &len);
		if ((pr = json_parse(body, len)) == NULL)
			lv_fatal("%s: not JSON", q);
		n = hash_list(pr, "consistency_path", path);
		if (!tree_verify_consistency(st.size, size, st.root, root,
		    (const unsigned char (*)[LV_HASH])path, n))
			lv_fail("the consistency proof from the kept "
			    "checkpoint (%" PRIu64 " entries) to %" PRIu64
			    " does not verify", st.size, size);
		json_free(pr);
		free(body);
		say("consistent with the checkpoint of %" PRIu64 " entries "
		    "kept in %s", st.size, statefile);
	}

	/* A receipt: the platform's inclusion proof of one entry. */
	if (index >= 0) {
		if ((uint64_t)index >= size)
			lv_fail("entry %lld is not in the log of %" PRIu64
			    " entries", index, size);
		(void)snprintf(q, sizeof(q), "/api/v1/log/proof/inclusion?"
		    "index=%lld&size=%" PRIu64, index, size);
		body = http_get(&url, q, &len);
		if ((pr = json_parse(body, len)) == NULL)
			lv_fatal("%s: not JSON", q);
		hash_field(pr, "leaf_hash", h);
		n = hash_list(pr, "inclusion_path", path);
		if (memcmp(h, leaves[index], LV_HASH) != 0 ||
		    !tree_verify_inclusion((uint64_t)index, size,
		    leaves[index], (const unsigned char (*)[LV_HASH])path, n,
		    root))
			lv_fail("entry %lld: its inclusion proof does not "
			    "verify", index);
		if (receipt != NULL && (!b64_dec(receipt, strlen(receipt), h,
		    LV_HASH, &len) || len != LV_HASH ||
		    memcmp(h, leaves[index], LV_HASH) != 0))
			lv_fail("entry %lld: not the entry of the receipt",
			    index);
		json_free(pr);
		free(body);
		say("entry %lld is in the signed tree (inclusion proof good)",
		    index);
	}

	if (totals)
		ledger_print(led);
	if (statefile != NULL) {
		free(st.leaf);
		memset(&st, 0, sizeof(st));
		(void)snprintf(st.origin, sizeof(st.origin), "%s", ck.origin);
		memcpy(st.key, pub, 32);
		st.size = size;
		memcpy(st.root, root, LV_HASH);
		st.leaf = leaves;
		state_save(statefile, &st);
	}
	ledger_free(led);
	free(leaves);
	say("OK");
	return (0);
}
