/*
 * Hand-over photos, as a phone sends them: decoded by libvips, turned
 * upright, scaled down and written again as a plain JPEG, with nothing of
 * the original file kept but its pixels.  EXIF carries the GPS position
 * of the school and the owner of the camera, maker notes and trailers
 * carry more: a new file from the pixels leaves them all behind, where
 * the scanner this replaces had to know every place they can hide.
 *
 * The work is slow (tens to hundreds of milliseconds): the module calls
 * photo_clean on a task thread.  photo_init runs once in each process
 * (in Kore's worker, after the fork: libvips starts threads).
 *
 * Not a Kore module and not in LIB_OBJ: only the module, its unit test
 * and its fuzz target link libvips (see the Makefile).
 */
#include <stdlib.h>
#include <string.h>

#include <vips/vips.h>
#include <vips/vector.h>

#include "lib.h"

static enum photo_type	sniff(const unsigned char *, size_t);
static int		header(const unsigned char *, size_t,
			    enum photo_type);
static int		encode(VipsImage *, int, struct buf *);
static void		quiet(const gchar *, GLogLevelFlags, const gchar *,
			    gpointer);

/* The loaders libvips may run on a phone's bytes: no others. */
static const char *const loaders[] = {
	[PHOTO_JPEG] = "VipsForeignLoadJpegBuffer",
	[PHOTO_PNG] = "VipsForeignLoadPngBuffer",
	[PHOTO_HEIF] = "VipsForeignLoadHeifBuffer",
};

/*
 * libvips for this process: one thread per pipeline and no operation
 * cache (a worker handles one photo at a time per task thread, and a
 * cache would keep the pixels of the last one), every loader blocked but
 * the three above.  0 when libvips cannot start.
 */
int
photo_init(const char *name)
{
	size_t	i;

	/*
	 * No run-time code generation (liborc): it writes machine code to a
	 * file in $HOME and maps it executable, which Kore's sandbox rightly
	 * refuses (W^X).  The plain C paths are used instead.
	 */
	(void)setenv("VIPS_NOVECTOR", "1", 1);
	if (VIPS_INIT(name) != 0)
		return (0);
	vips_vector_set_enabled(FALSE);
	/* A broken upload is answered 400, not logged tile by tile. */
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE |
	    G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG, quiet, NULL);
	vips_concurrency_set(1);
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	vips_cache_set_max_files(0);
	vips_operation_block_set("VipsForeignLoad", TRUE);
	vips_operation_block_set("VipsForeignSave", TRUE);
	for (i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++)
		if (loaders[i] != NULL)
			vips_operation_block_set(loaders[i], FALSE);
	vips_operation_block_set("VipsForeignSaveJpegBuffer", FALSE);
	/* The share posters (poster.c) are written as PNG. */
	vips_operation_block_set("VipsForeignSavePngBuffer", FALSE);
	return (1);
}

static void
quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg,
    gpointer arg)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)arg;
}

/*
 * The type of in[len] by its first bytes, whatever the client said:
 * JPEG, PNG or an ISO-BMFF file of the HEIF family (iPhones save HEIC),
 * this last only when this libvips was built with libheif.
 */
static enum photo_type
sniff(const unsigned char *in, size_t len)
{
	static const char *const brands[] = { "heic", "heix", "hevc",
	    "hevx", "heim", "heis", "mif1", "msf1", NULL };
	size_t	i;

	if (len >= 3 && in[0] == 0xff && in[1] == 0xd8 && in[2] == 0xff)
		return (PHOTO_JPEG);
	if (len >= 8 && !memcmp(in, "\x89PNG\r\n\x1a\n", 8))
		return (PHOTO_PNG);
	if (len >= 12 && !memcmp(in + 4, "ftyp", 4)) {
		for (i = 0; brands[i] != NULL; i++)
			if (!memcmp(in + 8, brands[i], 4))
				break;
		if (brands[i] != NULL && vips_type_find("VipsOperation",
		    "heifload_buffer") != 0)
			return (PHOTO_HEIF);
	}
	return (PHOTO_NONE);
}

/*
 * Reads only the header (libvips decodes lazily) and refuses an image of
 * more than PHOTO_PIXELS_MAX pixels before a single one is decoded: a
 * few hundred bytes can claim 30,000 x 30,000.  PHOTO_OK, or the refusal.
 */
