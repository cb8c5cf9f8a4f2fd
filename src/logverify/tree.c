/*
 * The tree and the signatures, written again from RFC 6962 / RFC 9162 and
 * c2sp.org/signed-note (see sql/LOG_FORMAT.md), with OpenSSL's SHA-256
 * and Ed25519 only.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lv.h"

static EVP_MD_CTX	*md;

static int	b64val(char);
static size_t	note_text(const char *, size_t);

static void
sha256(const void *a, size_t alen, const void *b, size_t blen,
    const void *c, size_t clen, unsigned char *out)
{
	if (md == NULL && (md = EVP_MD_CTX_new()) == NULL)
		lv_fatal("out of memory");
	if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(md, a, alen) || !EVP_DigestUpdate(md, b, blen) ||
	    !EVP_DigestUpdate(md, c, clen) ||
	    !EVP_DigestFinal_ex(md, out, NULL))
		lv_fatal("SHA-256 failed");
}

/* SHA-256(0x00 || entry) */
void
tree_leaf(const void *entry, size_t len, unsigned char *out)
{
	sha256("\x00", 1, entry, len, "", 0, out);
}

/* SHA-256(0x01 || left || right) */
void
tree_node(const unsigned char *l, const unsigned char *r, unsigned char *out)
{
	sha256("\x01", 1, l, LV_HASH, r, LV_HASH, out);
}

/*
 * The root of the tree over leaves[0 .. n-1] (MTH of RFC 6962 2.1), in
 * one pass: a stack holds the roots of the complete subtrees so far, one
 * per bit of the count; at the end they are folded from the right.
 */
void
tree_root(const unsigned char (*leaves)[LV_HASH], uint64_t n,
    unsigned char *out)
{
	unsigned char	stack[64][LV_HASH];
	uint64_t	i, k;
	int		top;

	if (n == 0) {
		sha256("", 0, "", 0, "", 0, out);
		return;
	}
	top = 0;
	for (i = 0; i < n; i++) {
		memcpy(stack[top++], leaves[i], LV_HASH);
		/* Each trailing 1 bit of i+1's predecessor merges a pair. */
		for (k = i; k & 1; k >>= 1) {
			tree_node(stack[top - 2], stack[top - 1],
			    stack[top - 2]);
			top--;
		}
	}
	memcpy(out, stack[top - 1], LV_HASH);
	for (top -= 2; top >= 0; top--)
		tree_node(stack[top], out, out);
}

