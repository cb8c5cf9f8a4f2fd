/*
 * Signed notes (c2sp.org/signed-note) and checkpoints
 * (c2sp.org/tlog-checkpoint) with Ed25519, as the log publishes them:
 *
 *	<origin>\n<tree size>\n<base64 root hash>\n
 *	\n
 *	— <key name> <base64(key ID || signature)>\n
 *
 * The signature covers the text up to and including its last newline;
 * the key ID is the first four bytes of SHA-256(key name || 0x0A || 0x01
 * || 32-byte public key).  sql/LOG_FORMAT.md describes the same.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib.h"

#define NOTE_SIG_TYPE	0x01	/* Ed25519 */
#define NOTE_DASH	"\xe2\x80\x94 "	/* U+2014 and a space */

/* The text of a checkpoint for a tree of size leaves with root. */
void
note_checkpoint(struct buf *b, const char *origin, uint64_t size,
    const unsigned char *root)
{
	buf_printf(b, "%s\n%" PRIu64 "\n", origin, size);
	b64_encode(b, root, MERKLE_HASH);
	buf_putc(b, '\n');
}

/* The 4-byte key ID of an Ed25519 key named name. */
void
note_key_id(const char *name, const unsigned char *pub, unsigned char *id)
{
	unsigned char	 md[32];
	EVP_MD_CTX	*ctx;
	unsigned char	 sep[2] = { '\n', NOTE_SIG_TYPE };

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, name, strlen(name)) ||
	    !EVP_DigestUpdate(ctx, sep, sizeof(sep)) ||
	    !EVP_DigestUpdate(ctx, pub, NOTE_KEY_LEN) ||
	    !EVP_DigestFinal_ex(ctx, md, NULL))
		abort();
	EVP_MD_CTX_free(ctx);
	memcpy(id, md, 4);
}

/* A verifier key as the Go note package writes it: name+id+base64. */
void
note_verifier_key(struct buf *b, const char *name, const unsigned char *pub)
{
	unsigned char	id[4], raw[1 + NOTE_KEY_LEN];

	note_key_id(name, pub, id);
	raw[0] = NOTE_SIG_TYPE;
	memcpy(raw + 1, pub, NOTE_KEY_LEN);
	buf_printf(b, "%s+%02x%02x%02x%02x+", name, id[0], id[1], id[2],
	    id[3]);
	b64_encode(b, raw, sizeof(raw));
}

/* The raw 32 bytes of an Ed25519 key's public half; 0 if it is not one. */
int
note_public_key(struct evp_pkey_st *key, unsigned char *pub)
{
	size_t	len = NOTE_KEY_LEN;

	if (EVP_PKEY_id(key) != EVP_PKEY_ED25519)
		return (0);
	return (EVP_PKEY_get_raw_public_key(key, pub, &len) == 1 &&
	    len == NOTE_KEY_LEN);
}

/*
 * Appends to b the note: text (which must end in a newline), a blank
 * line and the signature line of key, named name.  Returns 0 if the text
 * is not a note text or signing fails.
 */
int
note_sign(struct buf *b, struct evp_pkey_st *key, const char *name,
    const char *text, size_t len)
{
	unsigned char	 pub[NOTE_KEY_LEN], sig[4 + 64];
	size_t		 siglen = 64;
	EVP_MD_CTX	*ctx;
	int		 ok;

	if (len == 0 || text[len - 1] != '\n' || !note_public_key(key, pub))
		return (0);
	note_key_id(name, pub, sig);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		abort();
	ok = EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestSign(ctx, sig + 4, &siglen, (const unsigned char *)text,
	    len) == 1 && siglen == 64;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return (0);
	buf_append(b, text, len);
	buf_puts(b, "\n" NOTE_DASH);
	buf_puts(b, name);
	buf_putc(b, ' ');
	b64_encode(b, sig, sizeof(sig));
	buf_putc(b, '\n');
	return (1);
}

/*
 * Whether note carries a valid signature by the Ed25519 key pub named
 * name.  The length of the signed text goes to *textlen.  Signature lines
 * of other keys are skipped; a malformed note is refused.
 */
int
note_verify(const char *note, size_t len, const char *name,
    const unsigned char *pub, size_t *textlen)
{
	unsigned char	 id[4], sig[4 + 64 + 1];
	const char	*p, *end, *nl, *sp, *sigs;
	size_t		 n, tlen, siglen, namelen = strlen(name);
	EVP_PKEY	*key;
	EVP_MD_CTX	*ctx;
	int		 ok = 0;

	/* The text ends at the last blank line. */
	for (n = len; n >= 2; n--) {
		if (note[n - 1] == '\n' && note[n - 2] == '\n')
			break;
	}
	if (n < 2 || len == 0 || note[len - 1] != '\n')
		return (0);
	tlen = n - 1;
	sigs = note + n;
	end = note + len;
	note_key_id(name, pub, id);
	for (p = sigs; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if ((size_t)(nl - p) < 6 || memcmp(p, NOTE_DASH, 4) != 0)
			return (0);
		p += 4;
		if ((sp = memchr(p, ' ', (size_t)(nl - p))) == NULL)
			return (0);
		if ((size_t)(sp - p) != namelen || memcmp(p, name, namelen))
			continue;
		if (!b64_decode(sp + 1, (size_t)(nl - sp - 1), sig,
		    sizeof(sig), &siglen))
			return (0);
		if (siglen != 68 || memcmp(sig, id, 4))
			continue;
		key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
		    NOTE_KEY_LEN);
		if (key == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
			abort();
		ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
		    EVP_DigestVerify(ctx, sig + 4, 64,
		    (const unsigned char *)note, tlen) == 1;
		EVP_MD_CTX_free(ctx);
		EVP_PKEY_free(key);
		if (!ok)
			return (0);
	}
	if (ok && textlen != NULL)
		*textlen = tlen;
	return (ok);
}
