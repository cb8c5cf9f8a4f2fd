/*
 * Answers: the security headers (set here and nowhere else), JSON and HTML
 * bodies, errors in the reader's language, the shared page layout, the
 * language of the reader, and the 404 for paths no route claims.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "shop.h"

int	not_found(struct http_request *);

/* The site serves only its own scripts, styles and images. */
#define CSP	"default-src 'self'; img-src 'self' data:; style-src 'self'; " \
		"script-src 'self'; object-src 'none'; base-uri 'none'; " \
		"form-action 'self'; frame-ancestors 'none'"

static struct tmpl_set	*templates;
static json_t		*messages[2];

static void	load_messages(enum lang, const char *);
static void	web_db_fail(struct http_request *, int, const char *,
		    const char *, json_t *);
static int	web_primary_only(struct http_request *);
static const struct obs_steps *web_steps(struct http_request *);
static int	web_kept(struct http_request *, const struct pcache_entry *);

static const struct db_hooks	web_db_hooks = {
	web_db_fail, web_primary_only, mcache_write, mcache_end
};
static int	query_lang(struct http_request *);
static void	done_word(struct http_request *, char *, size_t);
static void	done_message(struct http_request *, enum lang, json_t *);
static void	web_og(json_t *, const char *);
static void	put_response_header(void *, const char *, const char *);

/* Loads the templates and message catalogues; fatal when one is broken. */
void
web_init(void)
{
	const struct asset	*all;
	size_t			 n, i, len;
	char			 name[128], err[256];

	load_messages(LANG_ZH, "messages_zh.json");
	load_messages(LANG_EN, "messages_en.json");
	templates = tmpl_set_new();
	all = asset_all(&n);
	for (i = 0; i < n; i++) {
		len = strlen(all[i].name);
		if (len < 6 || strcmp(all[i].name + len - 5, ".html"))
			continue;
		if (len - 5 >= sizeof(name))
			fatal("asset name too long: %s", all[i].name);
		memcpy(name, all[i].name, len - 5);
		name[len - 5] = '\0';
		if (!tmpl_add(templates, name, all[i].data, all[i].len, err,
		    sizeof(err)))
			fatal("template %s", err);
	}
	if (!tmpl_has(templates, "layout") || !tmpl_has(templates, "error"))
		fatal("templates layout and error are missing");
	db_hooks_set(&web_db_hooks);
}

static void
web_db_fail(struct http_request *req, int status, const char *code,
    const char *field, json_t *detail)
{
	(void)web_error_detail(req, status, code, field, detail);
}

/* A signed-in reader, or one who has just written, reads the primary. */
static int
web_primary_only(struct http_request *req)
{
	char	sid[SESSION_HEX];

	return (web_wrote_recently(req) ||
	    session_sid(req, sid) != SESSION_NONE);
}

static void
load_messages(enum lang lang, const char *file)
{
	const struct asset	*a;
	json_error_t		 jerr;

	if ((a = asset_find(file)) == NULL)
		fatal("message catalogue %s missing", file);
	messages[lang] = json_loadb(a->data, a->len, 0, &jerr);
	if (!json_is_object(messages[lang]))
		fatal("%s:%d: %s", file, jerr.line, jerr.text);
}

json_t *
web_messages(enum lang lang)
{
	return (messages[lang]);
}

const struct tmpl_set *
web_templates(void)
{
	return (templates);
}

/* The languages we speak, the one list of them (lang= choices). */
const char *const web_langs[] = {
	[LANG_ZH] = "zh",
	[LANG_EN] = "en",
	NULL
};

const char *
web_lang_code(enum lang lang)
{
	return (web_langs[lang == LANG_EN ? LANG_EN : LANG_ZH]);
}

/* The language lang= in the query string asks for, or -1. */
static int
query_lang(struct http_request *req)
{
	if (req->query_string == NULL)
		return (-1);
	return (hdr_lang_query(req->query_string,
	    strlen(req->query_string)));
}

/*
 * The reader's language: ?lang= first, then the lang cookie, then
 * Accept-Language (whichever of zh and en comes first), else Chinese.
 */
enum lang
web_lang(struct http_request *req)
{
	const char	*v;
	char		 cookie[8];
	int		 lang;

	if ((lang = query_lang(req)) != -1)
		return (lang);
	if (request_cookie(req, "lang", cookie, sizeof(cookie)))
		return (hdr_lang_cookie(cookie, strlen(cookie)));
	if (http_request_header(req, "accept-language", &v))
		return (hdr_lang_accept(v, strlen(v)));
	return (LANG_ZH);
}