/* RFC 9162 2.1.3.2 */
int
tree_verify_inclusion(uint64_t index, uint64_t size, const unsigned char *leaf,
    const unsigned char (*path)[LV_HASH], size_t n, const unsigned char *root)
{
	unsigned char	r[LV_HASH];
	uint64_t	fn, sn;
	size_t		i;

	if (index >= size)
		return (0);
	fn = index;
	sn = size - 1;
	memcpy(r, leaf, LV_HASH);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return (0);
		if ((fn & 1) || fn == sn) {
			tree_node(path[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			tree_node(r, path[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return (sn == 0 && memcmp(r, root, LV_HASH) == 0);
}

/* RFC 9162 2.1.4.2 */
int
tree_verify_consistency(uint64_t first, uint64_t second,
    const unsigned char *first_root, const unsigned char *second_root,
    const unsigned char (*path)[LV_HASH], size_t n)
{
	unsigned char		 fr[LV_HASH], sr[LV_HASH];
	const unsigned char	*c;
	uint64_t		 fn, sn;
	size_t			 i = 0;

	if (first == 0 || first > second)
		return (0);
	if (first == second)
		return (n == 0 &&
		    memcmp(first_root, second_root, LV_HASH) == 0);
	if (n == 0)
		return (0);
	if ((first & (first - 1)) == 0)
		c = first_root;
	else
		c = path[i++];
	fn = first - 1;
	sn = second - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, c, LV_HASH);
	memcpy(sr, c, LV_HASH);
	for (; i < n; i++) {
		if (sn == 0)
			return (0);
		if ((fn & 1) || fn == sn) {
			tree_node(path[i], fr, fr);
			tree_node(path[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			tree_node(sr, path[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return (sn == 0 && memcmp(fr, first_root, LV_HASH) == 0 &&
	    memcmp(sr, second_root, LV_HASH) == 0);
}

/* The value of base64 digit c, or -1. */
static int
b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '+')
		return (62);
	if (c == '/')
		return (63);
	return (-1);
}

/*
 * Standard padded base64 (len bytes at in, which may hold anything),
 * strictly; 0 on anything else or no room.
 */
int
b64_dec(const char *in, size_t len, unsigned char *out, size_t cap,
    size_t *outlen)
{
	uint32_t	acc = 0;
	size_t		i, pad = 0, o = 0;
	int		v;

	if (len % 4 != 0)
		return (0);
	if (len > 0 && in[len - 1] == '=')
		pad = len > 1 && in[len - 2] == '=' ? 2 : 1;
	if (len / 4 * 3 - pad > cap)
		return (0);
	for (i = 0; i < len - pad; i++) {
		if ((v = b64val(in[i])) == -1)
			return (0);
		acc = acc << 6 | (uint32_t)v;
		if (i % 4 == 3) {
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if (pad == 1) {
		if (acc & 3)
			return (0);
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
	} else if (pad == 2) {
		if (acc & 15)
			return (0);
		out[o++] = (unsigned char)(acc >> 4);
	}
	*outlen = o;
	return (1);
}

/* The base64 of data, in a new string. */
char *
b64_enc(const unsigned char *data, size_t len)
{
	char	*s;

	s = lv_alloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)s, data, (int)len);
	return (s);
}

/*
 * The length of the text of signed note (len bytes): up to and with the
 * newline before the last blank line; 0 when there is no such line, or
 * the note does not end with a newline.
 */
static size_t
note_text(const char *note, size_t len)
{
	size_t	text;

	if (len < 2 || note[len - 1] != '\n')
		return (0);
	for (text = len - 1; text > 0; text--) {
		if (note[text] == '\n' && note[text - 1] == '\n')
			return (text);
	}
	return (0);
}

/*
 * Reads the text of the signed checkpoint note (len bytes, untrusted;
 * c2sp.org/tlog-checkpoint): the origin, a key name of 1 to 255 bytes
 * (no space, control character or '+'), the tree size in decimal, the
 * root hash in base64; extension lines may follow.  Its signatures are
 * note_open's.  LV_OK, or LV_CANNOT with what is wrong in e.
 */
int
checkpoint_parse(const char *note, size_t len, struct checkpoint *cp,
    struct lv_err *e)
{
	const char	*p = note, *end, *nl;
	size_t		 text, n, i;
	uint64_t	 v = 0;

	memset(cp, 0, sizeof(*cp));
	if ((text = note_text(note, len)) == 0)
		return (lv_err(e, LV_CANNOT, "the checkpoint is not a signed "
		    "note"));
	end = note + text;

	nl = memchr(p, '\n', (size_t)(end - p));	/* the text ends in one */
	if ((n = (size_t)(nl - p)) == 0 || n >= sizeof(cp->origin))
		return (lv_err(e, LV_CANNOT, "the checkpoint's origin is empty "
		    "or longer than %zu bytes", sizeof(cp->origin) - 1));
	for (i = 0; i < n; i++) {
		if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f || p[i] == '+')
			return (lv_err(e, LV_CANNOT, "the checkpoint's origin "
			    "is not a key name"));
	}
	memcpy(cp->origin, p, n);
	p = nl + 1;

	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
		return (lv_err(e, LV_CANNOT, "the checkpoint has no tree "
		    "size"));
	n = (size_t)(nl - p);
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9' ||
		    v > (UINT64_MAX - (uint64_t)(p[i] - '0')) / 10)
			break;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (n == 0 || i != n || (p[0] == '0' && n > 1))
		return (lv_err(e, LV_CANNOT, "the checkpoint's tree size is "
		    "not a number"));
	cp->size = v;
	p = nl + 1;

	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
		return (lv_err(e, LV_CANNOT, "the checkpoint has no root "
		    "hash"));
	if (!b64_dec(p, (size_t)(nl - p), cp->root, LV_HASH, &n) ||
	    n != LV_HASH)
		return (lv_err(e, LV_CANNOT, "the checkpoint's root hash is "
		    "not %d bytes in base64", LV_HASH));
	return (LV_OK);
}

/*
 * Whether the signed note (len bytes, untrusted) carries a valid Ed25519
 * signature by the key pub named name (NUL-terminated; c2sp.org/signed-
 * note).  Lines of other keys are ignored.  LV_OK when it does; LV_WRONG
 * when the signature by this key is bad, or there is none; LV_CANNOT
 * when the note is not one.  What is wrong in e.
 */
int
note_open(const char *note, size_t len, const char *name,
    const unsigned char *pub, struct lv_err *e)
{
	static const char	 dash[] = "\xe2\x80\x94 ";
	unsigned char		 kid[LV_HASH], sig[4 + 64 + 2];
	const char		*p, *nl, *sp, *end = note + len;
	size_t			 text, nlen = strlen(name), slen;
	EVP_PKEY		*k;
	EVP_MD_CTX		*ctx;
	int			 good = 0, ok;

	if ((text = note_text(note, len)) == 0 || text + 1 == len)
		return (lv_err(e, LV_CANNOT, "not a signed note"));
	/* The key ID: SHA-256(name || 0x0A || 0x01 || key)[:4]. */
	sha256(name, nlen, "\n\x01", 2, pub, 32, kid);
	for (p = note + text + 1; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));	/* note ends in one */
		if (nl - p < 6 || memcmp(p, dash, 4) != 0)
			return (lv_err(e, LV_CANNOT, "a note's signature line "
			    "is not \"\xe2\x80\x94 name signature\""));
		p += 4;
		if ((sp = memchr(p, ' ', (size_t)(nl - p))) == NULL)
			return (lv_err(e, LV_CANNOT, "a note's signature line "
			    "has no signature"));
		if ((size_t)(sp - p) != nlen || memcmp(p, name, nlen) != 0)
			continue;
		if (!b64_dec(sp + 1, (size_t)(nl - sp - 1), sig, sizeof(sig),
		    &slen) || slen < 5)
			return (lv_err(e, LV_CANNOT, "a note's signature is "
			    "not base64 of a key ID and a signature"));
		if (memcmp(sig, kid, 4) != 0)
			continue;
		if (slen != 68)
			return (lv_err(e, LV_WRONG, "the signature by %s is "
			    "not 64 bytes", name));
		if ((k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
		    pub, 32)) == NULL)
			return (lv_err(e, LV_CANNOT, "not an Ed25519 key"));
		if ((ctx = EVP_MD_CTX_new()) == NULL)
			lv_fatal("out of memory");
		ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) == 1 &&
		    EVP_DigestVerify(ctx, sig + 4, 64,
		    (const unsigned char *)note, text) == 1;
		EVP_MD_CTX_free(ctx);
		EVP_PKEY_free(k);
		if (!ok)
			return (lv_err(e, LV_WRONG, "the signature by %s does "
			    "not verify", name));
		good = 1;
	}
	if (!good)
		return (lv_err(e, LV_WRONG, "no signature by %s", name));
	return (LV_OK);
}
