/*
 * One message of the outbox rendered in its recipient's language and
 * handed over:
 *   - e-mail: multipart/alternative (plain text and HTML) with a
 *     Message-ID made of the message's id (so that a retry is seen as
 *     the same message), List-Unsubscribe (one click, RFC 8058) for the
 *     kinds that may be turned off, and a footer linking to
 *     /me/notifications; by SMTP through libcurl (SHOP_SMTP_URL) or, with
 *     no server configured, as SHOP_VAR/mail/outbox-<id>.eml;
 *   - SMS: POSTed as JSON {"id", "to", "text"} to the relay SHOP_SMS_URL
 *     (2xx sent, 4xx refused for good, anything else tried again), or
 *     written as SHOP_VAR/mail/outbox-<id>.sms.
 * The catalogues are linked into the program (ld -r -b binary, as the
 * module's assets), never read at run time.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "sender.h"

extern const char	_binary_messages_zh_json_start[];
extern const char	_binary_messages_zh_json_end[];
extern const char	_binary_messages_en_json_start[];
extern const char	_binary_messages_en_json_end[];

/* What libcurl reads the message from. */
struct upload {
	const char	*data;
	size_t		 len;
	size_t		 off;
};

static json_t	*catalogues[2];
static CURL	*smtp;		/* kept: libcurl reuses its connection */

static json_t	*catalogue(const char *);
static size_t	 upload_read(char *, size_t, size_t, void *);
static size_t	 discard(char *, size_t, size_t, void *);
static enum deliver_result send_smtp(const char *, const struct buf *,
		    char *, size_t);
static enum deliver_result send_sms(long long, const char *, const char *,
		    char *, size_t);
static enum deliver_result write_file(long long, const char *,
		    const char *, size_t, char *, size_t);
static enum deliver_result deliver_mail(json_t *, json_t *,
		    struct mail_text *, char *, size_t);

/* Loads the embedded catalogues; exits when one is broken (a bad build). */
void
deliver_init(void)
{
	json_error_t	err;

	catalogues[0] = json_loadb(_binary_messages_zh_json_start,
	    (size_t)(_binary_messages_zh_json_end -
	    _binary_messages_zh_json_start), 0, &err);
	catalogues[1] = json_loadb(_binary_messages_en_json_start,
	    (size_t)(_binary_messages_en_json_end -
	    _binary_messages_en_json_start), 0, &err);
	if (!json_is_object(catalogues[0]) || !json_is_object(catalogues[1])) {
		fprintf(stderr, "shop-sender: a message catalogue is broken: "
		    "%s\n", err.text);
		exit(1);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "shop-sender: curl_global_init failed\n");
		exit(1);
	}
}

void
deliver_end(void)
{
	if (smtp != NULL)
		curl_easy_cleanup(smtp);
	smtp = NULL;
	json_decref(catalogues[0]);
	json_decref(catalogues[1]);
	curl_global_cleanup();
}

const char *
deliver_result_name(enum deliver_result r)
{
	return (r == DELIVER_SENT ? "sent" : r == DELIVER_TEMPORARY ?
	    "temporary" : "permanent");
}

static json_t *
catalogue(const char *lang)
{
	return (catalogues[lang != NULL && !strcmp(lang, "en")]);
}

/*
 * Renders and sends message row (one element of api.outbox_claim).  On
 * failure err says why (no address, no text for the kind, the server's
 * answer); it never holds the message's text.
 */
enum deliver_result
deliver(json_t *row, char *err, size_t errlen)
{
	struct mail_text	 m;
	struct mail_in		 in;
	struct buf		 sms, file;
	json_t			*cat;
	const char		*channel, *to;
	long long		 id;
	enum deliver_result	 r;

	err[0] = '\0';
	id = json_integer_value(json_object_get(row, "id"));
	channel = json_string_value(json_object_get(row, "channel"));
	to = json_string_value(json_object_get(row, "to"));
	cat = catalogue(json_string_value(json_object_get(row, "lang")));
	if (channel == NULL || to == NULL) {
		(void)snprintf(err, errlen, "the account has no address for "
		    "this channel");
		return (DELIVER_PERMANENT);
	}
	memset(&in, 0, sizeof(in));
	in.kind = json_string_value(json_object_get(row, "kind"));
	in.params = json_object_get(row, "params");
	in.subject = json_string_value(json_object_get(row, "subject"));
	in.body = json_string_value(json_object_get(row, "body"));
	in.site = scfg.site;
	mail_text_init(&m);
	if (!mail_render(cat, &in, &m, err, errlen)) {
		mail_text_free(&m);
		return (DELIVER_PERMANENT);
	}
	if (!strcmp(channel, "sms")) {
		buf_init(&sms, 256);
		mail_sms(cat, &m, &sms);
		if (strspn(to, "0123456789") != strlen(to) || strlen(to) < 5) {
			(void)snprintf(err, errlen, "not a phone number");
			r = DELIVER_PERMANENT;
		} else if (scfg.sms_url != NULL) {
			r = send_sms(id, to, buf_cstr(&sms), err, errlen);
		} else {
			buf_init(&file, sms.len + 64);
			buf_printf(&file, "To: %s\n\n", to);
			buf_append(&file, sms.data, sms.len);
			buf_putc(&file, '\n');
			r = write_file(id, "sms", file.data, file.len, err,
			    errlen);
			buf_free(&file);
		}
		buf_free(&sms);
	} else {
		r = deliver_mail(row, cat, &m, err, errlen);
	}
	mail_text_free(&m);
	return (r);
}

