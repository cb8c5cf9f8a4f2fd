/*
 * The city committee's administration (issue 18, item 1), for admins:
 * an organisation edited or moved in the tree, disabled or enabled
 * again; an account's role and organisation changed (its state, active
 * or disabled, is accounts.c's); the audit log searched by actor,
 * action, record and period, paged (its downloads are list_export.c's).
 * The rules, and what disabling an organisation means, are
 * sql/api/033_admin.sql's; every change is audit-logged there.
 */
#include "shop.h"

static const char *const roles[] = { "staff", "admin", NULL };

static const struct field f_org[] = {
	{ "name", FIELD_TEXT, 0, 2, 100, NULL },
	{ "name_en", FIELD_TEXT, 0, 0, 200, NULL },
	{ "town", FIELD_SLUG, 0, 0, 40, NULL },
	{ "parent_id", FIELD_INT, 0, 1, ID_MAX, NULL },
	CSRF_FIELD,
};

static const struct field f_account[] = {
	{ "role", FIELD_CHOICE, 0, 0, 0, roles },
	{ "org_id", FIELD_INT, 0, 1, ID_MAX, NULL },
	CSRF_FIELD,
};

/* The search of the audit log (also its downloads, list_export.c). */
const struct field audit_search_fields[AUDIT_SEARCH_FIELDS] = {
	{ "actor", FIELD_TEXT, 0, 1, 100, NULL },
	{ "action", FIELD_TEXT, 0, 1, 60, NULL },
	{ "target_type", FIELD_TEXT, 0, 1, 40, NULL },
	{ "target_id", FIELD_INT, 0, 1, ID_MAX, NULL },
	{ "from", FIELD_DATE, 0, 2000, 9999, NULL },
	{ "to", FIELD_DATE, 0, 2000, 9999, NULL },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};

/* GET /admin: where a refused form of this file is shown again. */
static const struct action admin_get = {
	.stmt = SQL_ADMIN_PAGE, .binds = "$sid $lang", .tmpl = "admin",
};

/*
 * POST /orgs/{id}, /api/v1/orgs/{id}: any of name, name_en, town,
 * parent_id (a move; 400 bad_parent under its own subtree or a parent
 * that does not fit its kind).
 */
static const struct action org_edit = {
	.stmt = SQL_ORG_UPDATE,
	.binds = "$sid $id name name_en town parent_id $ip",
	ACTION_FIELDS(f_org), .again = &admin_get, .back = "/admin",
};

/*
 * POST /orgs/{id}/disable, /enable (and under /api/v1/): 409
 * org_has_needs while a need of its subtree is under way.
 */
static const struct action org_disable = {
	.stmt = SQL_ORG_DISABLE, .binds = "$sid $id $ip",
	ACTION_FIELDS(session_csrf_only), .again = &admin_get,
	.back = "/admin",
};
static const struct action org_enable = {
	.stmt = SQL_ORG_ENABLE, .binds = "$sid $id $ip",
	ACTION_FIELDS(session_csrf_only), .again = &admin_get,
	.back = "/admin",
};

/*
 * POST /accounts/{id}, /api/v1/users/{id}: role and/or org_id; the
 * account's sessions end when it loses rights.
 */
static const struct action account_edit = {
	.stmt = SQL_ACCOUNT_UPDATE, .binds = "$sid $id role org_id $ip",
	ACTION_FIELDS(f_account), .again = &admin_get, .back = "/admin",
};

/* GET /admin/audit, /api/v1/audit: the search, 50 a page. */
static const struct action audit_get = {
	.stmt = SQL_AUDIT_SEARCH,
	.binds = "$sid $lang actor action target_type target_id from to page",
	ACTION_FIELDS(audit_search_fields),
	.tmpl = "audit",
};

ACTION_HANDLER(admin_org, "/orgs/", "/api/v1/orgs/", NULL, &org_edit)
ACTION_HANDLER(admin_org_disable, "/orgs/", "/api/v1/orgs/", NULL,
    &org_disable)
ACTION_HANDLER(admin_org_enable, "/orgs/", "/api/v1/orgs/", NULL,
    &org_enable)
ACTION_HANDLER(admin_account, "/accounts/", "/api/v1/users/", NULL,
    &account_edit)
ACTION_HANDLER(audit, NULL, NULL, &audit_get, NULL)
