/*
 * The matching engine: proposes which live offer gives how much to which
 * open need.  Pure: no Kore, no database, no global state; the caller
 * fills arrays (struct match_need, struct match_offer in lib.h) and gets
 * proposals back (struct match_result).
 *
 * Compatibility, the hard rules.  An offer may give to a need only if
 * both are live (need not past its deadline, offer not past valid_until,
 * something left on both sides), of the same kind, of the offer's
 * category when it names one, of the offer's campaign when it names one,
 * in one of its towns when it gives only there (towns_only), and
 *   - goods and services: when both name an item, one name contains the
 *     other ("棉衣" and "儿童棉衣"); goods: when both specifications are
 *     sizes (140, 140码, 140-160, 140–160码, 身高150cm, 160/84A, S..XXXL,
 *     均码), the sizes overlap;
 *   - scholarships: the need's amount per term is at most what the offer
 *     pays per term (if it says) and within its budget: an offer pays
 *     whole terms only, budget / unit_amount of them, at most `terms`.
 * Money offers give fen; a proposal never exceeds what the offer still
 * holds nor what the need still lacks.
 *
 * Rank.  A proposal (offer o, need n) is ranked by the key
 *     urgency, deadline class, town, fit, waiting class,
 *     then earlier deadline, earlier opening, lower need id, lower offer id
 * where the deadline class is due within 7 / 30 / 90 days / later, town
 * says n is in a town o names, fit is (o names n's category, item equal >
 * item contained > none, size overlap or equal specification), and the
 * waiting class is open 90+ / 30+ / fewer days.  The leading part of the
 * key is the proposal's score (level << 7 | town << 6 | fit << 2 | wait).
 * The key is a total order (ids are unique), so the result does not depend
 * on the order of the input, on hashing or on the sort used.
 *
 * match_all: greedy allocation in key order over all pairs, i.e. repeat
 * "take the best compatible pair with something left on both sides, give
 * as much as possible".  Done without listing the pairs:
 *   1. Needs are sorted into groups alike in what they ask (kind,
 *      category, item and specification) and, within a group, classes
 *      alike in everything matching reads (town, campaign, amount per
 *      term).  Within a class, needs are sorted by their own part of the
 *      key (level, waiting, deadline, opened, id).  Texts are first made
 *      alike where no offer could tell them apart (spec_canon,
 *      item_canon): sizes spelt one way, specifications no offer has
 *      dropped, items grouped by which offers' items they fit.
 *   2. Each offer is checked once per group of its kind and category
 *      (item and size: pair_what) and, if it fits, put in the group's
 *      list (unless it gives only in its towns) and in the list of each
 *      class of the group in a town it names that it may serve
 *      (pair_where).  Lists are sorted by fit, then offer id.  The best
 *      offer for a class is then the first in its named-town list that
 *      can still give, else the first in its group's list that can and
 *      may (campaign, towns, amount per term); each class keeps its own
 *      cursors, which only move forward (capacities only shrink).
 *   3. The best pair of a class is (its best offer, its first need with
 *      something left): the key ranks the need's level first, then the
 *      offer's town and fit, then the need's own order.  A binary heap of
 *      classes keyed by their best pair; pop the top; if its heads moved
 *      (a need filled, an offer spent elsewhere) its key can only have
 *      dropped: re-key it and sift down; else allocate and loop.
 * Complexity, N needs, M offers, G groups, C classes, L list entries
 * (L <= M G + the named-town entries), I and J distinct items of needs
 * and of offers: O(N log N) to sort the needs, O(I J) to group items,
 * O(M G) to check the offers against the groups, O(L) to sort the lists
 * (counting sorts), and O((N + M + S) log C) for the heap, where S counts
 * the cursor moves.  A cursor passes an offer at most once, so S <= the
 * total length of the classes' lists (C M in theory); in practice it is
 * small, as a cursor passes only spent offers and those of other
 * campaigns or amounts.  Memory O(N + M + L).  G and C are bounded by the
 * vocabulary of the offers' items and specifications times towns and
 * campaigns, not by N, so time grows with N as N log N.  (The worst
 * case: offers that each name an item of their own, and needs as many
 * items, make I J approach M N.)
 *
 * match_for_offer / match_for_need: one offer (one need) against all needs
 * (offers), compatible ones sorted by the same key, allocated greedily from
 * that one offer's (need's) capacity, at most k proposals.  O(N log N)
 * (O(M log M)).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"

#define R(x)		(1u << MATCH_R_##x)
#define STR_EMPTY	0		/* the id of "" in every strtab */

/* Interned normalized text: equal text, equal id. */
struct str {
	uint32_t	 off;
	uint32_t	 len;
	uint32_t	 hash;
	int		 size;		/* the text is a size, lo..hi */
	int		 lo;
	int		 hi;
};

struct strtab {
	char		*text;
	size_t		 tlen;
	size_t		 tcap;
	struct str	*v;
	uint32_t	 n;
	uint32_t	 cap;
	uint32_t	*slot;		/* id + 1, 0 if free */
	uint32_t	 nslot;		/* a power of two */
	char		*tmp;		/* normalization scratch */
	size_t		 tmpcap;
};

/* A live need, ready to compare. */
struct pneed {
	size_t		 idx;
	int64_t		 id;
	int64_t		 left;
	int64_t		 unit;		/* scholarship: fen per term, else 0 */
	int32_t		 deadline;
	int32_t		 opened;
	uint32_t	 cat;
	uint32_t	 item;
	uint32_t	 spec;
	int		 town;
	int		 campaign;
	uint8_t		 kind;
	uint8_t		 level;		/* (urgency - 1) * 4 + deadline class */
	uint8_t		 wait;		/* waiting class */
	uint16_t	 why;		/* reasons of the need alone */
};

/* A live offer, ready to compare. */
struct poffer {
	size_t		 idx;
	int64_t		 id;
	int64_t		 left;		/* units, places or fen */
	int64_t		 terms;		/* scholarship terms left */
	int64_t		 unitmax;	/* most fen per term, 0: any */
	const int	*towns;
	size_t		 ntowns;
	int		 towns_only;
	int		 campaign;
	uint32_t	 cat;
	uint32_t	 item;
	uint32_t	 spec;
	uint8_t		 kind;
};

/* A group of needs alike in what they ask: their classes. */
struct mgroup {
	uint32_t	 cbeg;
	uint32_t	 cend;
};

/*
 * A class of needs alike in everything that matching reads: a run of the
 * sorted needs; cursors into its own list of offers that name its town,
 * and into its group's list of the other offers; the heads its heap key
 * was made of.
 */
