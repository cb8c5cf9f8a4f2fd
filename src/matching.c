/*
 * The matching engine (match.c) wired to the database: the open needs
 * and live offers are read from PostgreSQL (one query each, rows of
 * api.match_needs / api.match_offers), the engine runs on a Kore task
 * thread (CPU work: ~0.1 s for a full run at 100,000 needs), and the
 * proposals go back to an api function that shows them or acts on them.
 *
 *	the engine's input (an api function: the offer, the need, who asks)
 *	  → the open needs (cached) → the live offers (when the mode needs
 *	  them) → the engine, on a task → an api function with the proposals
 *
 * Modes: for one offer (needs proposed for it: its donor's page, and
 * accepting them), for one need (offers proposed for it: staff, and
 * proposing one to its donor), for all (a full run: admins, and staff
 * for their subtree's needs), and "为我推荐" (the donor's offers, past
 * pledges and preferences as offers of the engine).
 *
 * The open needs come from a per-worker snapshot (needs_snap.c); a run
 * that must see them afresh (accepting a proposal) loads its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shop.h"

int	need_offers(struct http_request *);
int	need_propose(struct http_request *);
int	matching_page(struct http_request *);
int	recommended(struct http_request *);

#define MR_K		20	/* proposals shown for one offer or need */
#define MR_PAGE		100	/* proposals of a full run shown */
#define MR_PAGE_MAX	1000
#define MR_SEEDS	10	/* offers and seeds a recommendation reads */
#define MR_REC		20	/* recommendations shown */
#define MR_REC_K	6	/* proposals read per seed */
#define MR_BIG		2000000000	/* a seed's capacity: no limit */

enum mr_mode {
	MR_OFFER,
	MR_NEED,
	MR_ALL,
	MR_RECOMMEND
};

enum mr_purpose {
	MR_SHOW,	/* a page or the API shows the proposals */
	MR_ACCEPT,	/* the donor accepts the offer's proposals */
	MR_PROPOSE	/* staff propose an offer to its donor */
};

/* Where a recommendation seed comes from. */
struct seed {
	const char	*source;	/* "offer", "history", "prefs" */
	int64_t		 offer_id;
};

/* A recommendation: a need, why, and from which seed. */
struct rec {
	size_t		 need;		/* index in the snapshot */
	uint32_t	 reasons;
	size_t		 seed;
};

/* A request's run: its input, the engine's input and its output. */
struct mrun {
	enum mr_mode		 mode;
	enum mr_purpose		 purpose;
	char			 id[24];
	json_t			*input;		/* from SQL; owns texts */
	struct form		 form;
	/* the engine's input */
	struct match_offer	 seed[MR_SEEDS];
	struct seed		 seedinfo[MR_SEEDS];
	int			 seedtowns[MR_SEEDS][12];
	size_t			 nseed;
	struct match_need	 need;
	int			 fresh;		/* load needs afresh, filtered */
	const char		*kind;
	const char		*category;
	struct needs_snap	*snap;
	int			 built;		/* snap was loaded here */
	int			 loader;	/* this run reloads the cache */
	PGresult		*needs_res;
	PGresult		*offers_res;
	struct match_offer	*offers;
	size_t			 noffers;
	int			*towns;
	int32_t			 today;
	/* its output */
	struct match_result	 res;
	struct rec		 rec[MR_REC];
	size_t			 nrec;
	int64_t			*scope;		/* MR_ALL for staff: orgs */
	size_t			 nscope;
	size_t			 limit;
	double			 load_ms;
	double			 engine_ms;
	int64_t			 version;	/* MR_ACCEPT: as shown */
	int64_t			 want;		/* a need (accept one), an offer
						   (propose) */
	int			 skip_engine;
	int			(*finish)(struct http_request *,
				    struct db_call *);
};

static double	 ms_since(const struct timespec *);
static int64_t	 num(const char *);
static void	 offers_build(struct mrun *);
static void	 offers_declined(struct mrun *);
static int	 offer_from_json(json_t *, struct match_offer *, int *,
		    size_t);
static int	 need_from_json(json_t *, struct match_need *);
static struct mrun *mr_new(struct db_call *, enum mr_mode, enum mr_purpose);
static void	 mr_free(void *);
static int	 mr_next(struct http_request *, struct db_call *);
static int	 mr_loaded(struct http_request *, struct db_call *,
		    PGresult *);
static int	 mr_task(struct kore_task *);
static int	 mr_ran(struct http_request *, struct db_call *, PGresult *);
static void	 run_recommend(struct mrun *);
static json_t	*reasons_json(uint32_t, enum lang);
static json_t	*prop_json(const struct match_proposal *, enum lang);
static json_t	*props_json(struct http_request *, struct mrun *, size_t);
static json_t	*summary_json(struct mrun *);
static void	 reason_words(json_t *, enum lang);
static int	 in_scope(const struct mrun *, size_t);
static struct db_call *mr_start(struct http_request *, enum stmt,
		    enum mr_mode, enum mr_purpose, const char *, db_done_fn,
		    int (*)(struct http_request *, struct db_call *));
static int	 keep_input(struct http_request *, struct mrun *,
		    PGresult *);
static int	 got_offer(struct http_request *, struct db_call *,
		    PGresult *);
static int	 got_need(struct http_request *, struct db_call *,
		    PGresult *);
static int	 got_scope(struct http_request *, struct db_call *,
		    PGresult *);
static int	 got_basis(struct http_request *, struct db_call *,
		    PGresult *);
