/*
 * Declared input.  A handler lists the fields it accepts (struct field);
 * the query string, a url-encoded form or a JSON object is read into a
 * struct form and checked against that list in one place, so every bad
 * value is answered with the field's name and a stable code.
 *
 * Kore's own params blocks are not used: they drop bad values silently
 * (the handler cannot tell "absent" from "invalid", and must answer 400),
 * and Kore's url-decoder refuses the line breaks of a textarea.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"

#define FORM_MAX_VALUES		64

static int	form_add(struct form *, const char *, size_t, const char *,
		    size_t, struct form_error *);
static int	urldecode(char *, size_t *);
static char	*memdup_str(const char *, size_t);
static void	set_error(struct form_error *, const char *, size_t,
		    const char *);
static int	check_date(const char *, long long, long long);
static int	check_idcard(const char *);
static int	check_digits(const char *, const char *, long long);

void
form_init(struct form *f)
{
	memset(f, 0, sizeof(*f));
}

void
form_free(struct form *f)
{
	size_t	i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].value);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static void
set_error(struct form_error *e, const char *field, size_t len, const char *code)
{
	if (len >= sizeof(e->field))
		len = sizeof(e->field) - 1;
	memcpy(e->field, field, len);
	e->field[len] = '\0';
	e->code = code;
}

/*
 * A NUL-terminated copy of the len bytes at p, which may hold a NUL or
 * lack one: never strndup here, it stops at the first NUL while callers
 * go on using len (the heap overflow of issue 11).
 */
static char *
memdup_str(const char *p, size_t len)
{
	char	*s;

	if (len == SIZE_MAX || (s = malloc(len + 1)) == NULL)
		abort();
	memcpy(s, p, len);
	s[len] = '\0';
	return (s);
}

/*
 * Decodes %XX and + in place in the len bytes of s (which has room for
 * a NUL after them); 0 on a malformed escape.
 */
static int
urldecode(char *s, size_t *len)
{
	size_t	i, o;
	int	hi, lo;

	for (i = o = 0; i < *len; i++) {
		if (s[i] == '+') {
			s[o++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= *len)
				return (0);
			hi = s[i + 1];
			lo = s[i + 2];
			hi = hi >= '0' && hi <= '9' ? hi - '0' :
			    hi >= 'a' && hi <= 'f' ? hi - 'a' + 10 :
			    hi >= 'A' && hi <= 'F' ? hi - 'A' + 10 : -1;
			lo = lo >= '0' && lo <= '9' ? lo - '0' :
			    lo >= 'a' && lo <= 'f' ? lo - 'a' + 10 :
			    lo >= 'A' && lo <= 'F' ? lo - 'A' + 10 : -1;
			if (hi < 0 || lo < 0)
				return (0);
			s[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			s[o++] = s[i];
		}
	}
	*len = o;
	s[o] = '\0';
	return (1);
}

static int
form_add(struct form *f, const char *name, size_t nlen, const char *value,
    size_t vlen, struct form_error *err)
{
	size_t	i;

	/* Names and values are C strings from here on: no NUL inside. */
	if (memchr(name, '\0', nlen) != NULL ||
	    memchr(value, '\0', vlen) != NULL) {
		set_error(err, name, strnlen(name, nlen), "bad_encoding");
		return (0);
	}
	for (i = 0; i < f->n; i++) {
		if (strlen(f->v[i].name) == nlen &&
		    !memcmp(f->v[i].name, name, nlen)) {
			set_error(err, name, nlen, "duplicate");
			return (0);
		}
	}
	if (f->n == FORM_MAX_VALUES) {
		set_error(err, name, nlen, "too_many_fields");
		return (0);
	}
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		if ((f->v = realloc(f->v, f->cap * sizeof(*f->v))) == NULL)
			abort();
	}
	f->v[f->n].name = memdup_str(name, nlen);
	f->v[f->n].value = memdup_str(value, vlen);
	f->n++;
	return (1);
}

/*
 * Reads name=value pairs separated by & (a query string or a form body).
 * Returns 0 with err set on a malformed escape or a repeated name.
 */
int
form_parse_urlencoded(struct form *f, const char *data, size_t len,
    struct form_error *err)
{
	const char	*p, *end, *amp, *eq;
	char		*name, *value;
	size_t		 nlen, vlen;
	int		 ok;

	p = data;
	end = data + len;
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		nlen = (size_t)((eq ? eq : amp) - p);
		vlen = eq ? (size_t)(amp - eq - 1) : 0;
		name = memdup_str(p, nlen);
		value = memdup_str(eq ? eq + 1 : "", vlen);
		/* A raw NUL or a decoded %00 is refused by form_add. */
		if (!urldecode(name, &nlen) || !urldecode(value, &vlen)) {
			set_error(err, name, strnlen(name, nlen), "bad_encoding");
			ok = 0;
		} else {
			ok = form_add(f, name, nlen, value, vlen, err);
		}
		free(name);
		free(value);
		if (!ok)
			return (0);
		p = amp + 1;
	}
	return (1);
}