/* Whether req is answered in JSON (the API and the health check). */
int
web_is_api(struct http_request *req)
{
	return (!strncmp(req->path, "/api/", 5) ||
	    !strcmp(req->path, "/healthz"));
}

/*
 * The security headers of an answer for path, each given to put (name,
 * value): every answer carries them, the handlers' (web_headers) and
 * those edge.c writes for requests Kore could not hand to a handler.
 */
void
web_security_headers(const char *path, void (*put)(void *, const char *,
    const char *), void *arg)
{
	put(arg, "content-security-policy", CSP);
	put(arg, "x-content-type-options", "nosniff");
	put(arg, "x-frame-options", "DENY");
	/* A page whose address may hold a one-time token (recover.c:
	   /password/reset?token=, /verify/email?token=) gives only its
	   origin as Referer: its path would reach access logs. */
	put(arg, "referrer-policy", !strncmp(path, "/password/", 10) ||
	    !strncmp(path, "/verify/", 8) ? "origin" :
	    "strict-origin-when-cross-origin");
	put(arg, "cross-origin-opener-policy", "same-origin");
	put(arg, "permissions-policy",
	    "camera=(self), geolocation=(), microphone=()");
}

static void
put_response_header(void *req, const char *name, const char *value)
{
	http_response_header(req, name, value);
}

/* The headers every answer carries. */
void
web_headers(struct http_request *req, const char *ctype)
{
	http_response_header(req, "content-type", ctype);
	web_security_headers(req->path, put_response_header, req);
}

/*
 * Whether the microcache (mcache.c) dealt with req, every cacheable
 * handler's first question: answered it from a kept answer or put it to
 * sleep until one is kept (*r is then what the handler returns).  0: the
 * handler answers as always.
 */
int
web_cached(struct http_request *req, int *r)
{
	const struct pcache_entry	*e;

	if (!mcache_lookup(req, web_lang_code(web_lang(req)), &e, r))
		return (0);
	if (e != NULL)
		*r = web_kept(req, e);
	return (1);
}

/* Answers req with a kept answer: the reader's own token in a page. */
static int
web_kept(struct http_request *req, const struct pcache_entry *e)
{
	struct mcache_head	 h;
	const char	*body;
	char		*page, csrf[SESSION_HEX];
	size_t		 len, i;
	int		 r;

	memcpy(&h, e->data, sizeof(h));
	body = e->data + sizeof(h);
	len = e->len - sizeof(h);
	if (!h.page)
		return (web_json_text(req, h.status, body, len));
	page = kore_malloc(len + 1);
	memcpy(page, body, len);
	/*
	 * As web_page: a page with a form gets the reader's own token (its
	 * cookie set when new) and is not for a front cache.
	 */
	if (h.ncsrf > 0) {
		session_csrf(req, csrf);
		for (i = 0; i < h.ncsrf; i++)
			memcpy(page + h.csrf[i], csrf, SESSION_HEX - 1);
		http_response_header(req, "x-accel-expires", "0");
	}
	web_page_headers(req);
	r = web_send(req, h.status, "text/html; charset=utf-8", page, len);
	kore_free(page);
	return (r);
}

/* What req's steps keep for obs.c (NULL: it has none). */
static const struct obs_steps *
web_steps(struct http_request *req)
{
	struct db_call	*call = db_call_of(req);

	return (call != NULL ? &call->obs : NULL);
}

int
web_send(struct http_request *req, int status, const char *ctype,
    const void *body, size_t len)
{
	web_headers(req, ctype);
	web_mark_write(req);
	obs_answer(req, status, (ssize_t)len, web_steps(req));
	mcache_answer(req, status, ctype, body, len);
	alog_check();
	http_response(req, status, body, len);
	/* Idle from now on, however long the request took (src/edge.c). */
	edge_answered(req->owner);
	return (KORE_RESULT_OK);
}

/*
 * Read-your-writes with a replica (db.c): the answer to a POST tells the
 * client, with a cookie that lasts WEB_RW_SECONDS, to read from the
 * primary for a while, so a public page it loads next already shows what
 * it wrote even if the replica lags.  Nothing without a replica.
 */
void
web_mark_write(struct http_request *req)
{
	char	cookie[96];

	if (cfg.read_database == NULL || req->method == HTTP_METHOD_GET ||
	    req->method == HTTP_METHOD_HEAD)
		return;
	(void)snprintf(cookie, sizeof(cookie), "rw=1; Path=/; Max-Age=%d; "
	    "HttpOnly; SameSite=Lax%s", WEB_RW_SECONDS,
	    cfg.tls ? "; Secure" : "");
	http_response_header(req, "set-cookie", cookie);
}