static int	 show(struct http_request *, struct db_call *, enum stmt,
		    const char *, json_t *);
static int	 finish_offer(struct http_request *, struct db_call *);
static int	 finish_accept(struct http_request *, struct db_call *);
static int	 accepted(struct http_request *, struct db_call *,
		    PGresult *);
static int	 finish_need(struct http_request *, struct db_call *);
static int	 finish_propose(struct http_request *, struct db_call *);
static int	 proposed(struct http_request *, struct db_call *,
		    PGresult *);
static int	 finish_all(struct http_request *, struct db_call *);
static int	 finish_recommend(struct http_request *, struct db_call *);


static const struct field propose_fields[] = {
	{ "offer_id", FIELD_INT, 1, 1, ID_MAX, NULL },
	CSRF_FIELD,
};

static const struct field prefs_fields[] = {
	{ "kind", FIELD_CHOICE, 0, 0, 0, need_kinds },
	{ "category", FIELD_SLUG, 0, 0, 40, NULL },
	{ "towns", FIELD_TEXT, 0, 0, 100, NULL },
	{ "town1", FIELD_SLUG, 0, 0, 40, NULL },
	{ "town2", FIELD_SLUG, 0, 0, 40, NULL },
	{ "town3", FIELD_SLUG, 0, 0, 40, NULL },
	CSRF_FIELD,
};

static const struct field limit_fields[] = {
	{ "limit", FIELD_INT, 0, 1, MR_PAGE_MAX, NULL },
};

/* --- runs ----------------------------------------------------------- */

static int64_t
num(const char *s)
{
	return (s != NULL ? strtoll(s, NULL, 10) : 0);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ((t1.tv_sec - t0->tv_sec) * 1e3 +
	    (t1.tv_nsec - t0->tv_nsec) / 1e6);
}

/*
 * The live offers from the rows of api.match_offers (task thread):
 * their texts stay in the result, their towns in one array.
 */
static void
offers_build(struct mrun *mr)
{
	PGresult		*res = mr->offers_res;
	struct match_offer	*o;
	const char		*p;
	char			*end;
	size_t			 i, n, ntowns = 0, used = 0;

	n = (size_t)PQntuples(res);
	for (i = 0; i < n; i++)
		for (p = PQgetvalue(res, (int)i, 9); *p != '\0'; p++)
			ntowns += *p == ',';
	if ((mr->offers = calloc(n + 1, sizeof(*mr->offers))) == NULL ||
	    (mr->towns = calloc(ntowns + n + 1, sizeof(int))) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		o = &mr->offers[mr->noffers];
		o->id = num(PQgetvalue(res, (int)i, 0));
		o->donor_id = num(PQgetvalue(res, (int)i, 1));
		if ((o->kind = match_kind_parse(PQgetvalue(res, (int)i,
		    2))) < 0)
			continue;
		o->category = PQgetvalue(res, (int)i, 3);
		o->item = PQgetvalue(res, (int)i, 4);
		o->spec = PQgetvalue(res, (int)i, 5);
		o->quantity = num(PQgetvalue(res, (int)i, 6));
		o->terms = num(PQgetvalue(res, (int)i, 7));
		o->unit_amount = num(PQgetvalue(res, (int)i, 8));
		o->towns = mr->towns + used;
		for (p = PQgetvalue(res, (int)i, 9); *p != '\0'; p = end) {
			mr->towns[used++] = (int)strtol(p, &end, 10);
			o->ntowns++;
			if (*end == ',')
				end++;
			else if (end == p)
				break;
		}
		o->towns_only = PQgetvalue(res, (int)i, 10)[0] == 't';
		o->campaign = (int)num(PQgetvalue(res, (int)i, 11));
		o->valid_until = (int32_t)num(PQgetvalue(res, (int)i, 12));
		mr->noffers++;
	}
}

/*
 * Leaves out of a run for one need the offers whose donors declined it
 * (task thread: reads the run's input only).
 */
static void
offers_declined(struct mrun *mr)
{
	json_t	*v;
	size_t	 i, k;

	json_array_foreach(json_object_get(mr->input, "declined"), i, v) {
		for (k = 0; k < mr->noffers; k++)
			if (mr->offers[k].id == json_integer_value(v))
				mr->offers[k].quantity = 0;
	}
}

/*
 * One offer as api.offer_engine_json gives it; towns go into towns (max
 * of them).  Its texts stay in j.  0 if j is not such an offer.
 */
static int
offer_from_json(json_t *j, struct match_offer *o, int *towns, size_t max)
{
	json_t	*t;
	size_t	 i;

	memset(o, 0, sizeof(*o));
	if (!json_is_object(j) || (o->kind = match_kind_parse(
	    json_string_value(json_object_get(j, "kind")))) < 0)
		return (0);
	o->id = json_integer_value(json_object_get(j, "id"));
	o->donor_id = json_integer_value(json_object_get(j, "donor_id"));
	o->category = json_string_value(json_object_get(j, "category"));
	o->item = json_string_value(json_object_get(j, "item"));
	o->spec = json_string_value(json_object_get(j, "spec"));
	o->quantity = json_integer_value(json_object_get(j, "remaining"));
	o->terms = json_integer_value(json_object_get(j, "terms"));
	o->unit_amount = json_integer_value(json_object_get(j,
	    "unit_amount"));
	json_array_foreach(json_object_get(j, "towns"), i, t) {
		if (o->ntowns < max)
			towns[o->ntowns++] = (int)json_integer_value(t);
	}
	o->towns = towns;
	o->towns_only = json_is_true(json_object_get(j, "towns_only"));
	o->campaign = (int)json_integer_value(json_object_get(j, "campaign"));
	o->valid_until = (int32_t)json_integer_value(json_object_get(j,
	    "valid_until"));
	return (1);
}

