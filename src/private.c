/*
 * Private data (a child's real name, ID number, guardian, phone, address
 * and notes; an objector's contact) is sealed here, in the module, before
 * it reaches the database, and opened here for the pages allowed to show
 * it: the database only ever holds ciphertext, and the key never leaves
 * this process.
 *
 * The key is read once, in the parent before the workers start, from
 * SHOP_DATA_KEY_FILE, or from $SHOP_VAR/data.key (made with a new random
 * key on the first start).  SHOP_DATA_KEYS_OLD names former key files
 * (separated by ':'): values they sealed can still be opened, while new
 * values are sealed with the current key.  Each sealed value names its
 * key by id, so a key can be replaced without re-sealing at once.
 *
 * Nothing here logs or returns the content of a private value.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "shop.h"

#define PRIVATE_KEYS_MAX	8
#define PRIVATE_SEALED_MAX	16384

static struct seal_key	private_keys[PRIVATE_KEYS_MAX];	/* [0]: current */
static size_t		private_nkeys;

static const struct seal_key	*private_key(const char *);

/* Loads the keys (fatal when one cannot be used). */
void
private_init(void)
{
	const char	*old, *p, *end;
	char		 path[PATH_MAX], err[PATH_MAX + 128];
	size_t		 len;

	if (!seal_key_load(&private_keys[0], cfg.data_key_file,
	    getenv("SHOP_DATA_KEY_FILE") == NULL, err, sizeof(err)))
		fatal("data key: %s", err);
	private_nkeys = 1;
	if ((old = getenv("SHOP_DATA_KEYS_OLD")) != NULL) {
		for (p = old; *p != '\0'; p = *end ? end + 1 : end) {
			end = strchrnul(p, ':');
			if ((len = (size_t)(end - p)) == 0)
				continue;
			if (len >= sizeof(path))
				fatal("SHOP_DATA_KEYS_OLD: a path is too long");
			if (private_nkeys == PRIVATE_KEYS_MAX)
				fatal("SHOP_DATA_KEYS_OLD: at most %d keys",
				    PRIVATE_KEYS_MAX - 1);
			memcpy(path, p, len);
			path[len] = '\0';
			if (!seal_key_load(&private_keys[private_nkeys], path, 0,
			    err, sizeof(err)))
				fatal("former data key: %s", err);
			private_nkeys++;
		}
	}
	kore_log(LOG_NOTICE, "data key %s (and %zu former)",
	    private_keys[0].id, private_nkeys - 1);
}

static const struct seal_key *
private_key(const char *id)
{
	size_t	i;

	for (i = 0; i < private_nkeys; i++) {
		if (!strcmp(private_keys[i].id, id))
			return (&private_keys[i]);
	}
	return (NULL);
}

/* The associated data that binds a sealed value to its record. */
void
private_aad(char *out, size_t len, const char *kind, const char *id)
{
	(void)snprintf(out, len, SEAL_AAD_FMT, kind, id);
}

/*
 * Seals the JSON object fields for the record named by aad with the
 * current key, into out (its key id, nonce and sealed value in hex; free
 * it with private_sealed_free, or hand it to private_bind).  Returns 0
 * when OpenSSL fails.
 */
int
private_seal(struct private_sealed *out, const char *aad, json_t *fields)
{
	unsigned char	 nonce[SEAL_NONCE_LEN];
	char		*text;
	struct buf	 sealed;
	size_t		 len;
	int		 ok;

	memset(out, 0, sizeof(*out));
	if ((text = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return (0);
	len = strlen(text);
	buf_init(&sealed, len + SEAL_TAG_LEN + 1);
	ok = seal_encrypt(&private_keys[0], aad, text, len, nonce, &sealed) &&
	    sealed.len <= PRIVATE_SEALED_MAX;
	OPENSSL_cleanse(text, len);
	free(text);
	if (!ok) {
		buf_free(&sealed);
		return (0);
	}
	kore_strlcpy(out->key_id, private_keys[0].id, sizeof(out->key_id));
	hex_encode(out->nonce, nonce, sizeof(nonce));
	out->hex = kore_malloc(sealed.len * 2 + 1);
	hex_encode(out->hex, (unsigned char *)sealed.data, sealed.len);
	buf_free(&sealed);
	return (1);
}

/* Binds a sealed value as three parameters (key id, nonce, value). */
void
private_bind(struct db_call *call, struct private_sealed *s)
{
	db_text(call, s->key_id);
	db_text(call, s->nonce);
	db_text(call, s->hex);
	private_sealed_free(s);
}

void
private_sealed_free(struct private_sealed *s)
{
	kore_free(s->hex);
	s->hex = NULL;
}

/*
 * Opens a sealed value given as {"key_id", "nonce", "sealed"} (hex) for
 * the record named by aad.  Returns the JSON value it held (the caller
 * owns it), or NULL when there is none or it cannot be opened (a key we
 * do not hold, or a value altered or moved to another record: logged,
 * without content).
 */
json_t *
private_open(json_t *obj, const char *aad)
{
	const struct seal_key	*key;
	const char		*id, *nhex, *shex;
	unsigned char		 nonce[SEAL_NONCE_LEN], *sealed;
	struct buf		 plain;
	json_t			*v = NULL;
	long			 n;

	id = json_string_value(json_object_get(obj, "key_id"));
	nhex = json_string_value(json_object_get(obj, "nonce"));
	shex = json_string_value(json_object_get(obj, "sealed"));
	if (id == NULL || nhex == NULL || shex == NULL)
		return (NULL);
	if ((key = private_key(id)) == NULL) {
		kore_log(LOG_ERR, "private data sealed with key %.16s, which "
		    "this server does not hold (SHOP_DATA_KEYS_OLD?)", id);
		return (NULL);
	}
	sealed = kore_malloc(PRIVATE_SEALED_MAX);
	buf_init(&plain, 512);
	if (hex_decode(nonce, sizeof(nonce), nhex) != SEAL_NONCE_LEN ||
	    (n = hex_decode(sealed, PRIVATE_SEALED_MAX, shex)) < 0 ||
	    !seal_decrypt(key, aad, nonce, sealed, (size_t)n, &plain))
		kore_log(LOG_ERR, "private data of %s cannot be opened", aad);
	else
		v = json_loadb(plain.data, plain.len, 0, NULL);
	seal_buf_wipe(&plain);
	kore_free(sealed);
	return (v);
}
