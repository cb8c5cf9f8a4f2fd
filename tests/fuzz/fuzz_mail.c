/*
 * A message of the outbox (src/lib/mail.c) rendered and composed: the input
 * is a catalogue text and the message's parameters, split at the first
 * NUL byte (before: the body's text, with {{tags}}; after: a JSON object
 * of parameters, values as people typed them).  The subject, the letter,
 * the SMS and the MIME message are built; a composed message must have no
 * bare line feed and no header line a value could add.
 */
#include <stdlib.h>
#include <string.h>

#include "lib.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_text	 m;
	struct mail_in		 in;
	struct mail_head	 h;
	struct buf		 text, html, sms, msg;
	json_t			*cat, *params;
	const uint8_t		*nul;
	size_t			 tlen, i;
	char			 err[256];

	if ((nul = memchr(data, '\0', size)) == NULL)
		return (0);
	tlen = (size_t)(nul - data);
	params = json_loadb((const char *)nul + 1, size - tlen - 1, 0, NULL);
	cat = json_pack("{s:s, s:s, s:s, s:s, s:s}",
	    "mail.greeting", "Dear {{name}},", "mail.footer", "{{prefs_url}}",
	    "mail.link", "{{url}}", "mail.f.subject", "S {{need_title}} {{x}}",
	    "mail.digest.subject", "{{count}}");
	json_object_set_new(cat, "mail.f.body", json_stringn((const char *)data,
	    tlen));
	if (json_object_get(cat, "mail.f.body") == NULL) {
		/* Not UTF-8: jansson refused it. */
		json_decref(cat);
		json_decref(params);
		return (0);
	}
	memset(&in, 0, sizeof(in));
	in.kind = "f";
	in.params = params;
	in.site = "https://shop.example";
	mail_text_init(&m);
	if (mail_render(cat, &in, &m, err, sizeof(err))) {
		buf_init(&text, 256);
		buf_init(&html, 256);
		buf_init(&sms, 256);
		buf_init(&msg, 1024);
		mail_letter(cat, json_string_value(json_object_get(params,
		    "name")), &m, "https://shop.example/me/notifications",
		    "https://shop.example/unsubscribe?t=a&k=f", &text, &html);
		mail_sms(cat, &m, &sms);
		memset(&h, 0, sizeof(h));
		h.from_name = json_string_value(json_object_get(params, "from"));
		h.from_addr = "noreply@shop.example";
		h.to = "donor@example.com";
		h.to_name = json_string_value(json_object_get(params, "name"));
		h.message_id = "outbox-1@shop.example";
		if (mail_compose(&msg, &h, buf_cstr(&m.subject), &text, &html)) {
			for (i = 0; i < msg.len; i++) {
				if (msg.data[i] == '\n' &&
				    (i == 0 || msg.data[i - 1] != '\r'))
					abort();
				if (msg.data[i] == '\r' && (i + 1 == msg.len ||
				    msg.data[i + 1] != '\n'))
					abort();
			}
			if (memmem(msg.data, msg.len, "\r\nBcc:", 6) != NULL)
				abort();
		}
		buf_free(&text);
		buf_free(&html);
		buf_free(&sms);
		buf_free(&msg);
	}
	mail_text_free(&m);
	json_decref(cat);
	json_decref(params);
	return (0);
}
