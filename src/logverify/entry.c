/*
 * The entries of the log (sql/LOG_FORMAT.md): each is checked to be in
 * canonical form and to make sense after the ones before it (an event of
 * a need follows its opening, an event of a pledge follows its making),
 * and the totals of each need are added up from them, with checked
 * arithmetic: each amount is below 2^53, but a total of some thousand of
 * them is not below 2^63.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lv.h"

#define MAX_ENTRY	1024
#define MAX_INT		9007199254740991ULL

/* The keys an entry may have, in the order they must come. */
enum key {
	K_INDEX, K_TIME, K_KIND, K_NEED, K_PLEDGE, K_NEED_KIND, K_CATEGORY,
	K_TOWN, K_QUANTITY, K_AMOUNT, K_UNIT, K_UNIT_AMOUNT, K_DONOR, K__N
};

static const char *const keys[K__N] = {
	"index", "time", "kind", "need", "pledge", "need_kind", "category",
	"town", "quantity", "amount", "unit", "unit_amount", "donor"
};

#define B(k)	(1u << (k))
#define COMMON	(B(K_INDEX) | B(K_TIME) | B(K_KIND))

/* Each kind: the keys it must have and the keys it may have. */
static const struct {
	const char	*name;
	unsigned int	 must, may;
} kinds[] = {
	{ "need_opened", COMMON | B(K_NEED) | B(K_NEED_KIND) | B(K_CATEGORY) |
	    B(K_TOWN) | B(K_QUANTITY) | B(K_UNIT), B(K_UNIT_AMOUNT) },
	{ "pledge_made", COMMON | B(K_NEED) | B(K_PLEDGE) | B(K_QUANTITY) |
	    B(K_DONOR), 0 },
	{ "pledge_delivered", COMMON | B(K_NEED) | B(K_PLEDGE) |
	    B(K_QUANTITY), 0 },
	{ "pledge_received", COMMON | B(K_NEED) | B(K_PLEDGE) |
	    B(K_QUANTITY), 0 },
	{ "pledge_cancelled", COMMON | B(K_NEED) | B(K_PLEDGE) |
	    B(K_QUANTITY), 0 },
	{ "pledge_expired", COMMON | B(K_NEED) | B(K_PLEDGE) |
	    B(K_QUANTITY), 0 },
	{ "need_fulfilled", COMMON | B(K_NEED), 0 },
	{ "fund_received", COMMON | B(K_AMOUNT) | B(K_DONOR), B(K_NEED) },
	{ "fund_paid_out", COMMON | B(K_AMOUNT), B(K_NEED) },
};

struct need {
	uint64_t	id;
	int		opened;
	char		kind[16];
	char		unit[64];
	uint64_t	quantity;
	long long	pledged, delivered, received, funds_in, funds_out;
	int		fulfilled;
};

struct pledge {
	uint64_t	id;
	uint64_t	need;
	uint64_t	quantity;
};

/* Open addressing over ids (never 0). */
struct table {
	void	*slot;
	size_t	 size;	/* of one element */
	size_t	 cap;
	size_t	 n;
};

struct ledger {
	struct table	needs;
	struct table	pledges;
	struct need	general;	/* funds that name no need */
};

static void	*table_get(struct table *, uint64_t, int);
static int	 parse_uint(const char *, size_t, uint64_t *, int);
static int	 check_text(const char *, size_t, size_t);
static int	 check_slug(const char *, size_t);
static int	 check_time(const char *, size_t);
static int	 tally(long long *, uint64_t, int);

struct ledger *
ledger_new(void)
{
	struct ledger	*l;

	l = lv_alloc(sizeof(*l));
	l->needs.size = sizeof(struct need);
	l->pledges.size = sizeof(struct pledge);
	return (l);
}

void
ledger_free(struct ledger *l)
{
	free(l->needs.slot);
	free(l->pledges.slot);
	free(l);
}

