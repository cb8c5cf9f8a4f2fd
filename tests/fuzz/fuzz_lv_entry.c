/*
 * libFuzzer target: logverify's checks of the log's entries and their
 * totals (ledger_add, ledger_print).  The input is entries separated by
 * an empty line (an entry never holds one); each is added at its
 * position, up to the first that is refused, as logverify does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lv.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The totals ledger_print writes are not wanted on the fuzzer's output. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (freopen("/dev/null", "w", stdout) == NULL)
		abort();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data, *end = p + size, *sep;
	struct ledger	*l;
	struct lv_err	 e;
	size_t		 len;
	uint64_t	 i;
	int		 rc = LV_OK;

	l = ledger_new();
	for (i = 0; p < end && rc == LV_OK; i++) {
		sep = memmem(p, (size_t)(end - p), "\n\n", 2);
		len = sep != NULL ? (size_t)(sep - p) + 1 : (size_t)(end - p);
		rc = ledger_add(l, i, p, len, &e);
		if (rc != LV_OK && rc != LV_WRONG && rc != LV_CANNOT)
			abort();
		p += len + (sep != NULL);
	}
	if (rc == LV_OK)
		ledger_print(l);
	ledger_free(l);
	return (0);
}