struct mclass {
	uint32_t	 rep;		/* one of its needs */
	uint32_t	 nhead;		/* first need with something left */
	uint32_t	 nend;
	uint32_t	 thead;		/* offers naming its town */
	uint32_t	 tend;
	uint32_t	 ghead;		/* its group's other offers */
	uint32_t	 gend;
	uint32_t	 kn;		/* heap key: need, offer, bits */
	uint32_t	 ko;
	uint8_t		 ktf;
};

/* An offer in a list, with the fit bits and reasons of its items. */
struct entry {
	uint32_t	 off;		/* index in the sorted offers */
	uint16_t	 why;
	uint8_t		 f;
};

/* An entry before it is sorted into its list. */
struct lentry {
	uint32_t	 list;
	struct entry	 e;
};

struct run {
	struct pneed	*pn;
	struct poffer	*po;
	struct mclass	*cls;
	struct entry	*gen;		/* the groups' lists */
	struct entry	*town;		/* the classes' named-town lists */
	uint32_t	*heap;
	size_t		 nheap;
};

/* A candidate of match_for_offer / match_for_need. */
struct cand {
	struct pneed	 n;
	struct poffer	 o;
	uint32_t	 why;
	uint8_t		 tf;
};

static void	*xcalloc(size_t, size_t);
static void	*xreallocarray(void *, size_t, size_t);
static void	 str_init(struct strtab *);
static void	 str_free(struct strtab *);
static size_t	 str_norm(struct strtab *, const char *);
static uint32_t	 str_intern(struct strtab *, const char *);
static void	 str_rehash(struct strtab *);
static int	 size_token(const char **, const char *, int *);
static int	 size_parse(const char *, size_t, int *, int *);
static int	 need_prep(struct strtab *, const struct match_need *,
		    size_t, int32_t, struct pneed *);
static int	 offer_prep(struct strtab *, const struct match_offer *,
		    size_t, int32_t, struct poffer *);
static int	 item_fit(const struct strtab *, uint32_t, uint32_t,
		    uint32_t *);
static int	 item_rel(const struct strtab *, uint32_t, uint32_t);
static void	 item_canon(const struct strtab *, const struct poffer *,
		    size_t, struct pneed *, size_t);
static int	 spec_fit(const struct strtab *, uint32_t, uint32_t, int,
		    uint32_t *);
static int	 pair_what(const struct strtab *, const struct poffer *,
		    const struct pneed *, uint8_t *, uint32_t *);
static int	 pair_where(const struct poffer *, const struct pneed *,
		    int *, uint32_t *);
static int	 pair_eval(const struct strtab *, const struct poffer *,
		    const struct pneed *, uint8_t *, uint32_t *);
static int	 key_cmp(const struct pneed *, unsigned, int64_t,
		    const struct pneed *, unsigned, int64_t);
static int	 size_cmp(const void *, const void *);
static void	 spec_canon(const struct strtab *, const struct poffer *,
		    size_t, struct pneed *, size_t);
static int	 need_cmp_class(const void *, const void *);
static int	 need_same_group(const struct pneed *, const struct pneed *);
static int	 need_same_class(const struct pneed *, const struct pneed *);
static int	 offer_cmp_id(const void *, const void *);
static int	 cand_cmp_need(const void *, const void *);
static int	 cand_cmp_offer(const void *, const void *);
static int64_t	 offer_cap(const struct poffer *, int64_t);
static void	 give(struct match_result *, struct poffer *, struct pneed *,
		    int64_t, unsigned, uint32_t);
static void	 list_push(struct lentry **, size_t *, size_t *, uint32_t,
		    uint32_t, uint32_t, uint8_t);
static struct entry *list_sort(struct lentry *, size_t, size_t,
		    uint32_t *);
static const struct entry *list_first(const struct run *,
		    const struct entry *, uint32_t *, uint32_t,
		    const struct pneed *, uint32_t *);
static size_t	 class_town(const struct run *, size_t, size_t, int);
static int	 class_best(const struct run *, struct mclass *,
		    uint32_t *, uint8_t *, uint32_t *);
static int	 heap_better(const struct run *, uint32_t, uint32_t);
static void	 heap_down(struct run *, size_t);
static void	 heap_up(struct run *, size_t);

static const char *const match_reason_keys[MATCH_R_COUNT] = {
	[MATCH_R_SAME_TOWN] = "match.same_town",
	[MATCH_R_URGENT] = "match.urgent",
	[MATCH_R_DEADLINE] = "match.deadline",
	[MATCH_R_CATEGORY] = "match.category",
	[MATCH_R_ITEM] = "match.item",
	[MATCH_R_ITEM_NEAR] = "match.item_near",
	[MATCH_R_SIZE] = "match.size",
	[MATCH_R_SPEC] = "match.spec",
	[MATCH_R_CAMPAIGN] = "match.campaign",
	[MATCH_R_WAITING] = "match.waiting",
};

/*
 * The kinds of need and offer, the one list of them in C (forms take
 * their choices from it); SQL's is api.need_kinds().
 */
const char *const need_kinds[MATCH_NKINDS + 1] = {
	[MATCH_GOODS] = "goods",
	[MATCH_MONEY] = "money",
	[MATCH_SCHOLARSHIP] = "scholarship",
	[MATCH_SERVICE] = "service",
	[MATCH_NKINDS] = NULL
};

static void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		abort();
	return (p);
}

static void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		abort();
	if ((p = realloc(p, n * size == 0 ? 1 : n * size)) == NULL)
		abort();
	return (p);
}

/* The enum match_kind of "goods", "money", ...; -1 if none. */
int
match_kind_parse(const char *s)
{
	int	k;

	for (k = 0; k < MATCH_NKINDS; k++)
		if (s != NULL && strcmp(s, need_kinds[k]) == 0)
			return (k);
	return (-1);
}

/* The message key of a reason ("match.same_town"), NULL if none. */
const char *
match_reason_key(enum match_reason r)
{
	if ((int)r < 0 || r >= MATCH_R_COUNT)
		return (NULL);
	return (match_reason_keys[r]);
}

/*
 * The reasons in a proposal's bit set, in the order a person reads them
 * (town, urgency, deadline, then fit), at most max of them; returns how
 * many were stored.
 */
size_t
match_reasons(uint32_t bits, enum match_reason *out, size_t max)
{
	static const enum match_reason order[] = {
		MATCH_R_SAME_TOWN, MATCH_R_URGENT, MATCH_R_DEADLINE,
		MATCH_R_CATEGORY, MATCH_R_ITEM, MATCH_R_ITEM_NEAR,
		MATCH_R_SIZE, MATCH_R_SPEC, MATCH_R_CAMPAIGN, MATCH_R_WAITING,
	};
	size_t	i, n = 0;

	for (i = 0; i < sizeof(order) / sizeof(order[0]) && n < max; i++)
		if (bits & (1u << order[i]))
			out[n++] = order[i];
	return (n);
}

