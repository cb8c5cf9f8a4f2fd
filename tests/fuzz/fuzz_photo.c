/*
 * A hand-over photo as the multipart upload delivers it: any bytes,
 * through photo_clean (src/lib/photo.c): our sniffing and pixel limit,
 * then libvips's JPEG, PNG and HEIF loaders.  Refused or cleaned, never
 * a read outside the bytes.
 */
#include "lib.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 ready;
	struct buf	 full, thumb;

	if (!ready && !(ready = photo_init("fuzz_photo")))
		return (0);
	buf_init(&full, 1024);
	buf_init(&thumb, 1024);
	(void)photo_clean(data, size, &full, &thumb);
	buf_free(&full);
	buf_free(&thumb);
	return (0);
}
