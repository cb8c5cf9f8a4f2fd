/*
 * libFuzzer target: logverify reading an HTTP answer (http_parse_reply:
 * the status line, the header fields, the body by Content-Length, chunked
 * or to the end), on bytes a hostile server chose.  It must return an
 * error for anything malformed, never read past the bytes, never exit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lv_err	 e;
	char		*body;
	size_t		 len;

	switch (http_parse_reply((const char *)data, size, &body, &len, &e)) {
	case LV_OK:
		/* The body is decoded from the answer: never longer. */
		if (len > size || body[len] != '\0')
			abort();
		free(body);
		break;
	case LV_CANNOT:
		if (body != NULL || memchr(e.msg, '\0', sizeof(e.msg)) == NULL)
			abort();
		break;
	default:
		abort();
	}
	return (0);
}
