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

	/* Offers, matching and pairings. */
	[SQL_OFFERS_LIST] = { "select api.offers_list($1, $2, $3::int, "
		"$4::int, $5), api.viewer($6) as viewer", 6, STMT_READONLY },
	[SQL_OFFER_CREATE] = { "select api.offer_create($1, $2::jsonb, $3)",
		3, 0 },
	[SQL_OFFER_UPDATE] = { "select api.offer_update($1, $2::bigint, "
		"$3::jsonb, $4)", 4, 0 },
	[SQL_OFFER_WITHDRAW] = { "select api.offer_withdraw($1, $2::bigint)",
		2, 0 },
	[SQL_ME_OFFERS] = { "select api.me_offers($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_MATCH_NEEDS] = { "select * from api.match_needs($1, $2)", 2,
		STMT_READONLY },
	[SQL_MATCH_OFFERS] = { "select * from api.match_offers($1)", 1,
		STMT_READONLY },
	[SQL_OFFER_ENGINE] = { "select api.offer_engine($1, $2::bigint)", 2,
		STMT_READONLY },
	[SQL_NEED_ENGINE] = { "select api.need_engine($1, $2::bigint)", 2,
		STMT_READONLY },
	[SQL_OFFER_PAGE] = { "select api.offer_page($1, $2::bigint, $3::json, "
		"$4), api.viewer($1) as viewer", 4, STMT_READONLY },
	[SQL_OFFER_ACCEPT] = { "select api.offer_accept($1, $2::bigint, "
		"$3::int, $4::json, $5::boolean)", 5, 0 },
	[SQL_NEED_OFFERS] = { "select api.need_offers($1, $2::bigint, "
		"$3::json, $4), api.viewer($1) as viewer", 4, STMT_READONLY },
	[SQL_PROPOSAL_CREATE] = { "select api.proposal_create($1, $2::bigint, "
		"$3::bigint, $4::int, $5::bigint, $6::int, $7::text[], $8, $9)",
		9, 0 },
	[SQL_PROPOSAL_DECIDE] = { "select api.proposal_decide($1, $2::bigint, "
		"$3::boolean, $4)", 4, 0 },
	[SQL_MATCHING_SCOPE] = { "select api.matching_scope($1, $2)", 2,
		STMT_READONLY },
	[SQL_MATCHING_PAGE] = { "select api.matching_page($1, $2::json, "
		"$3::json, $4), api.viewer($1) as viewer", 4, STMT_READONLY },
	[SQL_RECOMMEND_BASIS] = { "select api.recommend_basis($1)", 1,
		STMT_READONLY },
	[SQL_RECOMMENDED] = { "select api.recommended($1, $2::json, $3), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_PREFS_SAVE] = { "select api.prefs_save($1, $2, $3, $4)", 4, 0 },
	[SQL_PAIRING_FORM] = { "select api.pairing_form($1, $2::bigint, $3), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_PAIRING_CREATE] = { "select api.pairing_create($1, $2::bigint, "
		"$3::int, $4, $5::int, $6::boolean, $7)", 7, 0 },
	[SQL_PAIRINGS_LIST] = { "select api.pairings_list($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_PAIRING_GET] = { "select api.pairing_get($1, $2::bigint, $3), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_PAIRING_END] = { "select api.pairing_end($1, $2::bigint, $3, $4, "
		"$5)", 5, 0 },
	[SQL_PAIRING_RENEW] = { "select api.pairing_renew($1, $2::bigint, $3)",
		3, 0 },
	[SQL_PAIRINGS_TICK] = { "select api.pairings_tick()", 0, 0 },
};