void
match_result_init(struct match_result *r)
{
	memset(r, 0, sizeof(*r));
}

void
match_result_free(struct match_result *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* --- interned text ---------------------------------------------------- */

static void
str_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
	t->nslot = 64;
	t->slot = xcalloc(t->nslot, sizeof(*t->slot));
	t->tcap = 256;
	t->text = xcalloc(t->tcap, 1);
	t->tmpcap = 64;
	t->tmp = xcalloc(t->tmpcap, 1);
	if (str_intern(t, "") != STR_EMPTY)
		abort();
}

static void
str_free(struct strtab *t)
{
	free(t->text);
	free(t->v);
	free(t->slot);
	free(t->tmp);
}

/*
 * Normalizes s into t->tmp and returns its length: ASCII lower case,
 * full-width ASCII (ＡＢＣ１４０) made ASCII, white space (and U+3000)
 * dropped, dashes and tildes (– — ‐ − ～ 〜 ~) made '-'.  Never longer
 * than s.
 */
static size_t
str_norm(struct strtab *t, const char *s)
{
	const unsigned char	*in = (const unsigned char *)(s ? s : "");
	size_t			 len = strlen((const char *)in), i = 0, o = 0;
	unsigned		 c, cp;

	if (len + 1 > t->tmpcap) {
		t->tmpcap = len + 1;
		t->tmp = xreallocarray(t->tmp, t->tmpcap, 1);
	}
	while (i < len) {
		c = in[i];
		if (c >= 0xe0 && c < 0xf0 && i + 2 < len) {
			cp = (c & 0x0f) << 12 | (in[i + 1] & 0x3f) << 6 |
			    (in[i + 2] & 0x3f);
			if (cp >= 0xff01 && cp <= 0xff5e)
				c = cp - 0xff01 + 0x21;
			else if (cp == 0x3000)
				c = ' ';
			else if ((cp >= 0x2010 && cp <= 0x2015) ||
			    cp == 0x2212 || cp == 0x301c)
				c = '-';
			else {
				memcpy(t->tmp + o, in + i, 3);
				o += 3;
				i += 3;
				continue;
			}
			i += 3;
		} else
			i++;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\v' || c == '\f')
			continue;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		else if (c == '~')
			c = '-';
		t->tmp[o++] = (char)c;
	}
	t->tmp[o] = '\0';
	return (o);
}

static void
str_rehash(struct strtab *t)
{
	uint32_t	i, j;

	free(t->slot);
	t->nslot *= 2;
	t->slot = xcalloc(t->nslot, sizeof(*t->slot));
	for (i = 0; i < t->n; i++) {
		j = t->v[i].hash & (t->nslot - 1);
		while (t->slot[j] != 0)
			j = (j + 1) & (t->nslot - 1);
		t->slot[j] = i + 1;
	}
}

/* The id of the normalized text of s (NULL is ""). */
static uint32_t
str_intern(struct strtab *t, const char *s)
{
	struct str	*e;
	size_t		 len, i;
	uint32_t	 h = 2166136261u, j, id;

	len = str_norm(t, s);
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)t->tmp[i]) * 16777619u;
	for (j = h & (t->nslot - 1); t->slot[j] != 0;
	    j = (j + 1) & (t->nslot - 1)) {
		e = &t->v[t->slot[j] - 1];
		if (e->hash == h && e->len == len &&
		    memcmp(t->text + e->off, t->tmp, len) == 0)
			return (t->slot[j] - 1);
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	while (t->tlen + len + 1 > t->tcap) {
		t->tcap *= 2;
		t->text = xreallocarray(t->text, t->tcap, 1);
	}
	id = t->n++;
	e = &t->v[id];
	e->off = (uint32_t)t->tlen;
	e->len = (uint32_t)len;
	e->hash = h;
	memcpy(t->text + t->tlen, t->tmp, len + 1);
	t->tlen += len + 1;
	e->size = size_parse(t->text + e->off, len, &e->lo, &e->hi);
	t->slot[j] = id + 1;
	if (t->n * 2 > t->nslot)
		str_rehash(t);
	return (id);
}

/* --- sizes ------------------------------------------------------------ */

/*
 * One size at *pp: a number of 1 to 3 digits (a height in cm or a shoe
 * size) or a letter size (as a height, by the Chinese 号型: S is 160),
 * then an optional unit (码, 号, cm, 厘米).  Advances *pp.
 */
