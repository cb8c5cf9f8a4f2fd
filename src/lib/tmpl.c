/*
 * Templates over JSON values (a small subset of Mustache), escaping by
 * default.  A template is compiled once into a flat list of nodes and
 * rendered many times.
 *
 *   {{a.b}}          the value, HTML-escaped (text or quoted attribute);
 *                    an amount ({"fen"}, {"quantity","unit"}: api.amount)
 *                    as people read it (fmt_amount)
 *   {{a|yuan}}       through a filter: yuan, num, url, lines
 *   {{{a}}}          the value unescaped: only for HTML the code built
 *   {{#a}}..{{/a}}   once per array element, or once if a is truthy
 *   {{#a?}}..{{/a}}  once if a is truthy, a list not iterated nor entered
 *   {{^a}}..{{/a}}   once if a is falsy or an empty array
 *   {{>name}}        another template of the set, same context
 *   {{@key}}         a message of the reader's language, escaped
 *   {{! comment}}
 *
 * Falsy: missing, null, false, 0, "" and [].  A value placed inside a tag
 * but outside quotes is refused when compiling: values go in text or in
 * quoted attributes, where HTML escaping is enough.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"

#define TMPL_DEPTH	32

enum node_type {
	N_TEXT,
	N_VAR,
	N_RAW,
	N_SECTION,
	N_INVERTED,
	N_CLOSE,
	N_PARTIAL,
	N_MSG
};

enum filter {
	F_NONE,
	F_YUAN,
	F_NUM,
	F_URL,
	F_LINES
};

struct node {
	enum node_type	 type;
	enum filter	 filter;
	const char	*s;
	size_t		 len;
	size_t		 end;	/* sections: index of the matching close */
	int		 test;	/* {{#a?}}: a test, not a loop */
};

struct tmpl {
	char		*name;
	char		*src;
	struct node	*nodes;
	size_t		 n;
};

struct tmpl_set {
	struct tmpl	*t;
	size_t		 n;
};

struct render {
	const struct tmpl_set	*set;
	json_t			*stack[TMPL_DEPTH];
	int			 depth;
	json_t			*messages;
	struct buf		*out;
	int			 nesting;
};

static const struct tmpl	*tmpl_find(const struct tmpl_set *,
				    const char *);
static int	compile(struct tmpl *, char *, size_t);
static void	trim(const char **, size_t *);
static json_t	*lookup(struct render *, const char *, size_t);
static int	truthy(json_t *);
static void	emit_value(struct render *, json_t *, enum filter, int);
static int	render_range(struct render *, const struct tmpl *, size_t,
		    size_t);

struct tmpl_set *
tmpl_set_new(void)
{
	struct tmpl_set	*set;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		abort();
	return (set);
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t	i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		free(set->t[i].name);
		free(set->t[i].src);
		free(set->t[i].nodes);
	}
	free(set->t);
	free(set);
}

/*
 * Compiles src under name into the set.  Returns 1, or 0 with a message
 * in err (name and what is wrong) when the template is malformed.
 */
int
tmpl_add(struct tmpl_set *set, const char *name, const char *src, size_t len,
    char *err, size_t errlen)
{
	struct tmpl	t;

	memset(&t, 0, sizeof(t));
	if ((t.name = strdup(name)) == NULL || (t.src = malloc(len + 1)) == NULL)
		abort();
	memcpy(t.src, src, len);
	t.src[len] = '\0';
	if (!compile(&t, err, errlen)) {
		free(t.name);
		free(t.src);
		free(t.nodes);
		return (0);
	}
	if ((set->t = realloc(set->t, (set->n + 1) * sizeof(t))) == NULL)
		abort();
	set->t[set->n++] = t;
	return (1);
}

int
tmpl_has(const struct tmpl_set *set, const char *name)
{
	return (tmpl_find(set, name) != NULL);
}

static const struct tmpl *
tmpl_find(const struct tmpl_set *set, const char *name)
{
	size_t	i;

	for (i = 0; i < set->n; i++) {
		if (!strcmp(set->t[i].name, name))
			return (&set->t[i]);
	}
	return (NULL);
}

