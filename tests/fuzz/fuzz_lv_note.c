/*
 * libFuzzer target: logverify reading the signed checkpoint
 * (checkpoint_parse: origin, tree size, root hash) and its signatures
 * (note_open), on bytes a hostile server chose.  The key is fixed: the
 * corpus holds notes signed with it (origin fuzz.example/log), so the
 * fuzzer starts from notes that verify.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Ed25519, from the seed 01 02 ... 20 (not a secret). */
static const unsigned char	pub[32] = {
	0x79, 0xb5, 0x56, 0x2e, 0x8f, 0xe6, 0x54, 0xf9, 0x40, 0x78, 0xb1,
	0x12, 0xe8, 0xa9, 0x8b, 0xa7, 0x90, 0x1f, 0x85, 0x3a, 0xe6, 0x95,
	0xbe, 0xd7, 0xe0, 0xe3, 0x91, 0x0b, 0xad, 0x04, 0x96, 0x64,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*note = (const char *)data;
	struct checkpoint	 cp;
	struct lv_err		 e;
	int			 rc;

	rc = checkpoint_parse(note, size, &cp, &e);
	if (rc == LV_OK) {
		/* A key name: 1 to 255 bytes, no NUL, space or control. */
		if (cp.origin[0] == '\0' || strlen(cp.origin) >= 256 ||
		    strpbrk(cp.origin, " \t\n\r+") != NULL)
			abort();
	} else if (rc != LV_CANNOT) {
		abort();
	}
	/* The signatures, under the note's name or the corpus's. */
	rc = note_open(note, size, rc == LV_OK ? cp.origin :
	    "fuzz.example/log", pub, &e);
	if (rc != LV_OK && rc != LV_WRONG && rc != LV_CANNOT)
		abort();
	return (0);
}
