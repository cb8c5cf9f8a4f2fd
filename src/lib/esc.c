/*
 * Escaping: the only ways a value reaches HTML or a URL.
 */
#include <string.h>

#include "lib.h"

/*
 * Text and quoted-attribute context: & < > " ' are replaced by entities.
 * NUL bytes are dropped.
 */
void
esc_html(struct buf *b, const char *s, size_t len)
{
	size_t		i, start;
	const char	*rep;

	for (i = start = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		case '\0':
			rep = "";
			break;
		default:
			continue;
		}
		buf_append(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_append(b, s + start, len - start);
}

/* A query value or path segment: all but the unreserved set is %XX. */
void
esc_url(struct buf *b, const char *s, size_t len)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			i;
	unsigned char		c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 0xf]);
		}
	}
}

/*
 * Checks that s is well-formed UTF-8 (no overlongs, no surrogates) with no
 * control characters, except tab, CR and LF when lines is set.  Stores
 * the number of characters in *chars.  Returns 1 when it is fine.
 */
int
utf8_check(const char *s, size_t len, int lines, size_t *chars)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, n, k;
	unsigned int		 cp, min;

	for (i = n = 0; i < len; n++) {
		if (p[i] < 0x80) {
			if (p[i] < 0x20 || p[i] == 0x7f) {
				if (!lines || (p[i] != '\t' && p[i] != '\n' &&
				    p[i] != '\r'))
					return (0);
			}
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			k = 1;
			cp = p[i] & 0x1f;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			k = 2;
			cp = p[i] & 0x0f;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			k = 3;
			cp = p[i] & 0x07;
			min = 0x10000;
		} else
			return (0);
		if (i + k >= len)
			return (0);
		for (i++; k > 0; k--, i++) {
			if ((p[i] & 0xc0) != 0x80)
				return (0);
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (0);
		/* C1 controls and the bidi overrides have no place here. */
		if ((cp >= 0x80 && cp <= 0x9f) ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			return (0);
	}
	if (chars != NULL)
		*chars = n;
	return (1);
}