static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t' || **s == '\n')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' ||
	    (*s)[*len - 1] == '\n'))
		(*len)--;
}

static struct node *
add_node(struct tmpl *t, size_t *cap)
{
	if (t->n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		if ((t->nodes = realloc(t->nodes, *cap * sizeof(struct node)))
		    == NULL)
			abort();
	}
	memset(&t->nodes[t->n], 0, sizeof(struct node));
	return (&t->nodes[t->n++]);
}

/*
 * Follows where the text leaves us in HTML: inside a tag or not, and
 * inside which quotes.  A value may go in text or in a quoted attribute;
 * anywhere else in a tag escaping would not be enough.
 */
struct html_state {
	int	in_tag;
	char	quote;
};

static void
html_scan(struct html_state *st, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (!st->in_tag) {
			if (s[i] == '<')
				st->in_tag = 1;
		} else if (st->quote != 0) {
			if (s[i] == st->quote)
				st->quote = 0;
		} else if (s[i] == '"' || s[i] == '\'') {
			st->quote = s[i];
		} else if (s[i] == '>') {
			st->in_tag = 0;
		}
	}
}

static int
compile(struct tmpl *t, char *err, size_t errlen)
{
	char		*p, *open, *close;
	const char	*s, *bar;
	size_t		 cap = 0, stack[TMPL_DEPTH], depth = 0, len, line;
	struct node	*nd;
	struct html_state html = { 0, 0 };
	int		 raw;

	p = t->src;
	for (;;) {
		open = strstr(p, "{{");
		len = open ? (size_t)(open - p) : strlen(p);
		if (len > 0) {
			nd = add_node(t, &cap);
			nd->type = N_TEXT;
			nd->s = p;
			nd->len = len;
			html_scan(&html, p, len);
		}
		if (open == NULL)
			break;
		line = 1;
		for (s = t->src; s < open; s++)
			line += *s == '\n';
		raw = open[2] == '{';
		close = strstr(open + 2, raw ? "}}}" : "}}");
		if (close == NULL) {
			snprintf(err, errlen, "%s:%zu: unclosed tag", t->name,
			    line);
			return (0);
		}
		s = open + (raw ? 3 : 2);
		len = (size_t)(close - s);
		p = close + (raw ? 3 : 2);
		trim(&s, &len);
		if (len == 0) {
			snprintf(err, errlen, "%s:%zu: empty tag", t->name, line);
			return (0);
		}
		if (raw) {
			nd = add_node(t, &cap);
			nd->type = N_RAW;
			nd->s = s;
			nd->len = len;
			continue;
		}
		switch (*s) {
		case '!':
			continue;
		case '#':
		case '^':
		case '/':
		case '>':
		case '@':
			nd = add_node(t, &cap);
			nd->type = *s == '#' ? N_SECTION : *s == '^' ? N_INVERTED :
			    *s == '/' ? N_CLOSE : *s == '>' ? N_PARTIAL : N_MSG;
			s++;
			len--;
			trim(&s, &len);
			if (len > 1 && s[len - 1] == '?' &&
			    nd->type == N_SECTION) {
				nd->test = 1;
				len--;
			}
			nd->s = s;
			nd->len = len;
			break;
		default:
			nd = add_node(t, &cap);
			nd->type = N_VAR;
			nd->s = s;
			nd->len = len;
			if ((bar = memchr(s, '|', len)) != NULL) {
				nd->len = (size_t)(bar - s);
				trim(&nd->s, &nd->len);
				bar++;
				len -= (size_t)(bar - s);
				trim(&bar, &len);
				if (len == 4 && !memcmp(bar, "yuan", 4))
					nd->filter = F_YUAN;
				else if (len == 3 && !memcmp(bar, "num", 3))
					nd->filter = F_NUM;
				else if (len == 3 && !memcmp(bar, "url", 3))
					nd->filter = F_URL;
				else if (len == 5 && !memcmp(bar, "lines", 5))
					nd->filter = F_LINES;
				else {
					snprintf(err, errlen,
					    "%s:%zu: unknown filter", t->name,
					    line);
					return (0);
				}
			}
			break;
		}
		if ((nd->type == N_VAR || nd->type == N_MSG) && html.in_tag &&
		    html.quote == 0) {
			snprintf(err, errlen, "%s:%zu: unquoted attribute value",
			    t->name, line);
			return (0);
		}
		if (nd->type == N_SECTION || nd->type == N_INVERTED) {
			if (depth == TMPL_DEPTH) {
				snprintf(err, errlen, "%s:%zu: nested too deep",
				    t->name, line);
				return (0);
			}
			stack[depth++] = t->n - 1;
		} else if (nd->type == N_CLOSE) {
			if (depth == 0 ||
			    t->nodes[stack[depth - 1]].len != nd->len ||
			    memcmp(t->nodes[stack[depth - 1]].s, nd->s,
			    nd->len)) {
				snprintf(err, errlen,
				    "%s:%zu: {{/%.*s}} closes nothing open",
				    t->name, line, (int)nd->len, nd->s);
				return (0);
			}
			t->nodes[stack[--depth]].end = t->n - 1;
		}
	}
	if (depth > 0) {
		snprintf(err, errlen, "%s: {{#%.*s}} is never closed", t->name,
		    (int)t->nodes[stack[depth - 1]].len,
		    t->nodes[stack[depth - 1]].s);
		return (0);
	}
	return (1);
}

