/*
 * The sender's side of the database: a blocking libpq connection of its
 * own (this is not a Kore process), LISTEN shop_outbox so that a message
 * written is sent at once, and the three api functions of
 * sql/api/095_outbox.sql it calls: claim, done, digest.  Its statements,
 * like the module's (src/stmt.c), are in one table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sender.h"

enum outbox_stmt {
	OUTBOX_SESSION,
	OUTBOX_LISTEN,
	OUTBOX_CLAIM,
	OUTBOX_DONE,
	OUTBOX_DIGEST
};

static const char *const	outbox_sql[] = {
	/*
	 * A result recorded but lost in a crash is sent again (at least
	 * once): the sender's commits need not wait for the disk.
	 */
	[OUTBOX_SESSION] = "set synchronous_commit = off",
	[OUTBOX_LISTEN] = "listen shop_outbox",
	[OUTBOX_CLAIM] = "select api.outbox_claim($1::int, $2::int)",
	[OUTBOX_DONE] = "select api.outbox_done($1::bigint, $2, $3, $4::int)",
	[OUTBOX_DIGEST] = "select api.outbox_digest($1::int)",
};

static PGresult	*outbox_exec(PGconn *, enum outbox_stmt, int,
		    const char *const *);

/*
 * Connects (or reconnects *db) and listens for new messages.  Returns 0,
 * with a message on stderr, when the database cannot be reached.
 */
int
outbox_connect(PGconn **db)
{
	PGresult	*res;

	if (*db != NULL)
		PQfinish(*db);
	*db = PQconnectdb(scfg.database);
	if (PQstatus(*db) != CONNECTION_OK) {
		fprintf(stderr, "shop-sender: cannot reach the database: %s",
		    PQerrorMessage(*db));
		return (0);
	}
	res = outbox_exec(*db, OUTBOX_SESSION, 0, NULL);
	PQclear(res);
	res = outbox_exec(*db, OUTBOX_LISTEN, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "shop-sender: listen: %s",
		    PQresultErrorMessage(res));
		PQclear(res);
		return (0);
	}
	PQclear(res);
	return (1);
}

static PGresult *
outbox_exec(PGconn *db, enum outbox_stmt s, int n, const char *const *values)
{
	return (PQexecParams(db, outbox_sql[s], n, NULL, values, NULL, NULL,
	    0));
}

/*
 * Claims the next batch of due messages for SHOP_SENDER_LEASE seconds:
 * a JSON array (empty when nothing is due) the caller releases, or NULL
 * when the database failed.
 */
json_t *
outbox_claim(PGconn *db)
{
	PGresult	*res;
	json_t		*rows;
	char		 limit[16], lease[16];
	const char	*v[2] = { limit, lease };

	(void)snprintf(limit, sizeof(limit), "%d", scfg.batch);
	(void)snprintf(lease, sizeof(lease), "%d", scfg.lease);
	res = outbox_exec(db, OUTBOX_CLAIM, 2, v);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		fprintf(stderr, "shop-sender: claim: %s",
		    PQresultErrorMessage(res));
		PQclear(res);
		return (NULL);
	}
	rows = json_loadb(PQgetvalue(res, 0, 0),
	    (size_t)PQgetlength(res, 0, 0), 0, NULL);
	PQclear(res);
	if (!json_is_array(rows)) {
		json_decref(rows);
		return (NULL);
	}
	return (rows);
}

/*
 * Records what became of message id (result: sent, temporary or
 * permanent, with the error).  Returns 0 when the database failed: the
 * message is then claimed again once its lease is over (at least once).
 */
int
outbox_done(PGconn *db, long long id, const char *result, const char *error)
{
	PGresult	*res;
	char		 num[32], base[16];
	const char	*v[4] = { num, result, error, base };
	int		 ok;

	(void)snprintf(num, sizeof(num), "%lld", id);
	(void)snprintf(base, sizeof(base), "%d", scfg.retry_base);
	res = outbox_exec(db, OUTBOX_DONE, 4, v);
	ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "shop-sender: outbox-%lld: %s", id,
		    PQresultErrorMessage(res));
	else if (scfg.verbose)
		fprintf(stderr, "shop-sender: outbox-%lld %s -> %s\n", id,
		    result, PQgetvalue(res, 0, 0));
	PQclear(res);
	return (ok);
}

/* Folds the held messages whose digest is due; how many digests, or -1. */
int
outbox_digest(PGconn *db)
{
	PGresult	*res;
	const char	*v[1] = { "50" };
	int		 n;

	res = outbox_exec(db, OUTBOX_DIGEST, 1, v);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "shop-sender: digest: %s",
		    PQresultErrorMessage(res));
		PQclear(res);
		return (-1);
	}
	n = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return (n);
}