/* One need as api.need_engine gives it; its texts stay in j. */
static int
need_from_json(json_t *j, struct match_need *m)
{
	memset(m, 0, sizeof(*m));
	if (!json_is_object(j) || (m->kind = match_kind_parse(
	    json_string_value(json_object_get(j, "kind")))) < 0)
		return (0);
	m->id = json_integer_value(json_object_get(j, "id"));
	m->category = json_string_value(json_object_get(j, "category"));
	m->item = json_string_value(json_object_get(j, "item"));
	m->spec = json_string_value(json_object_get(j, "spec"));
	m->remaining = json_integer_value(json_object_get(j, "remaining"));
	m->unit_amount = json_integer_value(json_object_get(j,
	    "unit_amount"));
	m->town = (int)json_integer_value(json_object_get(j, "town"));
	m->urgency = (int)json_integer_value(json_object_get(j, "urgency"));
	m->deadline = (int32_t)json_integer_value(json_object_get(j,
	    "deadline"));
	m->opened = (int32_t)json_integer_value(json_object_get(j, "opened"));
	m->campaign = (int)json_integer_value(json_object_get(j, "campaign"));
	return (1);
}

/* --- a run's steps ---------------------------------------------------- */

static struct mrun *
mr_new(struct db_call *call, enum mr_mode mode, enum mr_purpose purpose)
{
	struct mrun	*mr;

	mr = kore_calloc(1, sizeof(*mr));
	mr->mode = mode;
	mr->purpose = purpose;
	mr->today = day_shanghai(time(NULL));
	mr->limit = MR_PAGE;
	form_init(&mr->form);
	match_result_init(&mr->res);
	call->arg = mr;
	call->arg_free = mr_free;
	return (mr);
}

static void
mr_free(void *arg)
{
	struct mrun	*mr = arg;

	if (mr->loader)
		needs_snap_abandon();
	needs_snap_release(mr->snap);
	PQclear(mr->needs_res);
	PQclear(mr->offers_res);
	free(mr->offers);
	free(mr->towns);
	free(mr->scope);
	match_result_free(&mr->res);
	json_decref(mr->input);
	form_free(&mr->form);
	kore_free(mr);
}

/*
 * The next step of a run: the open needs (from the cache when it is
 * fresh, unless the run wants them afresh), the live offers when its
 * mode reads them, then the engine on a task.
 */
static int
mr_next(struct http_request *req, struct db_call *call)
{
	struct mrun	*mr = call->arg;
	int		 want_needs = mr->mode != MR_NEED;
	int		 want_offers = mr->mode == MR_NEED || mr->mode == MR_ALL;

	if (mr->skip_engine)
		return (mr->finish(req, call));
	if (want_needs && mr->snap == NULL && mr->needs_res == NULL &&
	    (mr->fresh || (mr->snap = needs_snap_cached(&mr->loader)) == NULL)) {
		db_stmt(call, SQL_MATCH_NEEDS, mr_loaded);
		db_text(call, mr->fresh ? mr->kind : NULL);
		db_text(call, mr->fresh ? mr->category : NULL);
		return (KORE_RESULT_OK);
	}
	if (want_offers && mr->offers_res == NULL) {
		db_stmt(call, SQL_MATCH_OFFERS, mr_loaded);
		db_text(call, mr->kind);
		return (KORE_RESULT_OK);
	}
	db_task(call, mr_task, mr_ran);
	return (KORE_RESULT_OK);
}

/*
 * Keeps the rows of the open needs or of the live offers, whichever
 * statement ran (the result is taken from the pgsql layer), and goes on.
 */
static int
mr_loaded(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct mrun	*mr = call->arg;

	if (res == NULL)
		return (web_error(req, 500, "internal", NULL));
	if (call->stmt == SQL_MATCH_NEEDS)
		mr->needs_res = res;
	else
		mr->offers_res = res;
	call->pgsql.result = NULL;
	return (mr_next(req, call));
}

/*
 * On a task thread: builds what was loaded, runs the engine.  Touches
 * the run only (the cached snapshot is read, never written).
 */
static int
mr_task(struct kore_task *t)
{
	struct mrun	*mr = db_task_call(t)->arg;
	struct timespec	 t0;
	size_t		 lo, hi;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (mr->needs_res != NULL) {
		mr->snap = needs_snap_build(mr->needs_res);
		mr->needs_res = NULL;
		mr->built = 1;
	}
	if (mr->offers_res != NULL)
		offers_build(mr);
	if (mr->mode == MR_NEED)
		offers_declined(mr);
	mr->load_ms = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	switch (mr->mode) {
	case MR_OFFER:
		/* Accepting one: wherever it ranks now, as long as the
		   offer reaches it. */
		needs_snap_range(mr->snap, &mr->seed[0], &lo, &hi);
		match_for_offer(&mr->seed[0], mr->snap->v + lo, hi - lo,
		    mr->today, mr->purpose == MR_ACCEPT && mr->want != 0 ?
		    0 : MR_K, &mr->res);
		break;
	case MR_NEED:
		match_for_need(&mr->need, mr->offers, mr->noffers, mr->today,
		    mr->purpose == MR_PROPOSE ? 0 : MR_K, &mr->res);
		break;
	case MR_ALL:
		match_all(mr->snap->v, mr->snap->n, mr->offers, mr->noffers,
		    mr->today, &mr->res);
		break;
	case MR_RECOMMEND:
		run_recommend(mr);
		break;
	}
	mr->engine_ms = ms_since(&t0);
	return (KORE_RESULT_OK);
}