/* Whether req's client wrote within WEB_RW_SECONDS (the rw cookie). */
int
web_wrote_recently(struct http_request *req)
{
	char	v[8];

	return (request_cookie(req, "rw", v, sizeof(v)));
}

int
web_json_text(struct http_request *req, int status, const char *body,
    size_t len)
{
	http_response_header(req, "cache-control", "no-cache");
	http_response_header(req, "vary", "Accept-Language, Cookie");
	return (web_send(req, status, "application/json; charset=utf-8", body,
	    len));
}

int
web_json(struct http_request *req, int status, json_t *v)
{
	char	*s;
	int	 r;

	if ((s = json_dumps(v, JSON_COMPACT)) == NULL)
		fatal("json_dumps");
	r = web_json_text(req, status, s, strlen(s));
	free(s);
	return (r);
}

/*
 * The sentence for an error code in the reader's language: {field} is
 * replaced by the field's name in that language, any other {key} by that
 * member of detail (an object, or NULL; an amount as people read it).
 */
void
web_error_message(struct buf *out, enum lang lang, const char *code,
    const char *field, json_t *detail)
{
	json_t		*m, *f, *v;
	const char	*text, *p, *end;
	char		 key[96];
	size_t		 klen;

	(void)snprintf(key, sizeof(key), "err.%s", code);
	m = json_object_get(messages[lang], key);
	if (!json_is_string(m))
		m = json_object_get(messages[lang], "err.bad_request");
	text = json_string_value(m);
	if (text == NULL)
		text = code;
	for (p = text; *p != '\0'; p++) {
		if (*p != '{' || (end = strchr(p, '}')) == NULL ||
		    (klen = (size_t)(end - p - 1)) == 0 || klen >= 64) {
			buf_putc(out, *p);
			continue;
		}
		memcpy(key, p + 1, klen);
		key[klen] = '\0';
		if (!strcmp(key, "field") && field != NULL) {
			(void)snprintf(key, sizeof(key), "field.%s", field);
			f = json_object_get(messages[lang], key);
			buf_puts(out, json_is_string(f) ? json_string_value(f) :
			    field);
		} else if (detail != NULL &&
		    (v = json_object_get(detail, key)) != NULL) {
			if (json_is_string(v))
				buf_puts(out, json_string_value(v));
			else if (json_is_integer(v))
				buf_printf(out, "%lld",
				    (long long)json_integer_value(v));
			else
				(void)fmt_amount(out, v);
		} else {
			buf_append(out, p, klen + 2);
		}
		p = end;
	}
}

/*
 * Answers an error: {"error":{"code","message"[,"field"]}} under /api/,
 * the error page elsewhere.  code is a key of the message catalogue.
 */
int
web_error(struct http_request *req, int status, const char *code,
    const char *field)
{
	return (web_error_detail(req, status, code, field, NULL));
}

/*
 * The same, with the error's details (a JSON object from the api
 * function, e.g. {"remaining": 5}): used in the message and given to API
 * clients in the error object.
 */
int
web_error_detail(struct http_request *req, int status, const char *code,
    const char *field, json_t *detail)
{
	enum lang	 lang = web_lang(req);
	struct buf	 msg;
	json_t		*body, *err;
	const char	*k;
	json_t		*v;
	int		 r;

	/* A page that needs a session sends the reader to sign in first. */
	if (status == 401 && !web_is_api(req) && req->method != HTTP_METHOD_POST) {
		buf_init(&msg, 128);
		buf_puts(&msg, "/login?next=");
		esc_url(&msg, req->path, strlen(req->path));
		r = web_redirect(req, msg.data);
		buf_free(&msg);
		return (r);
	}
	buf_init(&msg, 128);
	web_error_message(&msg, lang, code, field, detail);
	if (web_is_api(req)) {
		body = json_pack("{s:{s:s, s:s}}", "error", "code", code,
		    "message", msg.data);
		err = json_object_get(body, "error");
		json_object_foreach(detail, k, v) {
			if (strcmp(k, "code") && strcmp(k, "message"))
				json_object_set(err, k, v);
		}
		if (field != NULL)
			json_object_set_new(err, "field", json_string(field));
		r = web_json(req, status, body);
	} else {
		body = json_pack("{s:i, s:s, s:s, s:s}", "status", status,
		    "message", msg.data, "code", code, "request_id",
		    obs_id(req, web_steps(req)));
		r = web_page(req, status, "error", body);
	}
	json_decref(body);
	buf_free(&msg);
	return (r);
}

