/*
 * The public log's API (formats: sql/LOG_FORMAT.md):
 *
 *	GET /api/v1/log/key			the checkpoint signing key
 *	GET /api/v1/log/checkpoint		the latest signed tree head
 *	GET /api/v1/log/entries?start=&end=	entries start..end (inclusive)
 *	GET /api/v1/log/proof/inclusion?index=&size=
 *	GET /api/v1/log/proof/consistency?first=&second=
 *
 * Proofs are computed here from the stored subtree hashes: the handler
 * records which nodes the proof needs (merkle.c's tape), fetches them in
 * one query and computes the proof over them, so a proof costs O(log n)
 * index lookups however long the log.  Bad input is a 400 naming the
 * field; sizes beyond the log are 400 log_range.
 */
#include <stdlib.h>
#include <string.h>

#include "shop.h"

/* Integers JavaScript holds exactly: enough for any log. */
#define LOG_MAX		9007199254740991LL

int	log_api_key(struct http_request *);
int	log_api_checkpoint(struct http_request *);
int	log_api_entries(struct http_request *);
int	log_api_inclusion(struct http_request *);
int	log_api_consistency(struct http_request *);

static const struct field entries_fields[] = {
	{ "start", FIELD_INT, 1, 0, LOG_MAX, NULL },
	{ "end", FIELD_INT, 1, 0, LOG_MAX, NULL },
};

static const struct field inclusion_fields[] = {
	{ "index", FIELD_INT, 1, 0, LOG_MAX, NULL },
	{ "size", FIELD_INT, 1, 1, LOG_MAX, NULL },
};

static const struct field consistency_fields[] = {
	{ "first", FIELD_INT, 1, 1, LOG_MAX, NULL },
	{ "second", FIELD_INT, 1, 1, LOG_MAX, NULL },
};

/* What a proof request keeps between its query and its answer. */
struct proof_arg {
	struct merkle_tape	tape;
	int			consistency;
	uint64_t		a;	/* index, or first */
	uint64_t		b;	/* size, or second */
	db_done_fn		then;	/* log_inclusion_chain's */
	json_t			*proof;	/* its result */
};

static int	checkpoint_head(struct http_request *, struct db_call *,
		    PGresult *);
static int	checkpoint_stored(struct http_request *, struct db_call *,
		    PGresult *);
static int	checkpoint_answer(struct http_request *, json_t *);
static int	proof_start(struct http_request *, int);
static struct proof_arg *proof_plan(int, uint64_t, uint64_t);
static void	proof_bind(struct db_call *, struct proof_arg *);
static json_t	*proof_compute(struct proof_arg *, PGresult *);
static int	proof_done(struct http_request *, struct db_call *,
		    PGresult *);
static int	proof_chained(struct http_request *, struct db_call *,
		    PGresult *);
static void	proof_arg_free(void *);
static json_t	*hash_array(unsigned char (*)[MERKLE_HASH], size_t);
static json_t	*hash_string(const unsigned char *);

/* GET /api/v1/log/key: the public key, raw (base64), PEM, note form. */
int
log_api_key(struct http_request *req)
{
	const char	*k;

	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	k = checkpoint_key_json();
	return (web_json_text(req, 200, k, strlen(k)));
}

/*
 * GET /api/v1/log/checkpoint: the latest checkpoint, signed now if the
 * tree grew since.  500 log_inconsistent if the log no longer extends the
 * latest checkpoint (the platform then refuses to sign).
 */
int
log_api_checkpoint(struct http_request *req)
{
	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	db_prepare(req, SQL_LOG_HEAD, checkpoint_head);
	return (db_run(req));
}