static int
size_token(const char **pp, const char *e, int *v)
{
	static const struct {
		const char	*s;
		int		 h;
	} letters[] = {
		{ "xxxl", 185 }, { "xxl", 180 }, { "xl", 175 }, { "xs", 155 },
		{ "4xl", 190 }, { "3xl", 185 }, { "2xl", 180 }, { "s", 160 },
		{ "m", 165 }, { "l", 170 },
	};
	static const char *const units[] = { "码", "号", "cm", "厘米" };
	const char	*p = *pp;
	size_t		 i, n;
	int		 x = 0, digits = 0;

	for (i = 0; i < sizeof(letters) / sizeof(letters[0]); i++) {
		n = strlen(letters[i].s);
		if ((size_t)(e - p) >= n && memcmp(p, letters[i].s, n) == 0) {
			x = letters[i].h;
			p += n;
			break;
		}
	}
	if (x == 0) {
		while (p < e && *p >= '0' && *p <= '9' && digits < 4) {
			x = x * 10 + (*p++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || x == 0)
			return (0);
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		n = strlen(units[i]);
		if ((size_t)(e - p) >= n && memcmp(p, units[i], n) == 0) {
			p += n;
			break;
		}
	}
	*v = x;
	*pp = p;
	return (1);
}

/*
 * Whether the normalized text s is a size or a range of sizes: 140,
 * 140码, 140-160, 140-160码, 140至160, 身高150cm, 160/84a, s, xl, s-m,
 * 均码 (any size).  Sets lo..hi.
 */
static int
size_parse(const char *s, size_t len, int *lo, int *hi)
{
	const char	*p = s, *e = s + len;
	int		 a, b;

	*lo = *hi = 0;
	if (len >= 6 && memcmp(p, "身高", 6) == 0)
		p += 6;
	if ((size_t)(e - p) == 6 && memcmp(p, "均码", 6) == 0) {
		*lo = 0;
		*hi = INT_MAX;
		return (1);
	}
	if (!size_token(&p, e, &a))
		return (0);
	b = a;
	if (p < e && *p == '-') {
		p++;
		if (!size_token(&p, e, &b))
			return (0);
	} else if (e - p >= 3 && (memcmp(p, "至", 3) == 0 ||
	    memcmp(p, "到", 3) == 0)) {
		p += 3;
		if (!size_token(&p, e, &b))
			return (0);
	} else if (p < e && *p == '/') {
		p++;
		if (p == e || *p < '0' || *p > '9')
			return (0);
		while (p < e && *p >= '0' && *p <= '9')
			p++;
		if (p < e && *p >= 'a' && *p <= 'z')
			p++;
	}
	if (p != e)
		return (0);
	*lo = a < b ? a : b;
	*hi = a < b ? b : a;
	return (1);
}

/* --- needs, offers and pairs ------------------------------------------ */

/* Fills *p from m if m is live on day today; 0 if it is not. */
static int
need_prep(struct strtab *t, const struct match_need *m, size_t idx,
    int32_t today, struct pneed *p)
{
	int64_t	days;
	int	urgency, dclass;

	if (m->kind < 0 || m->kind >= MATCH_NKINDS || m->remaining <= 0 ||
	    m->deadline < today)
		return (0);
	if (m->kind == MATCH_SCHOLARSHIP && m->unit_amount <= 0)
		return (0);
	memset(p, 0, sizeof(*p));
	p->idx = idx;
	p->id = m->id;
	p->left = m->remaining;
	p->unit = m->kind == MATCH_SCHOLARSHIP ? m->unit_amount : 0;
	p->deadline = m->deadline;
	p->opened = m->opened;
	p->town = m->town;
	p->campaign = m->campaign;
	p->kind = (uint8_t)m->kind;
	p->cat = str_intern(t, m->category);
	if (m->kind == MATCH_GOODS || m->kind == MATCH_SERVICE) {
		p->item = str_intern(t, m->item);
		p->spec = str_intern(t, m->spec);
	}
	urgency = m->urgency < 1 ? 1 : m->urgency > 3 ? 3 : m->urgency;
	days = (int64_t)m->deadline - today;
	dclass = days <= 7 ? 3 : days <= 30 ? 2 : days <= 90 ? 1 : 0;
	p->level = (uint8_t)((urgency - 1) * 4 + dclass);
	days = (int64_t)today - m->opened;
	p->wait = days >= 90 ? 2 : days >= 30 ? 1 : 0;
	if (urgency == 3)
		p->why |= R(URGENT);
	if (dclass == 3)
		p->why |= R(DEADLINE);
	if (p->wait > 0)
		p->why |= R(WAITING);
	return (1);
}

/* Fills *p from m if m is live on day today; 0 if it is not. */
static int
offer_prep(struct strtab *t, const struct match_offer *m, size_t idx,
    int32_t today, struct poffer *p)
{
	if (m->kind < 0 || m->kind >= MATCH_NKINDS || m->quantity <= 0 ||
	    m->valid_until < today)
		return (0);
	if (m->kind == MATCH_SCHOLARSHIP && (m->terms < 0 ||
	    m->unit_amount < 0))
		return (0);
	memset(p, 0, sizeof(*p));
	p->idx = idx;
	p->id = m->id;
	p->left = m->quantity;
	p->terms = INT64_MAX;
	if (m->kind == MATCH_SCHOLARSHIP) {
		if (m->terms > 0)
			p->terms = m->terms;
		p->unitmax = m->unit_amount;
	}
	p->towns = m->towns;
	p->ntowns = m->towns != NULL ? m->ntowns : 0;
	p->towns_only = m->towns_only;
	p->campaign = m->campaign;
	p->kind = (uint8_t)m->kind;
	p->cat = str_intern(t, m->category);
	if (m->kind == MATCH_GOODS || m->kind == MATCH_SERVICE) {
		p->item = str_intern(t, m->item);
		p->spec = str_intern(t, m->spec);
	}
	return (1);
}

/*
 * How well the offer's item a fits the need's item b: 2 equal, 1 one
 * contains the other, 0 either names none, -1 they differ.
 */
static int
item_fit(const struct strtab *t, uint32_t a, uint32_t b, uint32_t *why)
{
	int	fit = item_rel(t, a, b);

	if (fit == 2)
		*why |= R(ITEM);
	else if (fit == 1)
		*why |= R(ITEM_NEAR);
	return (fit);
}

/* item_fit without the reasons. */
static int
item_rel(const struct strtab *t, uint32_t a, uint32_t b)
{
	const struct str	*x = &t->v[a], *y = &t->v[b];
	const char		*xs = t->text + x->off, *ys = t->text + y->off;

	if (a == STR_EMPTY || b == STR_EMPTY)
		return (0);
	if (a == b)
		return (2);
	if ((x->len > y->len && memmem(xs, x->len, ys, y->len) != NULL) ||
	    (y->len > x->len && memmem(ys, y->len, xs, x->len) != NULL))
		return (1);
	return (-1);
}

/*
 * How well the offer's specification a fits the need's b: 1 the sizes
 * overlap or the texts are equal, 0 no telling, -1 both are sizes (and
 * sizes matter) and they do not overlap.
 */
static int
spec_fit(const struct strtab *t, uint32_t a, uint32_t b, int sizes,
    uint32_t *why)
{
	const struct str	*x = &t->v[a], *y = &t->v[b];

	if (a == STR_EMPTY || b == STR_EMPTY)
		return (0);
	if (sizes && x->size && y->size) {
		if (x->lo > y->hi || y->lo > x->hi)
			return (-1);
		*why |= R(SIZE);
		return (1);
	}
	if (a == b) {
		*why |= R(SPEC);
		return (1);
	}
	return (0);
}

/*
 * What the offer gives against what the need asks: kind, category, item
 * and specification.  0 if incompatible; else *f gets the fit bits
 * (category << 3 | item << 1 | spec) and *why their reasons.  Reads only
 * what a group of needs shares.
 */
static int
pair_what(const struct strtab *t, const struct poffer *o,
    const struct pneed *n, uint8_t *f, uint32_t *why)
{
	int		cat = 0, item = 0, spec = 0;
	uint32_t	r = 0;

	if (o->kind != n->kind)
		return (0);
	if (o->cat != STR_EMPTY) {
		if (o->cat != n->cat)
			return (0);
		cat = 1;
		r |= R(CATEGORY);
	}
	if (n->kind == MATCH_GOODS || n->kind == MATCH_SERVICE) {
		if ((item = item_fit(t, o->item, n->item, &r)) < 0)
			return (0);
		if ((spec = spec_fit(t, o->spec, n->spec,
		    n->kind == MATCH_GOODS, &r)) < 0)
			return (0);
	}
	*f = (uint8_t)(cat << 3 | item << 1 | spec);
	*why = r;
	return (1);
}

/*
 * Where and for whom: campaign, towns, and a scholarship's amount per
 * term.  0 if incompatible; else *town is 1 if the offer names the
 * need's town, and *why the reasons.  Reads only what a class shares.
 */
static int
pair_where(const struct poffer *o, const struct pneed *n, int *town,
    uint32_t *why)
{
	size_t		i;
	uint32_t	r = 0;

	*town = 0;
	if (o->campaign != 0) {
		if (o->campaign != n->campaign)
			return (0);
		r |= R(CAMPAIGN);
	}
	for (i = 0; i < o->ntowns; i++)
		if (o->towns[i] == n->town) {
			*town = 1;
			r |= R(SAME_TOWN);
			break;
		}
	if (!*town && o->towns_only && o->ntowns > 0)
		return (0);
	if (n->kind == MATCH_SCHOLARSHIP && ((o->unitmax > 0 &&
	    n->unit > o->unitmax) || n->unit > o->left || o->terms == 0))
		return (0);
	*why = r;
	return (1);
}

/*
 * Whether offer o may give to need n (the hard rules at the top of this
 * file), with *tf the town and fit bits of the key and *why the reasons
 * the pair brings.
 */
static int
pair_eval(const struct strtab *t, const struct poffer *o,
    const struct pneed *n, uint8_t *tf, uint32_t *why)
{
	uint32_t	a, b;
	uint8_t		f;
	int		town;

	if (!pair_what(t, o, n, &f, &a) || !pair_where(o, n, &town, &b))
		return (0);
	*tf = (uint8_t)(town << 4 | f);
	*why = a | b;
	return (1);
}

/*
 * Compares the rank keys of two proposals (need, town and fit bits,
 * offer id): > 0 if the first ranks higher.  A total order.
 */
static int
key_cmp(const struct pneed *a, unsigned tfa, int64_t oa,
    const struct pneed *b, unsigned tfb, int64_t ob)
{
	if (a->level != b->level)
		return (a->level > b->level ? 1 : -1);
	if (tfa != tfb)
		return (tfa > tfb ? 1 : -1);
	if (a->wait != b->wait)
		return (a->wait > b->wait ? 1 : -1);
	if (a->deadline != b->deadline)
		return (a->deadline < b->deadline ? 1 : -1);
	if (a->opened != b->opened)
		return (a->opened < b->opened ? 1 : -1);
	if (a->id != b->id)
		return (a->id < b->id ? 1 : -1);
	if (oa != ob)
		return (oa < ob ? 1 : -1);
	return (0);
}

/* Sizes by range, then id. */
static int
size_cmp(const void *pa, const void *pb)
{
	const struct str	*a = pa, *b = pb;

	if (a->lo != b->lo)
		return (a->lo < b->lo ? -1 : 1);
	if (a->hi != b->hi)
		return (a->hi < b->hi ? -1 : 1);
	return (a->off < b->off ? -1 : a->off > b->off);
}

/*
 * Makes needs that match alike look alike, so that they share a group:
 * a size of goods is spelt one way (140, 140码 and 身高140cm are one),
 * and a specification that is not such a size and that no offer has is
 * dropped, as it changes nothing (spec_fit gives 0 for it against any
 * offer).  Without this, free-text specifications would make a group of
 * each need.
 */
static void
spec_canon(const struct strtab *t, const struct poffer *po, size_t no,
    struct pneed *pn, size_t np)
{
	struct str	*sz;
	uint32_t	*canon, nsz = 0, i, first = 0;
	uint8_t		*used;
	size_t		 j;

	used = xcalloc(t->n, sizeof(*used));
	canon = xcalloc(t->n, sizeof(*canon));
	sz = xcalloc(t->n, sizeof(*sz));
	for (j = 0; j < no; j++)
		used[po[j].spec] = 1;
	for (i = 0; i < t->n; i++) {
		canon[i] = i;
		if (t->v[i].size) {
			sz[nsz] = t->v[i];
			sz[nsz++].off = i;	/* the id, from here on */
		}
	}
	qsort(sz, nsz, sizeof(*sz), size_cmp);
	for (i = 0; i < nsz; i++) {
		if (i == 0 || sz[i].lo != sz[i - 1].lo ||
		    sz[i].hi != sz[i - 1].hi)
			first = sz[i].off;
		canon[sz[i].off] = first;
	}
	for (j = 0; j < np; j++) {
		i = pn[j].spec;
		if (i == STR_EMPTY)
			continue;
		if (pn[j].kind == MATCH_GOODS && t->v[i].size)
			pn[j].spec = canon[i];
		else if (!used[i])
			pn[j].spec = STR_EMPTY;
	}
	free(sz);
	free(canon);
	free(used);
}

/*
 * Makes needs whose items fit every offer alike share one item, for the
 * same reason: the signature of a need's item is the list of the offers'
 * items it fits (equal or near), and items of one signature are
 * interchangeable ("棉衣 #1" and "棉衣 #2" both fit "棉衣" only, near).
 * Costs (distinct items of needs) x (distinct items of offers) compares.
 */
static void
item_canon(const struct strtab *t, const struct poffer *po, size_t no,
    struct pneed *pn, size_t np)
{
	struct sig {
		uint32_t	 hash;
		uint32_t	 off;
		uint32_t	 len;
		uint32_t	 id;
	}		*tab;
	uint32_t	*oi, *canon, *arena, noi = 0, x, h, len, m, nslot, v;
	size_t		 j, k, alen = 0, acap = 64;
	uint8_t		*mark;
	int		 rel;

	mark = xcalloc(t->n, sizeof(*mark));
	canon = xcalloc(t->n, sizeof(*canon));
	oi = xcalloc(no, sizeof(*oi));
	for (x = 0; x < t->n; x++)
		canon[x] = x;
	for (j = 0; j < no; j++)
		if (po[j].item != STR_EMPTY && !(mark[po[j].item] & 1)) {
			mark[po[j].item] |= 1;
			oi[noi++] = po[j].item;
		}
	for (nslot = 64; nslot < 2 * t->n; nslot *= 2)
		continue;
	tab = xcalloc(nslot, sizeof(*tab));
	arena = xcalloc(acap, sizeof(*arena));
	for (k = 0; k < np; k++) {
		x = pn[k].item;
		if (x == STR_EMPTY || (mark[x] & 2))
			continue;
		mark[x] |= 2;
		if (alen + noi + 1 > acap) {
			while (alen + noi + 1 > acap)
				acap *= 2;
			arena = xreallocarray(arena, acap, sizeof(*arena));
		}
		h = 2166136261u;
		for (len = 0, j = 0; j < noi; j++)
			if ((rel = item_rel(t, oi[j], x)) > 0) {
				v = (uint32_t)j << 1 | (rel == 2);
				arena[alen + len++] = v;
				h = (h ^ v) * 16777619u;
			}
		for (m = h & (nslot - 1); tab[m].len != 0;
		    m = (m + 1) & (nslot - 1))
			if (tab[m].hash == h && tab[m].len == len + 1 &&
			    memcmp(arena + tab[m].off, arena + alen,
			    len * sizeof(*arena)) == 0)
				break;
		if (tab[m].len != 0)
			canon[x] = tab[m].id;
		else {
			tab[m].hash = h;
			tab[m].off = (uint32_t)alen;
			tab[m].len = len + 1;	/* 0 marks a free slot */
			tab[m].id = x;
			alen += len;
		}
	}
	for (k = 0; k < np; k++)
		pn[k].item = canon[pn[k].item];
	free(arena);
	free(tab);
	free(oi);
	free(canon);
	free(mark);
}

/* Same kind, category, item and specification. */
static int
need_same_group(const struct pneed *a, const struct pneed *b)
{
	return (a->kind == b->kind && a->cat == b->cat &&
	    a->item == b->item && a->spec == b->spec);
}

/* Same group, town, campaign and amount per term. */
static int
need_same_class(const struct pneed *a, const struct pneed *b)
{
	return (need_same_group(a, b) && a->town == b->town &&
	    a->campaign == b->campaign && a->unit == b->unit);
}

/* Needs by group, then class, then best first within a class. */
static int
need_cmp_class(const void *pa, const void *pb)
{
	const struct pneed	*a = pa, *b = pb;
	int			 c;

	if (a->kind != b->kind)
		return (a->kind < b->kind ? -1 : 1);
	if (a->cat != b->cat)
		return (a->cat < b->cat ? -1 : 1);
	if (a->item != b->item)
		return (a->item < b->item ? -1 : 1);
	if (a->spec != b->spec)
		return (a->spec < b->spec ? -1 : 1);
	if (a->town != b->town)
		return (a->town < b->town ? -1 : 1);
	if (a->campaign != b->campaign)
		return (a->campaign < b->campaign ? -1 : 1);
	if (a->unit != b->unit)
		return (a->unit < b->unit ? -1 : 1);
	if ((c = key_cmp(a, 0, 0, b, 0, 0)) != 0)
		return (-c);
	return (a->idx < b->idx ? -1 : a->idx > b->idx);
}

static int
offer_cmp_id(const void *pa, const void *pb)
{
	const struct poffer	*a = pa, *b = pb;

	if (a->id != b->id)
		return (a->id < b->id ? -1 : 1);
	return (a->idx < b->idx ? -1 : a->idx > b->idx);
}

/* Candidate needs of one offer, best first. */
static int
cand_cmp_need(const void *pa, const void *pb)
{
	const struct cand	*a = pa, *b = pb;
	int			 c;

	if ((c = key_cmp(&a->n, a->tf, 0, &b->n, b->tf, 0)) != 0)
		return (-c);
	return (a->n.idx < b->n.idx ? -1 : a->n.idx > b->n.idx);
}

/* Candidate offers of one need, best first. */
static int
cand_cmp_offer(const void *pa, const void *pb)
{
	const struct cand	*a = pa, *b = pb;

	if (a->tf != b->tf)
		return (a->tf > b->tf ? -1 : 1);
	return (offer_cmp_id(&a->o, &b->o));
}

/* What offer o can still give to a need of this unit (fen per term). */
static int64_t
offer_cap(const struct poffer *o, int64_t unit)
{
	int64_t	terms;

	if (o->kind != MATCH_SCHOLARSHIP)
		return (o->left);
	terms = o->left / unit;
	return (terms < o->terms ? terms : o->terms);
}

/* Gives q from o to n and records the proposal. */
static void
give(struct match_result *out, struct poffer *o, struct pneed *n,
    int64_t q, unsigned tf, uint32_t why)
{
	struct match_proposal	*p;

	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 64;
		out->v = xreallocarray(out->v, out->cap, sizeof(*out->v));
	}
	p = &out->v[out->n++];
	p->need = n->idx;
	p->offer = o->idx;
	p->need_id = n->id;
	p->offer_id = o->id;
	p->quantity = q;
	p->amount = 0;
	p->score = (uint32_t)n->level << 7 | tf << 2 | n->wait;
	p->reasons = why | n->why;
	n->left -= q;
	switch (o->kind) {
	case MATCH_SCHOLARSHIP:
		p->amount = q * n->unit;
		o->left -= q * n->unit;
		if (o->terms != INT64_MAX)
			o->terms -= q;
		break;
	case MATCH_MONEY:
		p->amount = q;
		/* FALLTHROUGH */
	default:
		o->left -= q;
		break;
	}
}