/*
 * Recommendations: the needs proposed for each seed (the donor's offers
 * first, then their past pledges, then their preferences), each need
 * once, at most MR_REC.
 */
static void
run_recommend(struct mrun *mr)
{
	struct match_result	r;
	size_t			i, k, j, lo, hi;

	match_result_init(&r);
	for (i = 0; i < mr->nseed && mr->nrec < MR_REC; i++) {
		needs_snap_range(mr->snap, &mr->seed[i], &lo, &hi);
		match_for_offer(&mr->seed[i], mr->snap->v + lo, hi - lo,
		    mr->today, MR_REC_K, &r);
		for (k = 0; k < r.n && mr->nrec < MR_REC; k++) {
			for (j = 0; j < mr->nrec; j++)
				if (mr->rec[j].need == lo + r.v[k].need)
					break;
			if (j < mr->nrec)
				continue;
			mr->rec[mr->nrec].need = lo + r.v[k].need;
			mr->rec[mr->nrec].reasons = r.v[k].reasons;
			mr->rec[mr->nrec].seed = i;
			mr->nrec++;
		}
	}
	match_result_free(&r);
}

/* Back on the event loop: keep a full load for the others, then go on. */
static int
mr_ran(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct mrun	*mr = call->arg;

	(void)res;
	if (mr->built && !mr->fresh) {
		needs_snap_keep(mr->snap);
		mr->loader = 0;
	}
	return (mr->finish(req, call));
}

/* --- proposals as JSON ------------------------------------------------- */

/* [{"key": "match.same_town", "text": "同镇"}, ...] in reading order. */
static json_t *
reasons_json(uint32_t bits, enum lang lang)
{
	enum match_reason	 list[MATCH_R_COUNT];
	json_t			*arr, *text;
	const char		*key;
	size_t			 i, n;

	arr = json_array();
	n = match_reasons(bits, list, MATCH_R_COUNT);
	for (i = 0; i < n; i++) {
		key = match_reason_key(list[i]);
		if ((text = json_object_get(web_messages(lang), key)) != NULL)
			json_incref(text);
		else
			text = json_string(key);
		json_array_append_new(arr, json_pack("{s:s, s:o}", "key", key,
		    "text", text));
	}
	return (arr);
}

static json_t *
prop_json(const struct match_proposal *p, enum lang lang)
{
	return (json_pack("{s:I, s:I, s:I, s:I, s:i, s:o}",
	    "need_id", (json_int_t)p->need_id,
	    "offer_id", (json_int_t)p->offer_id,
	    "quantity", (json_int_t)p->quantity,
	    "amount", (json_int_t)(p->amount ? p->amount : p->quantity),
	    "score", (int)p->score,
	    "reasons", reasons_json(p->reasons, lang)));
}

/*
 * Whether the need of snapshot index i is in the staff's subtree (any
 * need when the run has no scope).
 */
static int
in_scope(const struct mrun *mr, size_t i)
{
	size_t	lo = 0, hi = mr->nscope, mid;
	int64_t	org;

	if (mr->scope == NULL)
		return (1);
	org = mr->snap->org[i];
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (mr->scope[mid] == org)
			return (1);
		if (mr->scope[mid] < org)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (0);
}

/* The run's first max proposals (in scope), for an api function. */
static json_t *
props_json(struct http_request *req, struct mrun *mr, size_t max)
{
	enum lang	 lang = web_lang(req);
	json_t		*arr = json_array();
	size_t		 i;

	for (i = 0; i < mr->res.n && json_array_size(arr) < max; i++) {
		if (mr->mode == MR_ALL && !in_scope(mr, mr->res.v[i].need))
			continue;
		json_array_append_new(arr, prop_json(&mr->res.v[i], lang));
	}
	return (arr);
}

static int
cmp_size(const void *a, const void *b)
{
	size_t	x = *(const size_t *)a, y = *(const size_t *)b;

	return (x < y ? -1 : x > y);
}

static size_t
distinct(size_t *v, size_t n)
{
	size_t	i, d = 0;

	qsort(v, n, sizeof(*v), cmp_size);
	for (i = 0; i < n; i++)
		if (i == 0 || v[i] != v[i - 1])
			d++;
	return (d);
}