/*
 * Reads the members of a JSON object: strings as they are, integers in
 * decimal, booleans as 1/0; null is the same as absent.  Arrays and
 * objects are refused (no field takes one).
 */
int
form_from_json(struct form *f, json_t *obj, struct form_error *err)
{
	const char	*key;
	json_t		*v;
	char		 num[32];

	if (!json_is_object(obj)) {
		set_error(err, "", 0, "not_an_object");
		return (0);
	}
	json_object_foreach(obj, key, v) {
		switch (json_typeof(v)) {
		case JSON_STRING:
			if (!form_add(f, key, strlen(key), json_string_value(v),
			    json_string_length(v), err))
				return (0);
			break;
		case JSON_INTEGER:
			snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(v));
			if (!form_add(f, key, strlen(key), num, strlen(num), err))
				return (0);
			break;
		case JSON_TRUE:
		case JSON_FALSE:
			if (!form_add(f, key, strlen(key),
			    json_is_true(v) ? "1" : "0", 1, err))
				return (0);
			break;
		case JSON_NULL:
			break;
		default:
			set_error(err, key, strlen(key), "bad_type");
			return (0);
		}
	}
	return (1);
}

/*
 * A plausible address: one @, a local part and a domain with a dot, no
 * spaces or controls, ASCII only (an internationalised address is rare
 * here and mail relays disagree about it).
 */
static int
check_email(const char *s)
{
	const char	*at, *dot, *p;
	size_t		 len = strlen(s);

	if (len < 3 || len > 254 || (at = strchr(s, '@')) == NULL ||
	    strchr(at + 1, '@') != NULL || at == s || at - s > 64)
		return (0);
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("()<>[]\\,;:\"", *p) != NULL)
			return (0);
	}
	dot = strrchr(at, '.');
	return (dot != NULL && dot > at + 1 && dot[1] != '\0');
}

