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
		"api.viewer($1) as viewer, api.branch_work($1, $2) as work", 2,
		STMT_READONLY },

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

	/* Children (issue 4); parameters (sid, ...) as their functions. */
	[SQL_CHILDREN_LIST] = { "select api.children_list($1, $2, "
		"$3::boolean, $4::int)", 4, STMT_READONLY },
	[SQL_CHILDREN_PAGE] = { "select api.children_list($1, $2, "
		"$3::boolean, $4::int), api.viewer($1) as viewer", 4,
		STMT_READONLY },
	[SQL_CHILDREN_FORM_PAGE] = { "select api.children_list($1, $2, false, "
		"1), api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_CHILD_NEW_ID] = { "select api.child_new_id($1)", 1, 0 },
	[SQL_CHILD_CREATE] = { "select api.child_create($1, $2::bigint, "
		"$3::json, $4, $5, $6, $7)", 7, 0 },
	[SQL_CHILD_FOR_EDIT] = { "select api.child_for_edit($1, $2::bigint)",
		2, STMT_READONLY },
	[SQL_CHILD_UPDATE] = { "select api.child_update($1, $2::bigint, "
		"$3::json, $4, $5, $6, $7, $8)", 8, 0 },
	[SQL_CHILD_GET] = { "select api.child_get($1, $2::bigint, $3)", 3,
		STMT_READONLY },
	[SQL_CHILD_PAGE] = { "select api.child_get($1, $2::bigint, $3), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	/* These two write child_private_read to the audit log. */
	[SQL_CHILD_PRIVATE] = { "select api.child_private($1, $2::bigint, "
		"$3)", 3, 0 },
	[SQL_CHILD_PRIVATE_PAGE] = { "select api.child_get($1, $2::bigint, "
		"$3), api.viewer($1) as viewer, api.child_private($1, "
		"$2::bigint, $4)::json as private", 4, 0 },
	[SQL_CHILD_ARCHIVE] = { "select api.child_archive($1, $2::bigint, "
		"$3::boolean, $4)", 4, 0 },

	/* Needs at work, objections, the queues (issue 4). */
	[SQL_WORK_NEEDS] = { "select api.work_needs($1, $2, $3, $4::int)", 4,
		STMT_READONLY },
	[SQL_WORK_NEEDS_PAGE] = { "select api.work_needs($1, $2, $3, "
		"$4::int), api.viewer($1) as viewer", 4, STMT_READONLY },
	[SQL_NEED_NEW_PAGE] = { "select api.need_new($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_NEED_CREATE] = { "select api.need_create($1, $2::json, $3)", 3,
		0 },
	[SQL_WORK_NEED] = { "select api.work_need($1, $2::bigint, $3)", 3,
		STMT_READONLY },
	[SQL_WORK_NEED_PAGE] = { "select api.work_need($1, $2::bigint, $3), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_NEED_UPDATE] = { "select api.need_update($1, $2::bigint, "
		"$3::json, $4)", 4, 0 },
	[SQL_NEED_TRANSITION] = { "select api.need_transition($1, $2::bigint, "
		"$3, $4, $5::boolean, $6)", 6, 0 },
	[SQL_NEED_PAGE_AGAIN] = { "select api.need_get($2::bigint, $3), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_OBJECTION_FILE] = { "select api.objection_file($1::bigint, $2, "
		"$3, $4, $5, $6)", 6, 0 },
	[SQL_OBJECTION_RESOLVE] = { "select api.objection_resolve($1, "
		"$2::bigint, $3, $4, $5)", 5, 0 },
	[SQL_ADMIN_NEEDS] = { "select api.admin_needs($1, $2)", 2,
		STMT_READONLY },
	[SQL_ADMIN_NEEDS_PAGE] = { "select api.admin_needs($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_SETTINGS_GET] = { "select api.settings_get($1)", 1,
		STMT_READONLY },
	[SQL_SETTINGS_SET] = { "select api.settings_set($1, $2::int, $3)", 3,
		0 },
	[SQL_NEEDS_TICK] = { "select api.needs_tick()", 0, 0 },

	/* Campaigns (issue 4). */
	[SQL_CAMPAIGNS_LIST] = { "select api.campaigns_list($1)", 1,
		STMT_READONLY },
	[SQL_CAMPAIGNS_PAGE] = { "select api.campaigns_list($2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_CAMPAIGN_GET] = { "select api.campaign_get($1, $2)", 2,
		STMT_READONLY },
	[SQL_CAMPAIGN_PAGE] = { "select api.campaign_get($2, $3), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_CAMPAIGNS_ADMIN_PAGE] = { "select api.campaigns_admin($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_CAMPAIGN_EDIT_PAGE] = { "select api.campaign_edit($1, $2, $3), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_CAMPAIGN_SAVE] = { "select api.campaign_save($1, $2, "
		"$3::boolean, $4::json, $5)", 5, 0 },
};
