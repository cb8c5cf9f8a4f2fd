/*
 * The matching engine: tables of cases for compatibility, sizes, items,
 * caps and preference order; determinism under shuffling; and random
 * inputs (many seeds) checked against the invariants and against a naive
 * greedy written here from the rules in match.c's header comment.
 */
#include <limits.h>

#include "unit.h"
#include "splitmix.h"

/* Tables below give a base need or offer, then override some fields. */
#pragma GCC diagnostic ignored "-Woverride-init"

#define TODAY	1000

#define NEED(...) ((struct match_need){ .id = 1, .kind = MATCH_GOODS,	\
	.category = "clothing", .item = "棉衣", .spec = "",		\
	.remaining = 1, .town = 1, .urgency = 2,			\
	.deadline = TODAY + 60, .opened = TODAY - 10, __VA_ARGS__ })
#define OFFER(...) ((struct match_offer){ .id = 100, .donor_id = 7,	\
	.kind = MATCH_GOODS, .category = "clothing", .item = "棉衣",	\
	.spec = "", .quantity = 1, .valid_until = TODAY + 30, __VA_ARGS__ })

static const int town2[] = { 2 };

/* The one proposal of offer o for need n, or 0 if it has none. */
static int
one(struct match_offer o, struct match_need n, struct match_proposal *p)
{
	struct match_result	r;
	size_t			n1, n2, n3;

	match_result_init(&r);
	n1 = match_for_need(&n, &o, 1, TODAY, 0, &r);
	if (n1 == 1)
		*p = r.v[0];
	n2 = match_for_offer(&o, &n, 1, TODAY, 0, &r);
	n3 = match_all(&n, 1, &o, 1, TODAY, &r);
	match_result_free(&r);
	assert_int_equal(n1, n2);
	assert_int_equal(n1, n3);
	assert_true(n1 <= 1);
	return ((int)n1);
}

static void
test_reason_keys(void **state)
{
	json_t			*zh, *en;
	enum match_reason	 list[MATCH_R_COUNT + 2];
	size_t			 i;

	(void)state;
	zh = json_load_file("assets/messages_zh.json", 0, NULL);
	en = json_load_file("assets/messages_en.json", 0, NULL);
	assert_non_null(zh);
	assert_non_null(en);
	for (i = 0; i < MATCH_R_COUNT; i++) {
		assert_non_null(match_reason_key(i));
		assert_non_null(json_object_get(zh, match_reason_key(i)));
		assert_non_null(json_object_get(en, match_reason_key(i)));
	}
	assert_null(match_reason_key(MATCH_R_COUNT));
	assert_string_equal(json_string_value(json_object_get(zh,
	    match_reason_key(MATCH_R_SIZE))), "尺码相符");
	json_decref(zh);
	json_decref(en);

	/* Read in the order "同镇, 急需, 尺码相符", and capped. */
	assert_int_equal(match_reasons(1u << MATCH_R_SIZE |
	    1u << MATCH_R_URGENT | 1u << MATCH_R_SAME_TOWN, list,
	    MATCH_R_COUNT), 3);
	assert_int_equal(list[0], MATCH_R_SAME_TOWN);
	assert_int_equal(list[1], MATCH_R_URGENT);
	assert_int_equal(list[2], MATCH_R_SIZE);
	assert_int_equal(match_reasons(0x3ff, list, 2), 2);
	assert_int_equal(match_reasons(0, list, MATCH_R_COUNT), 0);

	assert_int_equal(match_kind_parse("goods"), MATCH_GOODS);
	assert_int_equal(match_kind_parse("scholarship"), MATCH_SCHOLARSHIP);
	assert_int_equal(match_kind_parse("Goods"), -1);
	assert_int_equal(match_kind_parse(NULL), -1);
}

/* Sizes and specifications: fits, does not fit, no telling. */
static void
test_sizes(void **state)
{
	static const struct {
		const char	*offer, *need;
		int		 ok;
		uint32_t	 why;
	} cases[] = {
		{ "140-160码", "140码", 1, 1u << MATCH_R_SIZE },
		{ "140–160", "150", 1, 1u << MATCH_R_SIZE },
		{ "140—160码", "160", 1, 1u << MATCH_R_SIZE },
		{ "140～160", "160码", 1, 1u << MATCH_R_SIZE },
		{ "140~160", "155cm", 1, 1u << MATCH_R_SIZE },
		{ "140至160", "身高150cm", 1, 1u << MATCH_R_SIZE },
		{ "140码-160码", "130-145", 1, 1u << MATCH_R_SIZE },
		{ "１４０－１６０", "１５０码", 1, 1u << MATCH_R_SIZE },
		{ "S-M", "160/84A", 1, 1u << MATCH_R_SIZE },
		{ "L", "170", 1, 1u << MATCH_R_SIZE },
		{ "xl", "XL码", 1, 1u << MATCH_R_SIZE },
		{ "均码", "120", 1, 1u << MATCH_R_SIZE },
		{ "140-160", "170", 0, 0 },
		{ "140-160码", "120码", 0, 0 },
		{ "XL", "160", 0, 0 },
		{ "140", "150", 0, 0 },
		{ "140码左右", "150", 1, 0 },		/* not a size */
		{ "", "140", 1, 0 },
		{ "140-160", "", 1, 0 },
		{ "红色", "红色", 1, 1u << MATCH_R_SPEC },
		{ "红 色", "红色", 1, 1u << MATCH_R_SPEC },
		{ "红色", "蓝色", 1, 0 },
		{ "A4", "a4", 1, 1u << MATCH_R_SPEC },
		{ "100页", "200页", 1, 0 },
		{ "2000", "3000", 1, 0 },		/* 4 digits: no size */
	};
	struct match_proposal	p;
	uint32_t		fit = 1u << MATCH_R_SIZE | 1u << MATCH_R_SPEC;
	size_t			i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (one(OFFER(.spec = cases[i].offer),
		    NEED(.spec = cases[i].need), &p) != cases[i].ok)
			fail_msg("case %zu: %s / %s", i, cases[i].offer,
			    cases[i].need);
		if (cases[i].ok && (p.reasons & fit) != cases[i].why)
			fail_msg("case %zu: reasons %x", i, p.reasons);
	}
	/* Sizes rule goods only; a service compares text. */
	assert_int_equal(one(OFFER(.kind = MATCH_SERVICE, .spec = "140"),
	    NEED(.kind = MATCH_SERVICE, .spec = "150"), &p), 1);
}

