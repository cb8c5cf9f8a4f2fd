/*
 * Messages of the outbox (issue 12): a kind and its parameters rendered
 * in the recipient's language from the message catalogues, as a subject,
 * a plain-text body and an HTML body; the letter around them (greeting,
 * link, footer with the preferences and unsubscribe links); the MIME
 * message an SMTP server takes (RFC 5322, 2045-2047, 2369, 8058); and the
 * text of an SMS.  Used by build/shop-sender and by the pages that list
 * a person's messages.
 *
 * The catalogue's texts mail.<kind>.subject and mail.<kind>.body name
 * parameters:
 *   {{name}}           the parameter (text as is; in HTML escaped; an
 *                      amount, {"fen"} or {"quantity","unit"}, as
 *                      people read it: fmt_amount)
 *   {{#name}}..{{/name}}  the part between when the parameter is truthy
 *   {{^name}}..{{/name}}  ... when it is falsy (missing, null, false, 0,
 *                      "", [])
 *   {{url}}, {{x_url}} the site's address followed by the parameter
 *                      path (x_path): links of the message
 *   {{items}}          a digest's list: each element's kind and params
 *                      rendered as its subject, one a line
 * Values come from the database and may hold anything: in HTML they are
 * escaped, in a subject or a header line breaks become spaces, and every
 * header is encoded (RFC 2047), so nothing a person typed can add a
 * header or a tag.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib.h"

#define MAIL_DEPTH	8	/* sections inside sections */

struct mail_render_ctx {
	json_t		*cat;
	json_t		*params;
	const char	*site;
	int		 html;
	int		 depth;
	int		 in_digest;
};

static const char	*cat_text(json_t *, const char *);
static int	render(struct mail_render_ctx *, const char *, size_t,
		    struct buf *);
static int	truthy(json_t *);
static json_t	*param(struct mail_render_ctx *, const char *, size_t,
		    int *);
static void	emit(struct mail_render_ctx *, json_t *, int, struct buf *);
static void	emit_text(struct mail_render_ctx *, const char *, size_t,
		    struct buf *);
static int	emit_items(struct mail_render_ctx *, json_t *, struct buf *);
static void	one_line(struct buf *);
static void	header_word(struct buf *, const char *, size_t);
static void	b64_lines(struct buf *, const char *, size_t);

void
mail_text_init(struct mail_text *m)
{
	buf_init(&m->subject, 128);
	buf_init(&m->text, 1024);
	buf_init(&m->html, 2048);
	buf_init(&m->url, 128);
}

void
mail_text_free(struct mail_text *m)
{
	buf_free(&m->subject);
	buf_free(&m->text);
	buf_free(&m->html);
	buf_free(&m->url);
}

/* The catalogue's text for key, or NULL. */
static const char *
cat_text(json_t *cat, const char *key)
{
	json_t	*v = json_object_get(cat, key);

	return (json_is_string(v) ? json_string_value(v) : NULL);
}

static int
truthy(json_t *v)
{
	if (v == NULL || json_is_null(v) || json_is_false(v))
		return (0);
	if (json_is_integer(v))
		return (json_integer_value(v) != 0);
	if (json_is_string(v))
		return (json_string_length(v) > 0);
	if (json_is_array(v))
		return (json_array_size(v) > 0);
	return (1);
}

/*
 * The value a tag names.  A name_url (or url) that is not a parameter is
 * the site followed by name_path (path): *link is set then, as for a
 * parameter that is an http(s) address.  The caller releases the value.
 */
static json_t *
param(struct mail_render_ctx *c, const char *name, size_t len, int *link)
{
	json_t		*p;
	struct buf	 key;
	const char	*path;

	*link = 0;
	buf_init(&key, 64);
	buf_append(&key, name, len);
	if ((p = json_object_get(c->params, buf_cstr(&key))) == NULL &&
	    len >= 3 && !memcmp(name + len - 3, "url", 3) && (len == 3 ||
	    name[len - 4] == '_')) {
		key.len -= 3;
		buf_puts(&key, "path");
		p = json_object_get(c->params, buf_cstr(&key));
		buf_free(&key);
		if (!json_is_string(p) || (path = json_string_value(p))[0] !=
		    '/' || path[1] == '/')
			return (NULL);
		*link = 1;
		buf_init(&key, 128);
		buf_puts(&key, c->site);
		buf_puts(&key, path);
		p = json_stringn(key.data, key.len);
		buf_free(&key);
		return (p);
	}
	buf_free(&key);
	json_incref(p);
	if (json_is_string(p) && (!strncmp(json_string_value(p), "https://",
	    8) || !strncmp(json_string_value(p), "http://", 7)))
		*link = 1;
	return (p);
}