/*
 * Renders template name with data into the layout and answers with it.
 * The page sees data plus what web_render adds, and the reader's csrf
 * token and a fresh form key.  A page sets its title in data.
 */
int
web_page(struct http_request *req, int status, const char *name, json_t *data)
{
	enum lang	 lang = web_lang(req);
	struct buf	 page;
	json_t		*ctx;
	char		 csrf[SESSION_HEX], key[33];
	unsigned char	 rnd[16];
	int		 fresh;

	ctx = json_is_object(data) ? data : json_object();
	fresh = session_csrf_token(req, csrf);
	mcache_csrf(req, csrf);
	json_object_set_new(ctx, "csrf", json_string(csrf));
	/* A fresh key per form shown: a double submit makes one pledge. */
	rnd_bytes(rnd, sizeof(rnd));
	hex_encode(key, rnd, sizeof(rnd));
	json_object_set_new(ctx, "form_key", json_string(key));
	done_message(req, lang, ctx);
	web_render(&page, lang, req->path, name, ctx);

	/*
	 * A page with a form carries this reader's tokens: it sets the csrf
	 * cookie when the reader has none, and a front cache must not keep
	 * it (X-Accel-Expires: 0, nginx).  A page without a form is the same
	 * for every reader without a session and sets no cookie, so nginx's
	 * one-second cache may serve it to all of them.
	 */
	if (memmem(page.data, page.len, csrf, strlen(csrf)) != NULL ||
	    memmem(page.data, page.len, key, strlen(key)) != NULL) {
		if (fresh)
			session_csrf_cookie(req, csrf);
		http_response_header(req, "x-accel-expires", "0");
	}
	web_page_headers(req);
	web_send(req, status, "text/html; charset=utf-8", page.data, page.len);
	buf_free(&page);
	if (ctx != data)
		json_decref(ctx);
	return (KORE_RESULT_OK);
}

/*
 * Renders template name with ctx (an object) into the layout, into page
 * (initialised here), for a reader in lang at path.  Templates see ctx
 * plus: lang, en (true in English), v (the assets' version, for cache
 * busting), static (the assets' names), path.
 */
void
web_render(struct buf *page, enum lang lang, const char *path,
    const char *name, json_t *ctx)
{
	struct buf	body;

	json_object_set_new(ctx, "lang", json_string(web_lang_code(lang)));
	json_object_set_new(ctx, "en", json_boolean(lang == LANG_EN));
	json_object_set_new(ctx, "v", json_string(asset_version()));
	json_object_set(ctx, "static", asset_static_names());
	json_object_set_new(ctx, "path", json_string(path));
	web_og(json_object_get(ctx, "og"), path);
	buf_init(&body, 8192);
	if (!tmpl_render(templates, name, ctx, messages[lang], &body))
		fatal("cannot render template %s", name);
	/* Rendered from valid UTF-8 only: no need to check it again. */
	json_object_set_new(ctx, "body", json_stringn_nocheck(body.data,
	    body.len));
	buf_init(page, body.len + 4096);
	if (!tmpl_render(templates, "layout", ctx, messages[lang], page))
		fatal("cannot render the layout");
	buf_free(&body);
}

/*
 * A shared page's OpenGraph data (og, from api.share_og; nothing when it
 * is not an object), made whole for the layout: the page's address at
 * path, and its image as an absolute address, the site's own image
 * (assets/share.png) when the page has none.  Crawlers need absolute
 * addresses: SHOP_PUBLIC_URL is the site's.
 */
static void
web_og(json_t *og, const char *path)
{
	struct buf	 b;
	const char	*img;

	if (!json_is_object(og))
		return;
	buf_init(&b, 256);
	buf_printf(&b, "%s%s", cfg.public_url, path);
	json_object_set_new(og, "url", json_stringn(b.data, b.len));
	buf_reset(&b);
	if ((img = json_string_value(json_object_get(og, "image"))) == NULL) {
		img = json_string_value(json_object_get(asset_static_names(),
		    "share_png"));
		json_object_set_new(og, "image_width", json_integer(1200));
		json_object_set_new(og, "image_height", json_integer(630));
	}
	buf_printf(&b, "%s%s", cfg.public_url, img ? img : "/");
	json_object_set_new(og, "image", json_stringn(b.data, b.len));
	buf_free(&b);
}