/* Items, categories, kinds, campaigns, towns: the hard rules. */
static void
test_compatible(void **state)
{
	struct {
		struct match_offer	 o;
		struct match_need	 n;
		int			 ok;
		uint32_t		 why;	/* reasons of the pair */
	} cases[] = {
		{ OFFER(), NEED(), 1, 1u << MATCH_R_ITEM |
		    1u << MATCH_R_CATEGORY },
		{ OFFER(.item = "棉衣"), NEED(.item = "儿童棉衣"), 1,
		    1u << MATCH_R_ITEM_NEAR | 1u << MATCH_R_CATEGORY },
		{ OFFER(.item = "加厚棉衣"), NEED(.item = "棉衣"), 1,
		    1u << MATCH_R_ITEM_NEAR | 1u << MATCH_R_CATEGORY },
		{ OFFER(.item = "Basket Ball"), NEED(.item = "basketball"), 1,
		    1u << MATCH_R_ITEM | 1u << MATCH_R_CATEGORY },
		{ OFFER(.item = "棉衣"), NEED(.item = "运动鞋"), 0, 0 },
		{ OFFER(.item = ""), NEED(.item = "运动鞋"), 1,
		    1u << MATCH_R_CATEGORY },
		{ OFFER(.item = NULL, .category = NULL), NEED(), 1, 0 },
		{ OFFER(.category = "books"), NEED(), 0, 0 },
		{ OFFER(.category = ""), NEED(.category = "books"), 1,
		    1u << MATCH_R_ITEM },
		{ OFFER(.kind = MATCH_MONEY), NEED(), 0, 0 },
		{ OFFER(.kind = MATCH_SERVICE), NEED(), 0, 0 },
		{ OFFER(.kind = MATCH_MONEY, .quantity = 100),
		  NEED(.kind = MATCH_SCHOLARSHIP, .unit_amount = 100), 0, 0 },
		{ OFFER(.kind = MATCH_MONEY, .item = "x", .quantity = 500),
		  NEED(.kind = MATCH_MONEY, .item = "y", .remaining = 500), 1,
		  1u << MATCH_R_CATEGORY },	/* money has no item */
		{ OFFER(.kind = 9), NEED(.kind = 9), 0, 0 },
		{ OFFER(.kind = -1), NEED(.kind = -1), 0, 0 },
		{ OFFER(.campaign = 2), NEED(.campaign = 2), 1,
		    1u << MATCH_R_ITEM | 1u << MATCH_R_CATEGORY |
		    1u << MATCH_R_CAMPAIGN },
		{ OFFER(.campaign = 2), NEED(.campaign = 1), 0, 0 },
		{ OFFER(.campaign = 2), NEED(.campaign = 0), 0, 0 },
		{ OFFER(.campaign = 0), NEED(.campaign = 3), 1,
		    1u << MATCH_R_ITEM | 1u << MATCH_R_CATEGORY },
		{ OFFER(.towns = town2, .ntowns = 1), NEED(.town = 2), 1,
		    1u << MATCH_R_ITEM | 1u << MATCH_R_CATEGORY |
		    1u << MATCH_R_SAME_TOWN },
		{ OFFER(.towns = town2, .ntowns = 1), NEED(.town = 3), 1,
		    1u << MATCH_R_ITEM | 1u << MATCH_R_CATEGORY },
		{ OFFER(.towns = town2, .ntowns = 1, .towns_only = 1),
		  NEED(.town = 3), 0, 0 },
		{ OFFER(.towns = town2, .ntowns = 1, .towns_only = 1),
		  NEED(.town = 2), 1, 1u << MATCH_R_ITEM |
		  1u << MATCH_R_CATEGORY | 1u << MATCH_R_SAME_TOWN },
		/* Expired or empty: never proposed; the last day still is. */
		{ OFFER(.valid_until = TODAY - 1), NEED(), 0, 0 },
		{ OFFER(.valid_until = TODAY), NEED(), 1, 1u << MATCH_R_ITEM |
		    1u << MATCH_R_CATEGORY },
		{ OFFER(), NEED(.deadline = TODAY - 1), 0, 0 },
		{ OFFER(.quantity = 0), NEED(), 0, 0 },
		{ OFFER(.quantity = -5), NEED(), 0, 0 },
		{ OFFER(), NEED(.remaining = 0), 0, 0 },
	};
	struct match_proposal	p;
	uint32_t		need_why = 1u << MATCH_R_URGENT |
				    1u << MATCH_R_DEADLINE |
				    1u << MATCH_R_WAITING;
	size_t			i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (one(cases[i].o, cases[i].n, &p) != cases[i].ok)
			fail_msg("case %zu: compatible is not %d", i,
			    cases[i].ok);
		if (cases[i].ok && (p.reasons & ~need_why) != cases[i].why)
			fail_msg("case %zu: reasons %x, want %x", i,
			    p.reasons, cases[i].why);
	}
}