/* Text from the catalogue or a value: as is, or escaped with its breaks. */
static void
emit_text(struct mail_render_ctx *c, const char *s, size_t len,
    struct buf *out)
{
	size_t	i, start;

	if (!c->html) {
		buf_append(out, s, len);
		return;
	}
	for (i = start = 0; i < len; i++) {
		if (s[i] != '\n')
			continue;
		esc_html(out, s + start, i - start);
		buf_puts(out, "<br>\n");
		start = i + 1;
	}
	esc_html(out, s + start, len - start);
}

static void
emit(struct mail_render_ctx *c, json_t *v, int link, struct buf *out)
{
	struct buf	text;
	char		num[32];

	if (json_is_string(v)) {
		if (link && c->html) {
			buf_puts(out, "<a href=\"");
			esc_html(out, json_string_value(v),
			    json_string_length(v));
			buf_puts(out, "\">");
			esc_html(out, json_string_value(v),
			    json_string_length(v));
			buf_puts(out, "</a>");
		} else
			emit_text(c, json_string_value(v),
			    json_string_length(v), out);
	} else if (json_is_integer(v)) {
		(void)snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(v));
		buf_puts(out, num);
	} else {
		buf_init(&text, 32);
		if (fmt_amount(&text, v))
			emit_text(c, text.data, text.len, out);
		buf_free(&text);
	}
}

/* A digest's list: each element's subject, one a line (or an item). */
static int
emit_items(struct mail_render_ctx *c, json_t *items, struct buf *out)
{
	struct mail_render_ctx	 sub;
	json_t			*it, *kind;
	const char		*t;
	size_t			 i;
	char			 key[96];
	struct buf		 line;

	if (c->in_digest)
		return (0);
	if (c->html)
		buf_puts(out, "<ul>\n");
	json_array_foreach(items, i, it) {
		kind = json_object_get(it, "kind");
		if (!json_is_string(kind) || json_string_length(kind) > 40)
			return (0);
		(void)snprintf(key, sizeof(key), "mail.%s.subject",
		    json_string_value(kind));
		if ((t = cat_text(c->cat, key)) == NULL)
			return (0);
		sub = *c;
		sub.params = json_object_get(it, "params");
		sub.in_digest = 1;
		sub.html = 0;
		buf_init(&line, 128);
		if (!render(&sub, t, strlen(t), &line)) {
			buf_free(&line);
			return (0);
		}
		one_line(&line);
		if (c->html) {
			buf_puts(out, "<li>");
			esc_html(out, line.data, line.len);
			buf_puts(out, "</li>\n");
		} else {
			buf_puts(out, "- ");
			buf_append(out, line.data, line.len);
			buf_putc(out, '\n');
		}
		buf_free(&line);
	}
	if (c->html)
		buf_puts(out, "</ul>");
	return (1);
}

/* Renders the len bytes of t; 0 when a tag is malformed. */
static int
render(struct mail_render_ctx *c, const char *t, size_t len, struct buf *out)
{
	const char	*p = t, *end = t + len, *open, *close, *q, *name;
	size_t		 nlen, level;
	json_t		*v;
	int		 link, ok;
	char		 type;

	while (p < end) {
		open = memmem(p, (size_t)(end - p), "{{", 2);
		if (open == NULL) {
			emit_text(c, p, (size_t)(end - p), out);
			break;
		}
		emit_text(c, p, (size_t)(open - p), out);
		close = memmem(open + 2, (size_t)(end - open - 2), "}}", 2);
		if (close == NULL)
			return (0);
		name = open + 2;
		type = *name;
		if (type == '#' || type == '^' || type == '/')
			name++;
		nlen = (size_t)(close - name);
		if (nlen == 0 || nlen > 40 || type == '/')
			return (0);
		p = close + 2;
		if (type != '#' && type != '^') {
			v = param(c, name, nlen, &link);
			if (nlen == 5 && !memcmp(name, "items", 5) &&
			    json_is_array(v)) {
				ok = emit_items(c, v, out);
				json_decref(v);
				if (!ok)
					return (0);
				continue;
			}
			emit(c, v, link, out);
			json_decref(v);
			continue;
		}
		/* A section: find its close, skipping inner ones alike. */
		for (q = p, level = 1; level > 0; q += 2) {
			q = memmem(q, (size_t)(end - q), "{{", 2);
			if (q == NULL || (size_t)(end - q) < nlen + 5)
				return (0);
			if ((q[2] == '#' || q[2] == '^') &&
			    !memcmp(q + 3, name, nlen) && q[3 + nlen] == '}')
				level++;
			else if (q[2] == '/' && !memcmp(q + 3, name, nlen) &&
			    q[3 + nlen] == '}')
				level--;
		}
		q -= 2;
		if (c->depth >= MAIL_DEPTH)
			return (0);
		v = param(c, name, nlen, &link);
		if (truthy(v) == (type == '#')) {
			c->depth++;
			ok = render(c, p, (size_t)(q - p), out);
			c->depth--;
			if (!ok) {
				json_decref(v);
				return (0);
			}
		}
		json_decref(v);
		p = q + nlen + 5;
	}
	return (1);
}

