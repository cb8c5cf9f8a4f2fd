/*
 * Every list staff and admins see, as a CSV or .xlsx download (issue
 * 16): /branch/children, /branch/needs, /admin/needs, /branch/pledges,
 * /programmes/loans, /programmes/trainings, /programmes/leaders,
 * /admin/fund and the audit log of /admin, each at its path with .csv or
 * .xlsx, and the same under /api/v1/ (conf/kore.conf); and what the
 * platform holds about the signed-in account (/me/export, rights.c).
 *
 * A download takes the filters of its page (the page number aside: it is
 * the whole list) and is refused as the page is, by the statement
 * (sql/api/098_list_exports.sql: 401 without a session, 403 for another
 * role).  The statement answers a page of rows at a time; export.c sends
 * it again with the cursor ($after, NULL at first) until the list ends,
 * as the quarterly reports' downloads are made.
 */
#include "shop.h"

/* The filters' choices are their pages' (need_work.c, programmes.c). */
static const struct field f_children[] = {
	{ "archived", FIELD_BOOL, 0, 0, 0, NULL },
};
static const struct field f_needs[] = {
	{ "status", FIELD_CHOICE, 0, 0, 0, need_statuses },
};
static const struct field f_loans[] = {
	{ "status", FIELD_CHOICE, 0, 0, 0, loan_statuses },
};
static const struct field f_trainings[] = {
	{ "kind", FIELD_CHOICE, 0, 0, 0, training_kinds },
};
static const struct field f_leaders[] = {
	{ "kind", FIELD_CHOICE, 0, 0, 0, leader_kinds },
};

/*
 * A list's two downloads: the actions (the statement, its parameters,
 * the input, export.c's answer) and the handlers name_csv and name_xlsx
 * that conf/kore.conf routes.
 */
#define LIST_EXPORT(name, st, b, ...)					\
	static const struct action name##_csv_get = {			\
		.stmt = st, .binds = b, .done = export_csv, __VA_ARGS__	\
	};								\
	static const struct action name##_xlsx_get = {			\
		.stmt = st, .binds = b, .done = export_xlsx, __VA_ARGS__ \
	};								\
	ACTION_HANDLER(name##_csv, NULL, NULL, &name##_csv_get, NULL)	\
	ACTION_HANDLER(name##_xlsx, NULL, NULL, &name##_xlsx_get, NULL)

LIST_EXPORT(list_children, SQL_EXPORT_CHILDREN, "$sid archived $after",
    ACTION_FIELDS(f_children))
LIST_EXPORT(list_work_needs, SQL_EXPORT_WORK_NEEDS, "$sid status $after",
    ACTION_FIELDS(f_needs))
LIST_EXPORT(list_admin_needs, SQL_EXPORT_ADMIN_NEEDS, "$sid $after")
LIST_EXPORT(list_pledges, SQL_EXPORT_PLEDGES, "$sid $after")
LIST_EXPORT(list_loans, SQL_EXPORT_LOANS, "$sid status $after",
    ACTION_FIELDS(f_loans))
LIST_EXPORT(list_trainings, SQL_EXPORT_TRAININGS, "$sid kind $after",
    ACTION_FIELDS(f_trainings))
LIST_EXPORT(list_leaders, SQL_EXPORT_LEADERS, "$sid kind $after",
    ACTION_FIELDS(f_leaders))
LIST_EXPORT(list_fund, SQL_EXPORT_FUND, "$sid $after")
LIST_EXPORT(list_audit, SQL_EXPORT_AUDIT,
    "$sid actor action target_type target_id from to $after",
    ACTION_FIELDS(audit_search_fields))
/* Everything held about the signed-in account (rights.c). */
LIST_EXPORT(list_me, SQL_EXPORT_ME, "$sid $after")