/* What a full run did: counts, amounts by kind, how long it took. */
static json_t *
summary_json(struct mrun *mr)
{
	size_t		*nv, *ov, i, n = 0;
	int64_t		 units[MATCH_NKINDS] = { 0 }, fen = 0;
	json_t		*s;
	const struct match_proposal *p;

	nv = calloc(mr->res.n + 1, sizeof(*nv));
	ov = calloc(mr->res.n + 1, sizeof(*ov));
	if (nv == NULL || ov == NULL)
		abort();
	for (i = 0; i < mr->res.n; i++) {
		p = &mr->res.v[i];
		if (!in_scope(mr, p->need))
			continue;
		nv[n] = p->need;
		ov[n] = p->offer;
		n++;
		units[mr->snap->v[p->need].kind] += p->quantity;
		fen += p->amount;
	}
	s = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
	    " s:I, s:I, s:f, s:f, s:b}",
	    "needs", (json_int_t)mr->snap->n,
	    "offers", (json_int_t)mr->noffers,
	    "proposals", (json_int_t)n,
	    "needs_served", (json_int_t)distinct(nv, n),
	    "offers_used", (json_int_t)distinct(ov, n),
	    "goods_units", (json_int_t)units[MATCH_GOODS],
	    "service_places", (json_int_t)units[MATCH_SERVICE],
	    "money_fen", (json_int_t)units[MATCH_MONEY],
	    "scholarship_terms", (json_int_t)units[MATCH_SCHOLARSHIP],
	    "fen", (json_int_t)fen,
	    "classes", (json_int_t)mr->res.nclasses,
	    "pairs", (json_int_t)mr->res.npairs,
	    "load_ms", mr->load_ms,
	    "engine_ms", mr->engine_ms,
	    "cached", !mr->built);
	free(nv);
	free(ov);
	return (s);
}

/*
 * Gives every "reasons" list of message keys in v (proposals stored in
 * the database) its words: [{key, text}] and a "reasons_text".
 */
static void
reason_words(json_t *v, enum lang lang)
{
	const char	*k;
	json_t		*x, *r, *t, *words;
	struct buf	 b;
	size_t		 i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			reason_words(x, lang);
		return;
	}
	if (!json_is_object(v))
		return;
	r = json_object_get(v, "reasons");
	if (json_is_array(r) && json_array_size(r) > 0 &&
	    json_is_string(json_array_get(r, 0))) {
		words = json_array();
		buf_init(&b, 64);
		json_array_foreach(r, i, x) {
			k = json_string_value(x);
			t = k ? json_object_get(web_messages(lang), k) : NULL;
			if (k == NULL || !json_is_string(t))
				continue;
			json_array_append_new(words, json_pack("{s:s, s:O}",
			    "key", k, "text", t));
			buf_printf(&b, "%s%s", b.len ? "、" : "",
			    json_string_value(t));
		}
		json_object_set_new(v, "reasons_text", json_string(
		    buf_cstr(&b)));
		json_object_set_new(v, "reasons", words);
		buf_free(&b);
	}
	json_object_foreach(v, k, x)
		if (json_is_object(x) || json_is_array(x))
			reason_words(x, lang);
}

/*
 * A done callback like web_db_json / web_db_page, that first puts the
 * reasons of stored proposals into words.
 */