/* An e-mail: the letter, its MIME form, then SMTP or a file. */
static enum deliver_result
deliver_mail(json_t *row, json_t *cat, struct mail_text *m, char *err,
    size_t errlen)
{
	struct mail_head	 h;
	struct buf		 text, html, msg, mid, prefs, unsub;
	const char		*token, *kind;
	long long		 id;
	enum deliver_result	 r;

	id = json_integer_value(json_object_get(row, "id"));
	buf_init(&prefs, 128);
	buf_printf(&prefs, "%s/me/notifications", scfg.site);
	buf_init(&unsub, 128);
	token = json_string_value(json_object_get(row, "token"));
	kind = json_string_value(json_object_get(row, "kind"));
	if (json_is_true(json_object_get(row, "optional")) && token != NULL &&
	    kind != NULL) {
		buf_printf(&unsub, "%s/unsubscribe?t=", scfg.site);
		esc_url(&unsub, token, strlen(token));
		buf_puts(&unsub, "&k=");
		esc_url(&unsub, kind, strlen(kind));
	}
	buf_init(&text, 2048);
	buf_init(&html, 4096);
	mail_letter(cat, json_string_value(json_object_get(row, "name")), m,
	    buf_cstr(&prefs), unsub.len ? buf_cstr(&unsub) : NULL, &text,
	    &html);
	buf_init(&mid, 64);
	mail_message_id(&mid, id, scfg.domain);
	memset(&h, 0, sizeof(h));
	h.from_name = scfg.from_name;
	h.from_addr = scfg.from_addr;
	h.to = json_string_value(json_object_get(row, "to"));
	h.to_name = json_string_value(json_object_get(row, "name"));
	h.message_id = buf_cstr(&mid);
	h.unsubscribe = unsub.len ? buf_cstr(&unsub) : NULL;
	h.date = (time_t)json_integer_value(json_object_get(row, "date"));
	buf_init(&msg, text.len + html.len * 2 + 2048);
	if (!mail_compose(&msg, &h, buf_cstr(&m->subject), &text, &html)) {
		(void)snprintf(err, errlen, "not an e-mail address we can "
		    "send to");
		r = DELIVER_PERMANENT;
	} else if (scfg.smtp_url != NULL)
		r = send_smtp(h.to, &msg, err, errlen);
	else
		r = write_file(id, "eml", msg.data, msg.len, err, errlen);
	buf_free(&msg);
	buf_free(&mid);
	buf_free(&text);
	buf_free(&html);
	buf_free(&prefs);
	buf_free(&unsub);
	return (r);
}

static size_t
upload_read(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct upload	*u = arg;
	size_t		 n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(ptr, u->data + u->off, n);
	u->off += n;
	return (n);
}

static size_t
discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
	(void)ptr;
	(void)arg;
	return (size * nmemb);
}

/*
 * SMTP through libcurl, on a handle kept from message to message (the
 * connection is reused).  A 5xx answer is permanent, anything else that
 * failed (4xx, no connection, TLS, a refused login: our configuration)
 * temporary.
 */