/* Line breaks, tabs and other controls become spaces; trimmed. */
static void
one_line(struct buf *b)
{
	size_t	i, s, e;

	for (i = 0; i < b->len; i++) {
		if ((unsigned char)b->data[i] < 0x20 || b->data[i] == 0x7f)
			b->data[i] = ' ';
	}
	for (s = 0; s < b->len && b->data[s] == ' '; s++)
		;
	for (e = b->len; e > s && b->data[e - 1] == ' '; e--)
		;
	memmove(b->data, b->data + s, e - s);
	b->len = e - s;
}

/*
 * Renders message in of catalogue cat into m (each part appended):
 * subject (one line), text and html (the body alone) and url (the
 * message's link, or empty).  A message written before the catalogues
 * (in->subject set) is its own text.  Returns 1, or 0 with err set when
 * the catalogue has no text for the kind or a text is malformed: such a
 * message cannot be sent.
 */
int
mail_render(json_t *cat, const struct mail_in *in, struct mail_text *m,
    char *err, size_t errlen)
{
	struct mail_render_ctx	 c;
	const char		*subject, *body, *path;
	char			 key[96];
	json_t			*p;

	memset(&c, 0, sizeof(c));
	c.cat = cat;
	c.params = json_is_object(in->params) ? in->params : NULL;
	c.site = in->site ? in->site : "";
	if (in->subject != NULL) {
		buf_puts(&m->subject, in->subject);
		one_line(&m->subject);
		body = in->body ? in->body : "";
		buf_puts(&m->text, body);
		c.html = 1;
		emit_text(&c, body, strlen(body), &m->html);
		return (1);
	}
	if (in->kind == NULL || strlen(in->kind) > 40 ||
	    strspn(in->kind, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
	    strlen(in->kind)) {
		(void)snprintf(err, errlen, "not a kind of message");
		return (0);
	}
	(void)snprintf(key, sizeof(key), "mail.%s.subject", in->kind);
	subject = cat_text(cat, key);
	(void)snprintf(key, sizeof(key), "mail.%s.body", in->kind);
	body = cat_text(cat, key);
	if (subject == NULL || body == NULL) {
		(void)snprintf(err, errlen, "no text for kind %s in the "
		    "message catalogue (mail.%s.subject, mail.%s.body)",
		    in->kind, in->kind, in->kind);
		return (0);
	}
	if (!render(&c, subject, strlen(subject), &m->subject) ||
	    !render(&c, body, strlen(body), &m->text)) {
		(void)snprintf(err, errlen, "malformed text of kind %s",
		    in->kind);
		return (0);
	}
	one_line(&m->subject);
	c.html = 1;
	(void)render(&c, body, strlen(body), &m->html);
	p = c.params ? json_object_get(c.params, "path") : NULL;
	if (json_is_string(p) && (path = json_string_value(p))[0] == '/' &&
	    path[1] != '/') {
		buf_puts(&m->url, c.site);
		buf_puts(&m->url, path);
	}
	return (1);
}

/*
 * The whole letter around a rendered message, in plain text and HTML:
 * the greeting of name, the body, its link, and a footer with the
 * preferences page (prefs) and, when the kind may be turned off, the
 * unsubscribe link (unsub, or NULL).  Appended to text and html.
 */
void
mail_letter(json_t *cat, const char *name, const struct mail_text *m,
    const char *prefs, const char *unsub, struct buf *text, struct buf *html)
{
	struct mail_render_ctx	 c;
	const char		*t;
	json_t			*p;
	int			 i;

	memset(&c, 0, sizeof(c));
	c.cat = cat;
	c.site = "";
	p = json_pack("{s:s?, s:s, s:s?}", "name", name, "prefs_url", prefs,
	    "unsubscribe_url", unsub);
	json_object_set_new(p, "url", json_stringn(m->url.data, m->url.len));
	c.params = p;
	buf_puts(html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "</head><body style=\"font-family:sans-serif;line-height:1.5\">\n");
	for (i = 0; i < 2; i++) {
		struct buf	*out = i ? html : text;

		c.html = i;
		if (i)
			buf_puts(out, "<p>");
		if (name != NULL && (t = cat_text(cat, "mail.greeting")) != NULL)
			(void)render(&c, t, strlen(t), out);
		buf_puts(out, i ? "</p>\n<p>" : "\n\n");
		if (i)
			buf_append(out, m->html.data, m->html.len);
		else
			buf_append(out, m->text.data, m->text.len);
		buf_puts(out, i ? "</p>\n" : "\n");
		if (m->url.len > 0 && (t = cat_text(cat, "mail.link")) != NULL) {
			buf_puts(out, i ? "<p>" : "\n");
			(void)render(&c, t, strlen(t), out);
			buf_puts(out, i ? "</p>\n" : "\n");
		}
		buf_puts(out, i ? "<hr>\n<p style=\"font-size:small;color:#666\">" :
		    "\n-- \n");
		if ((t = cat_text(cat, "mail.footer")) != NULL)
			(void)render(&c, t, strlen(t), out);
		if (unsub != NULL && (t = cat_text(cat, "mail.unsubscribe")) !=
		    NULL) {
			buf_puts(out, i ? "<br>\n" : "\n");
			(void)render(&c, t, strlen(t), out);
		}
		buf_puts(out, i ? "</p>\n</body></html>\n" : "\n");
	}
	json_decref(p);
}

/*
 * The text of an SMS: the catalogue's prefix, the subject, the body and
 * the link, appended to out.
 */
void
mail_sms(json_t *cat, const struct mail_text *m, struct buf *out)
{
	const char	*t;

	if ((t = cat_text(cat, "mail.sms_prefix")) != NULL)
		buf_puts(out, t);
	buf_append(out, m->subject.data, m->subject.len);
	buf_putc(out, '\n');
	buf_append(out, m->text.data, m->text.len);
	if (m->url.len > 0) {
		buf_putc(out, '\n');
		buf_append(out, m->url.data, m->url.len);
	}
}

/*
 * Whether s is an address we put in a header and an SMTP envelope: one
 * @, printable ASCII without spaces, quotes, brackets or separators.
 */
int
mail_address_ok(const char *s)
{
	const char	*at, *p;
	size_t		 len = strlen(s);

	if (len < 3 || len > 254 || (at = strchr(s, '@')) == NULL ||
	    strchr(at + 1, '@') != NULL || at == s || at[1] == '\0')
		return (0);
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("()<>[]\\,;:\"", *p) != NULL)
			return (0);
	}
	return (1);
}