/*
 * The body of an error answer to a request no handler saw (edge.c), into
 * out (initialised here): the JSON error when api, else the error page,
 * as web_error makes them, for a reader in lang at path; rid is the id
 * the page shows.  Returns its content type.
 */
const char *
web_error_body(struct buf *out, enum lang lang, int api, int status,
    const char *code, const char *path, const char *rid)
{
	struct buf	 msg;
	json_t		*v;
	char		*s;

	buf_init(&msg, 128);
	web_error_message(&msg, lang, code, NULL, NULL);
	if (api) {
		v = json_pack("{s:{s:s, s:s}}", "error", "code", code,
		    "message", msg.data);
		if ((s = json_dumps(v, JSON_COMPACT)) == NULL)
			fatal("json_dumps");
		buf_init(out, strlen(s) + 1);
		buf_puts(out, s);
		free(s);
	} else {
		v = json_pack("{s:i, s:s, s:s, s:s}", "status", status,
		    "message", msg.data, "code", code, "request_id", rid);
		web_render(out, lang, path, "error", v);
	}
	json_decref(v);
	buf_free(&msg);
	return (api ? "application/json; charset=utf-8" :
	    "text/html; charset=utf-8");
}

/* The headers of a page: caching, and the reader's explicit language. */
void
web_page_headers(struct http_request *req)
{
	char	cookie[64];

	/* Remember an explicit choice of language. */
	if (query_lang(req) != -1) {
		(void)snprintf(cookie, sizeof(cookie),
		    "lang=%s; Path=/; Max-Age=31536000; SameSite=Lax",
		    web_lang_code(web_lang(req)));
		http_response_header(req, "set-cookie", cookie);
	}
	http_response_header(req, "cache-control", "no-cache");
	http_response_header(req, "vary", "Accept-Language, Cookie");
}

/*
 * Whether req uses one of the methods in mask (HTTP_METHOD_*); answers 405
 * with Allow when not.  HEAD is allowed wherever GET is.
 */
int
web_method(struct http_request *req, int mask)
{
	char	allow[64];

	if (req->method & mask)
		return (1);
	if (req->method == HTTP_METHOD_HEAD && (mask & HTTP_METHOD_GET))
		return (1);
	(void)snprintf(allow, sizeof(allow), "%s%s%s",
	    (mask & HTTP_METHOD_GET) ? "GET, HEAD" : "",
	    (mask & HTTP_METHOD_GET) && (mask & HTTP_METHOD_POST) ? ", " : "",
	    (mask & HTTP_METHOD_POST) ? "POST" : "");
	http_response_header(req, "allow", allow);
	web_error(req, 405, "method", NULL);
	return (0);
}

/*
 * Reads the query string into f and checks it against spec.  Names not in
 * spec are ignored.  Answers 400 and returns 0 when a value is bad.
 */
int
web_query(struct http_request *req, struct form *f, const struct field *spec,
    size_t n)
{
	struct form_error	err;
	const char		*q = req->query_string;

	form_init(f);
	if ((q != NULL && !form_parse_urlencoded(f, q, strlen(q), &err)) ||
	    !form_check(f, spec, n, 0, &err)) {
		form_free(f);
		web_error(req, 400, err.code, err.field);
		return (0);
	}
	return (1);
}

/*
 * A done callback for db_prepare: the statement's first value is the
 * JSON body of the answer, passed through untouched.
 */
