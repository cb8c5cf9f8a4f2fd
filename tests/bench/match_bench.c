/*
 * Benchmark of the matching engine (src/lib/match.c): a full run (match_all)
 * over generated open needs and live offers, for growing numbers of
 * needs, each size in a process of its own so that its peak memory
 * (getrusage ru_maxrss) is its own.  Also times the one-offer and
 * one-need modes over the largest shelf.  The inputs are pseudo-random
 * from a fixed seed: the same on every run and every machine.
 *
 *   build/match_bench [-iu] [-o offers] [-r repeats] [needs ...]
 *
 * Default: 10,000 offers; 10,000 20,000 50,000 100,000 needs; 3 repeats
 * (the best and the worst time are shown).  -u gives every goods need a
 * specification of its own (no two alike), -i an item name of its own
 * ("棉衣 #123": the engine's worst case, see match.c).
 * Exits 1 if a result breaks an invariant (over-allocation) or two
 * repeats differ.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"
#include "../unit/splitmix.h"

#define TODAY		9000	/* a day number */
#define NTOWNS		11
#define NELEM(x)	(sizeof(x) / sizeof((x)[0]))

struct vocab {
	const char		*cat;
	int			 kind;
	const char *const	*items;
	size_t			 nitems;
	int			 sized;		/* clothing: sizes */
};

static const char *const clothes[] = { "棉衣", "羽绒服", "棉裤", "校服",
    "毛衣", "保暖内衣" };
static const char *const shoes[] = { "运动鞋", "棉鞋" };
static const char *const stationery[] = { "书包", "文具盒", "练习本",
    "台灯", "钢笔" };
static const char *const books[] = { "课外书", "字典", "绘本", "英语读物" };
static const char *const sports[] = { "篮球", "足球", "跳绳", "乒乓球拍" };
static const char *const daily[] = { "棉被", "暖水袋", "床单", "洗漱用品" };
static const char *const computing[] = { "电脑", "平板电脑", "耳机" };
static const char *const services[] = { "数学辅导", "英语辅导", "心理辅导",
    "城市一日游", "研学旅行" };

static const struct vocab goods[] = {
	{ "clothing", MATCH_GOODS, clothes, NELEM(clothes), 1 },
	{ "clothing", MATCH_GOODS, shoes, NELEM(shoes), 2 },
	{ "stationery", MATCH_GOODS, stationery, NELEM(stationery), 0 },
	{ "books", MATCH_GOODS, books, NELEM(books), 0 },
	{ "sports", MATCH_GOODS, sports, NELEM(sports), 0 },
	{ "daily", MATCH_GOODS, daily, NELEM(daily), 0 },
	{ "computing", MATCH_GOODS, computing, NELEM(computing), 0 },
};
static const char *const money_cats[] = { "medical", "living", "food" };
static const char *const service_cats[] = { "tutoring", "counselling",
    "trip" };
static const char *const sizes[] = { "110", "120码", "130", "140码", "150",
    "160码", "170", "S", "M", "L" };
static const char *const size_ranges[] = { "110-130码", "120-140", "130–150码",
    "140-160码", "150~170", "160-170", "S-M", "M-XL", "均码" };
static const char *const shoe_sizes[] = { "30码", "32码", "34码", "35码",
    "36码", "37码", "38码", "40码" };
static const char *const shoe_ranges[] = { "30-34码", "34-37码", "36-40码" };
static const int64_t units[] = { 50000, 100000, 150000, 200000 };
static int town_pool[64 * 1024 * 3];
static int unique_specs, unique_items;

static int
kind_pick(uint64_t *s)
{
	int	x = (int)pick(s, 1, 100);

	return (x <= 55 ? MATCH_GOODS : x <= 70 ? MATCH_MONEY :
	    x <= 85 ? MATCH_SCHOLARSHIP : MATCH_SERVICE);
}

