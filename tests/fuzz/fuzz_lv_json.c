/*
 * libFuzzer target: logverify's JSON reader (json_parse) on bytes a
 * hostile server chose, then every value of what it accepted walked as
 * logverify reads it (json_get, json_str, json_int).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lv.h"

int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	walk(const struct json *, size_t);

/* Checks what the reader promises of j and of every value inside it. */
static void
walk(const struct json *j, size_t size)
{
	const char	*s;
	long long	 v;
	size_t		 i, len;

	switch (j->type) {
	case JSON_STR:
		/* Decoded, NUL-terminated, no NUL inside, never longer. */
		if (j->len > size || j->str[j->len] != '\0' ||
		    memchr(j->str, '\0', j->len) != NULL)
			abort();
		break;
	case JSON_INT:
		if (j->num > 9007199254740991LL || j->num < -9007199254740991LL)
			abort();
		break;
	case JSON_OBJ:
		for (i = 0; i < j->n; i++) {
			if (json_get(j, j->key[i]) == NULL)
				abort();
			s = json_str(j, j->key[i], &len);
			if (s != NULL && s[len] != '\0')
				abort();
			(void)json_int(j, j->key[i], &v);
			walk(&j->kid[i], size);
		}
		break;
	case JSON_ARR:
		for (i = 0; i < j->n; i++)
			walk(&j->kid[i], size);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json	*j;

	if ((j = json_parse((const char *)data, size)) != NULL) {
		walk(j, size);
		json_free(j);
	}
	return (0);
}