/* Never more than an offer holds or a need lacks. */
static void
test_caps(void **state)
{
	struct match_need	needs[3];
	struct match_offer	offers[2];
	struct match_result	r;

	(void)state;
	match_result_init(&r);
	needs[0] = NEED(.id = 1, .remaining = 3, .urgency = 3);
	needs[1] = NEED(.id = 2, .remaining = 3);
	offers[0] = OFFER(.quantity = 5);
	assert_int_equal(match_all(needs, 2, offers, 1, TODAY, &r), 2);
	assert_int_equal(r.v[0].need_id, 1);
	assert_int_equal(r.v[0].quantity, 3);
	assert_int_equal(r.v[1].need_id, 2);
	assert_int_equal(r.v[1].quantity, 2);
	assert_int_equal(r.v[0].amount, 0);

	needs[0] = NEED(.id = 1, .remaining = 10);
	offers[0] = OFFER(.id = 5, .quantity = 4);
	offers[1] = OFFER(.id = 6, .quantity = 4);
	assert_int_equal(match_all(needs, 1, offers, 2, TODAY, &r), 2);
	assert_int_equal(r.v[0].offer_id, 5);
	assert_int_equal(r.v[0].offer, 0);
	assert_int_equal(r.v[0].quantity + r.v[1].quantity, 8);
	assert_int_equal(match_for_need(&needs[0], offers, 2, TODAY, 1, &r),
	    1);					/* k = 1 */
	assert_int_equal(r.v[0].quantity, 4);

	/* Money: fen, amount = quantity. */
	needs[0] = NEED(.id = 1, .kind = MATCH_MONEY, .category = "medical",
	    .remaining = 60000, .urgency = 3);
	needs[1] = NEED(.id = 2, .kind = MATCH_MONEY, .category = "medical",
	    .remaining = 60000);
	offers[0] = OFFER(.kind = MATCH_MONEY, .category = "medical",
	    .quantity = 100000);
	assert_int_equal(match_all(needs, 2, offers, 1, TODAY, &r), 2);
	assert_int_equal(r.v[0].amount, 60000);
	assert_int_equal(r.v[1].quantity, 40000);
	assert_int_equal(r.v[1].amount, 40000);
	assert_int_equal(match_for_offer(&offers[0], needs, 2, TODAY, 0, &r),
	    2);
	assert_int_equal(r.v[0].need_id, 1);
	assert_int_equal(r.v[1].amount, 40000);
	match_result_free(&r);
}

/* A scholarship offer pays whole terms only. */
static void
test_scholarship(void **state)
{
	struct match_need	needs[3];
	struct match_offer	o;
	struct match_result	r;

#define SNEED(...)	NEED(.kind = MATCH_SCHOLARSHIP, .category = "tuition",\
	.item = "", __VA_ARGS__)
#define SOFFER(...)	OFFER(.kind = MATCH_SCHOLARSHIP, .category = "tuition",\
	.item = "", __VA_ARGS__)
	(void)state;
	match_result_init(&r);
	needs[0] = SNEED(.id = 1, .remaining = 2, .unit_amount = 100000,
	    .urgency = 3);
	needs[1] = SNEED(.id = 2, .remaining = 2, .unit_amount = 100000);
	needs[2] = SNEED(.id = 3, .remaining = 3, .unit_amount = 40000,
	    .urgency = 1);
	o = SOFFER(.quantity = 250000);
	/* 2 terms of 1000 yuan, then 50,000 fen left: one 400-yuan term. */
	assert_int_equal(match_all(needs, 3, &o, 1, TODAY, &r), 2);
	assert_int_equal(r.v[0].need_id, 1);
	assert_int_equal(r.v[0].quantity, 2);
	assert_int_equal(r.v[0].amount, 200000);
	assert_int_equal(r.v[1].need_id, 3);
	assert_int_equal(r.v[1].quantity, 1);
	assert_int_equal(r.v[1].amount, 40000);
	assert_int_equal(match_for_offer(&o, needs, 3, TODAY, 0, &r), 2);
	assert_int_equal(r.v[1].need_id, 3);

	/* At most `terms` terms in all. */
	o = SOFFER(.quantity = 10000000, .terms = 3);
	assert_int_equal(match_all(needs, 3, &o, 1, TODAY, &r), 2);
	assert_int_equal(r.v[0].quantity + r.v[1].quantity, 3);
	assert_int_equal(r.v[1].need_id, 2);
	assert_int_equal(r.v[1].amount, 100000);

	/* No more than it pays per term; nothing under one term. */
	o = SOFFER(.quantity = 10000000, .unit_amount = 50000);
	assert_int_equal(match_all(needs, 3, &o, 1, TODAY, &r), 1);
	assert_int_equal(r.v[0].need_id, 3);
	assert_int_equal(r.v[0].quantity, 3);
	o = SOFFER(.quantity = 39999);
	assert_int_equal(match_all(needs, 3, &o, 1, TODAY, &r), 0);
	assert_int_equal(match_for_need(&needs[2], &o, 1, TODAY, 0, &r), 0);
	/* A need without its amount per term is no scholarship need. */
	needs[0].unit_amount = 0;
	o = SOFFER(.quantity = 10000000);
	assert_int_equal(match_for_need(&needs[0], &o, 1, TODAY, 0, &r), 0);
	match_result_free(&r);
#undef SNEED
#undef SOFFER
}

