/*
 * The small decoders and escapers that see outside text: UTF-8 checks,
 * HTML and URL escaping, yuan amounts, base64 and hex.  Each gets the
 * same bytes (the string functions a NUL-terminated copy, as callers
 * give them).
 */
#include <stdlib.h>
#include <string.h>

#include "lib.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 b;
	unsigned char	 bin[256];
	char		*s;
	size_t		 chars, len;
	int64_t		 fen;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	(void)utf8_check((const char *)data, size, 0, &chars);
	(void)utf8_check((const char *)data, size, 1, &chars);
	buf_init(&b, size * 6 + 1);
	esc_html(&b, (const char *)data, size);
	esc_url(&b, (const char *)data, size);
	buf_free(&b);
	(void)money_parse_yuan(s, &fen);
	(void)b64_decode((const char *)data, size, bin, sizeof(bin), &len);
	(void)hex_decode(bin, sizeof(bin), s);
	free(s);
	return (0);
}
