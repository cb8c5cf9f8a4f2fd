/*
 * Every SQL statement the module sends, in one table.  Each is one call of
 * a function of the api schema (sql/api/), which holds the rules and
 * returns the answer's body, so a request is one round trip.  No SQL is
 * built at run time.
 */
#include "shop.h"

const struct stmt_def stmts[SQL__COUNT] = {
	[SQL_HEALTH] = { "select 1", 0, STMT_READONLY },
	[SQL_HOME] = { "select api.home($1)", 1, STMT_READONLY },
	[SQL_NEEDS_LIST] = {
		"select api.needs_list($1, $2, $3, $4, $5, $6, $7, "
		"$8::int, $9::int, $10)", 10, STMT_READONLY },
	[SQL_NEEDS_PAGE] = {
		"select api.needs_list($1, $2, $3, $4, $5, $6, $7, "
		"$8::int, $9::int, $10), api.facets($10)", 10, STMT_READONLY },
	[SQL_NEED_GET] = { "select api.need_get($1::bigint, $2)", 2,
		STMT_READONLY },
	[SQL_LOG_HEAD] = { "select api.log_head()", 0, STMT_READONLY },
	[SQL_LOG_CHECKPOINT_ADD] = {
		"select api.log_checkpoint_add($1::bigint, $2, $3)", 3, 0 },
	[SQL_LOG_ENTRIES] = {
		"select api.log_entries($1::bigint, $2::bigint)", 2,
		STMT_READONLY },
	[SQL_LOG_NODES] = {
		"select api.log_nodes($1::bigint, $2, $3::int[], $4::bigint[])",
		4, STMT_READONLY },
};
