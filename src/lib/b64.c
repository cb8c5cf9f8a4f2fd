/*
 * Standard base64 (RFC 4648 section 4, with padding): what the log's
 * formats use for hashes, keys and signatures.  Decoding is strict: no
 * white space, padding only at the end, no stray bits.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib.h"

static int	b64_value(int);

/* Appends the base64 of data to b. */
void
b64_encode(struct buf *b, const void *data, size_t len)
{
	unsigned char	*tmp;
	int		 n;

	if ((tmp = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		abort();
	n = EVP_EncodeBlock(tmp, data, (int)len);
	buf_append(b, tmp, (size_t)n);
	free(tmp);
}

static int
b64_value(int c)
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
 * Decodes len characters of base64 into out (room for cap bytes), the
 * decoded length in *outlen.  Returns 0 unless the input is canonical
 * padded base64 whose bytes fit.
 */
int
b64_decode(const char *in, size_t len, unsigned char *out, size_t cap,
    size_t *outlen)
{
	uint32_t	acc;
	size_t		i, pad, n, o;
	int		v;

	if (len % 4 != 0)
		return (0);
	pad = 0;
	if (len > 0 && in[len - 1] == '=')
		pad = (len > 1 && in[len - 2] == '=') ? 2 : 1;
	n = len / 4 * 3 - pad;
	if (n > cap)
		return (0);
	acc = 0;
	for (i = o = 0; i < len - pad; i++) {
		if ((v = b64_value((unsigned char)in[i])) < 0)
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
		/* 3 characters: 18 bits, 16 of them bytes, 2 must be 0. */
		if (acc & 0x3)
			return (0);
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
	} else if (pad == 2) {
		if (acc & 0xf)
			return (0);
		out[o++] = (unsigned char)(acc >> 4);
	}
	*outlen = o;
	return (o == n);
}