/* --- lists of offers -------------------------------------------------- */

static void
list_push(struct lentry **v, size_t *n, size_t *cap, uint32_t list,
    uint32_t off, uint32_t why, uint8_t f)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[*n].list = list;
	(*v)[*n].e.off = off;
	(*v)[*n].e.why = (uint16_t)why;
	(*v)[*n].e.f = f;
	(*n)++;
}

/*
 * Sorts the n entries of v, made in offer id order, into nlists lists,
 * each by fit (best first) then offer id: two stable counting sorts,
 * the least significant key first.  start[l] .. start[l + 1] is then the
 * range of list l in the array returned (the caller frees it).  Frees v.
 */
static struct entry *
list_sort(struct lentry *v, size_t n, size_t nlists, uint32_t *start)
{
	struct lentry	*by;
	struct entry	*out;
	uint32_t	*next;
	size_t		 count[16], i, sum, k;

	by = xcalloc(n, sizeof(*by));
	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++)
		count[15 - v[i].e.f]++;
	for (i = 0, sum = 0; i < 16; i++) {
		k = count[i];
		count[i] = sum;
		sum += k;
	}
	for (i = 0; i < n; i++)
		by[count[15 - v[i].e.f]++] = v[i];
	free(v);

	memset(start, 0, (nlists + 1) * sizeof(*start));
	for (i = 0; i < n; i++)
		start[by[i].list + 1]++;
	for (i = 0; i < nlists; i++)
		start[i + 1] += start[i];
	next = xcalloc(nlists, sizeof(*next));
	memcpy(next, start, nlists * sizeof(*next));
	out = xcalloc(n, sizeof(*out));
	for (i = 0; i < n; i++)
		out[next[by[i].list]++] = by[i].e;
	free(next);
	free(by);
	return (out);
}