static int
header(const unsigned char *in, size_t len, enum photo_type type)
{
	VipsImage	*im = NULL;
	int		 r;

	switch (type) {
	case PHOTO_JPEG:
		r = vips_jpegload_buffer((void *)(uintptr_t)in, len, &im,
		    "access", VIPS_ACCESS_SEQUENTIAL, NULL);
		break;
	case PHOTO_PNG:
		r = vips_pngload_buffer((void *)(uintptr_t)in, len, &im,
		    "access", VIPS_ACCESS_SEQUENTIAL, NULL);
		break;
	default:
		r = vips_heifload_buffer((void *)(uintptr_t)in, len, &im,
		    "access", VIPS_ACCESS_SEQUENTIAL, NULL);
		break;
	}
	if (r != 0)
		return (PHOTO_BAD);
	r = (uint64_t)vips_image_get_width(im) *
	    (uint64_t)vips_image_get_height(im) > PHOTO_PIXELS_MAX ?
	    PHOTO_TOO_MANY_PIXELS : PHOTO_OK;
	g_object_unref(im);
	return (r);
}

/*
 * The photo in in[len] as two new JPEGs: full (at most PHOTO_SIDE pixels
 * on its long side) and thumb (PHOTO_THUMB_SIDE), upright (the EXIF
 * orientation applied: vips_thumbnail runs vips_autorot), in sRGB,
 * transparency flattened on white, no metadata.  The caller owns both
 * buffers (buf_init'ed) either way.  PHOTO_OK, or why not: not a type
 * we take, too many pixels, or not a whole image (truncated, corrupt).
 */
int
photo_clean(const unsigned char *in, size_t len, struct buf *full,
    struct buf *thumb)
{
	VipsImage	*im = NULL;
	enum photo_type	 type;
	int		 r;

	if ((type = sniff(in, len)) == PHOTO_NONE)
		return (PHOTO_UNSUPPORTED);
	if ((r = header(in, len, type)) != PHOTO_OK) {
		vips_error_clear();
		return (r);
	}
	/* fail_on=truncated: half a photo is refused, not shown grey. */
	r = vips_thumbnail_buffer((void *)(uintptr_t)in, len, &im,
	    PHOTO_SIDE, "height", PHOTO_SIDE, "size", VIPS_SIZE_DOWN,
	    "option_string", "fail_on=truncated", NULL);
	if (r == 0)
		r = encode(im, 82, full);
	if (im != NULL)
		g_object_unref(im);
	im = NULL;
	if (r == 0)
		r = vips_thumbnail_buffer(full->data, full->len, &im,
		    PHOTO_THUMB_SIDE, "height", PHOTO_THUMB_SIDE, "size",
		    VIPS_SIZE_DOWN, NULL);
	if (r == 0)
		r = encode(im, 78, thumb);
	if (im != NULL)
		g_object_unref(im);
	vips_error_clear();
	return (r == 0 ? PHOTO_OK : PHOTO_BAD);
}

/*
 * im as a baseline JPEG of quality q appended to out, with strip: no
 * EXIF, XMP, IPTC, ICC profile or comment is written.  0 when done.
 */
static int
encode(VipsImage *im, int q, struct buf *out)
{
	VipsImage	*rgb = NULL, *flat = NULL;
	VipsArrayDouble	*white;
	void		*data = NULL;
	size_t		 len;
	int		 r;

	if (vips_colourspace(im, &rgb, VIPS_INTERPRETATION_sRGB, NULL) != 0)
		return (-1);
	if (vips_image_hasalpha(rgb)) {
		white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
		r = vips_flatten(rgb, &flat, "background", white, NULL);
		vips_area_unref(VIPS_AREA(white));
	} else {
		r = vips_copy(rgb, &flat, NULL);
	}
	g_object_unref(rgb);
	if (r != 0)
		return (-1);
	r = vips_jpegsave_buffer(flat, &data, &len, "Q", q, "strip", TRUE,
	    "optimize_coding", TRUE, NULL);
	g_object_unref(flat);
	if (r != 0)
		return (-1);
	buf_append(out, data, len);
	g_free(data);
	return (0);
}
