/* mail.c: the outbox's messages rendered from a catalogue and composed. */
#include "unit.h"

static json_t *
catalogue(void)
{
	json_t	*c = json_loads("{"
	    "\"mail.greeting\": \"Dear {{name}},\","
	    "\"mail.link\": \"See {{url}}\","
	    "\"mail.footer\": \"Choose: {{prefs_url}}\","
	    "\"mail.unsubscribe\": \"Stop: {{unsubscribe_url}}\","
	    "\"mail.sms_prefix\": \"[Shop] \","
	    "\"mail.thanks.subject\": \"Thanks: {{need_title}}\","
	    "\"mail.thanks.body\": \"You gave {{amount}}.\\n"
	    "{{#thank_you}}They said: {{thank_you}}{{/thank_you}}"
	    "{{^thank_you}}Thank you!{{/thank_you}}"
	    "{{#photo_path}} Photo: {{photo_url}}{{/photo_path}}\","
	    "\"mail.digest.subject\": \"{{count}} messages\","
	    "\"mail.digest.body\": \"Today:\\n{{items}}\","
	    "\"mail.broken.subject\": \"{{#x}} never closed\","
	    "\"mail.broken.body\": \"b\""
	    "}", 0, NULL);

	assert_non_null(c);
	return (c);
}

static void
render_ok(json_t *cat, const char *kind, const char *params,
    struct mail_text *m)
{
	struct mail_in	in = { kind, NULL, NULL, NULL, "https://shop.example" };
	char		err[256];

	in.params = json_loads(params, 0, NULL);
	assert_non_null(in.params);
	mail_text_init(m);
	if (!mail_render(cat, &in, m, err, sizeof(err)))
		fail_msg("%s", err);
	json_decref(in.params);
}

static void
test_render(void **state)
{
	json_t			*cat = catalogue();
	struct mail_text	 m;

	(void)state;
	render_ok(cat, "thanks", "{\"need_title\": \"Coat\\r\\nBcc: x@y\","
	    "\"amount\": \"2 <b>件</b>\", \"path\": \"/me/pledges/3\"}", &m);
	/* A line break in a value does not make a second line. */
	assert_string_equal(buf_cstr(&m.subject), "Thanks: Coat  Bcc: x@y");
	assert_string_equal(buf_cstr(&m.text),
	    "You gave 2 <b>件</b>.\nThank you!");
	assert_non_null(strstr(buf_cstr(&m.html), "2 &lt;b&gt;件&lt;/b&gt;"));
	assert_non_null(strstr(buf_cstr(&m.html), "<br>"));
	assert_string_equal(buf_cstr(&m.url), "https://shop.example/me/pledges/3");
	mail_text_free(&m);

	render_ok(cat, "thanks", "{\"need_title\": \"Coat\", \"amount\": 3,"
	    "\"thank_you\": \"<3\", \"photo_path\": \"/pledges/3/photos/9\"}", &m);
	assert_string_equal(buf_cstr(&m.text), "You gave 3.\nThey said: <3 "
	    "Photo: https://shop.example/pledges/3/photos/9");
	assert_non_null(strstr(buf_cstr(&m.html), "They said: &lt;3"));
	assert_non_null(strstr(buf_cstr(&m.html), "<a href=\"https://shop."
	    "example/pledges/3/photos/9\">"));
	assert_int_equal(m.url.len, 0);
	mail_text_free(&m);

	/* Amounts as the database gives them (api.amount), as people read
	   them; in HTML escaped like any value. */
	render_ok(cat, "thanks", "{\"amount\": {\"fen\": 120050}}", &m);
	assert_string_equal(buf_cstr(&m.text), "You gave ¥1,200.50.\n"
	    "Thank you!");
	mail_text_free(&m);
	render_ok(cat, "thanks", "{\"amount\": {\"quantity\": 1200,"
	    " \"unit\": \"<件>\"}}", &m);
	assert_string_equal(buf_cstr(&m.text), "You gave 1,200 <件>.\n"
	    "Thank you!");
	assert_non_null(strstr(buf_cstr(&m.html), "1,200 &lt;件&gt;"));
	mail_text_free(&m);

	/* A path elsewhere is not a link of ours. */
	render_ok(cat, "thanks", "{\"photo_path\": \"//evil.example/x\"}", &m);
	assert_null(strstr(buf_cstr(&m.text), "evil"));
	mail_text_free(&m);
	json_decref(cat);
}

static void
test_refused(void **state)
{
	json_t			*cat = catalogue();
	struct mail_text	 m;
	struct mail_in		 in = { "password_reset", NULL, NULL, NULL, "" };
	char			 err[256];

	(void)state;
	mail_text_init(&m);
	assert_false(mail_render(cat, &in, &m, err, sizeof(err)));
	assert_non_null(strstr(err, "mail.password_reset.subject"));
	in.kind = "broken";
	assert_false(mail_render(cat, &in, &m, err, sizeof(err)));
	in.kind = "../x";
	assert_false(mail_render(cat, &in, &m, err, sizeof(err)));
	/* A message written before the catalogues is its own text. */
	in.kind = "password_reset";
	in.subject = "旧的\n标题";
	in.body = "正文 <i>";
	assert_true(mail_render(cat, &in, &m, err, sizeof(err)));
	assert_string_equal(buf_cstr(&m.subject), "旧的 标题");
	assert_string_equal(buf_cstr(&m.html), "正文 &lt;i&gt;");
	mail_text_free(&m);
	json_decref(cat);
}