/*
 * The first entry of list[*head, end) whose offer can still give to need
 * n and may (pair_where), with *why the entry's reasons and the pair's;
 * NULL if none.  Moves *head past the entries it skips: they never serve
 * that need's class again (capacities only shrink).
 */
static const struct entry *
list_first(const struct run *r, const struct entry *list, uint32_t *head,
    uint32_t end, const struct pneed *n, uint32_t *why)
{
	const struct entry	*e;
	const struct poffer	*o;
	uint32_t		 w;
	int			 town;

	for (; *head < end; (*head)++) {
		e = &list[*head];
		o = &r->po[e->off];
		if (offer_cap(o, n->unit) > 0 && pair_where(o, n, &town, &w)) {
			*why = e->why | w;
			return (e);
		}
	}
	return (NULL);
}

/*
 * The first of the classes [lo, hi) of one group (sorted by town) whose
 * town is not below town.
 */
static size_t
class_town(const struct run *r, size_t lo, size_t hi, int town)
{
	size_t	mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->pn[r->cls[mid].rep].town < town)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

/* --- the heap of classes ---------------------------------------------- */

/*
 * The best pair of class c now: its first need with something left, and
 * its first offer naming its town that can still give to it, else the
 * first other offer of its group that can.  Moves the cursors past what
 * can no longer serve (they never serve again: capacities only shrink).
 * 0 if the class is done.
 */