/*
 * Splits a sender as configured ("Name <addr>" or "addr") into its
 * display name (possibly empty) and address, each within its size.
 * Returns 0 when the address is not one mail_address_ok takes.
 */
int
mail_from_parse(const char *from, char *name, size_t nlen, char *addr,
    size_t alen)
{
	const char	*lt, *gt, *s, *e;

	name[0] = '\0';
	if ((lt = strchr(from, '<')) == NULL) {
		if (strlen(from) >= alen)
			return (0);
		memcpy(addr, from, strlen(from) + 1);
		return (mail_address_ok(addr));
	}
	if ((gt = strchr(lt, '>')) == NULL || gt[1] != '\0' ||
	    (size_t)(gt - lt - 1) >= alen)
		return (0);
	memcpy(addr, lt + 1, (size_t)(gt - lt - 1));
	addr[gt - lt - 1] = '\0';
	for (s = from; s < lt && (*s == ' ' || *s == '"'); s++)
		;
	for (e = lt; e > s && (e[-1] == ' ' || e[-1] == '"'); e--)
		;
	if ((size_t)(e - s) >= nlen)
		return (0);
	memcpy(name, s, (size_t)(e - s));
	name[e - s] = '\0';
	return (mail_address_ok(addr));
}

/*
 * A header's text as RFC 2047 encoded words (UTF-8, base64), each at most
 * 75 characters, never splitting a character, folded onto continuation
 * lines.
 */