/* The element of id (created, zeroed, when create is set), or NULL. */
static void *
table_get(struct table *t, uint64_t id, int create)
{
	struct table	 old;
	uint64_t	*e;
	size_t		 i, h;

	if (create && (t->n + 1) * 2 > t->cap) {
		old = *t;
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->slot = lv_alloc(t->cap * t->size);
		t->n = 0;
		for (i = 0; i < old.cap; i++) {
			e = (uint64_t *)(void *)((char *)old.slot + i * t->size);
			if (*e != 0)
				memcpy(table_get(t, *e, 1), e, t->size);
		}
		free(old.slot);
	}
	if (t->cap == 0)
		return (NULL);
	h = (size_t)(id * 0x9e3779b97f4a7c15ULL);
	for (i = 0; i < t->cap; i++) {
		e = (uint64_t *)(void *)((char *)t->slot +
		    ((h + i) % t->cap) * t->size);
		if (*e == id)
			return (e);
		if (*e == 0) {
			if (!create)
				return (NULL);
			*e = id;
			t->n++;
			return (e);
		}
	}
	return (NULL);
}

/* A decimal without sign or leading zero, at least min, at most 2^53-1. */
static int
parse_uint(const char *s, size_t len, uint64_t *out, int min)
{
	uint64_t	v = 0;
	size_t		i;

	if (len == 0 || len > 16 || (s[0] == '0' && len > 1))
		return (0);
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (0);
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > MAX_INT || v < (uint64_t)min)
		return (0);
	*out = v;
	return (1);
}

/*
 * Text of 1 to max characters: valid UTF-8 (shortest forms, no
 * surrogates), no control characters, no space at either end.
 */
static int
check_text(const char *s, size_t len, size_t max)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, k, n, chars = 0;
	unsigned int		 c;

	if (len == 0 || s[0] == ' ' || s[len - 1] == ' ')
		return (0);
	for (i = 0; i < len; i += n, chars++) {
		c = p[i];
		if (c < 0x20 || c == 0x7f)
			return (0);
		if (c < 0x80)
			n = 1;
		else if (c >= 0xc2 && c <= 0xdf)
			n = 2;
		else if (c >= 0xe0 && c <= 0xef)
			n = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 4;
		else
			return (0);
		if (i + n > len)
			return (0);
		if (n == 1)
			continue;
		c &= 0x3f >> (n - 1);
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return (0);
			c = c << 6 | (p[i + k] & 0x3f);
		}
		if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 ||
		    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
			return (0);
	}
	return (chars <= max);
}

static int
check_slug(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > 41 || s[0] < 'a' || s[0] > 'z')
		return (0);
	for (i = 1; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return (0);
	}
	return (1);
}