static int
class_best(const struct run *r, struct mclass *c, uint32_t *off,
    uint8_t *tf, uint32_t *why)
{
	const struct pneed	*n;
	const struct entry	*e;

	while (c->nhead < c->nend && r->pn[c->nhead].left == 0)
		c->nhead++;
	if (c->nhead == c->nend)
		return (0);
	n = &r->pn[c->nhead];
	if ((e = list_first(r, r->town, &c->thead, c->tend, n, why)) != NULL) {
		*off = e->off;
		*tf = (uint8_t)(1 << 4 | e->f);
		return (1);
	}
	/*
	 * An offer of this list that names the town is also in the list
	 * above: it can only come here spent, so town is 0 below.
	 */
	if ((e = list_first(r, r->gen, &c->ghead, c->gend, n, why)) != NULL) {
		*off = e->off;
		*tf = e->f;
		return (1);
	}
	return (0);
}

static int
heap_better(const struct run *r, uint32_t a, uint32_t b)
{
	const struct mclass	*x = &r->cls[a], *y = &r->cls[b];

	return (key_cmp(&r->pn[x->kn], x->ktf, r->po[x->ko].id,
	    &r->pn[y->kn], y->ktf, r->po[y->ko].id) > 0);
}

static void
heap_down(struct run *r, size_t i)
{
	size_t		l, best;
	uint32_t	tmp;

	for (;;) {
		best = i;
		l = 2 * i + 1;
		if (l < r->nheap && heap_better(r, r->heap[l], r->heap[best]))
			best = l;
		if (l + 1 < r->nheap &&
		    heap_better(r, r->heap[l + 1], r->heap[best]))
			best = l + 1;
		if (best == i)
			return;
		tmp = r->heap[i];
		r->heap[i] = r->heap[best];
		r->heap[best] = tmp;
		i = best;
	}
}

