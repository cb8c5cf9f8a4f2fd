/*
 * How logverify ends, and how its pieces say what went wrong.
 *
 * The pieces (http.c, json.c, tree.c, entry.c) never end the program on
 * account of what the server sent: they return LV_WRONG or LV_CANNOT with
 * a message in a struct lv_err, and logverify.c decides (lv_end).  They
 * call lv_fatal only when the machine fails them (out of memory, OpenSSL
 * broken), never for any input.  So each can be fuzzed alone.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lv.h"

static void	lv_vend(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0), noreturn));

/*
 * Writes "logverify: FAIL: msg" (code LV_WRONG) or "logverify: cannot
 * verify: msg" (LV_CANNOT) on stderr and exits with code.  The message
 * may quote what the server sent: control characters are written as
 * \xNN, so a hostile answer cannot drive the terminal.
 */
static void
lv_vend(int code, const char *fmt, va_list ap)
{
	char		 msg[1024];
	const char	*p;

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "logverify: %s", code == LV_WRONG ? "FAIL: " :
	    "cannot verify: ");
	for (p = msg; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "\\x%02x", (unsigned char)*p);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
	exit(code == LV_WRONG ? LV_WRONG : LV_CANNOT);
}

/* Ends with code (LV_WRONG or LV_CANNOT), as a piece returned it. */
void
lv_end(int code, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	lv_vend(code, fmt, ap);
}

/* The log is not what it claims: exit 1. */
void
lv_fail(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	lv_vend(LV_WRONG, fmt, ap);
}

/* It cannot be checked (usage, network, a malformed answer): exit 2. */
void
lv_fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	lv_vend(LV_CANNOT, fmt, ap);
}

/* Zeroed memory, free()d by the caller; out of memory is fatal. */
void *
lv_alloc(size_t n)
{
	void	*p;

	if ((p = calloc(1, n ? n : 1)) == NULL)
		lv_fatal("out of memory");
	return (p);
}

/* Writes the message into e; returns code, for "return (lv_err(...))". */
int
lv_err(struct lv_err *e, int code, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return (code);
}