/* Finds a dotted name: the first part up the context stack, then down. */
static json_t *
lookup(struct render *r, const char *path, size_t len)
{
	json_t		*v;
	const char	*dot;
	size_t		 seg;
	int		 i;
	char		 key[128];

	if (len == 1 && *path == '.')
		return (r->stack[r->depth - 1]);
	dot = memchr(path, '.', len);
	seg = dot ? (size_t)(dot - path) : len;
	if (seg >= sizeof(key))
		return (NULL);
	memcpy(key, path, seg);
	key[seg] = '\0';
	v = NULL;
	for (i = r->depth - 1; i >= 0 && v == NULL; i--) {
		if (json_is_object(r->stack[i]))
			v = json_object_get(r->stack[i], key);
	}
	while (v != NULL && dot != NULL) {
		len -= seg + 1;
		path = dot + 1;
		dot = memchr(path, '.', len);
		seg = dot ? (size_t)(dot - path) : len;
		if (seg >= sizeof(key))
			return (NULL);
		memcpy(key, path, seg);
		key[seg] = '\0';
		v = json_is_object(v) ? json_object_get(v, key) : NULL;
	}
	return (v);
}

static int
truthy(json_t *v)
{
	if (v == NULL)
		return (0);
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return (0);
	case JSON_INTEGER:
		return (json_integer_value(v) != 0);
	case JSON_REAL:
		return (json_real_value(v) != 0.0);
	case JSON_STRING:
		return (json_string_length(v) > 0);
	case JSON_ARRAY:
		return (json_array_size(v) > 0);
	default:
		return (1);
	}
}

