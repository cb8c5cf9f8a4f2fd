/*
 * Signed checkpoints of the public log (formats: sql/LOG_FORMAT.md).
 *
 * The Ed25519 key is read in the parent before the workers start: from
 * SHOP_LOG_KEY (a PEM file) when set, else from SHOP_VAR/log_ed25519.pem,
 * generated there (mode 0600) on first start.  A key file others may read
 * is refused.
 *
 * A checkpoint is signed whenever the tree grew and someone asks
 * (GET /api/v1/log/checkpoint, log.c) and every SHOP_LOG_CHECKPOINT_SECONDS
 * (default 60, 0: never) by a task of the first worker, which uses its
 * own short-lived blocking connection in a task thread.  Before signing,
 * the root of the latest checkpoint is recomputed from the stored subtree
 * hashes: a log that no longer extends what was signed is not signed
 * again (and is reported), whatever the database says.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "shop.h"

#include <kore/tasks.h>

#define ORIGIN_DEFAULT	"youth-shop.jiyuan.example/log"

static EVP_PKEY		*key;
static unsigned char	 pub[NOTE_KEY_LEN];
static char		 origin[101];
static char		*key_json;

static EVP_PKEY	*key_load(const char *, int);
static EVP_PKEY	*key_generate(const char *);
static void	 key_describe(void);
static int	 root_of(json_t *, uint64_t, unsigned char *);

/* In the parent: the origin and the key, or a fatal error saying why. */
void
checkpoint_init(void)
{
	const char	*o, *p;
	char		 path[1024];

	o = cfg.log_origin != NULL ? cfg.log_origin : ORIGIN_DEFAULT;
	for (p = o; *p != '\0'; p++) {
		if (*p <= ' ' || *p > '~' || *p == '+')
			break;
	}
	if (*p != '\0' || p == o || p - o >= (ptrdiff_t)sizeof(origin))
		fatal("SHOP_LOG_ORIGIN must be 1-100 printable characters "
		    "without spaces or '+' (like example.org/log)");
	kore_strlcpy(origin, o, sizeof(origin));

	if (cfg.log_key != NULL) {
		key = key_load(cfg.log_key, 1);
	} else {
		(void)snprintf(path, sizeof(path), "%s/log_ed25519.pem",
		    cfg.var);
		if ((key = key_load(path, 0)) == NULL)
			key = key_generate(path);
	}
	if (!note_public_key(key, pub))
		fatal("the log's key is not an Ed25519 key");
	key_describe();
}

/*
 * The key in PEM file path; NULL if it does not exist and need is 0.
 * Fatal when it cannot be read, is not a key, or others may read it.
 */
static EVP_PKEY *
key_load(const char *path, int need)
{
	struct stat	 st;
	FILE		*fp;
	EVP_PKEY	*k;

	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !need)
			return (NULL);
		fatal("cannot read the log's key %s: %s", path, errno_s);
	}
	if (fstat(fileno(fp), &st) == -1)
		fatal("fstat %s: %s", path, errno_s);
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		fatal("the log's key %s may be read by others: chmod 600 it",
		    path);
	if ((k = PEM_read_PrivateKey(fp, NULL, NULL, NULL)) == NULL)
		fatal("%s holds no private key in PEM", path);
	fclose(fp);
	return (k);
}

/* A new key, written to path (which must not exist) with mode 0600. */
static EVP_PKEY *
key_generate(const char *path)
{
	EVP_PKEY	*k;
	FILE		*fp;
	int		 fd;

	if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL)
		fatal("cannot generate the log's key");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
		fatal("cannot create the log's key %s: %s", path, errno_s);
	if ((fp = fdopen(fd, "w")) == NULL ||
	    !PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL) ||
	    fflush(fp) != 0 || fsync(fd) != 0 || fclose(fp) != 0)
		fatal("cannot write the log's key %s", path);
	kore_log(LOG_NOTICE, "generated the log's signing key %s", path);
	return (k);
}

/* The answer of GET /api/v1/log/key, built once. */
static void
key_describe(void)
{
	struct buf	 b64, vkey;
	BIO		*bio;
	EVP_PKEY	*pk;
	char		*pem;
	long		 len;
	json_t		*o;

	buf_init(&b64, 64);
	b64_encode(&b64, pub, sizeof(pub));
	buf_init(&vkey, 128);
	note_verifier_key(&vkey, origin, pub);
	if ((pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
	    sizeof(pub))) == NULL || (bio = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_PUBKEY(bio, pk))
		fatal("cannot write the log's public key");
	len = BIO_get_mem_data(bio, &pem);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s%, s:s}",
	    "origin", origin,
	    "key_name", origin,
	    "algorithm", "Ed25519",
	    "public_key", b64.data,
	    "public_key_pem", pem, (size_t)len,
	    "verifier_key", vkey.data);
	if (o == NULL || (key_json = json_dumps(o, JSON_COMPACT)) == NULL)
		fatal("cannot describe the log's key");
	json_decref(o);
	BIO_free(bio);
	EVP_PKEY_free(pk);
	buf_free(&b64);
	buf_free(&vkey);
}

const char *
checkpoint_origin(void)
{
	return (origin);
}

const char *
checkpoint_key_json(void)
{
	return (key_json);
}

/*
 * The root of a tree of size leaves from frontier, the base64 hashes of
 * its perfect subtrees left to right (api.log_frontier).  0 when they do
 * not make a tree of that size.
 */