/* A shelf like the real one: mostly goods, clothing the most of them. */
static void
make_needs(struct match_need *v, size_t n, uint64_t seed)
{
	uint64_t		 s = seed;
	const struct vocab	*g;
	size_t			 i;
	int			 u;
	char			*text = NULL;

	if ((unique_specs || unique_items) &&
	    (text = calloc(n, 64)) == NULL)
		err(1, "calloc");

	for (i = 0; i < n; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].id = (int64_t)i + 1;
		v[i].kind = kind_pick(&s);
		v[i].item = v[i].spec = "";
		switch (v[i].kind) {
		case MATCH_GOODS:
			g = &goods[pick(&s, 0, 1) ? 0 :
			    pick(&s, 1, NELEM(goods) - 1)];
			v[i].category = g->cat;
			v[i].item = g->items[pick(&s, 0, g->nitems - 1)];
			if (g->sized == 1)
				v[i].spec = sizes[pick(&s, 0,
				    NELEM(sizes) - 1)];
			else if (g->sized == 2)
				v[i].spec = shoe_sizes[pick(&s, 0,
				    NELEM(shoe_sizes) - 1)];
			if (unique_specs) {
				snprintf(text + 64 * i, 32, "款式%zu", i);
				v[i].spec = text + 64 * i;
			}
			if (unique_items) {
				snprintf(text + 64 * i + 32, 32, "%s #%zu",
				    v[i].item, i);
				v[i].item = text + 64 * i + 32;
			}
			v[i].remaining = pick(&s, 1, 3);
			break;
		case MATCH_MONEY:
			v[i].category = money_cats[pick(&s, 0, 2)];
			v[i].remaining = pick(&s, 200, 5000) * 100;
			break;
		case MATCH_SCHOLARSHIP:
			v[i].category = "tuition";
			v[i].unit_amount = units[pick(&s, 0, NELEM(units) - 1)];
			v[i].remaining = pick(&s, 1, 6);
			break;
		default:
			v[i].category = service_cats[pick(&s, 0, 2)];
			v[i].item = services[pick(&s, 0, NELEM(services) - 1)];
			v[i].remaining = pick(&s, 1, 3);
			break;
		}
		v[i].town = (int)pick(&s, 1, NTOWNS);
		u = (int)pick(&s, 1, 10);
		v[i].urgency = u <= 3 ? 1 : u <= 8 ? 2 : 3;
		v[i].deadline = (int32_t)pick(&s, TODAY - 2, TODAY + 180);
		v[i].opened = (int32_t)pick(&s, TODAY - 365, TODAY);
		v[i].campaign = pick(&s, 0, 4) < 3 ? 0 : (int)pick(&s, 1, 3);
	}
}

