/*
 * Password hashes: scrypt through OpenSSL, in a self-describing string
 *
 *	$scrypt$ln=15,r=8,p=1$<salt, 32 hex>$<hash, 64 hex>
 *
 * so that the cost can be raised later and old hashes still verify.
 * Hashing takes tens of milliseconds and 32 MiB: callers run it on a
 * task thread, never on a worker's event loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lib.h"

#define SCRYPT_LN	15	/* N = 2^15 */
#define SCRYPT_R	8
#define SCRYPT_P	1
#define SALT_LEN	16
#define KEY_LEN		32
#define MAXMEM		(64 * 1024 * 1024)

/*
 * Verified when no account matches, so that the time taken does not tell
 * whether the account exists.  Nothing hashes to it.
 */
const char password_dummy[] = "$scrypt$ln=15,r=8,p=1$"
    "00000000000000000000000000000000$"
    "0000000000000000000000000000000000000000000000000000000000000000";

static int	derive(const char *, size_t, const unsigned char *, int, int,
		    int, unsigned char *);

static int
derive(const char *pw, size_t len, const unsigned char *salt, int ln, int r,
    int p, unsigned char *key)
{
	return (EVP_PBE_scrypt(pw, len, salt, SALT_LEN, (uint64_t)1 << ln,
	    (uint64_t)r, (uint64_t)p, MAXMEM, key, KEY_LEN) == 1);
}

/*
 * Hashes pw (len bytes) with a fresh random salt into out, which must
 * hold PASSWORD_HASH_MAX bytes.  Returns 1, or 0 if OpenSSL fails.
 */
int
password_hash(const char *pw, size_t len, char *out, size_t outlen)
{
	unsigned char	salt[SALT_LEN], key[KEY_LEN];
	char		salthex[SALT_LEN * 2 + 1], keyhex[KEY_LEN * 2 + 1];
	int		n;

	rnd_bytes(salt, sizeof(salt));
	if (!derive(pw, len, salt, SCRYPT_LN, SCRYPT_R, SCRYPT_P, key))
		return (0);
	hex_encode(salthex, salt, sizeof(salt));
	hex_encode(keyhex, key, sizeof(key));
	OPENSSL_cleanse(key, sizeof(key));
	n = snprintf(out, outlen, "$scrypt$ln=%d,r=%d,p=%d$%s$%s", SCRYPT_LN,
	    SCRYPT_R, SCRYPT_P, salthex, keyhex);
	return (n > 0 && (size_t)n < outlen);
}

/*
 * Whether pw matches encoded: 1 yes, 0 no, -1 when encoded is not a hash
 * this module understands.  The comparison takes constant time.
 */
int
password_verify(const char *pw, size_t len, const char *encoded)
{
	unsigned char	salt[SALT_LEN], want[KEY_LEN], got[KEY_LEN];
	char		salthex[SALT_LEN * 2 + 1], keyhex[KEY_LEN * 2 + 1];
	int		ln, r, p, end = 0, ok;

	if (encoded == NULL || sscanf(encoded,
	    "$scrypt$ln=%2d,r=%2d,p=%2d$%32[0-9a-f]$%64[0-9a-f]%n",
	    &ln, &r, &p, salthex, keyhex, &end) != 5 ||
	    encoded[end] != '\0' || strlen(salthex) != SALT_LEN * 2 ||
	    strlen(keyhex) != KEY_LEN * 2 || ln < 10 || ln > 22 || r < 1 ||
	    r > 32 || p < 1 || p > 16 ||
	    hex_decode(salt, SALT_LEN, salthex) != SALT_LEN ||
	    hex_decode(want, KEY_LEN, keyhex) != KEY_LEN)
		return (-1);
	if (!derive(pw, len, salt, ln, r, p, got))
		return (-1);
	ok = CRYPTO_memcmp(got, want, KEY_LEN) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	return (ok);
}
