/*
 * Templates (src/lib/tmpl.c): a template source and a JSON context, split at
 * the first NUL byte (a context that does not parse renders with an
 * empty object).  The source is compiled, and when it compiles, rendered
 * with the context and a small message catalogue; a partial refers to
 * the template itself, so the depth limit is exercised too.
 */
#include <string.h>

#include "lib.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmpl_set	*set;
	struct buf	 out;
	json_t		*ctx, *msgs;
	const char	*src = (const char *)data, *nul;
	size_t		 srclen = size;
	char		 err[128];

	if ((nul = memchr(data, '\0', size)) != NULL)
		srclen = (size_t)(nul - src);
	ctx = NULL;
	if (nul != NULL)
		ctx = json_loadb(nul + 1, size - srclen - 1, 0, NULL);
	if (ctx == NULL)
		ctx = json_object();
	msgs = json_pack("{s:s, s:s}", "a.b", "<x>", "mine.no_messages", "无");
	set = tmpl_set_new();
	if (tmpl_add(set, "t", src, srclen, err, sizeof(err))) {
		buf_init(&out, 256);
		(void)tmpl_render(set, "t", ctx, msgs, &out);
		buf_free(&out);
	}
	tmpl_set_free(set);
	json_decref(ctx);
	json_decref(msgs);
	return (0);
}