static void
heap_up(struct run *r, size_t i)
{
	uint32_t	tmp;

	while (i > 0 && heap_better(r, r->heap[i], r->heap[(i - 1) / 2])) {
		tmp = r->heap[i];
		r->heap[i] = r->heap[(i - 1) / 2];
		r->heap[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
}

/* --- the three modes -------------------------------------------------- */

/*
 * A global allocation pass over all the needs and offers given (the
 * algorithm at the top of this file).  Replaces out's proposals with the
 * new ones, in the order they were made (best first); returns how many.
 */
size_t
match_all(const struct match_need *needs, size_t nneeds,
    const struct match_offer *offers, size_t noffers, int32_t today,
    struct match_result *out)
{
	struct strtab	 t;
	struct run	 r;
	struct mgroup	*grp;
	struct mclass	*c;
	struct poffer	*o;
	struct pneed	*n;
	struct lentry	*gl = NULL, *tl = NULL;
	size_t		 np = 0, no = 0, nc = 0, ng = 0, ngl = 0, cgl = 0;
	size_t		 ntl = 0, ctl = 0, i, j, g, k, lo, hi, mid;
	size_t		 kbeg[MATCH_NKINDS], kend[MATCH_NKINDS];
	uint32_t	*gstart, *tstart, why, w, off;
	uint8_t		 f, tf;
	int		 town, dup;
	int64_t		 q, cap;

	out->n = out->nclasses = out->npairs = 0;
	if (nneeds >= UINT32_MAX / 2 || noffers >= UINT32_MAX / 2)
		abort();
	memset(&r, 0, sizeof(r));
	str_init(&t);

	/* 1. Live offers by id, live needs sorted into groups and classes. */
	r.po = xcalloc(noffers, sizeof(*r.po));
	for (i = 0; i < noffers; i++)
		if (offer_prep(&t, &offers[i], i, today, &r.po[no]))
			no++;
	qsort(r.po, no, sizeof(*r.po), offer_cmp_id);
	r.pn = xcalloc(nneeds, sizeof(*r.pn));
	for (i = 0; i < nneeds; i++)
		if (need_prep(&t, &needs[i], i, today, &r.pn[np]))
			np++;
	spec_canon(&t, r.po, no, r.pn, np);
	item_canon(&t, r.po, no, r.pn, np);
	qsort(r.pn, np, sizeof(*r.pn), need_cmp_class);
	r.cls = xcalloc(np, sizeof(*r.cls));
	grp = xcalloc(np, sizeof(*grp));
	for (i = 0; i < np; i++) {
		if (i == 0 || !need_same_group(&r.pn[i - 1], &r.pn[i]))
			grp[ng++].cbeg = (uint32_t)nc;
		if (i == 0 || !need_same_class(&r.pn[i - 1], &r.pn[i])) {
			r.cls[nc].rep = r.cls[nc].nhead = (uint32_t)i;
			nc++;
		}
		r.cls[nc - 1].nend = (uint32_t)(i + 1);
		grp[ng - 1].cend = (uint32_t)nc;
	}
	memset(kbeg, 0, sizeof(kbeg));
	memset(kend, 0, sizeof(kend));
	for (g = 0; g < ng; g++) {
		n = &r.pn[r.cls[grp[g].cbeg].rep];
		if (g == 0 || r.pn[r.cls[grp[g - 1].cbeg].rep].kind != n->kind)
			kbeg[n->kind] = g;
		kend[n->kind] = g + 1;
	}

	/*
	 * 2. Each offer goes into the list of every group it fits (unless
	 * it gives only in its towns), and into the list of every class of
	 * such a group in a town it names.
	 */
	for (j = 0; j < no; j++) {
		o = &r.po[j];
		lo = kbeg[o->kind];
		hi = kend[o->kind];
		if (o->cat != STR_EMPTY) {
			/* The groups of a kind are sorted by category. */
			while (lo < hi) {
				mid = lo + (hi - lo) / 2;
				if (r.pn[r.cls[grp[mid].cbeg].rep].cat < o->cat)
					lo = mid + 1;
				else
					hi = mid;
			}
			hi = lo;
			while (hi < kend[o->kind] &&
			    r.pn[r.cls[grp[hi].cbeg].rep].cat == o->cat)
				hi++;
		}
		for (g = lo; g < hi; g++) {
			if (!pair_what(&t, o, &r.pn[r.cls[grp[g].cbeg].rep], &f,
			    &why))
				continue;
			if (!o->towns_only || o->ntowns == 0)
				list_push(&gl, &ngl, &cgl, (uint32_t)g,
				    (uint32_t)j, why, f);
			for (k = 0; k < o->ntowns; k++) {
				for (dup = 0, i = 0; i < k && !dup; i++)
					dup = o->towns[i] == o->towns[k];
				if (dup)
					continue;
				for (i = class_town(&r, grp[g].cbeg,
				    grp[g].cend, o->towns[k]);
				    i < grp[g].cend &&
				    r.pn[r.cls[i].rep].town == o->towns[k]; i++)
					if (pair_where(o, &r.pn[r.cls[i].rep],
					    &town, &w))
						list_push(&tl, &ntl, &ctl,
						    (uint32_t)i, (uint32_t)j,
						    why, f);
			}
		}
	}
	gstart = xcalloc(ng + 1, sizeof(*gstart));
	tstart = xcalloc(nc + 1, sizeof(*tstart));
	r.gen = list_sort(gl, ngl, ng, gstart);
	r.town = list_sort(tl, ntl, nc, tstart);
	for (g = 0; g < ng; g++)
		for (i = grp[g].cbeg; i < grp[g].cend; i++) {
			r.cls[i].ghead = gstart[g];
			r.cls[i].gend = gstart[g + 1];
			r.cls[i].thead = tstart[i];
			r.cls[i].tend = tstart[i + 1];
		}
	free(gstart);
	free(tstart);
	free(grp);

	/*
	 * 3. The heap of classes by their best pair.  The top's key is
	 * exact if its heads did not move; if they did, its key can only
	 * have dropped: re-key it and sift it down.
	 */
	r.heap = xcalloc(nc, sizeof(*r.heap));
	for (i = 0; i < nc; i++) {
		c = &r.cls[i];
		if (!class_best(&r, c, &off, &tf, &why))
			continue;
		c->kn = c->nhead;
		c->ko = off;
		c->ktf = tf;
		r.heap[r.nheap++] = (uint32_t)i;
		heap_up(&r, r.nheap - 1);
	}
	while (r.nheap > 0) {
		c = &r.cls[r.heap[0]];
		if (!class_best(&r, c, &off, &tf, &why)) {
			r.heap[0] = r.heap[--r.nheap];
			heap_down(&r, 0);
			continue;
		}
		if (c->nhead != c->kn || off != c->ko || tf != c->ktf) {
			c->kn = c->nhead;
			c->ko = off;
			c->ktf = tf;
			heap_down(&r, 0);
			continue;
		}
		n = &r.pn[c->nhead];
		o = &r.po[off];
		cap = offer_cap(o, n->unit);
		q = n->left < cap ? n->left : cap;
		give(out, o, n, q, tf, why);
	}

	out->nclasses = nc;
	out->npairs = ngl + ntl;
	free(r.heap);
	free(r.gen);
	free(r.town);
	free(r.po);
	free(r.cls);
	free(r.pn);
	str_free(&t);
	return (out->n);
}

/*
 * The needs for one offer, best first: at most k proposals (0: no limit)
 * that together never exceed what the offer holds.  The offer is index 0.
 */
size_t
match_for_offer(const struct match_offer *offer, const struct match_need *needs,
    size_t nneeds, int32_t today, size_t k, struct match_result *out)
{
	struct strtab	 t;
	struct poffer	 o;
	struct cand	*cv;
	size_t		 i, nc = 0;
	int64_t		 cap;

	out->n = out->nclasses = out->npairs = 0;
	str_init(&t);
	if (!offer_prep(&t, offer, 0, today, &o)) {
		str_free(&t);
		return (0);
	}
	cv = xcalloc(nneeds, sizeof(*cv));
	for (i = 0; i < nneeds; i++) {
		if (!need_prep(&t, &needs[i], i, today, &cv[nc].n))
			continue;
		if (pair_eval(&t, &o, &cv[nc].n, &cv[nc].tf, &cv[nc].why))
			nc++;
	}
	out->npairs = nc;
	qsort(cv, nc, sizeof(*cv), cand_cmp_need);
	for (i = 0; i < nc && (k == 0 || out->n < k); i++) {
		if ((cap = offer_cap(&o, cv[i].n.unit)) == 0) {
			if (o.kind == MATCH_SCHOLARSHIP && o.terms > 0)
				continue;	/* a cheaper term may fit */
			break;
		}
		give(out, &o, &cv[i].n, cv[i].n.left < cap ? cv[i].n.left :
		    cap, cv[i].tf, cv[i].why);
	}
	free(cv);
	str_free(&t);
	return (out->n);
}

/*
 * The offers for one need, best first: at most k proposals (0: no limit)
 * that together never exceed what the need lacks.  The need is index 0.
 */
size_t
match_for_need(const struct match_need *need, const struct match_offer *offers,
    size_t noffers, int32_t today, size_t k, struct match_result *out)
{
	struct strtab	 t;
	struct pneed	 n;
	struct cand	*cv;
	size_t		 i, nc = 0;
	int64_t		 cap;

	out->n = out->nclasses = out->npairs = 0;
	str_init(&t);
	if (!need_prep(&t, need, 0, today, &n)) {
		str_free(&t);
		return (0);
	}
	cv = xcalloc(noffers, sizeof(*cv));
	for (i = 0; i < noffers; i++) {
		if (!offer_prep(&t, &offers[i], i, today, &cv[nc].o))
			continue;
		if (pair_eval(&t, &cv[nc].o, &n, &cv[nc].tf, &cv[nc].why))
			nc++;
	}
	out->npairs = nc;
	qsort(cv, nc, sizeof(*cv), cand_cmp_offer);
	for (i = 0; i < nc && n.left > 0 && (k == 0 || out->n < k); i++) {
		if ((cap = offer_cap(&cv[i].o, n.unit)) == 0)
			continue;
		give(out, &cv[i].o, &n, n.left < cap ? n.left : cap,
		    cv[i].tf, cv[i].why);
	}
	free(cv);
	str_free(&t);
	return (out->n);
}
