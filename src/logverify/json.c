/*
 * A small, strict JSON reader for what the log's API answers: objects,
 * arrays, strings (every escape, \u with surrogate pairs, to UTF-8),
 * integers, true, false, null.  Fractions and exponents are refused: the
 * API has none.  Nesting is bounded, and so is the number of values: a
 * value costs more memory than its text ("[1,1,..." 28 times), and the
 * largest answer (a page of 1000 entries) has some 3000.
 */
#include <stdlib.h>
#include <string.h>

#include "lv.h"

#define JSON_DEPTH	32
#define JSON_VALUES	100000

struct reader {
	const char	*p;
	const char	*end;
	size_t		 values;
};

static int	value(struct reader *, struct json *, int);
static int	string(struct reader *, char **, size_t *);
static void	skip(struct reader *);
static int	hex4(const char *, unsigned int *);
static void	put_utf8(char *, size_t *, unsigned int);

/*
 * The value in text (len bytes, untrusted), or NULL when text is not one
 * JSON value, or has more than JSON_VALUES.  json_free() frees it.
 */
struct json *
json_parse(const char *text, size_t len)
{
	struct reader	 r = { text, text + len, 0 };
	struct json	*j;

	j = lv_alloc(sizeof(*j));
	if (!value(&r, j, 0)) {
		json_free(j);
		return (NULL);
	}
	skip(&r);
	if (r.p != r.end) {
		json_free(j);
		return (NULL);
	}
	return (j);
}

static void
json_clear(struct json *j)
{
	size_t	i;

	for (i = 0; i < j->n; i++) {
		if (j->kid != NULL)
			json_clear(&j->kid[i]);
		if (j->key != NULL)
			free(j->key[i]);
	}
	free(j->kid);
	free(j->key);
	free(j->str);
}

void
json_free(struct json *j)
{
	if (j == NULL)
		return;
	json_clear(j);
	free(j);
}

static void
skip(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
	    *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int
literal(struct reader *r, const char *word)
{
	size_t	len = strlen(word);

	if ((size_t)(r->end - r->p) < len || memcmp(r->p, word, len))
		return (0);
	r->p += len;
	return (1);
}

static int
value(struct reader *r, struct json *j, int depth)
{
	long long	 v;
	int		 neg, digits;
	size_t		 cap = 0;

	memset(j, 0, sizeof(*j));
	skip(r);
	if (r->p == r->end || depth > JSON_DEPTH || ++r->values > JSON_VALUES)
		return (0);
	switch (*r->p) {
	case '{':
	case '[':
		j->type = *r->p == '{' ? JSON_OBJ : JSON_ARR;
		r->p++;
		skip(r);
		if (r->p < r->end && *r->p == (j->type == JSON_OBJ ? '}' :
		    ']')) {
			r->p++;
			return (1);
		}
		for (;;) {
			if (j->n == cap) {
				cap = cap ? cap * 2 : 8;
				j->kid = realloc(j->kid, cap * sizeof(*j->kid));
				if (j->type == JSON_OBJ)
					j->key = realloc(j->key,
					    cap * sizeof(*j->key));
				if (j->kid == NULL || (j->type == JSON_OBJ &&
				    j->key == NULL))
					lv_fatal("out of memory");
			}
			memset(&j->kid[j->n], 0, sizeof(*j->kid));
			if (j->type == JSON_OBJ) {
				skip(r);
				j->key[j->n] = NULL;
				if (!string(r, &j->key[j->n], NULL)) {
					j->n++;
					return (0);
				}
				skip(r);
				if (r->p == r->end || *r->p++ != ':') {
					j->n++;
					return (0);
				}
			}
			if (!value(r, &j->kid[j->n++], depth + 1))
				return (0);
			skip(r);
			if (r->p == r->end)
				return (0);
			if (*r->p == ',') {
				r->p++;
				continue;
			}
			if (*r->p++ != (j->type == JSON_OBJ ? '}' : ']'))
				return (0);
			return (1);
		}
	case '"':
		j->type = JSON_STR;
		return (string(r, &j->str, &j->len));
	case 't':
		j->type = JSON_BOOL;
		j->num = 1;
		return (literal(r, "true"));
	case 'f':
		j->type = JSON_BOOL;
		return (literal(r, "false"));
	case 'n':
		j->type = JSON_NULL;
		return (literal(r, "null"));
	default:
		j->type = JSON_INT;
		neg = 0;
		if (*r->p == '-') {
			neg = 1;
			r->p++;
		}
		v = 0;
		digits = 0;
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
			if (digits > 0 && v == 0)
				return (0);	/* a leading zero */
			if (v > (9007199254740991LL - (*r->p - '0')) / 10)
				return (0);
			v = v * 10 + (*r->p++ - '0');
			digits++;
		}
		if (digits == 0 || (r->p < r->end && (*r->p == '.' ||
		    *r->p == 'e' || *r->p == 'E')))
			return (0);
		j->num = neg ? -v : v;
		return (1);
	}
}

