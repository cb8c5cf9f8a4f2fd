/*
 * Lower-case hex, the one encoding of bytes as text for tokens, session
 * ids, password salts, data keys and sealed values.
 */
#include <string.h>

#include "lib.h"

static int	hex_value(int);

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Lower-case hex of len bytes into out (2 * len + 1 bytes). */
void
hex_encode(char *out, const unsigned char *in, size_t len)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < len; i++) {
		out[i * 2] = digits[in[i] >> 4];
		out[i * 2 + 1] = digits[in[i] & 0xf];
	}
	out[len * 2] = '\0';
}

/*
 * Decodes the hex string s (any case) into out, which holds max bytes.
 * Returns the number of bytes, or -1 when s is not hex or too long.
 */
long
hex_decode(unsigned char *out, size_t max, const char *s)
{
	size_t	len = strlen(s), i;
	int	hi, lo;

	if (len % 2 != 0 || len / 2 > max)
		return (-1);
	for (i = 0; i < len / 2; i++) {
		if ((hi = hex_value(s[2 * i])) < 0 ||
		    (lo = hex_value(s[2 * i + 1])) < 0)
			return (-1);
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return ((long)(len / 2));
}
