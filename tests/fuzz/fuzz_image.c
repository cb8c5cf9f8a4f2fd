/*
 * A hand-over photo as the multipart upload delivers it: any bytes,
 * through image_clean (src/lib/image.c), which must refuse or clean them
 * without reading outside them.
 */
#include "lib.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 out;
	const char	*type;

	buf_init(&out, size + 1);
	(void)image_clean(data, size, &out, &type);
	buf_free(&out);
	return (0);
}
