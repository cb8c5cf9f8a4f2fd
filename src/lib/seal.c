/*
 * Sealing private data at rest: AES-256-GCM through OpenSSL's EVP, with a
 * random 96-bit nonce per message and associated data naming the record
 * (so a sealed value cannot be moved to another record unnoticed), and
 * the key files that hold the keys.
 *
 * A key file holds 64 hex digits (32 bytes) and a newline; it must be a
 * regular file that neither group nor others may read or write.  A key's
 * id is the first 8 bytes of SHA-256("shop data key" || key) in hex:
 * stored beside each sealed value, it says which key opens it, so keys
 * can be replaced without re-sealing everything at once.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lib.h"

static int	seal_key_create(const char *, char *, size_t);
static unsigned char *seal_room(struct buf *, size_t);

/* Appends n zero bytes to b and returns where they start. */
static unsigned char *
seal_room(struct buf *b, size_t n)
{
	static const char	zeros[256];
	size_t			start = b->len, k;

	while (n > 0) {
		k = n < sizeof(zeros) ? n : sizeof(zeros);
		buf_append(b, zeros, k);
		n -= k;
	}
	return ((unsigned char *)b->data + start);
}

/* Sets k to the 32 bytes at raw and computes its id. */
void
seal_key_set(struct seal_key *k, const unsigned char *raw)
{
	static const char	label[] = "shop data key";
	unsigned char		md[EVP_MAX_MD_SIZE];
	unsigned int		mdlen;
	EVP_MD_CTX		*ctx;

	memcpy(k->key, raw, SEAL_KEY_LEN);
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, label, sizeof(label) - 1) ||
	    !EVP_DigestUpdate(ctx, raw, SEAL_KEY_LEN) ||
	    !EVP_DigestFinal_ex(ctx, md, &mdlen))
		abort();
	EVP_MD_CTX_free(ctx);
	hex_encode(k->id, md, SEAL_ID_LEN / 2);
}

void
seal_key_wipe(struct seal_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

/* Writes a new random key to path (which must not exist), mode 0600. */
static int
seal_key_create(const char *path, char *err, size_t errlen)
{
	unsigned char	raw[SEAL_KEY_LEN];
	char		text[SEAL_KEY_LEN * 2 + 2];
	int		fd;
	ssize_t		w;

	rnd_bytes(raw, sizeof(raw));
	hex_encode(text, raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	text[SEAL_KEY_LEN * 2] = '\n';
	text[SEAL_KEY_LEN * 2 + 1] = '\0';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		OPENSSL_cleanse(text, sizeof(text));
		if (errno == EEXIST)
			return (1);	/* made meanwhile: read that one */
		snprintf(err, errlen, "cannot create key file %s: %s", path,
		    strerror(errno));
		return (0);
	}
	w = write(fd, text, SEAL_KEY_LEN * 2 + 1);
	OPENSSL_cleanse(text, sizeof(text));
	if (w != SEAL_KEY_LEN * 2 + 1 || fsync(fd) == -1) {
		snprintf(err, errlen, "cannot write key file %s", path);
		close(fd);
		unlink(path);
		return (0);
	}
	close(fd);
	return (1);
}

/*
 * Loads the key in the file at path into k.  When the file does not
 * exist and create is set, a new random key is written there first.
 * Returns 1, or 0 with a sentence in err (never any key material): the
 * file is missing, unreadable, not a regular file, open to group or
 * others, or does not hold exactly 64 hex digits.
 */
int
seal_key_load(struct seal_key *k, const char *path, int create, char *err,
    size_t errlen)
{
	struct stat	st;
	unsigned char	raw[SEAL_KEY_LEN];
	char		text[SEAL_KEY_LEN * 2 + 8];
	ssize_t		n;
	int		fd;

	if (create && lstat(path, &st) == -1 && errno == ENOENT &&
	    !seal_key_create(path, err, errlen))
		return (0);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open key file %s: %s", path,
		    strerror(errno));
		return (0);
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "key file %s is not a regular file",
		    path);
		close(fd);
		return (0);
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "key file %s is open to group or others "
		    "(chmod 600 it)", path);
		close(fd);
		return (0);
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "cannot read key file %s", path);
		return (0);
	}
	text[n] = '\0';
	if (n > 0 && text[n - 1] == '\n')
		text[--n] = '\0';
	if (n != SEAL_KEY_LEN * 2 ||
	    hex_decode(raw, sizeof(raw), text) != SEAL_KEY_LEN) {
		OPENSSL_cleanse(text, sizeof(text));
		snprintf(err, errlen, "key file %s does not hold 64 hex digits",
		    path);
		return (0);
	}
	OPENSSL_cleanse(text, sizeof(text));
	seal_key_set(k, raw);
	OPENSSL_cleanse(raw, sizeof(raw));
	return (1);
}