static void
header_word(struct buf *out, const char *s, size_t len)
{
	size_t	i, n;

	for (i = 0; i < len; i = n) {
		/* 36 bytes make 48 of base64: with =?UTF-8?B??= 60. */
		n = i + 36 < len ? i + 36 : len;
		while (n > i && n < len &&
		    ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		if (n == i)
			n = len;
		if (i > 0)
			buf_puts(out, "\r\n ");
		buf_puts(out, "=?UTF-8?B?");
		b64_encode(out, s + i, n - i);
		buf_puts(out, "?=");
	}
}

/* base64 in lines of 76 characters, each ended by CRLF. */
static void
b64_lines(struct buf *out, const char *s, size_t len)
{
	struct buf	tmp;
	size_t		i;

	buf_init(&tmp, len * 4 / 3 + 4);
	b64_encode(&tmp, s, len);
	for (i = 0; i < tmp.len; i += 76) {
		buf_append(out, tmp.data + i, tmp.len - i < 76 ? tmp.len - i :
		    76);
		buf_puts(out, "\r\n");
	}
	buf_free(&tmp);
}

/* The Message-ID of notification id at domain, without its brackets. */
void
mail_message_id(struct buf *out, long long id, const char *domain)
{
	buf_printf(out, "outbox-%lld@%s", id, domain);
}

/*
 * The message as an SMTP server takes it (CRLF lines): headers, then the
 * text and HTML bodies as multipart/alternative, base64.  The
 * List-Unsubscribe headers are there when h->unsubscribe is set.
 * Returns 0 when an address is not one mail_address_ok takes.
 */
int
mail_compose(struct buf *out, const struct mail_head *h, const char *subject,
    const struct buf *text, const struct buf *html)
{
	static const char	*days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
				    "Fri", "Sat" };
	static const char	*months[] = { "Jan", "Feb", "Mar", "Apr", "May",
				    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
				    "Dec" };
	struct buf	 name;
	struct tm	 tm;
	char		 boundary[64];

	if (!mail_address_ok(h->from_addr) || !mail_address_ok(h->to) ||
	    strcspn(h->message_id, "<> \r\n\t") != strlen(h->message_id) ||
	    (h->unsubscribe != NULL &&
	    strcspn(h->unsubscribe, "<> \r\n\t\"") != strlen(h->unsubscribe)))
		return (0);
	if (gmtime_r(&h->date, &tm) == NULL)
		return (0);
	buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	buf_puts(out, "From: ");
	if (h->from_name != NULL && h->from_name[0] != '\0') {
		header_word(out, h->from_name, strlen(h->from_name));
		buf_puts(out, "\r\n ");
	}
	buf_printf(out, "<%s>\r\n", h->from_addr);
	buf_puts(out, "To: ");
	if (h->to_name != NULL && h->to_name[0] != '\0') {
		buf_init(&name, 64);
		buf_puts(&name, h->to_name);
		one_line(&name);
		header_word(out, name.data, name.len);
		buf_free(&name);
		buf_puts(out, "\r\n ");
	}
	buf_printf(out, "<%s>\r\n", h->to);
	buf_puts(out, "Subject: ");
	buf_init(&name, 128);
	buf_puts(&name, subject);
	one_line(&name);
	header_word(out, name.data, name.len);
	buf_free(&name);
	buf_puts(out, "\r\n");
	buf_printf(out, "Message-ID: <%s>\r\n", h->message_id);
	buf_puts(out, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n");
	if (h->unsubscribe != NULL) {
		buf_printf(out, "List-Unsubscribe: <%s>\r\n", h->unsubscribe);
		buf_puts(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"
		    "\r\n");
	}
	(void)snprintf(boundary, sizeof(boundary), "=_shop_%s", h->message_id);
	boundary[strcspn(boundary, "@")] = '\0';
	buf_printf(out, "Content-Type: multipart/alternative;\r\n"
	    " boundary=\"%s\"\r\n\r\n", boundary);
	buf_printf(out, "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
	b64_lines(out, text->data, text->len);
	buf_printf(out, "--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
	b64_lines(out, html->data, html->len);
	buf_printf(out, "--%s--\r\n", boundary);
	return (1);
}