static int
root_of(json_t *frontier, uint64_t size, unsigned char *root)
{
	struct merkle_tape	 tape;
	const char		*s;
	size_t			 i, len;
	int			 ok = 0;

	merkle_tape_init(&tape);
	if (!merkle_root(merkle_tape_node, &tape, size, root) ||
	    !json_is_array(frontier) || json_array_size(frontier) != tape.n)
		goto out;
	for (i = 0; i < tape.n; i++) {
		s = json_string_value(json_array_get(frontier, i));
		if (s == NULL || !b64_decode(s, strlen(s), tape.node[i].hash,
		    MERKLE_HASH, &len) || len != MERKLE_HASH)
			goto out;
		tape.node[i].set = 1;
	}
	merkle_tape_rewind(&tape);
	ok = merkle_root(merkle_tape_node, &tape, size, root);
out:
	merkle_tape_free(&tape);
	return (ok);
}

/*
 * Decides from head (the answer of api.log_head) whether a checkpoint
 * must be signed; if so, signs it into cp (free it with checkpoint_free).
 * CHECKPOINT_BROKEN when head is malformed or the latest checkpoint's
 * root no longer follows from the stored hashes (logged).
 */
enum checkpoint_state
checkpoint_from_head(json_t *head, struct checkpoint *cp)
{
	unsigned char	 root[MERKLE_HASH], old[MERKLE_HASH];
	json_t		*latest;
	json_int_t	 size, lsize;
	const char	*lroot;
	struct buf	 text, r;
	size_t		 len;

	memset(cp, 0, sizeof(*cp));
	if (!json_is_integer(json_object_get(head, "tree_size")) ||
	    (size = json_integer_value(json_object_get(head, "tree_size"))) < 0)
		return (CHECKPOINT_BROKEN);
	latest = json_object_get(head, "latest");
	if (json_is_object(latest)) {
		lsize = json_integer_value(json_object_get(latest,
		    "tree_size"));
		lroot = json_string_value(json_object_get(latest,
		    "root_hash"));
		if (lsize == size)
			return (CHECKPOINT_CURRENT);
		if (lroot == NULL || lsize > size || !b64_decode(lroot,
		    strlen(lroot), old, sizeof(old), &len) ||
		    len != MERKLE_HASH || !root_of(json_object_get(latest,
		    "frontier"), (uint64_t)lsize, root) ||
		    memcmp(root, old, MERKLE_HASH) != 0) {
			kore_log(LOG_ERR, "the public log does not extend its "
			    "checkpoint of size %lld: not signing",
			    (long long)lsize);
			return (CHECKPOINT_BROKEN);
		}
	}
	if (!root_of(json_object_get(head, "frontier"), (uint64_t)size,
	    root)) {
		kore_log(LOG_ERR, "the public log's subtree hashes do not make "
		    "a tree of size %lld", (long long)size);
		return (CHECKPOINT_BROKEN);
	}

	cp->size = (uint64_t)size;
	buf_init(&r, 64);
	b64_encode(&r, root, sizeof(root));
	kore_strlcpy(cp->root, r.data, sizeof(cp->root));
	buf_free(&r);
	buf_init(&text, 128);
	note_checkpoint(&text, origin, cp->size, root);
	buf_init(&cp->note, 256);
	if (!note_sign(&cp->note, key, origin, text.data, text.len))
		fatal("cannot sign a checkpoint");
	buf_free(&text);
	return (CHECKPOINT_NEW);
}

void
checkpoint_free(struct checkpoint *cp)
{
	if (cp->note.data != NULL)
		buf_free(&cp->note);
	memset(cp, 0, sizeof(*cp));
}

/*
 * The periodic checkpoint (from the periodic task, src/jobs.c, on its own
 * blocking connection db): signs and stores a new checkpoint when the
 * tree grew.  Bounded whatever the log's size: the head and the stored
 * subtree hashes are O(log n) lookups.  Returns 1 when it stored one, 0
 * when the latest is current, -1 when it could not, the reason in err
 * (a SQLSTATE, or "log_broken" when the log does not extend the latest
 * checkpoint or its hashes make no tree).
 */
int
checkpoint_periodic(PGconn *db, char *err, size_t errlen)
{
	struct checkpoint	 cp;
	enum checkpoint_state	 st;
	PGresult		*res;
	json_t			*head;
	const char		*v[3], *state;
	char			 size[32];
	int			 ret = -1;

	res = PQexec(db, stmts[SQL_LOG_HEAD].sql);
	head = NULL;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		head = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	kore_strlcpy(err, state != NULL ? state : "log_broken", errlen);
	PQclear(res);
	if (head == NULL)
		return (-1);
	st = checkpoint_from_head(head, &cp);
	json_decref(head);
	if (st == CHECKPOINT_CURRENT)
		return (0);
	if (st == CHECKPOINT_BROKEN) {
		kore_strlcpy(err, "log_broken", errlen);
		return (-1);
	}
	(void)snprintf(size, sizeof(size), "%llu",
	    (unsigned long long)cp.size);
	v[0] = size;
	v[1] = cp.root;
	v[2] = cp.note.data;
	res = PQexecParams(db, stmts[SQL_LOG_CHECKPOINT_ADD].sql, 3, NULL, v,
	    NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		ret = 1;
	} else {
		kore_log(LOG_WARNING, "periodic checkpoint: %s",
		    PQresultErrorMessage(res));
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		kore_strlcpy(err, state != NULL ? state : "none", errlen);
	}
	PQclear(res);
	checkpoint_free(&cp);
	return (ret);
}