static enum deliver_result
send_smtp(const char *to, const struct buf *msg, char *err, size_t errlen)
{
	struct curl_slist	*rcpt = NULL;
	struct upload		 u = { msg->data, msg->len, 0 };
	char			 cerr[CURL_ERROR_SIZE], from[300];
	long			 code = 0;
	CURLcode		 rc;

	if (smtp == NULL && (smtp = curl_easy_init()) == NULL) {
		(void)snprintf(err, errlen, "curl_easy_init failed");
		return (DELIVER_TEMPORARY);
	}
	curl_easy_reset(smtp);
	cerr[0] = '\0';
	(void)snprintf(from, sizeof(from), "<%s>", scfg.from_addr);
	rcpt = curl_slist_append(rcpt, to);
	curl_easy_setopt(smtp, CURLOPT_URL, scfg.smtp_url);
	curl_easy_setopt(smtp, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (scfg.starttls)
		curl_easy_setopt(smtp, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (scfg.smtp_user[0] != '\0') {
		curl_easy_setopt(smtp, CURLOPT_USERNAME, scfg.smtp_user);
		curl_easy_setopt(smtp, CURLOPT_PASSWORD, scfg.smtp_pass);
	}
	curl_easy_setopt(smtp, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(smtp, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(smtp, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(smtp, CURLOPT_READDATA, &u);
	curl_easy_setopt(smtp, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(smtp, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->len);
	curl_easy_setopt(smtp, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(smtp, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(smtp, CURLOPT_TIMEOUT, (long)scfg.timeout);
	curl_easy_setopt(smtp, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(smtp);
	curl_easy_getinfo(smtp, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	if (rc == CURLE_OK)
		return (DELIVER_SENT);
	(void)snprintf(err, errlen, "SMTP %ld: %s", code,
	    cerr[0] ? cerr : curl_easy_strerror(rc));
	if (code >= 500 && code <= 599 && rc != CURLE_LOGIN_DENIED &&
	    rc != CURLE_USE_SSL_FAILED)
		return (DELIVER_PERMANENT);
	return (DELIVER_TEMPORARY);
}

/* The SMS relay: POST {"id","to","text"}. */
static enum deliver_result
send_sms(long long id, const char *to, const char *text, char *err,
    size_t errlen)
{
	CURL			*c;
	struct curl_slist	*hdr = NULL;
	json_t			*body;
	char			*json, cerr[CURL_ERROR_SIZE];
	long			 code = 0;
	CURLcode		 rc;

	if ((c = curl_easy_init()) == NULL) {
		(void)snprintf(err, errlen, "curl_easy_init failed");
		return (DELIVER_TEMPORARY);
	}
	body = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "to", to,
	    "text", text);
	json = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (json == NULL) {
		curl_easy_cleanup(c);
		(void)snprintf(err, errlen, "the text is not UTF-8");
		return (DELIVER_PERMANENT);
	}
	cerr[0] = '\0';
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, scfg.sms_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)scfg.timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	free(json);
	if (rc == CURLE_OK && code >= 200 && code <= 299)
		return (DELIVER_SENT);
	if (rc != CURLE_OK)
		(void)snprintf(err, errlen, "SMS relay: %s", cerr[0] ? cerr :
		    curl_easy_strerror(rc));
	else
		(void)snprintf(err, errlen, "SMS relay: HTTP %ld", code);
	return (rc == CURLE_OK && code >= 400 && code <= 499 ?
	    DELIVER_PERMANENT : DELIVER_TEMPORARY);
}

/*
 * The file backend: SHOP_VAR/mail/outbox-<id>.<ext>, written whole under
 * a temporary name then renamed (a retry writes the same file again).
 */
static enum deliver_result
write_file(long long id, const char *ext, const char *data, size_t len,
    char *err, size_t errlen)
{
	char	path[1200], tmp[1300];
	int	fd;
	ssize_t	w;
	size_t	off;

	if (mkdir(scfg.mail_dir, 0750) == -1 && errno != EEXIST) {
		(void)snprintf(err, errlen, "mkdir %s: %s", scfg.mail_dir,
		    strerror(errno));
		return (DELIVER_TEMPORARY);
	}
	(void)snprintf(path, sizeof(path), "%s/outbox-%lld.%s", scfg.mail_dir,
	    id, ext);
	(void)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0640)) == -1) {
		(void)snprintf(err, errlen, "open %s: %s", tmp,
		    strerror(errno));
		return (DELIVER_TEMPORARY);
	}
	for (off = 0; off < len; off += (size_t)w) {
		if ((w = write(fd, data + off, len - off)) <= 0) {
			(void)snprintf(err, errlen, "write %s: %s", tmp,
			    strerror(errno));
			close(fd);
			unlink(tmp);
			return (DELIVER_TEMPORARY);
		}
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return (DELIVER_TEMPORARY);
	}
	return (DELIVER_SENT);
}
