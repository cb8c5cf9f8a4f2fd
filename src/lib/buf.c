/*
 * A growing byte buffer for building responses.  Always NUL-terminated
 * past len, so its data can be used as a C string.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"

static void	buf_grow(struct buf *, size_t);

void
buf_init(struct buf *b, size_t cap)
{
	b->len = 0;
	b->cap = cap < 64 ? 64 : cap;
	if ((b->data = malloc(b->cap)) == NULL)
		abort();
	b->data[0] = '\0';
}

static void
buf_grow(struct buf *b, size_t need)
{
	size_t	cap;

	if (b->len + need + 1 <= b->cap)
		return;
	cap = b->cap;
	while (b->len + need + 1 > cap)
		cap *= 2;
	if ((b->data = realloc(b->data, cap)) == NULL)
		abort();
	b->cap = cap;
}

void
buf_append(struct buf *b, const void *d, size_t len)
{
	buf_grow(b, len);
	memcpy(b->data + b->len, d, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

const char *
buf_cstr(struct buf *b)
{
	return (b->data);
}
