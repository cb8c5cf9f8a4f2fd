/*
 * A request's head as it reaches the server, through the screen src/edge.c
 * runs before Kore parses it (hdr_screen, src/lib/hdr.c).  The first byte
 * chooses the buffer's room (the bytes, or up to 255 more) and whether it
 * is full.  Checked: a head passed on fits the buffer and holds its head
 * and the body bytes received; screened again it passes unchanged (what
 * Kore gets needs no more rewriting); a refusal has a status and a code.
 */
#include <stdlib.h>
#include <string.h>

#include "lib.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
expect(int cond)
{
	if (!cond)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct hdr_limits	 lim = { 1999, 3145728 };
	struct hdr_head			 h, again;
	char				*buf, *copy;
	size_t				 len, cap, len2;
	int				 r;

	if (size == 0)
		return (0);
	len = size - 1;
	cap = len + (data[0] >> 1);
	if ((buf = malloc(cap + 1)) == NULL || (copy = malloc(cap + 1)) ==
	    NULL)
		abort();
	memcpy(buf, data + 1, len);
	r = hdr_screen(buf, &len, cap, data[0] & 1, &lim, &h);
	switch (r) {
	case HDR_MORE:
		expect(!(data[0] & 1) && len == size - 1);
		break;
	case HDR_REFUSE:
		expect(h.status >= 400 && h.status < 600 && h.code != NULL);
		expect(h.lang == LANG_ZH || h.lang == LANG_EN);
		expect(h.path[0] == '/' && strlen(h.path) < sizeof(h.path));
		break;
	case HDR_PASS:
		expect(len <= cap && h.len <= len && len <= h.len + h.body);
		expect(h.lang == LANG_ZH || h.lang == LANG_EN);
		memcpy(copy, buf, len);
		len2 = len;
		r = hdr_screen(copy, &len2, cap, 0, &lim, &again);
		expect(r == HDR_PASS && len2 == len && again.extra == 0 &&
		    memcmp(copy, buf, len) == 0);
		expect(again.body == h.body && again.api == h.api);
		break;
	default:
		abort();
	}
	free(buf);
	free(copy);
	return (0);
}