/*
 * Preference order: need a must come before need b for the offer, in
 * every mode and whatever the order of the input.
 */
static void
test_prefer_needs(void **state)
{
	struct {
		const char		*what;
		struct match_offer	 o;
		struct match_need	 a, b;
	} cases[] = {
		{ "same town beats other town",
		  OFFER(.towns = town2, .ntowns = 1),
		  NEED(.id = 2, .town = 2), NEED(.id = 1, .town = 3) },
		{ "urgent beats non-urgent", OFFER(),
		  NEED(.id = 2, .urgency = 3), NEED(.id = 1, .urgency = 2) },
		{ "urgency beats town", OFFER(.towns = town2, .ntowns = 1),
		  NEED(.id = 2, .urgency = 2, .town = 3),
		  NEED(.id = 1, .urgency = 1, .town = 2) },
		{ "size fit beats no size", OFFER(.spec = "140-160码"),
		  NEED(.id = 2, .spec = "150"), NEED(.id = 1, .spec = "") },
		{ "same item beats similar item", OFFER(),
		  NEED(.id = 2, .item = "棉衣"),
		  NEED(.id = 1, .item = "儿童棉衣") },
		{ "town beats fit", OFFER(.towns = town2, .ntowns = 1),
		  NEED(.id = 2, .town = 2, .item = "儿童棉衣"),
		  NEED(.id = 1, .town = 1, .item = "棉衣", .spec = "") },
		{ "earlier deadline first", OFFER(),
		  NEED(.id = 2, .deadline = TODAY + 10),
		  NEED(.id = 1, .deadline = TODAY + 20) },
		{ "due within a week beats town",
		  OFFER(.towns = town2, .ntowns = 1),
		  NEED(.id = 2, .deadline = TODAY + 5, .town = 3),
		  NEED(.id = 1, .deadline = TODAY + 60, .town = 2) },
		{ "town beats a nearer deadline in the same class",
		  OFFER(.towns = town2, .ntowns = 1),
		  NEED(.id = 2, .deadline = TODAY + 25, .town = 2),
		  NEED(.id = 1, .deadline = TODAY + 10, .town = 3) },
		{ "waited longer first", OFFER(),
		  NEED(.id = 2, .opened = TODAY - 100),
		  NEED(.id = 1, .opened = TODAY - 5) },
		{ "waiting class beats deadline in a class", OFFER(),
		  NEED(.id = 2, .opened = TODAY - 40, .deadline = TODAY + 80),
		  NEED(.id = 1, .opened = TODAY - 3, .deadline = TODAY + 40) },
		{ "opened earlier first", OFFER(),
		  NEED(.id = 2, .opened = TODAY - 12),
		  NEED(.id = 1, .opened = TODAY - 11) },
		{ "lower id on a tie", OFFER(), NEED(.id = 1), NEED(.id = 2) },
		{ "urgency out of range is clamped", OFFER(),
		  NEED(.id = 2, .urgency = 9), NEED(.id = 1, .urgency = 2) },
	};
	struct match_need	pair[2];
	struct match_result	r;
	size_t			i, rev;

	(void)state;
	match_result_init(&r);
	for (i = 0; i < NELEM(cases); i++) {
		for (rev = 0; rev < 2; rev++) {
			pair[rev] = cases[i].a;
			pair[1 - rev] = cases[i].b;
			assert_int_equal(match_for_offer(&cases[i].o, pair, 2,
			    TODAY, 1, &r), 1);
			if (r.v[0].need_id != cases[i].a.id)
				fail_msg("%s (for offer)", cases[i].what);
			assert_int_equal(r.v[0].need, rev);
			assert_int_equal(match_all(pair, 2, &cases[i].o, 1,
			    TODAY, &r), 1);
			if (r.v[0].need_id != cases[i].a.id)
				fail_msg("%s (all)", cases[i].what);
			/* Both get one when there are two. */
			cases[i].o.quantity = 2;
			assert_int_equal(match_all(pair, 2, &cases[i].o, 1,
			    TODAY, &r), 2);
			assert_true(r.v[0].score >= r.v[1].score);
			if (r.v[0].need_id != cases[i].a.id)
				fail_msg("%s (all, 2)", cases[i].what);
			cases[i].o.quantity = 1;
		}
	}
	match_result_free(&r);
}

/* Offer a must come before offer b for the need. */
static void
test_prefer_offers(void **state)
{
	struct {
		const char		*what;
		struct match_need	 n;
		struct match_offer	 a, b;
	} cases[] = {
		{ "named town beats anywhere", NEED(.town = 2),
		  OFFER(.id = 9, .towns = town2, .ntowns = 1),
		  OFFER(.id = 8) },
		{ "named category beats any", NEED(),
		  OFFER(.id = 9), OFFER(.id = 8, .category = "") },
		{ "size fit beats no size", NEED(.spec = "150码"),
		  OFFER(.id = 9, .spec = "140-160"), OFFER(.id = 8) },
		{ "lower id on a tie", NEED(), OFFER(.id = 3), OFFER(.id = 4) },
	};
	struct match_offer	pair[2];
	struct match_need	two[2];
	struct match_result	r;
	size_t			i, rev;

	(void)state;
	match_result_init(&r);
	for (i = 0; i < NELEM(cases); i++) {
		for (rev = 0; rev < 2; rev++) {
			pair[rev] = cases[i].a;
			pair[1 - rev] = cases[i].b;
			assert_int_equal(match_for_need(&cases[i].n, pair, 2,
			    TODAY, 0, &r), 1);
			if (r.v[0].offer_id != cases[i].a.id)
				fail_msg("%s (for need)", cases[i].what);
			assert_int_equal(r.v[0].offer, rev);
			assert_int_equal(match_all(&cases[i].n, 1, pair, 2,
			    TODAY, &r), 1);
			if (r.v[0].offer_id != cases[i].a.id)
				fail_msg("%s (all)", cases[i].what);
			/*
			 * Two alike needs: the better offer goes to the
			 * better need (the one with the lower id).
			 */
			two[0] = cases[i].n;
			two[1] = cases[i].n;
			two[rev].id = 50;
			two[1 - rev].id = 51;
			assert_int_equal(match_all(two, 2, pair, 2, TODAY, &r),
			    2);
			assert_int_equal(r.v[0].need_id, 50);
			if (r.v[0].offer_id != cases[i].a.id)
				fail_msg("%s (all, 2)", cases[i].what);
		}
	}
	match_result_free(&r);
}

