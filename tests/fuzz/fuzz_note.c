/*
 * A signed checkpoint note as the module reads it back (src/lib/note.c): any
 * bytes, checked against a fixed key; a malformed note is refused without
 * reading outside it.
 */
#include "lib.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char	pub[32] = { 1, 2, 3 };
	size_t				textlen;

	(void)note_verify((const char *)data, size,
	    "youth-shop.jiyuan.example/log", pub, &textlen);
	return (0);
}