/* Offers: some precise (item, size, town), some "anything in clothing". */
static void
make_offers(struct match_offer *v, size_t n, uint64_t seed)
{
	uint64_t		 s = seed;
	const struct vocab	*g;
	size_t			 i, used = 0, k;
	int			 x;

	for (i = 0; i < n; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].id = (int64_t)i + 1;
		v[i].donor_id = pick(&s, 1, n / 3 + 1);
		v[i].kind = kind_pick(&s);
		v[i].category = v[i].item = v[i].spec = "";
		switch (v[i].kind) {
		case MATCH_GOODS:
			g = &goods[pick(&s, 0, 1) ? 0 :
			    pick(&s, 1, NELEM(goods) - 1)];
			if (pick(&s, 0, 99) < 85)
				v[i].category = g->cat;
			if (pick(&s, 0, 99) < 70)
				v[i].item = g->items[pick(&s, 0,
				    g->nitems - 1)];
			x = (int)pick(&s, 0, 9);
			if (g->sized == 1 && x < 7)
				v[i].spec = x < 5 ? size_ranges[pick(&s, 0,
				    NELEM(size_ranges) - 1)] :
				    sizes[pick(&s, 0, NELEM(sizes) - 1)];
			else if (g->sized == 2 && x < 7)
				v[i].spec = shoe_ranges[pick(&s, 0,
				    NELEM(shoe_ranges) - 1)];
			v[i].quantity = pick(&s, 5, 200);
			break;
		case MATCH_MONEY:
			if (pick(&s, 0, 99) < 60)
				v[i].category = money_cats[pick(&s, 0, 2)];
			v[i].quantity = pick(&s, 10, 1000) * 10000;
			break;
		case MATCH_SCHOLARSHIP:
			v[i].category = "tuition";
			v[i].quantity = pick(&s, 10, 500) * 10000;
			v[i].terms = pick(&s, 0, 1) ? 0 : pick(&s, 2, 20);
			v[i].unit_amount = pick(&s, 0, 1) ? 0 :
			    units[pick(&s, 0, NELEM(units) - 1)];
			break;
		default:
			v[i].category = service_cats[pick(&s, 0, 2)];
			if (pick(&s, 0, 99) < 60)
				v[i].item = services[pick(&s, 0,
				    NELEM(services) - 1)];
			v[i].quantity = pick(&s, 1, 30);
			break;
		}
		x = (int)pick(&s, 0, 9);
		if (x >= 5 && used + 3 <= NELEM(town_pool)) {
			v[i].towns = &town_pool[used];
			v[i].ntowns = x < 8 ? 1 : (size_t)pick(&s, 2, 3);
			for (k = 0; k < v[i].ntowns; k++)
				town_pool[used++] = (int)pick(&s, 1, NTOWNS);
			v[i].towns_only = pick(&s, 0, 9) < 4;
		}
		v[i].campaign = pick(&s, 0, 99) < 85 ? 0 : (int)pick(&s, 1, 3);
		v[i].valid_until = (int32_t)(pick(&s, 0, 9) == 0 ?
		    pick(&s, TODAY - 30, TODAY - 1) :
		    pick(&s, TODAY, TODAY + 180));
	}
}