/* --- random inputs ---------------------------------------------------- */

/* The vocabulary of the random inputs, with its sizes spelt out. */
static const char *const cats[] = { "clothing", "books", "tuition" };
static const char *const items[] = { "", "棉衣", "儿童棉衣", "运动鞋",
    "书包" };
static const struct {
	const char	*s;
	int		 size, lo, hi;
} specs[] = {
	{ "", 0, 0, 0 }, { "140", 1, 140, 140 }, { "140-160码", 1, 140, 160 },
	{ "150码", 1, 150, 150 }, { "S", 1, 160, 160 },
	{ "170", 1, 170, 170 }, { "红色", 0, 0, 0 }, { "均码", 1, 0, INT_MAX },
	{ "140码", 1, 140, 140 }, { "身高150cm", 1, 150, 150 },
	{ "蓝色", 0, 0, 0 }, { "s码", 1, 160, 160 },
};
static const int towns_a[] = { 1 }, towns_b[] = { 2, 3 };

struct world {
	struct match_need	*n;
	struct match_offer	*o;
	size_t			 nn, no;
	int			*ns, *os;	/* spec index of each */
};

static void
world_make(struct world *w, uint64_t seed, size_t maxn, size_t maxo)
{
	uint64_t	s = seed;
	size_t		i;
	int		k;

	w->nn = (size_t)pick(&s, 0, (int64_t)maxn);
	w->no = (size_t)pick(&s, 0, (int64_t)maxo);
	w->n = calloc(w->nn + 1, sizeof(*w->n));
	w->o = calloc(w->no + 1, sizeof(*w->o));
	w->ns = calloc(w->nn + 1, sizeof(int));
	w->os = calloc(w->no + 1, sizeof(int));
	for (i = 0; i < w->nn; i++) {
		k = (int)pick(&s, 0, 3);
		w->ns[i] = (int)pick(&s, 0, NELEM(specs) - 1);
		w->n[i] = NEED(.id = (int64_t)(i * 7 + 3), .kind = k,
		    .category = cats[pick(&s, 0, NELEM(cats) - 1)],
		    .item = items[pick(&s, 0, NELEM(items) - 1)],
		    .spec = specs[w->ns[i]].s,
		    .remaining = k == MATCH_MONEY ? pick(&s, 0, 300000) :
		    pick(&s, 0, 5),
		    .unit_amount = k == MATCH_SCHOLARSHIP ?
		    pick(&s, 0, 3) * 50000 : 0,
		    .town = (int)pick(&s, 1, 4), .urgency = (int)pick(&s, 0, 4),
		    .deadline = (int32_t)pick(&s, TODAY - 5, TODAY + 120),
		    .opened = (int32_t)pick(&s, TODAY - 120, TODAY - 10 +
		    (int)pick(&s, 0, 10)),
		    .campaign = (int)pick(&s, 0, 2));
	}
	for (i = 0; i < w->no; i++) {
		k = (int)pick(&s, 0, 3);
		w->os[i] = (int)pick(&s, 0, NELEM(specs) - 1);
		w->o[i] = OFFER(.id = (int64_t)(1000 - i * 11), .kind = k,
		    .category = pick(&s, 0, 2) == 0 ? "" :
		    cats[pick(&s, 0, NELEM(cats) - 1)],
		    .item = items[pick(&s, 0, NELEM(items) - 1)],
		    .spec = specs[w->os[i]].s,
		    .quantity = k == MATCH_MONEY || k == MATCH_SCHOLARSHIP ?
		    pick(&s, 0, 400000) : pick(&s, 0, 12),
		    .terms = pick(&s, 0, 4),
		    .unit_amount = pick(&s, 0, 1) * 100000,
		    .towns_only = (int)pick(&s, 0, 1),
		    .campaign = pick(&s, 0, 3) == 0 ? (int)pick(&s, 1, 2) : 0,
		    .valid_until = (int32_t)pick(&s, TODAY - 10, TODAY + 50));
		switch (pick(&s, 0, 2)) {
		case 1:
			w->o[i].towns = towns_a;
			w->o[i].ntowns = 1;
			break;
		case 2:
			w->o[i].towns = towns_b;
			w->o[i].ntowns = 2;
			break;
		}
	}
}

static void
world_free(struct world *w)
{
	free(w->n);
	free(w->o);
	free(w->ns);
	free(w->os);
}

/*
 * The oracle: the rules of match.c's header comment, written again,
 * plainly, for the vocabulary above.  Whether offer o may give to need
 * n; fills the rank bits and the reasons.
 */
