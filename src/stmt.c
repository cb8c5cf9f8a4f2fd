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
	[SQL_HOME_PAGE] = { "select api.home($1), api.viewer($2) as viewer",
		2, STMT_READONLY },
	[SQL_NEEDS_LIST] = {
		"select api.needs_list($1, $2, $3, $4, $5, $6, $7, "
		"$8::int, $9::int, $10)", 10, STMT_READONLY },
	[SQL_NEEDS_PAGE] = {
		"select api.needs_list($1, $2, $3, $4, $5, $6, $7, "
		"$8::int, $9::int, $10), api.facets($10), "
		"api.viewer($11) as viewer", 11, STMT_READONLY },
	[SQL_NEED_GET] = { "select api.need_get($1::bigint, $2)", 2,
		STMT_READONLY },
	[SQL_NEED_PAGE] = { "select api.need_get($1::bigint, $2), "
		"api.viewer($3) as viewer", 3, STMT_READONLY },

	/* Pages whose parameters are the session and the language. */
	[SQL_VIEWER_PAGE] = { "select json_build_object('lang', $2::text), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_ME_PAGE] = { "select api.me($1, $2), api.viewer($1) as viewer",
		2, STMT_READONLY },
	[SQL_ADMIN_PAGE] = { "select api.admin_home($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_BRANCH_PAGE] = { "select api.branch_home($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },

	/* Accounts and sessions. */
	[SQL_LOGIN_BEGIN] = { "select api.login_begin($1, $2)", 2, 0 },
	[SQL_LOGIN_FINISH] = { "select api.login_finish($1, $2, $3::boolean, "
		"$4, $5)", 5, 0 },
	[SQL_REGISTER] = { "select api.register($1, $2, $3, $4, $5, $6, $7, "
		"$8)", 8, 0 },
	[SQL_LOGOUT] = { "select api.logout($1, $2)", 2, 0 },
	[SQL_ME] = { "select api.me($1, $2)", 2, STMT_READONLY },
	[SQL_ME_UPDATE] = { "select api.me_update($1, $2, $3)", 3, 0 },
	[SQL_PASSWORD_CURRENT] = { "select api.password_current($1)", 1,
		STMT_READONLY },
	[SQL_PASSWORD_SET] = { "select api.password_set($1, $2, $3)", 3, 0 },
	[SQL_ORGS_LIST] = { "select api.orgs_list($1, $2)", 2, STMT_READONLY },
	[SQL_ORG_CREATE] = { "select api.org_create($1, $2, $3::bigint, $4, "
		"$5, $6, $7)", 7, 0 },
	[SQL_ACCOUNTS_LIST] = { "select api.accounts_list($1, $2)", 2,
		STMT_READONLY },
	[SQL_ACCOUNT_CREATE] = { "select api.account_create($1, $2, "
		"$3::bigint, $4, $5, $6, $7, $8)", 8, 0 },
	[SQL_ACCOUNT_DISABLE] = { "select api.account_set_disabled($1, "
		"$2::bigint, $3::boolean, $4)", 4, 0 },
	[SQL_AUDIT_LIST] = { "select api.audit_list($1, $2::int)", 2,
		STMT_READONLY },

	/* The public log. */
	[SQL_LOG_HEAD] = { "select api.log_head()", 0, STMT_READONLY },
	[SQL_LOG_CHECKPOINT_ADD] = {
		"select api.log_checkpoint_add($1::bigint, $2, $3)", 3, 0 },
	[SQL_LOG_ENTRIES] = {
		"select api.log_entries($1::bigint, $2::bigint)", 2,
		STMT_READONLY },
	[SQL_LOG_NODES] = {
		"select api.log_nodes($1::bigint, $2, $3::int[], $4::bigint[])",
		4, STMT_READONLY },

	/* Pledges. */
	[SQL_PLEDGE_CREATE] = { "select api.pledge_create($1, $2::bigint, "
		"$3::int, $4::boolean, $5, $6)", 6, 0 },
	[SQL_PLEDGE_CANCEL] = { "select api.pledge_cancel($1, $2::bigint)", 2,
		0 },
	[SQL_PLEDGE_DELIVER] = { "select api.pledge_deliver($1, $2::bigint, "
		"$3, $4, $5)", 5, 0 },
	[SQL_PLEDGE_RECEIVE] = { "select api.pledge_receive($1, $2::bigint, "
		"$3, $4)", 4, 0 },
	[SQL_PLEDGE_RECEIVE_CODE] = { "select api.pledge_receive_code($1, $2, "
		"$3, $4)", 4, 0 },
	[SQL_PLEDGE_DISPUTE] = { "select api.pledge_dispute($1, $2::bigint, "
		"$3)", 3, 0 },
	[SQL_PLEDGE_RESOLVE] = { "select api.pledge_resolve($1, $2::bigint, "
		"$3, $4)", 4, 0 },
	[SQL_PLEDGE_MODERATE] = { "select api.pledge_moderate($1, $2::bigint, "
		"$3::boolean)", 3, 0 },
	[SQL_PLEDGE_PHOTO_ADD] = { "select api.pledge_photo_add($1, "
		"$2::bigint, $3, $4)", 4, 0 },
	[SQL_PLEDGE_PHOTO] = { "select api.pledge_photo($1, $2::bigint, "
		"$3::bigint)", 3, STMT_READONLY },
	[SQL_PLEDGE_GET] = { "select api.pledge_get($1, $2::bigint, $3)", 3,
		STMT_READONLY },
	[SQL_PLEDGE_PAGE] = { "select api.pledge_get($1, $2::bigint, $3), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_ME_PLEDGES] = { "select api.me_pledges($1, $2)", 2,
		STMT_READONLY },
	[SQL_ME_PLEDGES_PAGE] = { "select api.me_pledges($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_STATEMENT] = { "select api.statement($1, $2::int, $3)", 3,
		STMT_READONLY },
	[SQL_STATEMENT_PAGE] = { "select api.statement($1, $2::int, $3), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_BRANCH_PLEDGES] = { "select api.branch_pledges($1, $2)", 2,
		STMT_READONLY },
	[SQL_BRANCH_PLEDGES_PAGE] = { "select api.branch_pledges($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_TICK] = { "select api.pledges_tick()", 0, 0 },

	/* The transparency page: its general part, and the filtered part. */
	[SQL_TRANSPARENCY] = { "select api.transparency_general($1), "
		"api.transparency_records_json($1, $2, $3, $4, $5::date, "
		"$6::date)", 6, STMT_READONLY },
	[SQL_TRANSPARENCY_PAGE] = { "select api.transparency_general($1), "
		"api.transparency_records_json($1, $2, $3, $4, $5::date, "
		"$6::date), api.viewer($7) as viewer", 7, STMT_READONLY },
	[SQL_TRANSPARENCY_RECORDS] = { "select null::text, "
		"api.transparency_records_json($1, $2, $3, $4, $5::date, "
		"$6::date)", 6, STMT_READONLY },
	[SQL_TRANSPARENCY_RECORDS_PAGE] = { "select null::text, "
		"api.transparency_records_json($1, $2, $3, $4, $5::date, "
		"$6::date), api.viewer($7) as viewer", 7, STMT_READONLY },
	[SQL_TRANSPARENCY_LOG_RANGE] = {
		"select api.transparency_log_range($1::date, $2::date)", 2,
		STMT_READONLY },
	[SQL_TRANSPARENCY_LOG_PAGE] = {
		"select api.transparency_log_page($1::bigint, $2::bigint, "
		"$3::date, $4::date)", 4, STMT_READONLY },
};