/* YYYY-MM-DDTHH:MM:SSZ */
static int
check_time(const char *s, size_t len)
{
	static const char	pat[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t			i;
	int			mo, d, h, mi, se;

	if (len != sizeof(pat) - 1)
		return (0);
	for (i = 0; i < len; i++) {
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return (0);
	}
#define N2(o)	((s[o] - '0') * 10 + (s[(o) + 1] - '0'))
	mo = N2(5);
	d = N2(8);
	h = N2(11);
	mi = N2(14);
	se = N2(17);
#undef N2
	return (mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 &&
	    mi <= 59 && se <= 59);
}

/*
 * *total plus v, or minus v when sub is set; 0 when that does not fit (the
 * total is then meaningless, and so is the ledger).
 */
static int
tally(long long *total, uint64_t v, int sub)
{
	long long	n = (long long)v;	/* v <= MAX_INT < 2^63 */

	return (sub ? !__builtin_sub_overflow(*total, n, total) :
	    !__builtin_add_overflow(*total, n, total));
}

#define BAD(...)	return (lv_err(e, LV_WRONG, __VA_ARGS__))

/*
 * Checks entry (len bytes, which may hold anything), at position index,
 * and adds it up.  Returns LV_OK; LV_WRONG when the entry is not right
 * (what is wrong in e); LV_CANNOT when a total would not fit in 63 bits.
 */
int
ledger_add(struct ledger *l, uint64_t index, const char *entry, size_t len,
    struct lv_err *e)
{
	const char	*val[K__N], *p, *end, *sp, *nl;
	size_t		 vlen[K__N], k;
	unsigned int	 seen = 0, last = 0;
	uint64_t	 num[K__N];
	struct need	*nd = NULL;
	struct pledge	*pl;
	int		 kind, first = 1, ok = 1;

	memset(num, 0, sizeof(num));
	if (len == 0 || len > MAX_ENTRY || entry[len - 1] != '\n')
		BAD("not a sequence of lines of at most %d bytes", MAX_ENTRY);
	end = entry + len;
	for (p = entry; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if ((sp = memchr(p, ' ', (size_t)(nl - p))) == NULL)
			BAD("a line without a value");
		for (k = 0; k < K__N; k++) {
			if (strlen(keys[k]) == (size_t)(sp - p) &&
			    !memcmp(keys[k], p, (size_t)(sp - p)))
				break;
		}
		if (k == K__N)
			BAD("unknown key \"%.*s\"", (int)(sp - p), p);
		if (!first && k <= last)
			BAD("key %s out of order or repeated", keys[k]);
		first = 0;
		last = (unsigned int)k;
		seen |= B(k);
		val[k] = sp + 1;
		vlen[k] = (size_t)(nl - sp - 1);
	}
	if (!(seen & B(K_KIND)))
		BAD("no kind");
	for (kind = 0; kind < (int)(sizeof(kinds) / sizeof(kinds[0]));
	    kind++) {
		if (strlen(kinds[kind].name) == vlen[K_KIND] &&
		    !memcmp(kinds[kind].name, val[K_KIND], vlen[K_KIND]))
			break;
	}
	if (kind == (int)(sizeof(kinds) / sizeof(kinds[0])))
		BAD("unknown kind \"%.*s\"", (int)vlen[K_KIND], val[K_KIND]);
	if ((seen & kinds[kind].must) != kinds[kind].must ||
	    (seen & ~(kinds[kind].must | kinds[kind].may)) != 0)
		BAD("the keys of a %s are not right", kinds[kind].name);

	if (!parse_uint(val[K_INDEX], vlen[K_INDEX], &num[K_INDEX], 0) ||
	    num[K_INDEX] != index)
		BAD("it says it is entry %.*s", (int)vlen[K_INDEX],
		    val[K_INDEX]);
	if (!check_time(val[K_TIME], vlen[K_TIME]))
		BAD("bad time");
	for (k = K_NEED; k < K__N; k++) {
		if (!(seen & B(k)))
			continue;
		switch (k) {
		case K_NEED: case K_PLEDGE: case K_QUANTITY: case K_AMOUNT:
		case K_UNIT_AMOUNT:
			if (!parse_uint(val[k], vlen[k], &num[k], 1))
				BAD("%s is not a positive integer", keys[k]);
			break;
		case K_NEED_KIND:
			if (!(vlen[k] == 5 && !memcmp(val[k], "goods", 5)) &&
			    !(vlen[k] == 5 && !memcmp(val[k], "money", 5)) &&
			    !(vlen[k] == 11 && !memcmp(val[k], "scholarship",
			    11)) && !(vlen[k] == 7 && !memcmp(val[k],
			    "service", 7)))
				BAD("unknown need_kind");
			break;
		case K_CATEGORY: case K_TOWN:
			if (!check_slug(val[k], vlen[k]))
				BAD("%s is not a slug", keys[k]);
			break;
		case K_UNIT:
			if (!check_text(val[k], vlen[k], 10))
				BAD("bad unit");
			break;
		case K_DONOR:
			if (!check_text(val[k], vlen[k], 50))
				BAD("bad donor name");
			break;
		}
	}

	/* What it means, after what came before. */
	if (seen & B(K_NEED)) {
		nd = table_get(&l->needs, num[K_NEED], kind == 0);
		if (kind != 0 && (nd == NULL || !nd->opened))
			BAD("need %llu was never opened in the log",
			    (unsigned long long)num[K_NEED]);
	} else {
		nd = &l->general;
	}
	pl = NULL;
	if (seen & B(K_PLEDGE)) {
		pl = table_get(&l->pledges, num[K_PLEDGE], kind == 1);
		if (kind == 1) {
			if (pl->need != 0)
				BAD("pledge %llu was made twice",
				    (unsigned long long)num[K_PLEDGE]);
			pl->need = num[K_NEED];
			pl->quantity = num[K_QUANTITY];
		} else if (pl == NULL || pl->need == 0) {
			BAD("pledge %llu was never made",
			    (unsigned long long)num[K_PLEDGE]);
		} else if (pl->need != num[K_NEED]) {
			BAD("pledge %llu was made for need %llu",
			    (unsigned long long)num[K_PLEDGE],
			    (unsigned long long)pl->need);
		} else if (num[K_QUANTITY] > pl->quantity) {
			BAD("more than pledge %llu promised",
			    (unsigned long long)num[K_PLEDGE]);
		}
	}
	switch (kind) {
	case 0:		/* need_opened */
		if (((vlen[K_NEED_KIND] == 11) != !!(seen & B(K_UNIT_AMOUNT))))
			BAD("unit_amount goes with scholarships only");
		nd->opened = 1;
		(void)snprintf(nd->kind, sizeof(nd->kind), "%.*s",
		    (int)vlen[K_NEED_KIND], val[K_NEED_KIND]);
		(void)snprintf(nd->unit, sizeof(nd->unit), "%.*s",
		    (int)vlen[K_UNIT], val[K_UNIT]);
		nd->quantity = num[K_QUANTITY];
		break;
	case 1:
		ok = tally(&nd->pledged, num[K_QUANTITY], 0);
		break;
	case 2:
		ok = tally(&nd->delivered, num[K_QUANTITY], 0);
		break;
	case 3:
		ok = tally(&nd->received, num[K_QUANTITY], 0);
		break;
	case 4:
	case 5:
		ok = tally(&nd->pledged, num[K_QUANTITY], 1);
		break;
	case 6:
		nd->fulfilled = 1;
		break;
	case 7:
		ok = tally(&nd->funds_in, num[K_AMOUNT], 0);
		break;
	case 8:
		ok = tally(&nd->funds_out, num[K_AMOUNT], 0);
		break;
	}
	if (!ok) {
		if (nd == &l->general)
			return (lv_err(e, LV_CANNOT, "the funds that name no "
			    "need add up to more than 2^63 - 1 fen"));
		return (lv_err(e, LV_CANNOT, "the totals of need %llu add up "
		    "to more than 2^63 - 1", (unsigned long long)num[K_NEED]));
	}
	return (LV_OK);
}

static int
need_cmp(const void *a, const void *b)
{
	const struct need	*x = *(struct need *const *)a;
	const struct need	*y = *(struct need *const *)b;

	return (x->id < y->id ? -1 : x->id > y->id);
}

/* Each need's totals, tab-separated, by need; funds naming none last. */
void
ledger_print(const struct ledger *l)
{
	struct need	**v, *nd;
	size_t		  i, n = 0;

	v = lv_alloc((l->needs.n + 1) * sizeof(*v));
	for (i = 0; i < l->needs.cap; i++) {
		nd = (struct need *)l->needs.slot + i;
		if (nd->id != 0)
			v[n++] = nd;
	}
	qsort(v, n, sizeof(*v), need_cmp);
	printf("need\tneed_kind\tunit\tquantity\tpledged\tdelivered\t"
	    "received\tfunds_in\tfunds_out\tfulfilled\n");
	for (i = 0; i < n; i++) {
		printf("%llu\t%s\t%s\t%llu\t%lld\t%lld\t%lld\t%lld\t%lld\t%s\n",
		    (unsigned long long)v[i]->id, v[i]->kind, v[i]->unit,
		    (unsigned long long)v[i]->quantity, v[i]->pledged,
		    v[i]->delivered, v[i]->received, v[i]->funds_in,
		    v[i]->funds_out, v[i]->fulfilled ? "yes" : "no");
	}
	if (l->general.funds_in != 0 || l->general.funds_out != 0)
		printf("-\t-\tfen\t-\t-\t-\t-\t%lld\t%lld\t-\n",
		    l->general.funds_in, l->general.funds_out);
	free(v);
}