static int
oracle_pair(const struct world *w, size_t oi, size_t ni, unsigned *tf,
    uint32_t *why)
{
	const struct match_offer	*o = &w->o[oi];
	const struct match_need		*n = &w->n[ni];
	int				 town = 0, cat = 0, item = 0;
	int				 spec = 0, a = w->os[oi], b = w->ns[ni];
	size_t				 i;

	*why = 0;
	if (o->kind != n->kind || n->kind < 0 || n->kind > 3 ||
	    n->remaining <= 0 || n->deadline < TODAY || o->quantity <= 0 ||
	    o->valid_until < TODAY)
		return (0);
	if (n->kind == MATCH_SCHOLARSHIP && n->unit_amount <= 0)
		return (0);
	if (*o->category != '\0') {
		if (strcmp(o->category, n->category) != 0)
			return (0);
		cat = 1;
		*why |= 1u << MATCH_R_CATEGORY;
	}
	if (o->campaign != 0) {
		if (o->campaign != n->campaign)
			return (0);
		*why |= 1u << MATCH_R_CAMPAIGN;
	}
	for (i = 0; i < o->ntowns; i++)
		if (o->towns[i] == n->town)
			town = 1;
	if (town)
		*why |= 1u << MATCH_R_SAME_TOWN;
	else if (o->towns_only && o->ntowns > 0)
		return (0);
	if (n->kind == MATCH_SCHOLARSHIP && o->unit_amount > 0 &&
	    n->unit_amount > o->unit_amount)
		return (0);
	if (n->kind == MATCH_GOODS || n->kind == MATCH_SERVICE) {
		if (*o->item != '\0' && *n->item != '\0') {
			if (strcmp(o->item, n->item) == 0) {
				item = 2;
				*why |= 1u << MATCH_R_ITEM;
			} else if (strstr(o->item, n->item) ||
			    strstr(n->item, o->item)) {
				item = 1;
				*why |= 1u << MATCH_R_ITEM_NEAR;
			} else
				return (0);
		}
		if (a != 0 && b != 0) {
			if (n->kind == MATCH_GOODS && specs[a].size &&
			    specs[b].size) {
				if (specs[a].lo > specs[b].hi ||
				    specs[b].lo > specs[a].hi)
					return (0);
				spec = 1;
				*why |= 1u << MATCH_R_SIZE;
			} else if (a == b) {
				spec = 1;
				*why |= 1u << MATCH_R_SPEC;
			}
		}
	}
	*tf = (unsigned)(town << 4 | cat << 3 | item << 1 | spec);
	return (1);
}

/* The need's part of the key: level, waiting class, and its reasons. */
static void
oracle_need(const struct match_need *n, int *level, int *wait,
    uint32_t *why)
{
	int	u, d, dc;

	u = n->urgency < 1 ? 1 : n->urgency > 3 ? 3 : n->urgency;
	d = n->deadline - TODAY;
	dc = d <= 7 ? 3 : d <= 30 ? 2 : d <= 90 ? 1 : 0;
	*level = (u - 1) * 4 + dc;
	*wait = TODAY - n->opened >= 90 ? 2 : TODAY - n->opened >= 30;
	*why = (u == 3 ? 1u << MATCH_R_URGENT : 0) |
	    (dc == 3 ? 1u << MATCH_R_DEADLINE : 0) |
	    (*wait > 0 ? 1u << MATCH_R_WAITING : 0);
}

/*
 * The naive greedy: take the best compatible pair with something left
 * on both sides, give all it can, again, until none.  Only the offers
 * (needs) whose use[] is set take part.  O(steps * N * M).
 */
static size_t
oracle(const struct world *w, const char *useo, const char *usen,
    struct match_proposal *out)
{
	int64_t		*nl, *ol, *ot, cap, bcap = 0, q;
	size_t		 i, j, bi = 0, bj = 0, np = 0;
	int64_t		 key[7], best[7];
	unsigned	 tf, btf = 0;
	uint32_t	 why, bwhy = 0, nwhy;
	int		 lv, wt, blv = 0, bwt = 0, found, better, m;

	nl = calloc(w->nn + 1, sizeof(*nl));
	ol = calloc(w->no + 1, sizeof(*ol));
	ot = calloc(w->no + 1, sizeof(*ot));
	for (i = 0; i < w->nn; i++)
		nl[i] = w->n[i].remaining;
	for (j = 0; j < w->no; j++) {
		ol[j] = w->o[j].quantity;
		ot[j] = w->o[j].terms > 0 ? w->o[j].terms : INT64_MAX;
	}
	for (;;) {
		found = 0;
		for (j = 0; j < w->no; j++) {
			if (!useo[j])
				continue;
			for (i = 0; i < w->nn; i++) {
				if (!usen[i] || nl[i] <= 0 ||
				    !oracle_pair(w, j, i, &tf, &why))
					continue;
				cap = ol[j];
				if (w->n[i].kind == MATCH_SCHOLARSHIP) {
					cap = ol[j] / w->n[i].unit_amount;
					if (ot[j] < cap)
						cap = ot[j];
				}
				if (cap <= 0)
					continue;
				oracle_need(&w->n[i], &lv, &wt, &nwhy);
				key[0] = lv;
				key[1] = tf;
				key[2] = wt;
				key[3] = -w->n[i].deadline;
				key[4] = -w->n[i].opened;
				key[5] = -w->n[i].id;
				key[6] = -w->o[j].id;
				better = !found;
				for (m = 0; found && m < 7; m++)
					if (key[m] != best[m]) {
						better = key[m] > best[m];
						break;
					}
				if (better) {
					found = 1;
					memcpy(best, key, sizeof(best));
					bi = i;
					bj = j;
					btf = tf;
					blv = lv;
					bwt = wt;
					bcap = cap;
					bwhy = why | nwhy;
				}
			}
		}
		if (!found)
			break;
		q = nl[bi] < bcap ? nl[bi] : bcap;
		out[np].need_id = w->n[bi].id;
		out[np].offer_id = w->o[bj].id;
		out[np].quantity = q;
		out[np].amount = w->n[bi].kind == MATCH_SCHOLARSHIP ?
		    q * w->n[bi].unit_amount :
		    w->n[bi].kind == MATCH_MONEY ? q : 0;
		out[np].score = (uint32_t)(blv << 7 | (int)btf << 2 | bwt);
		out[np].reasons = bwhy;
		np++;
		nl[bi] -= q;
		if (w->n[bi].kind == MATCH_SCHOLARSHIP) {
			ol[bj] -= q * w->n[bi].unit_amount;
			if (ot[bj] != INT64_MAX)
				ot[bj] -= q;
		} else
			ol[bj] -= q;
	}
	free(nl);
	free(ol);
	free(ot);
	return (np);
}

