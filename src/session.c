/*
 * Sessions and CSRF: which session a request carries, and whether a
 * state-changing request may proceed.  Below the web layer: nothing here
 * answers a request (web.c does, with what these functions return).
 *
 * A session token is 256 random bits (hex in the cookie, or a Bearer
 * token for API clients); the database only ever sees its SHA-256 (the
 * "sid").  The cookie is HttpOnly, SameSite=Lax, Path=/, and Secure with
 * the __Host- prefix behind TLS (SHOP_TLS=1).
 *
 * CSRF: a state-changing request made with the session cookie must carry
 * the session's anti-CSRF token (form field csrf or header X-CSRF-Token),
 * SHA-256("csrf:" || token): derived, so nothing more is stored, and no
 * use to whoever reads it.  A form posted without a session (sign in, sign
 * up) carries the value of its own csrf cookie (double submit).  Bearer
 * requests carry no ambient credential and need neither; a JSON body
 * without cookies needs a CORS preflight cross-site, which we never
 * grant.  An Origin header, when present, must be this site.
 */
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "shop.h"

const struct field	session_csrf_only[1] = {
	CSRF_FIELD,
};

static const char	*cookie_name(const char *);
static void		 sha256_hex(char *, const char *, const char *);
static enum session_source session_token(struct http_request *, char *);

/* "sid" on plain HTTP, "__Host-sid" (Secure) behind TLS. */
static const char *
cookie_name(const char *base)
{
	if (!cfg.tls)
		return (base);
	return (!strcmp(base, "sid") ? "__Host-sid" : "__Host-csrf");
}

/* out = hex(SHA-256(prefix || s)). */
static void
sha256_hex(char *out, const char *prefix, const char *s)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	len;
	EVP_MD_CTX	*ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, prefix, strlen(prefix)) ||
	    !EVP_DigestUpdate(ctx, s, strlen(s)) ||
	    !EVP_DigestFinal_ex(ctx, md, &len))
		fatal("sha256 failed");
	EVP_MD_CTX_free(ctx);
	hex_encode(out, md, 32);
}

/* The raw session token of req (64 hex digits) and where it came from. */
static enum session_source
session_token(struct http_request *req, char *tok)
{
	const char	*hdr;

	if (http_request_header(req, "authorization", &hdr) &&
	    hdr_bearer(hdr, strlen(hdr), tok))
		return (SESSION_BEARER);
	if (request_cookie(req, cookie_name("sid"), tok, SESSION_HEX) &&
	    hdr_hex64(tok, strlen(tok)))
		return (SESSION_COOKIE);
	OPENSSL_cleanse(tok, SESSION_HEX);
	tok[0] = '\0';
	return (SESSION_NONE);
}

/* The session id (hex SHA-256 of the token) into sid, and its source. */
enum session_source
session_sid(struct http_request *req, char *sid)
{
	char			tok[SESSION_HEX];
	enum session_source	src;

	if ((src = session_token(req, tok)) == SESSION_NONE) {
		sid[0] = '\0';
		return (SESSION_NONE);
	}
	sha256_hex(sid, "", tok);
	OPENSSL_cleanse(tok, sizeof(tok));
	return (src);
}

/* Binds the session id as the next parameter (NULL for the public). */
void
session_bind(struct http_request *req, struct db_call *call)
{
	char	sid[SESSION_HEX];

	db_text(call, session_sid(req, sid) == SESSION_NONE ? NULL : sid);
}

/*
 * The anti-CSRF token forms of this request must carry, into out: derived
 * from the session, or without one the value of the csrf cookie, or a new
 * one when the reader has none; returns 1 when it is new, and then
 * session_csrf_cookie must set it if the answer carries it (web_page sets it
 * only on pages with a form, so pages without one stay cacheable).
 */