static int
check_phone(const char *s)
{
	size_t	i;

	if (strlen(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
		return (0);
	for (i = 2; i < 11; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (0);
	}
	return (1);
}

static int
check_int(const char *s, long long min, long long max)
{
	char		*end;
	long long	 v;

	if (*s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return (0);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return (0);
	return (v >= min && v <= max);
}

/*
 * YYYY-MM-DD naming a day that exists (leap years included), its year in
 * [min, max].
 */
static int
check_date(const char *s, long long min, long long max)
{
	static const int	days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int			y, m, d, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return (0);
	for (i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return (0);
	}
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < min || y > max || m < 1 || m > 12 || d < 1)
		return (0);
	if (m == 2 && d == 29)
		return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
	return (d <= days[m - 1]);
}

/*
 * A resident identity number (GB 11643): 17 digits, then the ISO 7064
 * MOD 11-2 check character (a digit, or X in either case).
 */
static int
check_idcard(const char *s)
{
	static const int	weight[] = {
		7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
	};
	static const char	check[] = "10X98765432";
	int			i, sum = 0;

	if (strlen(s) != 18)
		return (0);
	for (i = 0; i < 17; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (0);
		sum += (s[i] - '0') * weight[i];
	}
	return (s[17] == check[sum % 11] || (s[17] == 'x' &&
	    check[sum % 11] == 'X'));
}

/* Whether s is exactly len characters, each of set. */
static int
check_digits(const char *s, const char *set, long long len)
{
	size_t	n = strlen(s);

	return (len > 0 && n == (size_t)len && strspn(s, set) == n);
}

/*
 * Checks f against the declared fields.  An empty value counts as absent.
 * With strict set, a name not declared is an error (JSON bodies and
 * forms); without it, it is ignored (query strings carry other things).
 * Returns 1, or 0 with err naming the field and the problem.
 */
int
form_check(const struct form *f, const struct field *spec, size_t nspec,
    int strict, struct form_error *err)
{
	const struct field	*fd;
	const char		*v, *s;
	size_t			 i, k, chars;
	long long		 max;
	int64_t			 fen;

	if (strict) {
		for (i = 0; i < f->n; i++) {
			for (k = 0; k < nspec; k++) {
				if (!strcmp(spec[k].name, f->v[i].name))
					break;
			}
			if (k == nspec) {
				set_error(err, f->v[i].name,
				    strlen(f->v[i].name), "unknown_field");
				return (0);
			}
		}
	}
	for (k = 0; k < nspec; k++) {
		fd = &spec[k];
		v = form_get(f, fd->name);
		if (v == NULL) {
			if (fd->required) {
				set_error(err, fd->name, strlen(fd->name),
				    "required");
				return (0);
			}
			continue;
		}
		switch (fd->kind) {
		case FIELD_TEXT:
		case FIELD_LINES:
			if (!utf8_check(v, strlen(v), fd->kind == FIELD_LINES,
			    &chars)) {
				set_error(err, fd->name, strlen(fd->name),
				    "bad_text");
				return (0);
			}
			max = fd->max > 0 ? fd->max : 200;
			if ((long long)chars > max) {
				set_error(err, fd->name, strlen(fd->name),
				    "too_long");
				return (0);
			}
			if ((long long)chars < fd->min) {
				set_error(err, fd->name, strlen(fd->name),
				    "too_short");
				return (0);
			}
			break;
		case FIELD_INT:
			if (!check_int(v, fd->min, fd->max)) {
				set_error(err, fd->name, strlen(fd->name),
				    "bad_number");
				return (0);
			}
			break;
		case FIELD_CHOICE:
			for (i = 0; fd->choices[i] != NULL; i++) {
				if (!strcmp(fd->choices[i], v))
					break;
			}
			if (fd->choices[i] == NULL) {
				set_error(err, fd->name, strlen(fd->name),
				    "unknown_value");
				return (0);
			}
			break;
		case FIELD_SLUG:
			max = fd->max > 0 ? fd->max : 40;
			for (s = v; *s != '\0'; s++) {
				if (!((*s >= 'a' && *s <= 'z') ||
				    (*s >= '0' && *s <= '9') || *s == '-'))
					break;
			}
			if (*s != '\0' || (long long)strlen(v) > max) {
				set_error(err, fd->name, strlen(fd->name),
				    "unknown_value");
				return (0);
			}
			break;
		case FIELD_EMAIL:
			if (!check_email(v)) {
				set_error(err, fd->name, strlen(fd->name),
				    "bad_email");
				return (0);
			}
			break;
		case FIELD_PHONE:
			if (!check_phone(v)) {
				set_error(err, fd->name, strlen(fd->name),
				    "bad_phone");
				return (0);
			}
			break;
		case FIELD_YUAN:
			if (!money_parse_yuan(v, &fen) || fen < fd->min ||
			    fen > fd->max) {
				set_error(err, fd->name, strlen(fd->name),
				    "bad_amount");
				return (0);
			}
			break;
		case FIELD_DATE:
			if (!check_date(v, fd->min, fd->max)) {
				set_error(err, fd->name, strlen(fd->name),
				    "bad_date");
				return (0);
			}
			break;
		case FIELD_IDCARD:
			if (!check_idcard(v)) {
				set_error(err, fd->name, strlen(fd->name),
				    "bad_idcard");
				return (0);
			}
			break;
		case FIELD_CONTACT:
			if (strchr(v, '@') != NULL ? !check_email(v) :
			    !check_phone(v)) {
				set_error(err, fd->name, strlen(fd->name),
				    "bad_identifier");
				return (0);
			}
			break;
		case FIELD_TOKEN:
			if (!check_digits(v, "0123456789abcdef", 64)) {
				set_error(err, fd->name, strlen(fd->name),
				    "bad_token");
				return (0);
			}
			break;
		case FIELD_DIGITS:
			if (!check_digits(v, "0123456789", fd->max)) {
				set_error(err, fd->name, strlen(fd->name),
				    "bad_code");
				return (0);
			}
			break;
		case FIELD_KEY:
			if (!form_key_ok(v)) {
				set_error(err, fd->name, strlen(fd->name),
				    "bad_idempotency_key");
				return (0);
			}
			break;
		case FIELD_BOOL:
			if (strcmp(v, "1") && strcmp(v, "0") &&
			    strcmp(v, "true") && strcmp(v, "false") &&
			    strcmp(v, "on")) {
				set_error(err, fd->name, strlen(fd->name),
				    "bad_boolean");
				return (0);
			}
			break;
		}
	}
	return (1);
}

/* The value of name, or NULL when it is absent or empty. */
const char *
form_get(const struct form *f, const char *name)
{
	size_t	i;

	for (i = 0; i < f->n; i++) {
		if (!strcmp(f->v[i].name, name))
			return (f->v[i].value[0] != '\0' ? f->v[i].value : NULL);
	}
	return (NULL);
}

/* An integer field already checked by form_check, or def when absent. */
long long
form_int(const struct form *f, const char *name, long long def)
{
	const char	*v;

	if ((v = form_get(f, name)) == NULL)
		return (def);
	return (strtoll(v, NULL, 10));
}

/* An amount field (FIELD_YUAN) in fen, or def when absent. */
int64_t
form_fen(const struct form *f, const char *name, int64_t def)
{
	int64_t	fen;

	if (!money_parse_yuan(form_get(f, name), &fen))
		return (def);
	return (fen);
}

/*
 * Whether s is an idempotency key (the Idempotency-Key header, or a
 * form's idem field): 8 to 100 of A-Z a-z 0-9 - _ . : (a UUID, a
 * timestamp with a counter; nothing that needs quoting in a log).
 */
int
form_key_ok(const char *s)
{
	size_t	n = strlen(s);

	return (n >= 8 && n <= 100 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_.:") == n);
}

int
form_bool(const struct form *f, const char *name)
{
	const char	*v;

	if ((v = form_get(f, name)) == NULL)
		return (0);
	return (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "on"));
}