int
web_db_json(struct http_request *req, struct db_call *call, PGresult *res)
{
	const char	*body;
	size_t		 len;

	(void)call;
	if (res == NULL || (body = db_value(res, 0, 0, &len)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	return (web_json_text(req, 200, body, len));
}

/* The text parsed as a JSON object; NULL if it is not one. */
json_t *
web_json_object(const char *text, size_t len)
{
	json_t	*o;

	if ((o = json_loadb(text, len, 0, NULL)) != NULL && !json_is_object(o)) {
		json_decref(o);
		return (NULL);
	}
	return (o);
}

/* Column c of the first row, parsed as a JSON object; NULL if it is not. */
json_t *
web_db_object(PGresult *res, int c)
{
	const char	*v;
	size_t		 len;

	if (res == NULL || (v = db_value(res, 0, c, &len)) == NULL)
		return (NULL);
	return (web_json_object(v, len));
}

/* The integer member key of the result's first JSON object, or -1. */
long long
web_db_id(PGresult *res, const char *key)
{
	json_t		*o;
	long long	 id = -1;

	if ((o = web_db_object(res, 0)) != NULL) {
		if (json_is_integer(json_object_get(o, key)))
			id = json_integer_value(json_object_get(o, key));
		json_decref(o);
	}
	return (id);
}

/*
 * The data of a page from a statement's first row: its first value (a
 * JSON object), with each further column's JSON object under that
 * column's name ("viewer": who is looking, for the layout).  NULL when
 * the first value is not an object.
 */
json_t *
web_db_ctx(PGresult *res)
{
	json_t	*ctx, *v;
	int	 c;

	if ((ctx = web_db_object(res, 0)) == NULL)
		return (NULL);
	for (c = 1; c < PQnfields(res); c++) {
		if ((v = web_db_object(res, c)) != NULL)
			json_object_set_new(ctx, PQfname(res, c), v);
	}
	return (ctx);
}

/*
 * Writes the subject and body of each message of ctx's "notifications"
 * (from api.messages_json) that has none of its own, in lang: what the
 * person was sent, as the sender renders it.  A kind the catalogue has
 * no text for shows as its name.
 */
void
web_notifications(json_t *ctx, enum lang lang)
{
	struct mail_text	 m;
	struct mail_in		 in;
	json_t			*list, *n;
	size_t			 i;
	char			 err[256];

	list = json_object_get(ctx, "notifications");
	json_array_foreach(list, i, n) {
		if (json_is_string(json_object_get(n, "subject")))
			continue;
		memset(&in, 0, sizeof(in));
		in.kind = json_string_value(json_object_get(n, "kind"));
		in.params = json_object_get(n, "params");
		in.site = cfg.public_url;
		mail_text_init(&m);
		if (in.kind != NULL && mail_render(web_messages(lang), &in, &m,
		    err, sizeof(err))) {
			json_object_set_new(n, "subject", json_stringn(
			    m.subject.data, m.subject.len));
			json_object_set_new(n, "body", json_stringn(m.text.data,
			    m.text.len));
			if (m.url.len > 0)
				json_object_set_new(n, "url", json_stringn(
				    m.url.data, m.url.len));
		} else {
			json_object_set_new(n, "subject", json_string(in.kind ?
			    in.kind : ""));
		}
		mail_text_free(&m);
		json_object_del(n, "params");
	}
}


/*
 * A done callback for db_prepare: the statement's first value is the data
 * of the page call->page; further columns are merged by name (see
 * web_db_ctx); call->extra is merged in and call->status used when set.
 */
int
web_db_page(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t		*ctx;
	int		 r;

	if ((ctx = web_db_ctx(res)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	web_notifications(ctx, web_lang(req));
	if (call->extra != NULL)
		json_object_update(ctx, call->extra);
	r = web_page(req, call->status ? call->status : 200, call->page, ctx);
	json_decref(ctx);
	return (r);
}

/*
 * web_input and the CSRF check of a POST that has no form to show again:
 * answers (400 naming the field, or 403) and returns 0 when refused, f
 * then freed; 1 with f to free.
 */
int
web_post_input(struct http_request *req, struct form *f,
    const struct field *spec, size_t n)
{
	struct form_error	err;

	if (!web_input(req, f, spec, n, &err)) {
		form_free(f);
		web_error(req, 400, err.code, err.field[0] ? err.field : NULL);
		return (0);
	}
	if (!web_post_ok(req, f)) {
		form_free(f);
		return (0);
	}
	return (1);
}

/*
 * The answer to a POST that changed something: under /api/ the
 * statement's JSON, passed through, with status; from a form, on to
 * location.
 */
int
web_saved(struct http_request *req, PGresult *res, int status,
    const char *location)
{
	const char	*body;
	size_t		 len;

	if (web_is_api(req)) {
		if ((body = db_value(res, 0, 0, &len)) == NULL)
			return (web_error(req, 500, "internal", NULL));
		return (web_json_text(req, status, body, len));
	}
	return (web_redirect(req, location));
}

/*
 * A done callback: web_saved with status 200, a form on to
 * call->saved_to.
 */
int
web_db_saved(struct http_request *req, struct db_call *call, PGresult *res)
{
	return (web_saved(req, res, 200, call->saved_to));
}

/*
 * The same for a record the answer names: a form goes on to prefix and
 * the id of the JSON's member ("pledge", "/me/pledges/": /me/pledges/12).
 */
int
web_saved_record(struct http_request *req, PGresult *res, int status,
    const char *member, const char *prefix)
{
	json_t	*r;
	char	 where[128];

	if (web_is_api(req))
		return (web_saved(req, res, status, NULL));
	if ((r = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	(void)snprintf(where, sizeof(where), "%s%lld", prefix,
	    (long long)json_integer_value(json_object_get(
	    json_object_get(r, member), "id")));
	json_decref(r);
	return (web_redirect(req, where));
}

/*
 * The fields spec declares of a multipart/form-data POST (Kore keeps those
 * conf/kore.conf's params name; the files stay in the request) into f,
 * checked as web_input checks a form.  1: f holds them; 0: err says what
 * does not fit (f kept, to show the form again); -1: the body is not
 * multipart, 415 answered.  Either way the caller frees f.
 */
int
web_multipart_input(struct http_request *req, struct form *f,
    const struct field *spec, size_t n, struct form_error *err)
{
	const char	*ctype;
	char		*v;
	json_t		*j;
	size_t		 i;
	int		 ok;

	form_init(f);
	memset(err, 0, sizeof(*err));
	if (!http_request_header(req, "content-type", &ctype) ||
	    strncasecmp(ctype, "multipart/form-data", 19)) {
		(void)web_error(req, 415, "unsupported_type", "file");
		return (-1);
	}
	http_populate_multipart_form(req);
	j = json_object();
	for (i = 0; i < n; i++)
		if (http_argument_get_string(req, spec[i].name, &v))
			json_object_set_new(j, spec[i].name, json_string(v));
	ok = form_from_json(f, j, err) && form_check(f, spec, n, 1, err);
	json_decref(j);
	return (ok);
}

/* A file of a multipart body, whole, appended to out. */
void
web_file_read(struct http_file *file, struct buf *out)
{
	char	chunk[8192];
	ssize_t	n;

	http_file_rewind(file);
	while ((n = http_file_read(file, chunk, sizeof(chunk))) > 0)
		buf_append(out, chunk, (size_t)n);
	/* It may have held a child's private cells (child_import.c). */
	OPENSSL_cleanse(chunk, sizeof(chunk));
}

/*
 * Reads the body of a POST into f and checks it against spec: a form
 * (application/x-www-form-urlencoded) or a JSON object
 * (application/json).  Names not in spec are refused, except csrf in a
 * form.  Returns 1, or 0 with err set (nothing is answered).  Either way
 * the caller frees f: a refused form keeps what it could read, to show
 * it again.
 */
int
web_input(struct http_request *req, struct form *f, const struct field *spec,
    size_t n, struct form_error *err)
{
	const char	*ctype;
	struct buf	 body;
	json_error_t	 jerr;
	json_t		*j;
	ssize_t		 r;
	char		 chunk[4096];
	int		 ok, json;

	form_init(f);
	memset(err, 0, sizeof(*err));
	if (!http_request_header(req, "content-type", &ctype))
		ctype = "";
	json = !strncasecmp(ctype, "application/json", 16);
	if (!json && strncasecmp(ctype, "application/x-www-form-urlencoded",
	    33)) {
		err->code = "unsupported_type";
		return (0);
	}
	buf_init(&body, 1024);
	for (;;) {
		if ((r = http_body_read(req, chunk, sizeof(chunk))) == -1) {
			buf_free(&body);
			err->code = "bad_request";
			return (0);
		}
		if (r == 0)
			break;
		buf_append(&body, chunk, (size_t)r);
	}
	if (json) {
		j = json_loadb(body.data, body.len, JSON_REJECT_DUPLICATES, &jerr);
		ok = j != NULL && form_from_json(f, j, err);
		if (j == NULL)
			err->code = "bad_json";
		json_decref(j);
	} else {
		ok = form_parse_urlencoded(f, body.data, body.len, err);
	}
	buf_free(&body);
	if (ok)
		ok = form_check(f, spec, n, 1, err);
	return (ok);
}

int
web_redirect(struct http_request *req, const char *location)
{
	struct buf	 to;
	const char	*hash;
	char		 word[48];
	int		 r;

	if (req->method != HTTP_METHOD_POST) {
		http_response_header(req, "location", location);
		return (web_send(req, 303, "text/plain; charset=utf-8",
		    NULL, 0));
	}
	/*
	 * A form that succeeded: the page it leads to says what was done
	 * (done=WORD before any #fragment; web_page).
	 */
	done_word(req, word, sizeof(word));
	buf_init(&to, 128);
	hash = strchr(location, '#');
	buf_append(&to, location, hash ? (size_t)(hash - location) :
	    strlen(location));
	buf_printf(&to, "%cdone=%s", strchr(to.data, '?') ? '&' : '?', word);
	if (hash != NULL)
		buf_puts(&to, hash);
	http_response_header(req, "location", to.data);
	r = web_send(req, 303, "text/plain; charset=utf-8", NULL, 0);
	buf_free(&to);
	return (r);
}

/*
 * What a form posted to req's path did, in one word: the path's parts
 * that are words (of a-z and -, records' numbers and slugs with digits
 * left out) joined by _, - as _ (/pledges/12/receive: pledges_receive,
 * /password/reset: password_reset); "saved" when none or too long.  The
 * catalogue says it as done.WORD (or done.saved).
 */
static void
done_word(struct http_request *req, char *word, size_t len)
{
	const char	*p = req->path, *end;
	size_t		 n = 0, i, seg;

	while (*p != '\0') {
		while (*p == '/')
			p++;
		end = p + strcspn(p, "/");
		seg = (size_t)(end - p);
		for (i = 0; i < seg && ((p[i] >= 'a' && p[i] <= 'z') ||
		    p[i] == '-'); i++)
			;
		if (seg > 0 && i == seg) {
			if (n + (n > 0) + seg + 1 > len) {
				n = 0;
				break;
			}
			if (n > 0)
				word[n++] = '_';
			for (i = 0; i < seg; i++)
				word[n++] = p[i] == '-' ? '_' : p[i];
		}
		p = end;
	}
	if (n == 0)
		(void)kore_strlcpy(word, "saved", len);
	else
		word[n] = '\0';
}

/*
 * Puts into ctx, as "done", what the form that led here did (done= of
 * the query, web_redirect): done.WORD of the catalogue, or done.saved.
 */
static void
done_message(struct http_request *req, enum lang lang, json_t *ctx)
{
	json_t	*m;
	char	 word[48], key[56];

	if (req->query_string == NULL || !hdr_done_query(req->query_string,
	    strlen(req->query_string), word, sizeof(word)))
		return;
	(void)snprintf(key, sizeof(key), "done.%s", word);
	if (!json_is_string(m = json_object_get(messages[lang], key)))
		m = json_object_get(messages[lang], "done.saved");
	if (json_is_string(m))
		json_object_set(ctx, "done", m);
}

/*
 * Whether a state-changing request may proceed (session.c's rules);
 * answers 403 and returns 0 when not.  f holds the request's fields.
 */
int
web_post_ok(struct http_request *req, const struct form *f)
{
	const char	*why;

	if ((why = session_post_check(req, f)) == NULL)
		return (1);
	web_error(req, 403, why, NULL);
	return (0);
}

/*
 * The request's idempotency key into *key: its Idempotency-Key header,
 * else the form's idem field (a FIELD_KEY, checked with the form), else
 * NULL.  Answers 400 and returns 0 when the header is malformed.
 */
int
web_idem_key(struct http_request *req, const struct form *f,
    const char **key)
{
	if (!http_request_header(req, "idempotency-key", key)) {
		*key = form_get(f, "idem");
		return (1);
	}
	if (form_key_ok(*key))
		return (1);
	web_error(req, 400, "bad_idempotency_key", "Idempotency-Key");
	return (0);
}

/*
 * The positive integer id that follows prefix in req's path (at most 15
 * digits, no leading zero), into id (a string of digits); *rest points
 * after it.  Returns 0 when the path has no such id.
 */
int
web_path_id(struct http_request *req, const char *prefix, char *id,
    size_t idlen, const char **rest)
{
	const char	*p;
	size_t		 len, plen = strlen(prefix);

	if (strncmp(req->path, prefix, plen))
		return (0);
	p = req->path + plen;
	len = strspn(p, "0123456789");
	if (len == 0 || len > 15 || *p == '0' || len >= idlen)
		return (0);
	memcpy(id, p, len);
	id[len] = '\0';
	if (rest != NULL)
		*rest = p + len;
	else if (p[len] != '\0')
		return (0);
	return (1);
}

/*
 * The id and the action of a path prefix{id}/{action} (web_path_id),
 * action one of actions (NULL-terminated): its index, or -1 when the
 * path names no such id or action.
 */
int
web_path_action(struct http_request *req, const char *prefix, char *id,
    size_t idlen, const char *const *actions)
{
	const char	*rest;
	int		 i;

	if (!web_path_id(req, prefix, id, idlen, &rest) || *rest++ != '/')
		return (-1);
	for (i = 0; actions[i] != NULL; i++)
		if (!strcmp(rest, actions[i]))
			return (i);
	return (-1);
}

/* Everything no route claims: 404, as a page or as JSON under /api/. */
int
not_found(struct http_request *req)
{
	return (web_error(req, 404, "not_found", NULL));
}