static void
emit_value(struct render *r, json_t *v, enum filter f, int escape)
{
	struct buf	 tmp;
	const char	*s;
	size_t		 len, i, start;

	if (v == NULL || json_is_null(v))
		return;
	buf_init(&tmp, 64);
	if (json_is_integer(v)) {
		if (f == F_YUAN)
			fmt_yuan(&tmp, json_integer_value(v));
		else if (f == F_NUM)
			fmt_int(&tmp, json_integer_value(v));
		else
			buf_printf(&tmp, "%lld",
			    (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		buf_printf(&tmp, "%g", json_real_value(v));
	} else if (json_is_string(v)) {
		buf_append(&tmp, json_string_value(v), json_string_length(v));
	} else if (json_is_boolean(v)) {
		buf_puts(&tmp, json_is_true(v) ? "true" : "false");
	} else
		(void)fmt_amount(&tmp, v);
	s = tmp.data;
	len = tmp.len;
	if (f == F_URL) {
		esc_url(r->out, s, len);
	} else if (!escape) {
		buf_append(r->out, s, len);
	} else if (f == F_LINES) {
		/* Escaped text with its line breaks kept. */
		for (i = start = 0; i < len; i++) {
			if (s[i] != '\n')
				continue;
			esc_html(r->out, s + start, i - start);
			buf_puts(r->out, "<br>\n");
			start = i + 1;
		}
		esc_html(r->out, s + start, len - start);
	} else {
		esc_html(r->out, s, len);
	}
	buf_free(&tmp);
}

static int
render_range(struct render *r, const struct tmpl *t, size_t from, size_t to)
{
	const struct node	*nd;
	const struct tmpl	*sub;
	json_t			*v, *el;
	size_t			 i, k;
	char			 key[160];

	for (i = from; i < to; i++) {
		nd = &t->nodes[i];
		switch (nd->type) {
		case N_TEXT:
			buf_append(r->out, nd->s, nd->len);
			break;
		case N_VAR:
		case N_RAW:
			emit_value(r, lookup(r, nd->s, nd->len), nd->filter,
			    nd->type == N_VAR);
			break;
		case N_MSG:
			if (nd->len >= sizeof(key))
				return (0);
			memcpy(key, nd->s, nd->len);
			key[nd->len] = '\0';
			v = r->messages ? json_object_get(r->messages, key) :
			    NULL;
			if (v == NULL)
				v = json_string(key);
			else
				json_incref(v);
			emit_value(r, v, F_NONE, 1);
			json_decref(v);
			break;
		case N_PARTIAL:
			if (nd->len >= sizeof(key) || r->nesting >= TMPL_DEPTH)
				return (0);
			memcpy(key, nd->s, nd->len);
			key[nd->len] = '\0';
			if ((sub = tmpl_find(r->set, key)) == NULL)
				return (0);
			r->nesting++;
			if (!render_range(r, sub, 0, sub->n))
				return (0);
			r->nesting--;
			break;
		case N_SECTION:
		case N_INVERTED:
			v = lookup(r, nd->s, nd->len);
			if (nd->type == N_INVERTED) {
				if (!truthy(v) &&
				    !render_range(r, t, i + 1, nd->end))
					return (0);
			} else if (nd->test) {
				if (truthy(v) &&
				    !render_range(r, t, i + 1, nd->end))
					return (0);
			} else if (json_is_array(v)) {
				if (r->depth == TMPL_DEPTH)
					return (0);
				for (k = 0; k < json_array_size(v); k++) {
					el = json_array_get(v, k);
					r->stack[r->depth++] = el;
					if (!render_range(r, t, i + 1, nd->end))
						return (0);
					r->depth--;
				}
			} else if (truthy(v)) {
				if (json_is_object(v)) {
					if (r->depth == TMPL_DEPTH)
						return (0);
					r->stack[r->depth++] = v;
				}
				if (!render_range(r, t, i + 1, nd->end))
					return (0);
				if (json_is_object(v))
					r->depth--;
			}
			i = nd->end;
			break;
		case N_CLOSE:
			break;
		}
	}
	return (1);
}

/*
 * Renders template name with ctx (an object) and messages (the reader's
 * catalogue) into out.  Returns 0 when name or a partial is unknown.
 */
int
tmpl_render(const struct tmpl_set *set, const char *name, json_t *ctx,
    json_t *messages, struct buf *out)
{
	const struct tmpl	*t;
	struct render		 r;

	if ((t = tmpl_find(set, name)) == NULL)
		return (0);
	memset(&r, 0, sizeof(r));
	r.set = set;
	r.stack[0] = ctx;
	r.depth = 1;
	r.messages = messages;
	r.out = out;
	return (render_range(&r, t, 0, t->n));
}

/*
 * Calls fn with every message key used by the set's templates (for the
 * test that every key exists in every language).  Stops at the first
 * call that returns 0 and returns 0 then.
 */
int
tmpl_messages_used(const struct tmpl_set *set, int (*fn)(const char *, void *),
    void *arg)
{
	size_t	i, k;
	char	key[160];

	for (i = 0; i < set->n; i++) {
		for (k = 0; k < set->t[i].n; k++) {
			if (set->t[i].nodes[k].type != N_MSG ||
			    set->t[i].nodes[k].len >= sizeof(key))
				continue;
			memcpy(key, set->t[i].nodes[k].s,
			    set->t[i].nodes[k].len);
			key[set->t[i].nodes[k].len] = '\0';
			if (!fn(key, arg))
				return (0);
		}
	}
	return (1);
}