int
matching_words_done(struct http_request *req, struct db_call *call,
    PGresult *res)
{
	json_t	*ctx, *viewer;
	int	 r, vcol;

	if ((ctx = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	reason_words(ctx, web_lang(req));
	if (web_is_api(req)) {
		r = web_json(req, 200, ctx);
	} else {
		if ((vcol = PQfnumber(res, "viewer")) >= 0 &&
		    (viewer = web_db_object(res, vcol)) != NULL)
			json_object_set_new(ctx, "viewer", viewer);
		if (call->extra != NULL)
			json_object_update(ctx, call->extra);
		r = web_page(req, call->status ? call->status : 200,
		    call->page, ctx);
	}
	json_decref(ctx);
	return (r);
}

/* --- the flows --------------------------------------------------------- */

/*
 * Begins a run: its first statement stmt (the engine's input, checked
 * for who asks: the session, then the path's id when id is not NULL)
 * goes to got, the run's end to finish.  The caller sets what else the
 * run reads (call->arg), binds what else stmt takes, then db_run()s.
 */
static struct db_call *
mr_start(struct http_request *req, enum stmt stmt, enum mr_mode mode,
    enum mr_purpose purpose, const char *id, db_done_fn got,
    int (*finish)(struct http_request *, struct db_call *))
{
	struct db_call	*call;
	struct mrun	*mr;

	call = db_prepare(req, stmt, got);
	mr = mr_new(call, mode, purpose);
	mr->finish = finish;
	session_bind(req, call);
	if (id != NULL) {
		kore_strlcpy(mr->id, id, sizeof(mr->id));
		db_text(call, id);
	}
	return (call);
}

/* The first value of res as JSON into mr->input; 0 (answered) if not. */
static int
keep_input(struct http_request *req, struct mrun *mr, PGresult *res)
{
	if ((mr->input = web_db_object(res, 0)) == NULL) {
		web_error(req, 500, "internal", NULL);
		return (0);
	}
	return (1);
}

static int
got_offer(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct mrun	*mr = call->arg;

	if (!keep_input(req, mr, res))
		return (KORE_RESULT_OK);
	if (!offer_from_json(mr->input, &mr->seed[0], mr->seedtowns[0], 12))
		return (web_error(req, 500, "internal", NULL));
	mr->nseed = 1;
	mr->kind = json_string_value(json_object_get(mr->input, "kind"));
	mr->category = json_string_value(json_object_get(mr->input,
	    "category"));
	if (mr->category != NULL && *mr->category == '\0')
		mr->category = NULL;
	/* A page older than the offer: SQL answers from what it made. */
	if (mr->purpose == MR_ACCEPT && json_integer_value(json_object_get(
	    mr->input, "version")) != mr->version)
		mr->skip_engine = 1;
	return (mr_next(req, call));
}

static int
got_need(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct mrun	*mr = call->arg;

	if (!keep_input(req, mr, res))
		return (KORE_RESULT_OK);
	if (!need_from_json(mr->input, &mr->need))
		return (web_error(req, 500, "internal", NULL));
	mr->kind = json_string_value(json_object_get(mr->input, "kind"));
	return (mr_next(req, call));
}

/*
 * Chains the api function stmt that renders the run (sid, the path's id
 * when it has one, props, language) as page tmpl or as JSON.
 */
static int
show(struct http_request *req, struct db_call *call, enum stmt stmt,
    const char *tmpl, json_t *props)
{
	struct mrun	*mr = call->arg;
	char		*s;

	db_stmt(call, stmt, matching_words_done);
	call->page = tmpl;
	session_bind(req, call);
	if (mr->id[0] != '\0')
		db_text(call, mr->id);
	s = json_dumps(props, JSON_COMPACT);
	db_text(call, s);
	free(s);
	json_decref(props);
	db_text(call, web_lang_code(web_lang(req)));
	return (KORE_RESULT_OK);
}

/*
 * GET /me/offers/{id} (page), /api/v1/offers/{id}: the offer and the
 * needs the engine proposes for it now.  Its donor and admins; 404 for
 * anyone else.
 */
int
matching_offer_page(struct http_request *req, const char *id)
{
	if (http_state_exists(req))
		return (db_run(req));
	(void)mr_start(req, SQL_OFFER_ENGINE, MR_OFFER, MR_SHOW, id, got_offer,
	    finish_offer);
	return (db_run(req));
}

static int
finish_offer(struct http_request *req, struct db_call *call)
{
	struct mrun	*mr = call->arg;

	return (show(req, call, SQL_OFFER_PAGE, "offer",
	    props_json(req, mr, MR_K)));
}

/*
 * POST /offers/{id}/accept, /api/v1/offers/{id}/accept (the offer's
 * donor; f checked, taken over): version (of the offer as the page
 * showed it) and optionally need_id (that proposal only; else all those
 * shown).  The engine runs again over needs loaded afresh, and what it
 * proposes becomes pledges (api.offer_accept).  409 not_proposed when
 * the need is no longer proposed; 409 offer_changed for a page older
 * than the offer's last change; the same request twice makes one set of
 * pledges.
 */
int
matching_offer_accept(struct http_request *req, const char *id,
    struct form *f)
{
	struct mrun	*mr;

	mr = mr_start(req, SQL_OFFER_ENGINE, MR_OFFER, MR_ACCEPT, id,
	    got_offer, finish_accept)->arg;
	mr->form = *f;
	mr->fresh = 1;
	mr->version = form_int(f, "version", 0);
	mr->want = form_int(f, "need_id", 0);
	return (db_run(req));
}

static int
finish_accept(struct http_request *req, struct db_call *call)
{
	struct mrun	*mr = call->arg;
	enum lang	 lang = web_lang(req);
	json_t		*items;
	char		*s;
	size_t		 i;

	items = json_array();
	for (i = 0; i < mr->res.n; i++) {
		if (mr->want != 0 && mr->res.v[i].need_id != mr->want)
			continue;
		json_array_append_new(items, prop_json(&mr->res.v[i], lang));
	}
	if (mr->skip_engine && mr->want != 0)
		json_array_append_new(items, json_pack("{s:I}", "need_id",
		    (json_int_t)mr->want));
	if (!mr->skip_engine && mr->want != 0 && json_array_size(items) == 0) {
		json_decref(items);
		return (web_error(req, 409, "not_proposed", "need_id"));
	}
	db_stmt(call, SQL_OFFER_ACCEPT, accepted);
	session_bind(req, call);
	db_text(call, mr->id);
	db_int(call, mr->version);
	s = json_dumps(items, JSON_COMPACT);
	db_text(call, s);
	free(s);
	json_decref(items);
	db_bool(call, mr->want != 0);
	return (KORE_RESULT_OK);
}

static int
accepted(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct mrun	*mr = call->arg;
	json_t		*r;
	char		 where[64];
	int		 replay;

	if ((r = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	replay = json_is_true(json_object_get(r, "replay"));
	if (web_is_api(req)) {
		web_json(req, replay ? 200 : 201, r);
	} else {
		(void)snprintf(where, sizeof(where), "/me/offers/%s?accepted=%zu",
		    mr->id, json_array_size(json_object_get(r, "accepted")));
		web_redirect(req, where);
	}
	json_decref(r);
	return (KORE_RESULT_OK);
}

/*
 * GET /branch/matching/needs/{id} (page), /api/v1/needs/{id}/offers: the
 * offers the engine proposes for one need, for staff of its organisation
 * or above and admins (404 for others' needs, 403 for donors).
 */
int
need_offers(struct http_request *req)
{
	const char	*rest;
	char		 id[24];
	int		 api = web_is_api(req);

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	if (!web_path_id(req, api ? "/api/v1/needs/" : "/branch/matching/needs/",
	    id, sizeof(id), &rest) || strcmp(rest, api ? "/offers" : ""))
		return (web_error(req, 404, "not_found", NULL));
	(void)mr_start(req, SQL_NEED_ENGINE, MR_NEED, MR_SHOW, id, got_need,
	    finish_need);
	return (db_run(req));
}

static int
finish_need(struct http_request *req, struct db_call *call)
{
	struct mrun	*mr = call->arg;

	return (show(req, call, SQL_NEED_OFFERS, "need-offers",
	    props_json(req, mr, MR_K)));
}

/*
 * POST /branch/matching/needs/{id}/propose (form), /api/v1/needs/{id}/proposals:
 * staff propose offer_id to its donor for the need, as the engine
 * proposes it (409 not_proposed when it does not).  201 with the
 * proposal, or back to the need's offers.
 */
int
need_propose(struct http_request *req)
{
	struct mrun		*mr;
	struct form		 f;
	const char		*rest;
	char			 id[24];
	int			 api = web_is_api(req);

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (!web_path_id(req, api ? "/api/v1/needs/" : "/branch/matching/needs/",
	    id, sizeof(id), &rest) || strcmp(rest, api ? "/proposals" :
	    "/propose"))
		return (web_error(req, 404, "not_found", NULL));
	if (!web_post_input(req, &f, propose_fields, NFIELDS(propose_fields)))
		return (KORE_RESULT_OK);
	mr = mr_start(req, SQL_NEED_ENGINE, MR_NEED, MR_PROPOSE, id, got_need,
	    finish_propose)->arg;
	mr->form = f;
	mr->want = form_int(&f, "offer_id", 0);
	return (db_run(req));
}

static int
finish_propose(struct http_request *req, struct db_call *call)
{
	struct mrun			*mr = call->arg;
	const struct match_proposal	*p = NULL;
	enum match_reason		 list[MATCH_R_COUNT];
	struct buf			 arr;
	size_t				 i, n;
	char				 ip[64];

	for (i = 0; i < mr->res.n; i++)
		if (mr->res.v[i].offer_id == mr->want) {
			p = &mr->res.v[i];
			break;
		}
	if (p == NULL)
		return (web_error(req, 409, "not_proposed", "offer_id"));
	/* The reasons as a text[] literal of message keys (no quoting
	   needed: keys are [a-z._]). */
	buf_init(&arr, 128);
	buf_putc(&arr, '{');
	n = match_reasons(p->reasons, list, MATCH_R_COUNT);
	for (i = 0; i < n; i++)
		buf_printf(&arr, "%s%s", i ? "," : "",
		    match_reason_key(list[i]));
	buf_putc(&arr, '}');
	request_client_ip(req, ip, sizeof(ip));
	db_stmt(call, SQL_PROPOSAL_CREATE, proposed);
	session_bind(req, call);
	db_text(call, mr->id);
	db_int(call, p->offer_id);
	db_int(call, p->quantity);
	db_int(call, p->amount ? p->amount : p->quantity);
	db_int(call, p->score);
	db_text(call, buf_cstr(&arr));
	db_text(call, ip);
	db_text(call, web_lang_code(web_lang(req)));
	buf_free(&arr);
	return (KORE_RESULT_OK);
}

static int
proposed(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct mrun	*mr = call->arg;
	json_t		*r;
	char		 where[64];

	if (web_is_api(req)) {
		if ((r = web_db_object(res, 0)) == NULL)
			return (web_error(req, 500, "internal", NULL));
		web_json(req, 201, r);
		json_decref(r);
		return (KORE_RESULT_OK);
	}
	(void)snprintf(where, sizeof(where), "/branch/matching/needs/%s",
	    mr->id);
	return (web_redirect(req, where));
}

/*
 * GET /admin/matching (admins), /branch/matching (staff),
 * /api/v1/matching?limit= (both): a full run over every open need and
 * live offer; its summary and the first proposals (staff: for the needs
 * of their subtree only).
 */
int
matching_page(struct http_request *req)
{
	struct db_call	*call;
	struct mrun	*mr;
	struct form	 f;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET) ||
	    !web_query(req, &f, limit_fields, NFIELDS(limit_fields)))
		return (KORE_RESULT_OK);
	call = mr_start(req, SQL_MATCHING_SCOPE, MR_ALL, MR_SHOW, NULL,
	    got_scope, finish_all);
	mr = call->arg;
	mr->limit = (size_t)form_int(&f, "limit", MR_PAGE);
	form_free(&f);
	db_text(call, !strcmp(req->path, "/admin/matching") ? "admin" :
	    !strcmp(req->path, "/branch/matching") ? "staff" : NULL);
	return (db_run(req));
}

static int
got_scope(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct mrun	*mr = call->arg;
	json_t		*orgs, *v;
	size_t		 i;

	if (!keep_input(req, mr, res))
		return (KORE_RESULT_OK);
	orgs = json_object_get(mr->input, "orgs");
	if (json_is_array(orgs)) {
		if ((mr->scope = calloc(json_array_size(orgs) + 1,
		    sizeof(*mr->scope))) == NULL)
			abort();
		json_array_foreach(orgs, i, v)
			mr->scope[mr->nscope++] = json_integer_value(v);
	}
	return (mr_next(req, call));
}

static int
finish_all(struct http_request *req, struct db_call *call)
{
	struct mrun	*mr = call->arg;
	json_t		*summary, *props;
	char		*s;

	summary = summary_json(mr);
	if (web_is_api(req)) {
		db_stmt(call, SQL_MATCHING_PAGE, web_db_json);
	} else {
		db_stmt(call, SQL_MATCHING_PAGE, web_db_page);
		call->page = "matching";
	}
	session_bind(req, call);
	s = json_dumps(summary, JSON_COMPACT);
	db_text(call, s);
	free(s);
	json_decref(summary);
	props = props_json(req, mr, mr->limit);
	s = json_dumps(props, JSON_COMPACT);
	db_text(call, s);
	free(s);
	json_decref(props);
	db_text(call, web_lang_code(web_lang(req)));
	return (KORE_RESULT_OK);
}

/*
 * GET /me/recommended (page), /api/v1/me/recommended: "为我推荐", needs
 * recommended to a donor from their live offers, their past pledges and
 * their preferences, each with its reasons.  POST: the preferences (a
 * kind, a category, up to three towns).  Donors only.
 */
int
recommended(struct http_request *req)
{
	struct db_call		*call;
	struct form		 f;
	struct buf		 towns;
	const char		*t;
	char			 name[8];
	int			 i;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	if (req->method != HTTP_METHOD_POST) {
		(void)mr_start(req, SQL_RECOMMEND_BASIS, MR_RECOMMEND, MR_SHOW,
		    NULL, got_basis, finish_recommend);
		return (db_run(req));
	}
	if (!web_post_input(req, &f, prefs_fields, NFIELDS(prefs_fields)))
		return (KORE_RESULT_OK);
	buf_init(&towns, 64);
	if ((t = form_get(&f, "towns")) != NULL)
		buf_puts(&towns, t);
	for (i = 1; i <= 3; i++) {
		(void)snprintf(name, sizeof(name), "town%d", i);
		if ((t = form_get(&f, name)) != NULL)
			buf_printf(&towns, ",%s", t);
	}
	call = db_prepare(req, SQL_PREFS_SAVE, web_db_saved);
	call->saved_to = "/me/recommended";
	session_bind(req, call);
	db_text(call, form_get(&f, "kind"));
	db_text(call, form_get(&f, "category"));
	db_text(call, buf_cstr(&towns));
	buf_free(&towns);
	form_free(&f);
	return (db_run(req));
}

/* A seed of the engine that stands for what a donor likes. */
static void
seed_add(struct mrun *mr, const char *source, int kind, const char *cat,
    const int *towns, size_t ntowns)
{
	struct match_offer	*o;
	size_t			 i;

	if (mr->nseed == MR_SEEDS)
		return;
	o = &mr->seed[mr->nseed];
	memset(o, 0, sizeof(*o));
	o->id = -(int64_t)(mr->nseed + 1);
	o->kind = kind;
	o->category = cat;
	o->quantity = MR_BIG;
	o->valid_until = mr->today + 1;
	for (i = 0; i < ntowns && i < 12; i++)
		mr->seedtowns[mr->nseed][i] = towns[i];
	o->towns = mr->seedtowns[mr->nseed];
	o->ntowns = ntowns < 12 ? ntowns : 12;
	mr->seedinfo[mr->nseed].source = source;
	mr->nseed++;
}

static int
got_basis(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct mrun	*mr = call->arg;
	json_t		*v, *prefs, *t;
	const char	*cat;
	int		 town[3], kind;
	size_t		 i, n;

	if (!keep_input(req, mr, res))
		return (KORE_RESULT_OK);
	json_array_foreach(json_object_get(mr->input, "offers"), i, v) {
		if (mr->nseed == MR_SEEDS)
			break;
		if (!offer_from_json(v, &mr->seed[mr->nseed],
		    mr->seedtowns[mr->nseed], 12))
			continue;
		/* Live or not, recommend from what it could give. */
		if (mr->seed[mr->nseed].quantity <= 0)
			continue;
		mr->seedinfo[mr->nseed].source = "offer";
		mr->seedinfo[mr->nseed].offer_id = mr->seed[mr->nseed].id;
		mr->nseed++;
	}
	json_array_foreach(json_object_get(mr->input, "history"), i, v) {
		town[0] = (int)json_integer_value(json_object_get(v, "town"));
		seed_add(mr, "history", match_kind_parse(json_string_value(
		    json_object_get(v, "kind"))), json_string_value(
		    json_object_get(v, "category")), town, 1);
	}
	if (json_is_object(prefs = json_object_get(mr->input, "prefs"))) {
		n = 0;
		json_array_foreach(json_object_get(prefs, "towns"), i, t) {
			if (n < 3)
				town[n++] = (int)json_integer_value(t);
		}
		cat = json_string_value(json_object_get(prefs, "category"));
		kind = match_kind_parse(json_string_value(json_object_get(
		    prefs, "kind")));
		for (i = 0; i < MATCH_NKINDS; i++)
			if (kind < 0 || (int)i == kind)
				seed_add(mr, "prefs", (int)i, cat, town, n);
	}
	/* Nothing to recommend from: no need to read the needs. */
	if (mr->nseed == 0)
		mr->skip_engine = 1;
	return (mr_next(req, call));
}

static int
finish_recommend(struct http_request *req, struct db_call *call)
{
	struct mrun	*mr = call->arg;
	enum lang	 lang = web_lang(req);
	json_t		*items, *it;
	size_t		 i;

	items = json_array();
	for (i = 0; i < mr->nrec; i++) {
		it = json_pack("{s:I, s:s, s:o}",
		    "need_id", (json_int_t)mr->snap->v[mr->rec[i].need].id,
		    "source", mr->seedinfo[mr->rec[i].seed].source,
		    "reasons", reasons_json(mr->rec[i].reasons, lang));
		if (mr->seedinfo[mr->rec[i].seed].offer_id > 0)
			json_object_set_new(it, "offer_id", json_integer(
			    mr->seedinfo[mr->rec[i].seed].offer_id));
		json_array_append_new(items, it);
	}
	return (show(req, call, SQL_RECOMMENDED, "recommended", items));
}
