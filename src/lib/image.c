/*
 * Photos taken at hand-over: only JPEG and PNG, and never with their
 * metadata (EXIF carries the GPS position of the school and the camera's
 * owner).  The image data itself is kept byte for byte.
 */
#include <string.h>

#include "lib.h"

static int	jpeg_clean(const unsigned char *, size_t, struct buf *);
static int	png_clean(const unsigned char *, size_t, struct buf *);

/*
 * Copies the image in[len] to out without its metadata and names its type
 * in *type.  Returns 0 (out unspecified) when it is not a well-formed JPEG
 * or PNG.
 */
int
image_clean(const unsigned char *in, size_t len, struct buf *out,
    const char **type)
{
	if (len > 3 && in[0] == 0xff && in[1] == 0xd8 && in[2] == 0xff) {
		*type = "image/jpeg";
		return (jpeg_clean(in, len, out));
	}
	if (len > 8 && !memcmp(in, "\x89PNG\r\n\x1a\n", 8)) {
		*type = "image/png";
		return (png_clean(in, len, out));
	}
	return (0);
}

/*
 * JPEG: a sequence of segments (FF xx, then a 2-byte length for most);
 * APP1..APP15 (EXIF, XMP, ICC, maker notes) and COM are dropped, APP0
 * (JFIF) kept.  After a start of scan the entropy-coded data runs to the
 * next marker that is not a stuffed FF00 or a restart (a progressive
 * image has several scans, with segments between them, which are
 * filtered the same way).  The first end of image ends the file:
 * whatever follows it (a second image with its own EXIF, a phone's
 * "motion photo" video) is dropped.
 */
static int
jpeg_clean(const unsigned char *in, size_t len, struct buf *out)
{
	size_t		i = 2, seg, start;
	unsigned char	m;

	buf_append(out, in, 2);
	while (i + 2 <= len) {
		if (in[i] != 0xff)
			return (0);
		m = in[i + 1];
		if (m == 0xff) {		/* fill byte */
			i++;
			continue;
		}
		if (m == 0xd9) {		/* end of image */
			buf_append(out, in + i, 2);
			return (1);
		}
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
			buf_append(out, in + i, 2);
			i += 2;
			continue;
		}
		if (i + 4 > len)
			return (0);
		seg = (size_t)in[i + 2] << 8 | in[i + 3];
		if (seg < 2 || i + 2 + seg > len)
			return (0);
		if (!((m >= 0xe1 && m <= 0xef) || m == 0xfe))
			buf_append(out, in + i, 2 + seg);
		i += 2 + seg;
		if (m != 0xda)
			continue;
		/* The scan's data, up to the next real marker. */
		for (start = i; i + 1 < len; i++) {
			if (in[i] == 0xff && in[i + 1] != 0x00 &&
			    in[i + 1] != 0xff &&
			    !(in[i + 1] >= 0xd0 && in[i + 1] <= 0xd7))
				break;
		}
		if (i + 1 >= len)
			return (0);
		buf_append(out, in + start, i - start);
	}
	return (0);
}

/*
 * PNG: chunks of length, type, data, CRC.  Critical chunks (upper-case
 * first letter) and the ancillary chunks that change how it looks are
 * kept; text, time, EXIF and the rest are dropped.
 */
static int
png_clean(const unsigned char *in, size_t len, struct buf *out)
{
	static const char *const	keep[] = {
		"tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "pHYs", "sBIT", NULL
	};
	size_t				i = 8, n, k;
	int				end = 0, ok;

	buf_append(out, in, 8);
	while (i + 12 <= len && !end) {
		n = (size_t)in[i] << 24 | (size_t)in[i + 1] << 16 |
		    (size_t)in[i + 2] << 8 | in[i + 3];
		if (n > len || i + 12 + n > len)
			return (0);
		ok = in[i + 4] >= 'A' && in[i + 4] <= 'Z';
		for (k = 0; !ok && keep[k] != NULL; k++)
			ok = !memcmp(in + i + 4, keep[k], 4);
		end = !memcmp(in + i + 4, "IEND", 4);
		if (ok)
			buf_append(out, in + i, 12 + n);
		i += 12 + n;
	}
	return (end);
}