/*
 * Seals len bytes at pt with key k under associated data aad, with the
 * given nonce (SEAL_NONCE_LEN bytes; never twice with one key): appends
 * the ciphertext and the 16-byte tag to out.  Returns 1, or 0 when
 * OpenSSL fails (out is then unchanged).  Callers use seal_encrypt; this
 * one exists for known-answer tests.
 */
int
seal_encrypt_nonce(const struct seal_key *k, const char *aad, const void *pt,
    size_t len, const unsigned char *nonce, struct buf *out)
{
	EVP_CIPHER_CTX	*ctx;
	unsigned char	*dst;
	size_t		 start = out->len;
	int		 n, fin, ok;

	if (len > (1U << 30) || (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return (0);
	/* Room for the whole sealed value, written in place. */
	dst = seal_room(out, len + SEAL_TAG_LEN);
	ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_LEN,
	    NULL) &&
	    EVP_EncryptInit_ex(ctx, NULL, NULL, k->key, nonce) &&
	    EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) &&
	    EVP_EncryptUpdate(ctx, dst, &n, pt, (int)len) &&
	    EVP_EncryptFinal_ex(ctx, dst + n, &fin) &&
	    (size_t)(n + fin) == len &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_LEN,
	    dst + len);
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		OPENSSL_cleanse(dst, len + SEAL_TAG_LEN);
		out->len = start;
		out->data[start] = '\0';
		return (0);
	}
	out->len = start + len + SEAL_TAG_LEN;
	out->data[out->len] = '\0';
	return (1);
}

/* seal_encrypt_nonce with a fresh random nonce, written to nonce. */
int
seal_encrypt(const struct seal_key *k, const char *aad, const void *pt,
    size_t len, unsigned char *nonce, struct buf *out)
{
	rnd_bytes(nonce, SEAL_NONCE_LEN);
	return (seal_encrypt_nonce(k, aad, pt, len, nonce, out));
}

/*
 * Opens a sealed value (ciphertext and tag, len bytes) with key k, nonce
 * and associated data aad; appends the plaintext to out.  Returns 1, or 0
 * when the value was altered, the key, nonce or aad is not the one it
 * was sealed with, or it is too short (out is then unchanged: nothing of
 * an unauthenticated plaintext is kept).
 */
int
seal_decrypt(const struct seal_key *k, const char *aad,
    const unsigned char *nonce, const void *sealed, size_t len,
    struct buf *out)
{
	const unsigned char	*in = sealed;
	EVP_CIPHER_CTX		*ctx;
	unsigned char		*dst, tag[SEAL_TAG_LEN];
	size_t			 start = out->len, plen;
	int			 n, fin, ok;

	if (len < SEAL_TAG_LEN || len > (1U << 30) ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return (0);
	plen = len - SEAL_TAG_LEN;
	memcpy(tag, in + plen, SEAL_TAG_LEN);
	dst = seal_room(out, plen);
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_LEN,
	    NULL) &&
	    EVP_DecryptInit_ex(ctx, NULL, NULL, k->key, nonce) &&
	    EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) &&
	    EVP_DecryptUpdate(ctx, dst, &n, in, (int)plen) &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_LEN, tag) &&
	    EVP_DecryptFinal_ex(ctx, dst + n, &fin) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		OPENSSL_cleanse(dst, plen);
		out->len = start;
		out->data[start] = '\0';
		return (0);
	}
	out->len = start + plen;
	out->data[out->len] = '\0';
	return (1);
}

/* Overwrites a buffer that held plaintext, then frees it. */
void
seal_buf_wipe(struct buf *b)
{
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	buf_free(b);
}