static void
same(const struct match_proposal *a, size_t na,
    const struct match_proposal *b, size_t nb, uint64_t seed,
    const char *what)
{
	size_t	i;

	if (na != nb)
		fail_msg("seed %llu %s: %zu proposals, want %zu",
		    (unsigned long long)seed, what, na, nb);
	for (i = 0; i < na; i++)
		if (a[i].need_id != b[i].need_id ||
		    a[i].offer_id != b[i].offer_id ||
		    a[i].quantity != b[i].quantity ||
		    a[i].amount != b[i].amount || a[i].score != b[i].score ||
		    a[i].reasons != b[i].reasons)
			fail_msg("seed %llu %s: proposal %zu differs: need "
			    "%lld/%lld offer %lld/%lld q %lld/%lld score "
			    "%u/%u why %x/%x", (unsigned long long)seed, what,
			    i, (long long)a[i].need_id,
			    (long long)b[i].need_id, (long long)a[i].offer_id,
			    (long long)b[i].offer_id, (long long)a[i].quantity,
			    (long long)b[i].quantity, a[i].score, b[i].score,
			    a[i].reasons, b[i].reasons);
}

/*
 * The invariants, checked on the proposals alone: indices and ids agree,
 * positive quantities, whole terms, no offer gives more than it holds
 * (terms, fen, units), no need gets more than it lacks, both live.
 */
static void
invariants(const struct world *w, const struct match_result *r,
    uint64_t seed)
{
	int64_t				*ng, *og, *otm;
	const struct match_proposal	*p;
	const struct match_need		*n;
	const struct match_offer	*o;
	size_t				 i;

	ng = calloc(w->nn + 1, sizeof(*ng));
	og = calloc(w->no + 1, sizeof(*og));
	otm = calloc(w->no + 1, sizeof(*otm));
	for (i = 0; i < r->n; i++) {
		p = &r->v[i];
		assert_true(p->need < w->nn && p->offer < w->no);
		n = &w->n[p->need];
		o = &w->o[p->offer];
		assert_int_equal(p->need_id, n->id);
		assert_int_equal(p->offer_id, o->id);
		assert_true(p->quantity > 0);
		assert_int_equal(n->kind, o->kind);
		assert_true(n->deadline >= TODAY && o->valid_until >= TODAY);
		if (i > 0)
			assert_true(p->score <= r->v[i - 1].score);
		ng[p->need] += p->quantity;
		switch (n->kind) {
		case MATCH_SCHOLARSHIP:
			assert_int_equal(p->amount, p->quantity *
			    n->unit_amount);
			og[p->offer] += p->amount;
			otm[p->offer] += p->quantity;
			if (o->unit_amount > 0)
				assert_true(n->unit_amount <= o->unit_amount);
			break;
		case MATCH_MONEY:
			assert_int_equal(p->amount, p->quantity);
			og[p->offer] += p->quantity;
			break;
		default:
			assert_int_equal(p->amount, 0);
			og[p->offer] += p->quantity;
			break;
		}
	}
	for (i = 0; i < w->nn; i++)
		if (ng[i] > w->n[i].remaining)
			fail_msg("seed %llu: need %zu over-allocated",
			    (unsigned long long)seed, i);
	for (i = 0; i < w->no; i++) {
		if (og[i] > w->o[i].quantity)
			fail_msg("seed %llu: offer %zu over-allocated",
			    (unsigned long long)seed, i);
		if (w->o[i].terms > 0 && otm[i] > w->o[i].terms)
			fail_msg("seed %llu: offer %zu over its terms",
			    (unsigned long long)seed, i);
	}
	free(ng);
	free(og);
	free(otm);
}

/*
 * Many seeds: the three modes against the invariants and against the
 * oracle; the result does not change when the input is shuffled.
 */