static int
checkpoint_head(struct http_request *req, struct db_call *call,
    PGresult *res)
{
	struct checkpoint	 cp;
	json_t			*head;
	int			 r;

	if ((head = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	switch (checkpoint_from_head(head, &cp)) {
	case CHECKPOINT_CURRENT:
		r = checkpoint_answer(req, json_object_get(head, "latest"));
		break;
	case CHECKPOINT_NEW:
		db_stmt(call, SQL_LOG_CHECKPOINT_ADD, checkpoint_stored);
		db_int(call, (long long)cp.size);
		db_text(call, cp.root);
		db_text(call, cp.note.data);
		checkpoint_free(&cp);
		r = KORE_RESULT_OK;
		break;
	default:
		r = web_error(req, 500, "log_inconsistent", NULL);
		break;
	}
	json_decref(head);
	return (r);
}

static int
checkpoint_stored(struct http_request *req, struct db_call *call,
    PGresult *res)
{
	json_t	*c;
	int	 r;

	(void)call;
	if ((c = web_db_object(res, 0)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	r = checkpoint_answer(req, c);
	json_decref(c);
	return (r);
}

/* A checkpoint as the API shows it: the stored one and the origin. */
static int
checkpoint_answer(struct http_request *req, json_t *c)
{
	json_t	*o;
	int	 r;

	o = json_pack("{s:s, s:O, s:O, s:O, s:O}",
	    "origin", checkpoint_origin(),
	    "tree_size", json_object_get(c, "tree_size"),
	    "root_hash", json_object_get(c, "root_hash"),
	    "checkpoint", json_object_get(c, "checkpoint"),
	    "signed_at", json_object_get(c, "signed_at"));
	if (o == NULL)
		return (web_error(req, 500, "internal", NULL));
	r = web_json(req, 200, o);
	json_decref(o);
	return (r);
}

/*
 * GET /api/v1/log/entries?start=&end=: entries start..end inclusive, at
 * most 1000, cut at the end of the log.  400 when a bound is missing or
 * not a number, end < start, or start is not in the log.
 */
int
log_api_entries(struct http_request *req)
{
	struct db_call	*call;
	struct form	 f;

	if (http_state_exists(req))
		return (db_run(req));
	if (!web_method(req, HTTP_METHOD_GET) ||
	    !web_query(req, &f, entries_fields,
	    NFIELDS(entries_fields)))
		return (KORE_RESULT_OK);
	if (form_int(&f, "end", 0) < form_int(&f, "start", 0)) {
		form_free(&f);
		return (web_error(req, 400, "log_range", "end"));
	}
	call = db_prepare(req, SQL_LOG_ENTRIES, web_db_json);
	db_int(call, form_int(&f, "start", 0));
	db_int(call, form_int(&f, "end", 0));
	form_free(&f);
	return (db_run(req));
}

/*
 * GET /api/v1/log/proof/inclusion?index=&size=: the inclusion proof of
 * entry index in the tree of size entries (RFC 9162 2.1.3), with the
 * entry's leaf hash.  400 when index >= size or size is beyond the log.
 */
int
log_api_inclusion(struct http_request *req)
{
	if (http_state_exists(req))
		return (db_run(req));
	return (proof_start(req, 0));
}

/*
 * GET /api/v1/log/proof/consistency?first=&second=: the proof that the
 * tree of second entries extends the tree of first (RFC 9162 2.1.4),
 * empty when they are equal.  400 when first is 0 or more than second,
 * or second is beyond the log.
 */
int
log_api_consistency(struct http_request *req)
{
	if (http_state_exists(req))
		return (db_run(req));
	return (proof_start(req, 1));
}

/*
 * Checks the request, records the nodes the proof needs and asks for
 * them: (level, index) pairs as two arrays, in the order recorded.
 */
static int
proof_start(struct http_request *req, int consistency)
{
	struct proof_arg	*arg;
	struct db_call		*call;
	struct form		 f;
	uint64_t		 a, b;

	if (!web_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	if (consistency ? !web_query(req, &f, consistency_fields,
	    NFIELDS(consistency_fields)) : !web_query(req, &f,
	    inclusion_fields, NFIELDS(inclusion_fields)))
		return (KORE_RESULT_OK);
	a = (uint64_t)form_int(&f, consistency ? "first" : "index", 0);
	b = (uint64_t)form_int(&f, consistency ? "second" : "size", 0);
	form_free(&f);
	if (a >= b && !(consistency && a == b))
		return (web_error(req, 400, "log_range",
		    consistency ? "first" : "index"));
	arg = proof_plan(consistency, a, b);
	call = db_prepare(req, SQL_LOG_NODES, proof_done);
	call->arg = arg;
	call->arg_free = proof_arg_free;
	proof_bind(call, arg);
	return (db_run(req));
}

/*
 * Chains onto call (from a done callback) the inclusion proof of entry
 * index in the tree of size entries (index < size, size within the log:
 * a signed checkpoint's): once computed, then(req, call, NULL) runs and
 * log_inclusion_result(call) is the proof as the API gives it, or NULL
 * when the nodes did not add up.  call->arg is the proof's: the caller
 * keeps its own data elsewhere (call->extra).
 */
void
log_inclusion_chain(struct db_call *call, uint64_t index, uint64_t size,
    db_done_fn then)
{
	struct proof_arg	*arg;

	if (call->arg_free != NULL)
		call->arg_free(call->arg);
	arg = proof_plan(0, index, size);
	arg->then = then;
	db_stmt(call, SQL_LOG_NODES, proof_chained);
	call->arg = arg;
	call->arg_free = proof_arg_free;
	proof_bind(call, arg);
}

/* The proof log_inclusion_chain computed (the call's), or NULL. */
json_t *
log_inclusion_result(struct db_call *call)
{
	return (((struct proof_arg *)call->arg)->proof);
}

static int
proof_chained(struct http_request *req, struct db_call *call, PGresult *res)
{
	struct proof_arg	*arg = call->arg;

	arg->proof = proof_compute(arg, res);
	return (arg->then(req, call, NULL));
}

/*
 * Records the nodes the proof of (a, b) needs: computing it over the
 * tape asks for each node, which the tape notes down (merkle.c).
 */
static struct proof_arg *
proof_plan(int consistency, uint64_t a, uint64_t b)
{
	unsigned char		 path[MERKLE_MAX_PATH][MERKLE_HASH];
	unsigned char		 leaf[MERKLE_HASH];
	struct proof_arg	*arg;
	size_t			 n;
	int			 ok;

	arg = kore_calloc(1, sizeof(*arg));
	arg->consistency = consistency;
	arg->a = a;
	arg->b = b;
	merkle_tape_init(&arg->tape);
	if (consistency) {
		ok = merkle_consistency(merkle_tape_node, &arg->tape, arg->a,
		    arg->b, path, &n);
	} else {
		ok = merkle_tape_node(&arg->tape, 0, arg->a, leaf) &&
		    merkle_inclusion(merkle_tape_node, &arg->tape, arg->a,
		    arg->b, path, &n);
	}
	if (!ok)
		fatal("proof_plan: cannot plan a proof %llu %llu",
		    (unsigned long long)arg->a, (unsigned long long)arg->b);
	return (arg);
}

/* Asks for the nodes: (level, index) pairs as two arrays, in order. */
static void
proof_bind(struct db_call *call, struct proof_arg *arg)
{
	struct buf	levels, idx;
	size_t		i;

	buf_init(&levels, 256);
	buf_init(&idx, 512);
	buf_putc(&levels, '{');
	buf_putc(&idx, '{');
	for (i = 0; i < arg->tape.n; i++) {
		buf_printf(&levels, "%s%u", i ? "," : "",
		    arg->tape.node[i].level);
		buf_printf(&idx, "%s%llu", i ? "," : "",
		    (unsigned long long)arg->tape.node[i].index);
	}
	buf_putc(&levels, '}');
	buf_putc(&idx, '}');
	db_int(call, (long long)arg->b);
	db_text(call, arg->consistency ? "second" : "size");
	db_text(call, levels.data);
	db_text(call, idx.data);
	buf_free(&levels);
	buf_free(&idx);
}

static void
proof_arg_free(void *p)
{
	struct proof_arg	*arg = p;

	merkle_tape_free(&arg->tape);
	json_decref(arg->proof);
	kore_free(arg);
}

/* The nodes arrived: the proof is the same computation over them. */
static int
proof_done(struct http_request *req, struct db_call *call, PGresult *res)
{
	json_t	*ans;
	int	 r;

	if ((ans = proof_compute(call->arg, res)) == NULL)
		return (web_error(req, 500, "internal", NULL));
	r = web_json(req, 200, ans);
	json_decref(ans);
	return (r);
}

/* The proof as the API gives it, from the nodes in res; NULL if wrong. */
static json_t *
proof_compute(struct proof_arg *arg, PGresult *res)
{
	unsigned char		 path[MERKLE_MAX_PATH][MERKLE_HASH];
	unsigned char		 leaf[MERKLE_HASH];
	json_t			*o, *nodes, *ans;
	const char		*s;
	size_t			 i, n, len;
	int			 ok;

	if ((o = web_db_object(res, 0)) == NULL)
		return (NULL);
	nodes = json_object_get(o, "nodes");
	ok = json_is_array(nodes) && json_array_size(nodes) == arg->tape.n;
	for (i = 0; ok && i < arg->tape.n; i++) {
		s = json_string_value(json_array_get(nodes, i));
		ok = s != NULL && b64_decode(s, strlen(s),
		    arg->tape.node[i].hash, MERKLE_HASH, &len) &&
		    len == MERKLE_HASH;
		arg->tape.node[i].set = 1;
	}
	json_decref(o);
	if (!ok)
		return (NULL);

	merkle_tape_rewind(&arg->tape);
	if (arg->consistency) {
		ok = merkle_consistency(merkle_tape_node, &arg->tape, arg->a,
		    arg->b, path, &n);
		ans = json_pack("{s:I, s:I, s:o}",
		    "first", (json_int_t)arg->a,
		    "second", (json_int_t)arg->b,
		    "consistency_path", hash_array(path, ok ? n : 0));
	} else {
		ok = merkle_tape_node(&arg->tape, 0, arg->a, leaf) &&
		    merkle_inclusion(merkle_tape_node, &arg->tape, arg->a,
		    arg->b, path, &n);
		ans = json_pack("{s:I, s:I, s:o, s:o}",
		    "leaf_index", (json_int_t)arg->a,
		    "tree_size", (json_int_t)arg->b,
		    "leaf_hash", hash_string(leaf),
		    "inclusion_path", hash_array(path, ok ? n : 0));
	}
	if (!ok) {
		json_decref(ans);
		return (NULL);
	}
	return (ans);
}

static json_t *
hash_string(const unsigned char *h)
{
	struct buf	 b;
	json_t		*s;

	buf_init(&b, 64);
	b64_encode(&b, h, MERKLE_HASH);
	s = json_string(b.data);
	buf_free(&b);
	return (s);
}

static json_t *
hash_array(unsigned char (*path)[MERKLE_HASH], size_t n)
{
	json_t	*a;
	size_t	 i;

	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, hash_string(path[i]));
	return (a);
}