static void
test_digest(void **state)
{
	json_t			*cat = catalogue();
	struct mail_text	 m;

	(void)state;
	render_ok(cat, "digest", "{\"count\": 2, \"items\": ["
	    "{\"kind\": \"thanks\", \"params\": {\"need_title\": \"A\"}},"
	    "{\"kind\": \"thanks\", \"params\": {\"need_title\": \"<B>\"}}]}",
	    &m);
	assert_string_equal(buf_cstr(&m.subject), "2 messages");
	assert_string_equal(buf_cstr(&m.text),
	    "Today:\n- Thanks: A\n- Thanks: <B>\n");
	assert_non_null(strstr(buf_cstr(&m.html), "<li>Thanks: &lt;B&gt;</li>"));
	mail_text_free(&m);
	json_decref(cat);
}

static void
test_letter(void **state)
{
	json_t			*cat = catalogue();
	struct mail_text	 m;
	struct buf		 text, html, sms;

	(void)state;
	render_ok(cat, "thanks", "{\"need_title\": \"Coat\", \"amount\": 1,"
	    "\"path\": \"/me/pledges/3\"}", &m);
	buf_init(&text, 256);
	buf_init(&html, 256);
	mail_letter(cat, "Ann <x>", &m, "https://shop.example/me/notifications",
	    "https://shop.example/unsubscribe?t=ab&k=thanks", &text, &html);
	assert_string_equal(buf_cstr(&text), "Dear Ann <x>,\n\nYou gave 1.\n"
	    "Thank you!\n\nSee https://shop.example/me/pledges/3\n\n-- \n"
	    "Choose: https://shop.example/me/notifications\nStop: "
	    "https://shop.example/unsubscribe?t=ab&k=thanks\n");
	assert_non_null(strstr(buf_cstr(&html), "Dear Ann &lt;x&gt;,"));
	assert_non_null(strstr(buf_cstr(&html), "<a href=\"https://shop."
	    "example/unsubscribe?t=ab&amp;k=thanks\">"));
	buf_init(&sms, 64);
	mail_sms(cat, &m, &sms);
	assert_string_equal(buf_cstr(&sms), "[Shop] Thanks: Coat\nYou gave 1."
	    "\nThank you!\nhttps://shop.example/me/pledges/3");
	buf_free(&sms);
	buf_free(&text);
	buf_free(&html);
	mail_text_free(&m);
	json_decref(cat);
}

static void
test_compose(void **state)
{
	struct mail_head	 h;
	struct buf		 out, text, html;
	char			 name[64], addr[64];
	const char		*s;

	(void)state;
	assert_true(mail_from_parse("\"共青扶贫超市\" <noreply@shop.example>",
	    name, sizeof(name), addr, sizeof(addr)));
	assert_string_equal(name, "共青扶贫超市");
	assert_string_equal(addr, "noreply@shop.example");
	assert_true(mail_from_parse("a@b.c", name, sizeof(name), addr,
	    sizeof(addr)));
	assert_string_equal(name, "");
	assert_false(mail_from_parse("x <a@b.c>\r\nBcc: y", name, sizeof(name),
	    addr, sizeof(addr)));
	assert_false(mail_address_ok("a@b.c\r\nRCPT TO:<x@y>"));
	assert_false(mail_address_ok("<a@b.c>"));

	memset(&h, 0, sizeof(h));
	h.from_name = name;
	h.from_addr = addr;
	h.to = "donor@example.com";
	h.to_name = "王\r\nBcc: x@y";
	h.message_id = "outbox-12@shop.example";
	h.unsubscribe = "https://shop.example/unsubscribe?t=ab&k=x";
	h.date = 0;
	buf_init(&out, 1024);
	buf_init(&text, 16);
	buf_init(&html, 16);
	buf_puts(&text, "hello");
	buf_puts(&html, "<p>hello</p>");
	assert_true(mail_compose(&out, &h, "很长的标题很长的标题很长的标题很长的标题",
	    &text, &html));
	s = buf_cstr(&out);
	assert_non_null(strstr(s, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
	assert_non_null(strstr(s, "Message-ID: <outbox-12@shop.example>\r\n"));
	assert_non_null(strstr(s, "List-Unsubscribe-Post: List-Unsubscribe="
	    "One-Click\r\n"));
	assert_non_null(strstr(s, "Subject: =?UTF-8?B?"));
	assert_null(strstr(s, "\nBcc"));
	assert_non_null(strstr(s, "aGVsbG8=\r\n"));
	assert_non_null(strstr(s, "multipart/alternative"));
	/* Every line ends in CRLF and none is longer than 78. */
	for (const char *l = s; *l != '\0'; ) {
		const char *e = strstr(l, "\r\n");

		assert_non_null(e);
		assert_true(e - l <= 78);
		assert_null(memchr(l, '\n', (size_t)(e - l)));
		l = e + 2;
	}
	h.to = "x@y\r\n";
	buf_reset(&out);
	assert_false(mail_compose(&out, &h, "s", &text, &html));
	buf_free(&out);
	buf_free(&text);
	buf_free(&html);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_letter),
		cmocka_unit_test(test_compose),
	};

	return (cmocka_run_group_tests_name("mail", tests, NULL, NULL));
}
