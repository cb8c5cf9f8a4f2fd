/*
 * The header and cookie values the module reads (src/lib/hdr.c), as a
 * request delivers them: the same bytes to each parser (Authorization,
 * a Cookie header with the session, csrf and lang cookies looked up,
 * Accept-Language, ?lang=, X-Real-IP, X-Request-Id, Idempotency-Key
 * (form.c's form_key_ok, as a NUL-terminated copy: Kore gives header
 * values so), Origin against a Host, a Referer back to our pages), the first byte
 * splitting them into two values where a parser takes two.  What a
 * parser accepts is checked against its rule.
 */
#include <stdlib.h>
#include <string.h>

#include "lib.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
expect(int cond)
{
	if (!cond)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const	 names[] = { "sid", "__Host-sid",
	    "csrf", "__Host-csrf", "lang", "rw" };
	static const char *const	 back[] = { "/me/pledges",
	    "/branch/pledges", NULL };
	const char			*v = (const char *)data + 1, *c;
	char				 tok[65], ip[64], rid[33], path[80], done[48];
	char				*copy;
	size_t				 len, cut, clen, i;

	if (size == 0)
		return (0);
	len = size - 1;
	cut = len > 0 ? data[0] % (len + 1) : 0;

	if (hdr_bearer(v, len, tok))
		expect(strlen(tok) == 64 && hdr_hex64(tok, 64));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (hdr_cookie(v, len, names[i], &c, &clen)) {
			expect(c >= v && c + clen <= v + len && clen > 0);
			expect(memchr(c, ';', clen) == NULL);
			expect(memchr(c, '=', clen) == NULL);
			(void)hdr_hex64(c, clen);
			(void)hdr_lang_cookie(c, clen);
		}
	}
	i = (size_t)hdr_lang_accept(v, len);
	expect(i == LANG_ZH || i == LANG_EN);
	i = (size_t)(hdr_lang_query(v, len) + 1);
	expect(i <= 2);
	/* done=: a word of a-z and _ only, that fits (web_page shows it). */
	if (hdr_done_query(v, len, done, sizeof(done))) {
		expect(strlen(done) > 0 && strlen(done) < sizeof(done));
		expect(strspn(done, "abcdefghijklmnopqrstuvwxyz_") == strlen(done));
	}
	if (hdr_ip(v, len, ip, sizeof(ip)))
		expect(strlen(ip) == len);
	if (hdr_request_id(v, len, rid, sizeof(rid)))
		expect(strlen(rid) == len && len >= 8 && len <= 32);
	if ((copy = malloc(len + 1)) == NULL)
		abort();
	memcpy(copy, v, len);
	copy[len] = '\0';
	/* Kore's header values end at a NUL, as copy does. */
	if (form_key_ok(copy))
		expect(strlen(copy) >= 8 && strlen(copy) <= 100 &&
		    strspn(copy, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-_.:") == strlen(copy));
	free(copy);
	if (hdr_origin_ok(v, cut, v + cut, len - cut, data[0] & 1))
		expect(cut > 7);
	if (hdr_back_path(v, len, back, path, sizeof(path)))
		expect(path[0] == '/' && strlen(path) < sizeof(path) &&
		    strpbrk(path, "\r\n") == NULL);
	return (0);
}
