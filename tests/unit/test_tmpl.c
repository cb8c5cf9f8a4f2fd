/* The template engine: rendering cases, refusals, and the real templates. */
#include <dirent.h>

#include "unit.h"

struct rcase {
	const char	*tmpl;
	const char	*ctx;
	const char	*out;
};

static void
render_cases(const struct rcase *cases, size_t n)
{
	struct tmpl_set	*set;
	struct buf	 out;
	json_t		*ctx, *msgs;
	char		 err[256];
	size_t		 i;

	msgs = json_pack("{s:s, s:s}", "hello", "你好 <b>", "bye", "再见");
	for (i = 0; i < n; i++) {
		set = tmpl_set_new();
		assert_true(tmpl_add(set, "part", "[{{name}}]", 10, err,
		    sizeof(err)));
		if (!tmpl_add(set, "t", cases[i].tmpl, strlen(cases[i].tmpl),
		    err, sizeof(err)))
			fail_msg("case %zu: %s", i, err);
		ctx = json_loads(cases[i].ctx, 0, NULL);
		assert_non_null(ctx);
		buf_init(&out, 16);
		assert_true(tmpl_render(set, "t", ctx, msgs, &out));
		if (strcmp(out.data, cases[i].out))
			fail_msg("case %zu: got <%s> want <%s>", i, out.data,
			    cases[i].out);
		buf_free(&out);
		json_decref(ctx);
		tmpl_set_free(set);
	}
	json_decref(msgs);
}

static void
test_render(void **state)
{
	static const struct rcase cases[] = {
		{ "hi {{name}}!", "{\"name\":\"<b>x</b>\"}",
		  "hi &lt;b&gt;x&lt;/b&gt;!" },
		{ "{{{html}}}", "{\"html\":\"<b>x</b>\"}", "<b>x</b>" },
		{ "{{a.b.c}}", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "deep" },
		{ "{{missing}}|{{n}}|{{t}}", "{\"n\":42,\"t\":true}", "|42|true" },
		{ "{{#xs}}[{{.}}]{{/xs}}", "{\"xs\":[1,2,3]}", "[1][2][3]" },
		{ "{{#xs}}{{name}}{{top}}{{/xs}}",
		  "{\"top\":\"!\",\"xs\":[{\"name\":\"a\"},{\"name\":\"b\"}]}",
		  "a!b!" },
		{ "{{#o}}{{k}}{{/o}}", "{\"o\":{\"k\":\"v\"}}", "v" },
		{ "{{#f}}yes{{/f}}{{^f}}no{{/f}}", "{\"f\":false}", "no" },
		{ "{{#f}}yes{{/f}}{{^f}}no{{/f}}", "{\"f\":1}", "yes" },
		{ "{{^xs}}empty{{/xs}}", "{\"xs\":[]}", "empty" },
		{ "{{^s}}empty{{/s}}", "{\"s\":\"\"}", "empty" },
		{ "{{^z}}zero{{/z}}", "{\"z\":0}", "zero" },
		{ "{{#xs?}}<ul>{{#xs}}<li>{{.}}{{/xs}}</ul>{{/xs}}",
		  "{\"xs\":[1,2]}", "<ul><li>1<li>2</ul>" },
		{ "{{#xs?}}<ul>{{/xs}}", "{\"xs\":[]}", "" },
		{ "{{>part}}", "{\"name\":\"p\"}", "[p]" },
		{ "{{@hello}} {{@nope}}", "{}", "你好 &lt;b&gt; nope" },
		{ "{{v|yuan}}", "{\"v\":150050}", "¥1,500.50" },
		{ "{{v|num}}", "{\"v\":1234567}", "1,234,567" },
		{ "{{a}} / {{b}}", "{\"a\":{\"fen\":120000},"
		  "\"b\":{\"quantity\":1200,\"unit\":\"<件>\"}}",
		  "¥1,200 / 1,200 &lt;件&gt;" },
		{ "[{{o}}]", "{\"o\":{\"k\":\"v\"}}", "[]" },
		{ "<a href=\"/x?t={{v|url}}\">", "{\"v\":\"a b&c\"}",
		  "<a href=\"/x?t=a%20b%26c\">" },
		{ "{{v|lines}}", "{\"v\":\"a<\\nb\"}", "a&lt;<br>\nb" },
		{ "{{! a comment }}x", "{}", "x" },
		{ "<input value=\"{{v}}\">", "{\"v\":\"\\\"><script>\"}",
		  "<input value=\"&quot;&gt;&lt;script&gt;\">" },
		{ "<option{{#s}} selected{{/s}}>", "{\"s\":true}",
		  "<option selected>" },
	};

	(void)state;
	render_cases(cases, NELEM(cases));
}

static void
test_refused(void **state)
{
	static const char *bad[] = {
		"{{#a}}never closed",
		"{{/a}}",
		"{{#a}}{{/b}}",
		"{{unclosed",
		"{{}}",
		"{{v|nosuchfilter}}",
		"<a href={{v}}>",
		"<a title=x {{v}}>",
		"<a href='{{v}}' title={{w}}>",
	};
	struct tmpl_set	*set;
	char		 err[256];
	size_t		 i;

	(void)state;
	set = tmpl_set_new();
	for (i = 0; i < NELEM(bad); i++) {
		if (tmpl_add(set, "bad", bad[i], strlen(bad[i]), err,
		    sizeof(err)))
			fail_msg("accepted: %s", bad[i]);
	}
	tmpl_set_free(set);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE	*fp;
	char	*data;
	long	 n;

	if ((fp = fopen(path, "rb")) == NULL)
		return (NULL);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	data = malloc((size_t)n + 1);
	assert_int_equal(fread(data, 1, (size_t)n, fp), (size_t)n);
	data[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return (data);
}

static int
key_in_both(const char *key, void *arg)
{
	json_t	**cats = arg;

	if (json_object_get(cats[0], key) == NULL ||
	    json_object_get(cats[1], key) == NULL) {
		print_error("message %s is missing from a catalogue\n", key);
		return (0);
	}
	return (1);
}

/*
 * The real templates compile, every message key they use exists in
 * both languages, and both catalogues have the same keys.
 */
static void
test_assets(void **state)
{
	struct tmpl_set	*set;
	DIR		*dir;
	struct dirent	*de;
	char		 path[512], name[256], err[256], *data;
	size_t		 len, n = 0;
	json_t		*cats[2], *v;
	const char	*key;

	(void)state;
	cats[0] = json_load_file("assets/messages_zh.json", 0, NULL);
	cats[1] = json_load_file("assets/messages_en.json", 0, NULL);
	assert_non_null(cats[0]);
	assert_non_null(cats[1]);
	json_object_foreach(cats[0], key, v)
		assert_true(key_in_both(key, cats));
	json_object_foreach(cats[1], key, v)
		assert_true(key_in_both(key, cats));

	set = tmpl_set_new();
	assert_non_null(dir = opendir("assets"));
	while ((de = readdir(dir)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".html"))
			continue;
		snprintf(path, sizeof(path), "assets/%s", de->d_name);
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5),
		    de->d_name);
		assert_non_null(data = read_file(path, &len));
		if (!tmpl_add(set, name, data, len, err, sizeof(err)))
			fail_msg("%s", err);
		free(data);
		n++;
	}
	closedir(dir);
	assert_true(n >= 3);
	assert_true(tmpl_messages_used(set, key_in_both, cats));
	tmpl_set_free(set);
	json_decref(cats[0]);
	json_decref(cats[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_assets),
	};

	return (cmocka_run_group_tests_name("tmpl", tests, NULL, NULL));
}
