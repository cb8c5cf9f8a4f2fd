/*
 * Declared input (src/lib/form.c) as a request delivers it: the first byte
 * chooses the path (even: a url-encoded query string or form body; odd:
 * a JSON body through jansson and form_from_json) and whether undeclared
 * names are refused; the rest is the body, bytes with a length.  Every
 * kind of field is checked, and every accepted value read back.
 */
#include <stdlib.h>
#include <string.h>

#include "lib.h"

static const char *const kinds[] = { "goods", "money", NULL };

static const struct field spec[] = {
	{ "kind", FIELD_CHOICE, 0, 0, 0, kinds },
	{ "town", FIELD_SLUG, 0, 0, 20, NULL },
	{ "q", FIELD_TEXT, 0, 0, 50, NULL },
	{ "story", FIELD_LINES, 0, 0, 100, NULL },
	{ "page", FIELD_INT, 0, 1, 100, NULL },
	{ "name", FIELD_TEXT, 0, 0, 10, NULL },
	{ "anon", FIELD_BOOL, 0, 0, 0, NULL },
	{ "email", FIELD_EMAIL, 0, 0, 0, NULL },
	{ "phone", FIELD_PHONE, 0, 0, 0, NULL },
	{ "since", FIELD_DATE, 0, 2000, 2099, NULL },
	{ "amount", FIELD_YUAN, 0, 1, 100000000, NULL },
	{ "idcard", FIELD_IDCARD, 0, 0, 0, NULL },
	{ "contact", FIELD_CONTACT, 0, 0, 0, NULL },
	{ "token", FIELD_TOKEN, 0, 0, 0, NULL },
	{ "code", FIELD_DIGITS, 0, 0, 6, NULL },
};

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form		 f;
	struct form_error	 err;
	json_t			*j;
	const char		*body = (const char *)data + 1;
	size_t			 i, len = size - 1;
	int			 ok;

	if (size == 0)
		return (0);
	form_init(&f);
	memset(&err, 0, sizeof(err));
	if (data[0] & 1) {
		j = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
		ok = j != NULL && form_from_json(&f, j, &err);
		json_decref(j);
	} else {
		ok = form_parse_urlencoded(&f, body, len, &err);
	}
	if (ok && form_check(&f, spec, NFIELDS(spec), data[0] & 2, &err)) {
		for (i = 0; i < NFIELDS(spec); i++)
			(void)form_get(&f, spec[i].name);
		(void)form_int(&f, "page", 1);
		(void)form_fen(&f, "amount", 0);
		(void)form_bool(&f, "anon");
	}
	form_free(&f);
	return (0);
}
