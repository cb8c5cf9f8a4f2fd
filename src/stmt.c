/*
 * Every SQL statement the module sends, in one table.  Each is one call of
 * a function of the api schema (sql/api/), which holds the rules and
 * returns the answer's body, so a request is one round trip.  No SQL is
 * built at run time.
 *
 * STMT_PUBLIC marks what the public pages read, which a streaming replica
 * may answer (db.c): read-only functions that write nothing, not even
 * for an unknown session.  The log's head, entries and proofs are not
 * among them: a checkpoint is signed from the primary's head, and a
 * lagging replica could lack what the latest checkpoint covers.
 */
#include "shop.h"

const struct stmt_def stmts[SQL__COUNT] = {
	[SQL_HEALTH] = { "select api.health()", 0, STMT_READONLY },
	/* What operators look at (obs.c, health.c). */
	[SQL_OPS_METRICS] = { "select api.ops_metrics()", 0, STMT_READONLY },
	[SQL_REPLICA_STATUS] = { "select api.replica_status()", 0,
		STMT_READONLY },
	/*
	 * The periodic jobs (jobs.c): each tick is one batch of at most $1
	 * rows; after each batch the job's state is saved.
	 */
	[SQL_JOB_RUN_SAVE] = { "select api.job_run_save($1, $2::int, "
		"$3::bigint, $4::bigint, $5, $6::int)", 6, 0 },
	[SQL_HOME] = { "select api.home($1)", 1, STMT_READONLY | STMT_PUBLIC },
	[SQL_HOME_PAGE] = { "select api.home($1), api.viewer($2) as viewer, "
		"api.share_og('home', null, $1) as og",
		2, STMT_READONLY | STMT_PUBLIC },
	[SQL_NEEDS_LIST] = {
		"select api.needs_list($1, $2, $3, $4, $5, $6, $7, "
		"$8::int, $9::int, $10)", 10, STMT_READONLY | STMT_PUBLIC },
	[SQL_NEEDS_PAGE] = {
		"select api.needs_list($1, $2, $3, $4, $5, $6, $7, "
		"$8::int, $9::int, $10), api.facets($10), "
		"api.viewer($11) as viewer", 11, STMT_READONLY | STMT_PUBLIC },
	[SQL_NEED_GET] = { "select api.need_get($1::bigint, $2)", 2,
		STMT_READONLY | STMT_PUBLIC },
	[SQL_NEED_PAGE] = { "select api.need_get($1::bigint, $2), "
		"api.viewer($3) as viewer, api.share_og('need', $1::bigint::text, $2) as og",
		3, STMT_READONLY | STMT_PUBLIC },
	[SQL_NEED_PLEDGES] = { "select api.need_pledges($1::bigint, $2, $3::int)",
		3, STMT_READONLY | STMT_PUBLIC },
	[SQL_NEED_PLEDGES_PAGE] = { "select api.need_pledges($1::bigint, $2, "
		"$3::int), api.viewer($4) as viewer", 4,
		STMT_READONLY | STMT_PUBLIC },

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
	[SQL_REGISTER_CHECK] = { "select api.register_check($1, $2, $3, "
		"$4::int)", 4, STMT_READONLY },
	[SQL_REGISTER] = { "select api.register($1, $2, $3, $4, $5::int, $6, "
		"$7, $8, $9, $10, $11, $12, $13)", 13, 0 },
	[SQL_REGISTER_PAGE] = { "select json_build_object('lang', $2::text, "
		"'privacy', api.privacy_current($2)), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
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
		"$3::bigint, $4, $5, $6, $7, $8, $9)", 9, 0 },
	[SQL_ACCOUNT_DISABLE] = { "select api.account_set_disabled($1, "
		"$2::bigint, $3::boolean, $4)", 4, 0 },
	[SQL_AUDIT_SEARCH] = { "select api.audit_search($1, $2, $3, $4, $5, "
		"$6::bigint, $7::date, $8::date, $9::int), "
		"api.viewer($1) as viewer", 9, STMT_READONLY },

	/*
	 * Accounts that can be recovered (issue 12): tokens go in as their
	 * hash; a link or a code only into the message it is sent in.
	 */
	[SQL_PASSWORD_FORGOT] = { "select api.password_forgot($1, $2, $3, $4)",
		4, 0 },
	[SQL_PASSWORD_TOKEN_CHECK] = { "select api.password_token_check($1)",
		1, STMT_READONLY },
	[SQL_PASSWORD_TOKEN_PAGE] = { "select api.password_token_check($1), "
		"api.viewer($2) as viewer", 2, STMT_READONLY },
	[SQL_PASSWORD_RESET] = { "select api.password_reset($1, $2, $3)", 3,
		0 },
	[SQL_VERIFY_EMAIL] = { "select api.verify_email($1, $2)", 2, 0 },
	[SQL_VERIFY_EMAIL_PAGE] = { "select api.verify_email($1, $2), "
		"api.viewer($3) as viewer", 3, 0 },
	[SQL_VERIFY_RESEND] = { "select api.verify_resend($1, $2, $3, $4, $5, "
		"$6)", 6, 0 },
	[SQL_VERIFY_CODE] = { "select api.verify_code($1, $2, $3)", 3, 0 },
	[SQL_ACCOUNT_SEND_LINK] = { "select api.account_send_link($1, "
		"$2::bigint, $3, $4, $5)", 5, 0 },

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
	[SQL_PLEDGE_PHOTO_MAY] = { "select api.pledge_photo_may($1, "
		"$2::bigint)", 2, 0 },
	[SQL_PLEDGE_PHOTO_ADD] = { "select api.pledge_photo_add($1, "
		"$2::bigint, $3, $4, $5)", 5, 0 },
	[SQL_PLEDGE_PHOTO] = { "select api.pledge_photo($1, $2::bigint, "
		"$3::bigint, $4::boolean)", 4, STMT_READONLY },
	[SQL_PLEDGE_GET] = { "select api.pledge_get($1, $2::bigint, $3)", 3,
		STMT_READONLY },
	[SQL_PLEDGE_PAGE] = { "select api.pledge_get($1, $2::bigint, $3), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_ME_PLEDGES] = { "select api.me_pledges($1, $2, $3, $4::int)", 4,
		STMT_READONLY },
	[SQL_ME_PLEDGES_PAGE] = { "select api.me_pledges($1, $2, $3, $4::int), "
		"api.viewer($1) as viewer", 4, STMT_READONLY },
	[SQL_DONOR_STATEMENT] = { "select api.statement($1, $2::int, "
		"$3::int, $4)", 4, STMT_READONLY },
	[SQL_DONOR_STATEMENT_PAGE] = { "select api.statement($1, $2::int, "
		"$3::int, $4), api.viewer($1) as viewer", 4, STMT_READONLY },
	[SQL_VERIFY] = { "select api.verify($1, $2)", 2,
		STMT_READONLY | STMT_PUBLIC },
	[SQL_VERIFY_PAGE] = { "select api.verify($1, $2), "
		"api.viewer($3) as viewer", 3, STMT_READONLY | STMT_PUBLIC },
	[SQL_LOG_ENTRY_PAGE] = { "select api.log_entry_page($1, $2::bigint), "
		"api.viewer($3) as viewer", 3, STMT_READONLY | STMT_PUBLIC },
	[SQL_BRANCH_PLEDGES_PAGE] = { "select api.branch_pledges($1, $2, $3, "
		"$4, $5, $6::int), api.viewer($1) as viewer", 6, STMT_READONLY },
	[SQL_PLEDGES_TICK] = { "select api.pledges_tick($1::int)", 1, 0 },
	/* Where to take a gift: (sid, org or null/0: one's own, lang). */
	[SQL_ORG_CONTACT] = { "select api.org_contact($1, $2::bigint, $3)", 3,
		STMT_READONLY },
	[SQL_ORG_CONTACT_PAGE] = { "select api.org_contact($1, $2::bigint, "
		"$3), api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_ORG_CONTACT_SAVE] = { "select api.org_contact_save($1, "
		"$2::bigint, $3::jsonb, $4, $5)", 5, 0 },

	/*
	 * Programmes, targets and quarterly reports (issue 7).  Pages and
	 * their API share a statement: the API answers with the first
	 * column, the page adds the viewer.
	 */
	[SQL_TARGETS_PUBLIC] = { "select api.targets_public($1)", 1,
		STMT_READONLY | STMT_PUBLIC },
	[SQL_TARGETS_PAGE] = { "select api.targets_dashboard($1, $2, $3), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_TARGET_UPDATE] = { "select api.target_update($1, $2::bigint, "
		"$3::bigint, $4::date, $5)", 5, 0 },
	[SQL_PROG_HOME] = { "select api.programmes_home($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_LOANS_PAGE] = { "select api.loans_page($1, $2, $3, $4::int), "
		"api.viewer($1) as viewer", 4, STMT_READONLY },
	[SQL_LOAN_CREATE] = { "select api.loan_create($1, $2::bigint, "
		"$3::bigint, $4, $5::bigint, $6::int, $7, $8::date, $9, $10)",
		10, 0 },
	[SQL_LOAN_PAGE] = { "select api.loan_get($1, $2, $3::bigint), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_LOAN_ACTION] = { "select api.loan_action($1, $2::bigint, $3, "
		"$4::date, $5, $6)", 6, 0 },
	[SQL_LOAN_PAY] = { "select api.loan_pay($1, $2::bigint, $3::bigint, "
		"$4::date, $5, $6)", 6, 0 },
	[SQL_TRAININGS_PAGE] = { "select api.trainings_page($1, $2, $3, "
		"$4::int), api.viewer($1) as viewer", 4, STMT_READONLY },
	[SQL_TRAINING_CREATE] = { "select api.training_create($1, $2::bigint, "
		"$3, $4, $5::date, $6, $7, $8::int, $9, $10, $11)", 11, 0 },
	[SQL_TRAINING_PAGE] = { "select api.training_get($1, $2, $3::bigint), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_TRAINING_UPDATE] = { "select api.training_update($1, $2::bigint, "
		"$3, $4::date, $5, $6, $7::int, $8, $9)", 9, 0 },
	[SQL_TRAINING_ATTENDEES] = { "select api.training_attendees_set($1, "
		"$2::bigint, $3, $4::bigint, $5)", 5, 0 },
	[SQL_LEADERS_PAGE] = { "select api.leaders_page($1, $2, $3, $4::int), "
		"api.viewer($1) as viewer", 4, STMT_READONLY },
	[SQL_LEADER_CREATE] = { "select api.leader_create($1, $2::bigint, $3, "
		"$4::boolean, $5::boolean, $6::boolean, $7, $8, $9::date, $10, "
		"$11)", 11, 0 },
	[SQL_LEADER_PAGE] = { "select api.leader_get($1, $2, $3::bigint), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_LEADER_HELPS] = { "select api.leader_helps_set($1, $2::bigint, "
		"$3::bigint, $4, $5::date, $6::bigint, $7)", 7, 0 },
	[SQL_EXITS_PAGE] = { "select api.exits_page($1, $2, $3, $4::int), "
		"api.viewer($1) as viewer", 4, STMT_READONLY },
	[SQL_EXIT_CREATE] = { "select api.exit_create($1, $2::bigint, "
		"$3::date, $4, $5)", 5, 0 },
	[SQL_EXIT_REVIEW] = { "select api.exit_review($1, $2::bigint, $3, $4, "
		"$5)", 5, 0 },
	[SQL_REPORTS_PAGE] = { "select api.reports_page($1, $2, $3::int, "
		"$4::int), api.viewer($1) as viewer", 4, STMT_READONLY },
	[SQL_REPORT_CREATE] = { "select api.report_create($1, $2::int, $3::int, "
		"$4)", 4, 0 },
	[SQL_REPORT_PAGE] = { "select api.report_get($1, $2, $3::bigint), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_REPORT_SAVE] = { "select api.report_save($1, $2::bigint, $3, $4, "
		"$5)", 5, 0 },
	[SQL_REPORT_REVISE] = { "select api.report_revise($1, $2::bigint, $3)",
		3, 0 },
	[SQL_REPORT_EXPORT] = { "select api.report_export($1, $2::bigint)", 2,
		STMT_READONLY },
	[SQL_ROLLUP_EXPORT] = { "select api.rollup_export($1, $2::int, "
		"$3::int)", 3, STMT_READONLY },
	[SQL_REPORT_SETTINGS] = { "select api.report_settings_save($1, $2::int, "
		"$3::int, $4::int, $5::int, $6)", 6, 0 },
	[SQL_REPORT_DEADLINE] = { "select api.report_deadline_set($1, $2::int, "
		"$3::int, $4::date, $5)", 5, 0 },
	[SQL_REPORTS_REMIND] = { "select api.reports_remind($1, $2)", 2, 0 },
	[SQL_FUND_PAGE] = { "select api.fund_page($1, $2, $3::bigint, "
		"$4::int), api.viewer($1) as viewer", 4, STMT_READONLY },
	[SQL_FUND_PAYOUT] = { "select api.fund_payout($1, $2::bigint, "
		"$3::bigint, $4::date, $5, $6, $7, $8)", 8, 0 },
	[SQL_FUND_STATEMENTS_PAGE] = { "select api.fund_statements_page($1, "
		"$2), api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_FUND_STATEMENT_PAGE] = { "select api.fund_statement_page($1, $2, "
		"$3::bigint), api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_FUND_BANK_MAPPING] = { "select api.fund_bank_mapping($1, $2)", 2,
		STMT_READONLY },
	[SQL_FUND_STATEMENT_IMPORT] = { "select api.fund_statement_import($1, "
		"$2, $3::json, $4, $5, $6::json, $7::int, $8)", 8, 0 },
	[SQL_FUND_STATEMENT_CONFIRM] = { "select api.fund_statement_confirm($1, "
		"$2::bigint, $3)", 3, 0 },
	[SQL_FUND_LINE_DECIDE] = { "select api.fund_line_decide($1, "
		"$2::bigint, $3, $4::bigint, $5, $6, $7)", 7, 0 },
	[SQL_REPORTS_TICK] = { "select api.reports_tick($1::int)", 1, 0 },
	/* Children (issue 4); parameters (sid, ...) as their functions. */
	[SQL_CHILDREN_LIST] = { "select api.children_list($1, $2, "
		"$3::boolean, $4::int, $5, $6::bigint, $7, $8, $9, $10::boolean, "
		"$11)", 11, STMT_READONLY },
	[SQL_CHILDREN_PAGE] = { "select api.children_list($1, $2, "
		"$3::boolean, $4::int, $5, $6::bigint, $7, $8, $9, $10::boolean, "
		"$11), api.viewer($1) as viewer", 11, STMT_READONLY },
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
	/* Not STMT_PUBLIC: the page follows the filing at once, before a
	 * replica may have the objection. */
	[SQL_OBJECTION_FOLLOW] = { "select api.objection_follow($1, $2)", 2,
		STMT_READONLY },
	[SQL_OBJECTION_FOLLOW_PAGE] = { "select api.objection_follow($1, $2), "
		"api.viewer($3) as viewer", 3, STMT_READONLY },
	[SQL_ADMIN_NEEDS] = { "select api.admin_needs($1, $2)", 2,
		STMT_READONLY },
	[SQL_ADMIN_NEEDS_PAGE] = { "select api.admin_needs($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_SETTINGS_GET] = { "select api.settings_get($1)", 1,
		STMT_READONLY },
	[SQL_SETTINGS_SET] = { "select api.settings_set($1, $2::jsonb, $3)", 3,
		0 },
	[SQL_NEEDS_TICK] = { "select api.needs_tick($1::int)", 1, 0 },

	/* Campaigns (issue 4). */
	[SQL_CAMPAIGNS_LIST] = { "select api.campaigns_list($1)", 1,
		STMT_READONLY | STMT_PUBLIC },
	[SQL_CAMPAIGNS_PAGE] = { "select api.campaigns_list($2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY | STMT_PUBLIC },
	[SQL_CAMPAIGN_GET] = { "select api.campaign_get($1, $2)", 2,
		STMT_READONLY | STMT_PUBLIC },
	[SQL_CAMPAIGN_PAGE] = { "select api.campaign_get($2, $3), "
		"api.viewer($1) as viewer, api.share_og('campaign', $2, $3) "
		"as og", 3, STMT_READONLY | STMT_PUBLIC },
	[SQL_CAMPAIGNS_ADMIN_PAGE] = { "select api.campaigns_admin($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_CAMPAIGN_EDIT_PAGE] = { "select api.campaign_edit($1, $2, $3), "
		"api.viewer($1) as viewer", 3, STMT_READONLY },
	/* Sharing (src/share.c). */
	[SQL_SITEMAP] = { "select api.sitemap($1::int, $2::int)", 2,
		STMT_READONLY | STMT_PUBLIC },
	[SQL_CAMPAIGN_SAVE] = { "select api.campaign_save($1, $2, "
		"$3::boolean, $4::json, $5)", 5, 0 },
	/* Offers, matching and pairings. */
	[SQL_OFFERS_LIST] = { "select api.offers_list($1, $2, $3::int, "
		"$4::int, $5), api.viewer($6) as viewer", 6, STMT_READONLY | STMT_PUBLIC },
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
	[SQL_PAIRINGS_TICK] = { "select api.pairings_tick($1::int)", 1, 0 },
	/* The transparency page: its general part, and the filtered part. */
	[SQL_TRANSPARENCY] = { "select api.transparency_general($1), "
		"api.transparency_records_json($1, $2, $3, $4, $5::date, "
		"$6::date)", 6, STMT_READONLY | STMT_PUBLIC },
	[SQL_TRANSPARENCY_PAGE] = { "select api.transparency_general($1), "
		"api.transparency_records_json($1, $2, $3, $4, $5::date, "
		"$6::date), api.viewer($7) as viewer", 7, STMT_READONLY | STMT_PUBLIC },
	[SQL_TRANSPARENCY_RECORDS] = { "select null::text, "
		"api.transparency_records_json($1, $2, $3, $4, $5::date, "
		"$6::date)", 6, STMT_READONLY | STMT_PUBLIC },
	[SQL_TRANSPARENCY_RECORDS_PAGE] = { "select null::text, "
		"api.transparency_records_json($1, $2, $3, $4, $5::date, "
		"$6::date), api.viewer($7) as viewer", 7, STMT_READONLY | STMT_PUBLIC },
	[SQL_TRANSPARENCY_LOG_RANGE] = {
		"select api.transparency_log_range($1::date, $2::date, "
		"$3::bigint)", 3,
		STMT_READONLY | STMT_PUBLIC },
	[SQL_TRANSPARENCY_LOG_PAGE] = {
		"select api.transparency_log_page($1::bigint, $2::bigint, "
		"$3::date, $4::date)", 4, STMT_READONLY | STMT_PUBLIC },

	/* The register's census (issue 18, census.c). */
	[SQL_CENSUS_PAGE] = { "select api.children_census($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	/* Children imported from a file (issue 18, child_import.c). */
	[SQL_CHILD_IMPORT_HOME] = { "select api.child_import_home($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_CHILD_IMPORT_CHECK] = { "select api.child_import_check($1, "
		"$2::json, $3::int), api.viewer($1) as viewer", 3, 0 },
	[SQL_CHILD_IMPORT_SAVE] = { "select api.child_import_save($1, $2, $3, "
		"$4, $5::json, $6::json)", 6, 0 },
	[SQL_CHILD_IMPORT_PAGE] = { "select api.child_import_get($1, "
		"$2::bigint, $3), api.viewer($1) as viewer", 3, STMT_READONLY },
	[SQL_CHILD_IMPORT_CONFIRM] = { "select api.child_import_confirm($1, "
		"$2::bigint, $3)", 3, 0 },
	/* The outbox and each account's choices (issue 12). */
	[SQL_OUTBOX_LIST] = { "select api.outbox_list($1, $2, $3::int, $4)",
		4, STMT_READONLY },
	[SQL_OUTBOX_PAGE] = { "select api.outbox_list($1, $2, $3::int, $4), "
		"api.viewer($1) as viewer", 4, STMT_READONLY },
	[SQL_OUTBOX_RETRY] = { "select api.outbox_retry($1, $2::bigint, $3)",
		3, 0 },
	[SQL_NOTIFY_PREFS] = { "select api.notify_prefs($1, $2)", 2,
		STMT_READONLY },
	[SQL_NOTIFY_PREFS_PAGE] = { "select api.notify_prefs($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_NOTIFY_PREFS_SET] = { "select api.notify_prefs_set($1, "
		"$2::jsonb, $3::boolean, $4, $5::boolean, $6)", 6, 0 },
	[SQL_UNSUBSCRIBE_PAGE] = { "select api.unsubscribe_info($1, $2, $3), "
		"api.viewer($4) as viewer", 4, STMT_READONLY },
	[SQL_UNSUBSCRIBE] = { "select api.unsubscribe($1, $2, $3), "
		"api.viewer($4) as viewer", 4, 0 },

	/*
	 * The lists' downloads (src/list_export.c, sql/api/098_list_exports.sql):
	 * the filters, then the cursor of the page (null: the first).
	 */
	[SQL_EXPORT_CHILDREN] = { "select api.export_children($1, "
		"$2::boolean, $3, $4::bigint, $5, $6, $7, $8::boolean, $9, "
		"$10::bigint)", 10, STMT_READONLY },
	[SQL_EXPORT_CENSUS] = { "select api.export_census($1, $2::bigint)", 2,
		STMT_READONLY },
	[SQL_EXPORT_WORK_NEEDS] = { "select api.export_work_needs($1, $2, "
		"$3::bigint)", 3, STMT_READONLY },
	[SQL_EXPORT_ADMIN_NEEDS] = { "select api.export_admin_needs($1, "
		"$2::bigint)", 2, STMT_READONLY },
	[SQL_EXPORT_PLEDGES] = { "select api.export_pledges($1, $2::bigint)",
		2, STMT_READONLY },
	[SQL_EXPORT_LOANS] = { "select api.export_loans($1, $2, $3::bigint)",
		3, STMT_READONLY },
	[SQL_EXPORT_TRAININGS] = { "select api.export_trainings($1, $2, "
		"$3::bigint)", 3, STMT_READONLY },
	[SQL_EXPORT_LEADERS] = { "select api.export_leaders($1, $2, "
		"$3::bigint)", 3, STMT_READONLY },
	[SQL_EXPORT_FUND] = { "select api.export_fund($1, $2::bigint)", 2,
		STMT_READONLY },
	[SQL_EXPORT_AUDIT] = { "select api.export_audit($1, $2, $3, $4, "
		"$5::bigint, $6::date, $7::date, $8::bigint)", 8, STMT_READONLY },
	[SQL_EXPORT_ME] = { "select api.me_export_rows($1, $2::bigint)", 2,
		STMT_READONLY },

	/* Personal-information rights (issue 18): rights.c. */
	[SQL_PRIVACY_PAGE] = { "select api.privacy_page($2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_ME_DATA_PAGE] = { "select api.me_data_page($1, $2), "
		"api.viewer($1) as viewer", 2, STMT_READONLY },
	[SQL_CONTACT_CHANGE] = { "select api.contact_change($1, $2, $3, $4, "
		"$5, $6, $7, $8)", 8, 0 },
	[SQL_ME_EXPORT] = { "select api.me_export($1)", 1, STMT_READONLY },
	[SQL_ME_DELETE] = { "select api.me_delete($1, $2)", 2, 0 },
	[SQL_CHILD_WITHDRAW] = { "select api.child_withdraw_consent($1, "
		"$2::bigint, $3)", 3, 0 },
	[SQL_PRIVACY_TICK] = { "select api.privacy_tick($1::int)", 1, 0 },

	/* The city committee's administration (issue 18): admin.c. */
	[SQL_ORG_UPDATE] = { "select api.org_update($1, $2::bigint, $3, $4, "
		"$5, $6::bigint, $7)", 7, 0 },
	[SQL_ORG_DISABLE] = { "select api.org_set_disabled($1, $2::bigint, "
		"true, $3)", 3, 0 },
	[SQL_ORG_ENABLE] = { "select api.org_set_disabled($1, $2::bigint, "
		"false, $3)", 3, 0 },
	[SQL_ACCOUNT_UPDATE] = { "select api.account_update($1, $2::bigint, "
		"$3, $4::bigint, $5)", 5, 0 },
};