static void
test_random(void **state)
{
	struct world		 w;
	struct match_result	 r, r2;
	struct match_proposal	*want;
	struct match_need	 tn;
	struct match_offer	 to;
	char			*useo, *usen;
	size_t			 i, j, nw, k;
	uint64_t		 seed, s;

	(void)state;
	match_result_init(&r);
	match_result_init(&r2);
	for (seed = 1; seed <= 400; seed++) {
		world_make(&w, seed, seed % 10 == 0 ? 300 : 60,
		    seed % 10 == 0 ? 60 : 16);
		useo = malloc(w.no + 1);
		usen = malloc(w.nn + 1);
		want = calloc(w.nn * (w.no + 1) + w.no + 1, sizeof(*want));
		memset(useo, 1, w.no + 1);
		memset(usen, 1, w.nn + 1);

		match_all(w.n, w.nn, w.o, w.no, TODAY, &r);
		invariants(&w, &r, seed);
		nw = oracle(&w, useo, usen, want);
		same(r.v, r.n, want, nw, seed, "all");

		/* Shuffled: the same proposals, by id. */
		s = seed * 31;
		for (i = w.nn; i > 1; i--) {
			j = (size_t)pick(&s, 0, (int64_t)i - 1);
			tn = w.n[i - 1], w.n[i - 1] = w.n[j], w.n[j] = tn;
			k = (size_t)w.ns[i - 1];
			w.ns[i - 1] = w.ns[j], w.ns[j] = (int)k;
		}
		for (i = w.no; i > 1; i--) {
			j = (size_t)pick(&s, 0, (int64_t)i - 1);
			to = w.o[i - 1], w.o[i - 1] = w.o[j], w.o[j] = to;
			k = (size_t)w.os[i - 1];
			w.os[i - 1] = w.os[j], w.os[j] = (int)k;
		}
		match_all(w.n, w.nn, w.o, w.no, TODAY, &r2);
		invariants(&w, &r2, seed);
		same(r2.v, r2.n, r.v, r.n, seed, "shuffled");
		match_all(w.n, w.nn, w.o, w.no, TODAY, &r2);
		same(r2.v, r2.n, r.v, r.n, seed, "again");

		/* One offer, one need: the oracle restricted to it. */
		for (j = 0; j < w.no; j += 3) {
			memset(useo, 0, w.no);
			useo[j] = 1;
			nw = oracle(&w, useo, usen, want);
			k = seed % 4;			/* 0: no limit */
			match_for_offer(&w.o[j], w.n, w.nn, TODAY, k, &r2);
			for (i = 0; i < r2.n; i++)
				r2.v[i].offer = j;
			invariants(&w, &r2, seed);
			same(r2.v, r2.n, want, k && nw > k ? k : nw, seed,
			    "for offer");
		}
		memset(useo, 1, w.no);
		for (i = 0; i < w.nn; i += 5) {
			memset(usen, 0, w.nn);
			usen[i] = 1;
			nw = oracle(&w, useo, usen, want);
			match_for_need(&w.n[i], w.o, w.no, TODAY, 0, &r2);
			for (j = 0; j < r2.n; j++)
				r2.v[j].need = i;
			invariants(&w, &r2, seed);
			same(r2.v, r2.n, want, nw, seed, "for need");
		}
		free(useo);
		free(usen);
		free(want);
		world_free(&w);
	}
	match_result_free(&r);
	match_result_free(&r2);
}

/*
 * The counters: needs alike for every offer share a class, offers are
 * listed once per group and once per class of a town they name.
 */
static void
test_counters(void **state)
{
	static const char *const citems[] = { "书包", "棉衣 #1", "棉衣 #2",
	    "棉衣" };
	static const char *const cspecs[] = { "140", "140码", "红色", "蓝色" };
	struct match_need	needs[64];
	struct match_offer	o[2];
	struct match_result	r;
	size_t			i;

	(void)state;
	/* 4 towns x 4 items x 4 specifications. */
	for (i = 0; i < NELEM(needs); i++)
		needs[i] = NEED(.id = (int64_t)i + 1, .town = (int)(i % 4),
		    .item = citems[(i / 4) % 4], .spec = cspecs[i / 16],
		    .remaining = 2);
	o[0] = OFFER(.id = 1, .quantity = 1000, .item = "");
	o[1] = OFFER(.id = 2, .quantity = 1000, .item = "棉衣",
	    .spec = "红色");
	match_result_init(&r);

	/*
	 * Offer 1 alone: no item or specification to tell the needs apart
	 * but the size: 2 groups (140 and 140码 are one; the colours
	 * none), 4 towns each.
	 */
	assert_int_equal(match_all(needs, NELEM(needs), o, 1, TODAY, &r),
	    64);
	assert_int_equal(r.nclasses, 8);
	assert_int_equal(r.npairs, 2);
	for (i = 0; i < r.n; i++)
		assert_int_equal(r.v[i].quantity, 2);
	/* Naming town 1: also in the lists of its 2 classes there. */
	o[0].towns = towns_a;
	o[0].ntowns = 1;
	assert_int_equal(match_all(needs, NELEM(needs), o, 1, TODAY, &r),
	    64);
	assert_int_equal(r.npairs, 4);
	assert_true(r.v[0].reasons & 1u << MATCH_R_SAME_TOWN);
	o[0].towns_only = 1;
	assert_int_equal(match_all(needs, NELEM(needs), o, 1, TODAY, &r),
	    16);
	assert_int_equal(r.npairs, 2);

	/*
	 * With offer 2: 书包 (fits nothing), 棉衣 #1 and #2 (near 棉衣),
	 * 棉衣 (equal) are 3 kinds of item; 140 and 140码, 红色 (which an
	 * offer has), 蓝色 (dropped) are 3 kinds of specification.
	 */
	o[0].towns_only = 0;
	assert_int_equal(match_all(needs, NELEM(needs), o, 2, TODAY, &r),
	    64);
	assert_int_equal(r.nclasses, 3 * 3 * 4);
	match_result_free(&r);
	assert_int_equal(match_all(needs, 0, o, 1, TODAY, &r), 0);
	assert_int_equal(match_all(needs, 3, o, 0, TODAY, &r), 0);
	assert_int_equal(match_all(NULL, 0, NULL, 0, TODAY, &r), 0);
	match_result_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reason_keys),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_compatible),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_scholarship),
		cmocka_unit_test(test_prefer_needs),
		cmocka_unit_test(test_prefer_offers),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_counters),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