static int
hex4(const char *s, unsigned int *out)
{
	unsigned int	v = 0;
	int		i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			v |= (unsigned int)(s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			v |= (unsigned int)(s[i] - 'a' + 10);
		else if (s[i] >= 'A' && s[i] <= 'F')
			v |= (unsigned int)(s[i] - 'A' + 10);
		else
			return (0);
	}
	*out = v;
	return (1);
}

static void
put_utf8(char *o, size_t *n, unsigned int c)
{
	if (c < 0x80) {
		o[(*n)++] = (char)c;
	} else if (c < 0x800) {
		o[(*n)++] = (char)(0xc0 | c >> 6);
		o[(*n)++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		o[(*n)++] = (char)(0xe0 | c >> 12);
		o[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[(*n)++] = (char)(0x80 | (c & 0x3f));
	} else {
		o[(*n)++] = (char)(0xf0 | c >> 18);
		o[(*n)++] = (char)(0x80 | ((c >> 12) & 0x3f));
		o[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[(*n)++] = (char)(0x80 | (c & 0x3f));
	}
}

/* A string at r->p (its opening quote), decoded into a new buffer. */
static int
string(struct reader *r, char **out, size_t *outlen)
{
	const char	*start;
	char		*o;
	size_t		 n;
	unsigned int	 c, lo;

	if (r->p == r->end || *r->p != '"')
		return (0);
	start = ++r->p;
	while (r->p < r->end && *r->p != '"') {
		if (*r->p == '\\' && r->p + 1 < r->end)
			r->p++;
		r->p++;
	}
	if (r->p == r->end)
		return (0);
	/* Decoded, a string is never longer than its source. */
	o = lv_alloc((size_t)(r->p - start) + 1);
	*out = o;
	n = 0;
	for (r->p = start; *r->p != '"'; r->p++) {
		if ((unsigned char)*r->p < 0x20)
			return (0);
		if (*r->p != '\\') {
			o[n++] = *r->p;
			continue;
		}
		switch (*++r->p) {
		case '"': case '\\': case '/':
			o[n++] = *r->p;
			break;
		case 'b': o[n++] = '\b'; break;
		case 'f': o[n++] = '\f'; break;
		case 'n': o[n++] = '\n'; break;
		case 'r': o[n++] = '\r'; break;
		case 't': o[n++] = '\t'; break;
		case 'u':
			if (r->end - r->p < 5 || !hex4(r->p + 1, &c))
				return (0);
			r->p += 4;
			if (c >= 0xdc00 && c <= 0xdfff)
				return (0);
			if (c >= 0xd800 && c <= 0xdbff) {
				if (r->end - r->p < 7 || r->p[1] != '\\' ||
				    r->p[2] != 'u' || !hex4(r->p + 3, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff)
					return (0);
				r->p += 6;
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (c == 0)
				return (0);
			put_utf8(o, &n, c);
			break;
		default:
			return (0);
		}
	}
	r->p++;
	o[n] = '\0';
	if (outlen != NULL)
		*outlen = n;
	return (1);
}

/* Member key of object j, or NULL. */
struct json *
json_get(const struct json *j, const char *key)
{
	size_t	i;

	if (j == NULL || j->type != JSON_OBJ)
		return (NULL);
	for (i = 0; i < j->n; i++) {
		if (!strcmp(j->key[i], key))
			return (&j->kid[i]);
	}
	return (NULL);
}

/* The string member key of j (its length in *len), or NULL. */
const char *
json_str(const struct json *j, const char *key, size_t *len)
{
	struct json	*v = json_get(j, key);

	if (v == NULL || v->type != JSON_STR)
		return (NULL);
	if (len != NULL)
		*len = v->len;
	return (v->str);
}

/* The integer member key of j into *out; 0 when it is not one. */
int
json_int(const struct json *j, const char *key, long long *out)
{
	struct json	*v = json_get(j, key);

	if (v == NULL || v->type != JSON_INT)
		return (0);
	*out = v->num;
	return (1);
}