static double
now_ms(clockid_t clock)
{
	struct timespec	ts;

	clock_gettime(clock, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

static long
maxrss_kb(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_maxrss);
}

/* No offer gives more than it holds, no need gets more than it lacks. */
static int
check(const struct match_need *nv, size_t nn, const struct match_offer *ov,
    size_t no, const struct match_result *r)
{
	int64_t		*ng, *og;
	size_t		 i;
	int		 ok = 1;

	ng = calloc(nn + 1, sizeof(*ng));
	og = calloc(no + 1, sizeof(*og));
	if (ng == NULL || og == NULL)
		err(1, "calloc");
	for (i = 0; i < r->n; i++) {
		ng[r->v[i].need] += r->v[i].quantity;
		og[r->v[i].offer] += ov[r->v[i].offer].kind == MATCH_GOODS ||
		    ov[r->v[i].offer].kind == MATCH_SERVICE ?
		    r->v[i].quantity : r->v[i].amount;
		if (nv[r->v[i].need].kind != ov[r->v[i].offer].kind)
			ok = 0;
	}
	for (i = 0; i < nn; i++)
		if (ng[i] > nv[i].remaining)
			ok = 0;
	for (i = 0; i < no; i++)
		if (og[i] > ov[i].quantity)
			ok = 0;
	free(ng);
	free(og);
	return (ok);
}

/* One size, in this process: prints one line of the table. */
static int
bench_size(size_t nn, size_t no, int reps, int singles)
{
	struct match_need	*nv;
	struct match_offer	*ov;
	struct match_result	 r;
	double			 t0, c0, best = 1e18, worst = 0, cpu = 0, ms;
	long			 rss_in;
	size_t			 i, first = 0, k;
	int			 rep, ok = 1;

	if ((nv = calloc(nn, sizeof(*nv))) == NULL ||
	    (ov = calloc(no, sizeof(*ov))) == NULL)
		err(1, "calloc");
	make_needs(nv, nn, 42);
	make_offers(ov, no, 4242);
	rss_in = maxrss_kb();
	match_result_init(&r);
	for (rep = 0; rep < reps; rep++) {
		t0 = now_ms(CLOCK_MONOTONIC);
		c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
		match_all(nv, nn, ov, no, TODAY, &r);
		ms = now_ms(CLOCK_MONOTONIC) - t0;
		cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
		if (ms < best)
			best = ms;
		if (ms > worst)
			worst = ms;
		if (rep == 0)
			first = r.n;
		else if (r.n != first)
			ok = 0;
	}
	ok = ok && check(nv, nn, ov, no, &r);
	printf("| %7zu | %6zu | %8.0f | %8.0f | %8.0f | %8.1f | %8.1f | "
	    "%7zu | %9zu | %7zu |\n", nn, no, best, worst, cpu,
	    rss_in / 1024.0, maxrss_kb() / 1024.0, r.nclasses, r.npairs, r.n);
	fflush(stdout);
	if (singles) {
		t0 = now_ms(CLOCK_MONOTONIC);
		for (i = 0, k = 0; i < no; i += no / 20 + 1, k++)
			match_for_offer(&ov[i], nv, nn, TODAY, 10, &r);
		printf("\nmatch_for_offer (top 10 of %zu needs): %.1f ms "
		    "per offer\n", nn, (now_ms(CLOCK_MONOTONIC) - t0) / k);
		t0 = now_ms(CLOCK_MONOTONIC);
		for (i = 0, k = 0; i < nn; i += nn / 200 + 1, k++)
			match_for_need(&nv[i], ov, no, TODAY, 10, &r);
		printf("match_for_need (top 10 of %zu offers): %.2f ms "
		    "per need\n", no, (now_ms(CLOCK_MONOTONIC) - t0) / k);
	}
	fflush(stdout);
	match_result_free(&r);
	free(nv);
	free(ov);
	return (ok ? 0 : 1);
}

int
main(int argc, char *argv[])
{
	static const size_t	 defaults[] = { 10000, 20000, 50000, 100000 };
	size_t			 sizes_v[32], n = 0, no = 10000, i;
	int			 ch, reps = 3, status, fail = 0;
	pid_t			 pid;

	while ((ch = getopt(argc, argv, "io:r:u")) != -1) {
		switch (ch) {
		case 'i':
			unique_items = 1;
			break;
		case 'u':
			unique_specs = 1;
			break;
		case 'o':
			no = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: match_bench [-iu] [-o offers] "
			    "[-r repeats] [needs ...]\n");
			return (2);
		}
	}
	for (i = (size_t)optind; i < (size_t)argc && n < NELEM(sizes_v); i++)
		sizes_v[n++] = strtoul(argv[i], NULL, 10);
	if (n == 0)
		for (; n < NELEM(defaults); n++)
			sizes_v[n] = defaults[n];
	if (reps < 1 || no == 0)
		errx(2, "bad -o or -r");

	printf("matching engine, full run (match_all), %d runs each%s%s; "
	    "ms = wall clock, cpu = CPU time of the last run;\n"
	    "input MB = peak RSS after generating the input, peak MB = "
	    "peak RSS after the runs\n\n", reps, unique_specs ?
	    ", every goods need with a specification of its own" : "",
	    unique_items ? ", every goods need with an item of its own" : "");
	printf("|   needs | offers |  best ms | worst ms |   cpu ms | "
	    "input MB |  peak MB | classes |   entries | propos. |\n");
	printf("|--------:|-------:|---------:|---------:|---------:|"
	    "---------:|---------:|--------:|----------:|--------:|\n");
	fflush(stdout);
	for (i = 0; i < n; i++) {
		if ((pid = fork()) == -1)
			err(1, "fork");
		if (pid == 0)
			_exit(bench_size(sizes_v[i], no, reps, i == n - 1));
		if (waitpid(pid, &status, 0) == -1)
			err(1, "waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "match_bench: %zu needs: FAILED\n",
			    sizes_v[i]);
			fail = 1;
		}
	}
	return (fail);
}