int
session_csrf_token(struct http_request *req, char *out)
{
	unsigned char	rnd[32];
	char		tok[SESSION_HEX];

	if (session_token(req, tok) == SESSION_COOKIE) {
		sha256_hex(out, "csrf:", tok);
		OPENSSL_cleanse(tok, sizeof(tok));
		return (0);
	}
	if (request_cookie(req, cookie_name("csrf"), out, SESSION_HEX) &&
	    hdr_hex64(out, strlen(out)))
		return (0);
	rnd_bytes(rnd, sizeof(rnd));
	hex_encode(out, rnd, sizeof(rnd));
	return (1);
}

/* Sets the csrf cookie to tok (a new token of session_csrf_token). */
void
session_csrf_cookie(struct http_request *req, const char *tok)
{
	char	cookie[160];

	(void)snprintf(cookie, sizeof(cookie),
	    "%s=%s; Path=/; HttpOnly; SameSite=Lax%s", cookie_name("csrf"),
	    tok, cfg.tls ? "; Secure" : "");
	http_response_header(req, "set-cookie", cookie);
}

/* The token, its cookie set at once when it is new (API answers). */
void
session_csrf(struct http_request *req, char *out)
{
	if (session_csrf_token(req, out))
		session_csrf_cookie(req, out);
}

/*
 * Whether a state-changing request may proceed (see the top of this file):
 * NULL when it may, else why not ("bad_origin", "csrf"), for web_post_ok
 * to answer 403.  f holds the request's fields (NULL: none).
 */
const char *
session_post_check(struct http_request *req, const struct form *f)
{
	const char		*origin, *host, *sent, *ctype;
	char			 tok[SESSION_HEX], want[SESSION_HEX];
	enum session_source	 src;

	if (http_request_header(req, "origin", &origin)) {
		if (!http_request_header(req, "host", &host))
			host = "";
		if (!hdr_origin_ok(origin, strlen(origin), host, strlen(host),
		    cfg.tls))
			return ("bad_origin");
	}
	src = session_token(req, tok);
	if (src == SESSION_BEARER)
		return (NULL);
	if (src == SESSION_COOKIE) {
		sha256_hex(want, "csrf:", tok);
		OPENSSL_cleanse(tok, sizeof(tok));
	} else {
		if (!http_request_header(req, "content-type", &ctype))
			ctype = "";
		if (!strncasecmp(ctype, "application/json", 16))
			return (NULL);
		if (!request_cookie(req, cookie_name("csrf"), want,
		    sizeof(want)) || !hdr_hex64(want, strlen(want)))
			return ("csrf");
	}
	if ((sent = f != NULL ? form_get(f, "csrf") : NULL) == NULL &&
	    !http_request_header(req, "x-csrf-token", &sent))
		sent = "";
	if (strlen(sent) != 64 || CRYPTO_memcmp(sent, want, 64) != 0)
		return ("csrf");
	return (NULL);
}

/*
 * A new token: 256 random bits as 64 hex digits into token, and the hex
 * SHA-256 of those digits (what the database stores) into hash; both
 * hold SESSION_HEX bytes.  The caller wipes token once it is sent.
 */
void
session_new_token(char *token, char *hash)
{
	unsigned char	rnd[32];

	rnd_bytes(rnd, sizeof(rnd));
	hex_encode(token, rnd, sizeof(rnd));
	OPENSSL_cleanse(rnd, sizeof(rnd));
	sha256_hex(hash, "", token);
}

/* hash (SESSION_HEX bytes) = the hex SHA-256 of the string s. */
void
session_hash(char *hash, const char *s)
{
	sha256_hex(hash, "", s);
}
/* The anti-CSRF token of a session's token (64 hex digits) into out. */
void
session_csrf_of(char *out, const char *token)
{
	sha256_hex(out, "csrf:", token);
}

/*
 * Sets the session cookie to token for max_age seconds; a NULL token
 * clears it (signing out).
 */
void
session_cookie(struct http_request *req, const char *token, long long max_age)
{
	char	cookie[256];

	(void)snprintf(cookie, sizeof(cookie),
	    "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s",
	    cookie_name("sid"), token != NULL ? token : "",
	    token != NULL ? max_age : 0, cfg.tls ? "; Secure" : "");
	http_response_header(req, "set-cookie", cookie);
}
