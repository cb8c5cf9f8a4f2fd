/*
 * The plan's programmes (issue 7): the targets' dashboard, the programme
 * records (green loans, trainings, young leaders, youths out of poverty)
 * and the branches' quarterly reports, as pages and as API.
 *
 * Each path is a route of conf/kore.conf to one of the handlers at the
 * end of this file, which names the path's actions: the statement, how
 * its parameters are bound, the input it takes, and for a form where it
 * goes next or which page shows it again with the message (action.c).
 * Who may do what is decided by the api functions (sql/api/07*.sql).
 */
#include "shop.h"

static const char *const rank_choices[] = { "score", "leaders_young",
	"leaders_ecommerce", "training_attendance", "leaders_rural",
	"poverty_exits", "finance_sessions", "loans_disbursed", NULL };
static const char *const loan_statuses[] = { "applied", "approved",
	"disbursed", "repaying", "repaid", "rejected", "defaulted", NULL };
static const char *const loan_actions[] = { "approve", "reject",
	"disburse", "default", NULL };
static const char *const training_kinds[] = { "entrepreneurship",
	"ecommerce", "finance", "skills", "youth_home", "counselling",
	"city_trip", NULL };
static const char *const leader_kinds[] = { "young", "ecommerce", "rural",
	NULL };
static const char *const relations[] = { "employs", "helps", NULL };
static const char *const exit_statuses[] = { "recorded", "verified",
	"rejected", NULL };
static const char *const decisions[] = { "verify", "reject", NULL };
static const char *const report_actions[] = { "save", "submit", NULL };

static const struct field f_none[] = { CSRF_FIELD };
static const struct field f_rank[] = {
	{ "rank", FIELD_CHOICE, 0, 0, 0, rank_choices },
};
static const struct field f_target[] = {
	{ "value", FIELD_INT, 0, 1, 1000000000000LL, NULL },
	{ "value_yuan", FIELD_YUAN, 0, 0, YUAN_FIELD_MAX, NULL },
	{ "deadline", FIELD_DATE, 0, 2000, 9999, NULL },
	CSRF_FIELD,
};
static const struct field f_loans[] = {
	{ "status", FIELD_CHOICE, 0, 0, 0, loan_statuses },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};
static const struct field f_loan_new[] = {
	{ "org_id", FIELD_INT, 0, 1, ID_MAX, NULL },
	{ "beneficiary_id", FIELD_INT, 1, 1, ID_MAX, NULL },
	{ "bank", FIELD_TEXT, 1, 1, 60, NULL },
	{ "amount", FIELD_INT, 0, 1, 50000000, NULL },
	{ "amount_yuan", FIELD_YUAN, 0, 0, YUAN_FIELD_MAX, NULL },
	{ "term_months", FIELD_INT, 1, 1, 120, NULL },
	{ "purpose", FIELD_TEXT, 1, 1, 200, NULL },
	{ "applied_on", FIELD_DATE, 0, 2000, 9999, NULL },
	{ "note", FIELD_LINES, 0, 0, 1000, NULL },
	CSRF_FIELD,
};
static const struct field f_loan_action[] = {
	{ "action", FIELD_CHOICE, 1, 0, 0, loan_actions },
	{ "on", FIELD_DATE, 0, 2000, 9999, NULL },
	{ "note", FIELD_LINES, 0, 0, 1000, NULL },
	CSRF_FIELD,
};
static const struct field f_loan_pay[] = {
	{ "amount", FIELD_INT, 0, 1, 50000000, NULL },
	{ "amount_yuan", FIELD_YUAN, 0, 0, YUAN_FIELD_MAX, NULL },
	{ "paid_on", FIELD_DATE, 0, 2000, 9999, NULL },
	{ "note", FIELD_TEXT, 0, 0, 200, NULL },
	CSRF_FIELD,
};
static const struct field f_trainings[] = {
	{ "kind", FIELD_CHOICE, 0, 0, 0, training_kinds },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};
static const struct field f_training_new[] = {
	{ "org_id", FIELD_INT, 0, 1, ID_MAX, NULL },
	{ "kind", FIELD_CHOICE, 1, 0, 0, training_kinds },
	{ "title", FIELD_TEXT, 1, 1, 80, NULL },
	{ "held_on", FIELD_DATE, 1, 2000, 9999, NULL },
	{ "organiser", FIELD_TEXT, 1, 1, 60, NULL },
	{ "place", FIELD_TEXT, 1, 1, 60, NULL },
	{ "attendance", FIELD_INT, 1, 0, 100000, NULL },
	{ "note", FIELD_LINES, 0, 0, 1000, NULL },
	{ "attendees", FIELD_TEXT, 0, 0, 2000, NULL },
	CSRF_FIELD,
};
static const struct field f_training_edit[] = {
	{ "title", FIELD_TEXT, 0, 1, 80, NULL },
	{ "held_on", FIELD_DATE, 0, 2000, 9999, NULL },
	{ "organiser", FIELD_TEXT, 0, 1, 60, NULL },
	{ "place", FIELD_TEXT, 0, 1, 60, NULL },
	{ "attendance", FIELD_INT, 0, 0, 100000, NULL },
	{ "note", FIELD_LINES, 0, 0, 1000, NULL },
	CSRF_FIELD,
};
static const struct field f_attendees[] = {
	{ "add", FIELD_TEXT, 0, 0, 2000, NULL },
	{ "remove", FIELD_INT, 0, 1, ID_MAX, NULL },
	CSRF_FIELD,
};
static const struct field f_leaders[] = {
	{ "kind", FIELD_CHOICE, 0, 0, 0, leader_kinds },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};
static const struct field f_leader_new[] = {
	{ "org_id", FIELD_INT, 0, 1, ID_MAX, NULL },
	{ "name", FIELD_TEXT, 1, 1, 30, NULL },
	{ "young", FIELD_BOOL, 0, 0, 0, NULL },
	{ "ecommerce", FIELD_BOOL, 0, 0, 0, NULL },
	{ "rural", FIELD_BOOL, 0, 0, 0, NULL },
	{ "business", FIELD_TEXT, 1, 1, 100, NULL },
	{ "town", FIELD_SLUG, 0, 0, 40, NULL },
	{ "since", FIELD_DATE, 1, 2000, 9999, NULL },
	{ "note", FIELD_LINES, 0, 0, 1000, NULL },
	CSRF_FIELD,
};
static const struct field f_helps[] = {
	{ "add", FIELD_INT, 0, 1, ID_MAX, NULL },
	{ "relation", FIELD_CHOICE, 0, 0, 0, relations },
	{ "since", FIELD_DATE, 0, 2000, 9999, NULL },
	{ "remove", FIELD_INT, 0, 1, ID_MAX, NULL },
	CSRF_FIELD,
};
static const struct field f_exits[] = {
	{ "status", FIELD_CHOICE, 0, 0, 0, exit_statuses },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};
static const struct field f_exit_new[] = {
	{ "beneficiary_id", FIELD_INT, 1, 1, ID_MAX, NULL },
	{ "exited_on", FIELD_DATE, 1, 2000, 9999, NULL },
	{ "evidence", FIELD_LINES, 1, 1, 2000, NULL },
	CSRF_FIELD,
};
static const struct field f_exit_review[] = {
	{ "decision", FIELD_CHOICE, 1, 0, 0, decisions },
	{ "note", FIELD_TEXT, 0, 0, 500, NULL },
	CSRF_FIELD,
};
static const struct field f_reports[] = {
	{ "year", FIELD_INT, 0, 2017, 2100, NULL },
	{ "quarter", FIELD_INT, 0, 1, 4, NULL },
};
static const struct field f_report_new[] = {
	{ "year", FIELD_INT, 1, 2017, 2100, NULL },
	{ "quarter", FIELD_INT, 1, 1, 4, NULL },
	CSRF_FIELD,
};
static const struct field f_report_save[] = {
	{ "narrative", FIELD_LINES, 0, 0, 10000, NULL },
	{ "action", FIELD_CHOICE, 0, 0, 0, report_actions },
	CSRF_FIELD,
};
static const struct field f_settings[] = {
	{ "due_days", FIELD_INT, 0, 0, 90, NULL },
	{ "remind_days", FIELD_INT, 0, 0, 90, NULL },
	{ "first_year", FIELD_INT, 0, 2017, 2100, NULL },
	{ "first_quarter", FIELD_INT, 0, 1, 4, NULL },
	CSRF_FIELD,
};
static const struct field f_deadline[] = {
	{ "year", FIELD_INT, 1, 2017, 2100, NULL },
	{ "quarter", FIELD_INT, 1, 1, 4, NULL },
	{ "due_on", FIELD_DATE, 0, 2000, 9999, NULL },
	CSRF_FIELD,
};

/* Targets: the public summary and the admins' dashboard. */
static const struct action targets_public = {
	.stmt = SQL_TARGETS_PUBLIC, .binds = "$lang",
};
static const struct action targets_page = {
	.stmt = SQL_TARGETS_PAGE, .binds = "$sid $lang rank",
	ACTION_FIELDS(f_rank), .tmpl = "targets",
};
static const struct action target_update = {
	.stmt = SQL_TARGET_UPDATE,
	.binds = "$sid $id value|value_yuan deadline $ip",
	ACTION_FIELDS(f_target), .again = &targets_page,
	.back = "/admin/targets",
};

/* Programme records: a list and its form, a record and its forms. */
static const struct action prog_home_page = {
	.stmt = SQL_PROG_HOME, .binds = "$sid $lang", .tmpl = "programmes",
};
static const struct action loans_page = {
	.stmt = SQL_LOANS_PAGE, .binds = "$sid $lang status page",
	ACTION_FIELDS(f_loans), .tmpl = "loans",
};
static const struct action loan_create = {
	.stmt = SQL_LOAN_CREATE,
	.binds = "$sid org_id beneficiary_id bank amount|amount_yuan "
	    "term_months purpose applied_on note $ip",
	ACTION_FIELDS(f_loan_new), .again = &loans_page,
	.back = "/programmes/loans/@",
};
static const struct action loan_page = {
	.stmt = SQL_LOAN_PAGE, .binds = "$sid $lang $id", .tmpl = "loan",
};
static const struct action loan_action = {
	.stmt = SQL_LOAN_ACTION, .binds = "$sid $id action on note $ip",
	ACTION_FIELDS(f_loan_action), .again = &loan_page,
	.back = "/programmes/loans/#",
};
static const struct action loan_pay = {
	.stmt = SQL_LOAN_PAY,
	.binds = "$sid $id amount|amount_yuan paid_on note $ip",
	ACTION_FIELDS(f_loan_pay), .again = &loan_page,
	.back = "/programmes/loans/#",
};
static const struct action trainings_page = {
	.stmt = SQL_TRAININGS_PAGE, .binds = "$sid $lang kind page",
	ACTION_FIELDS(f_trainings), .tmpl = "trainings",
};
static const struct action training_create = {
	.stmt = SQL_TRAINING_CREATE,
	.binds = "$sid org_id kind title held_on organiser place "
	    "attendance note attendees $ip",
	ACTION_FIELDS(f_training_new), .again = &trainings_page,
	.back = "/programmes/trainings/@",
};
static const struct action training_page = {
	.stmt = SQL_TRAINING_PAGE, .binds = "$sid $lang $id",
	.tmpl = "training",
};
static const struct action training_update = {
	.stmt = SQL_TRAINING_UPDATE,
	.binds = "$sid $id title held_on organiser place attendance note $ip",
	ACTION_FIELDS(f_training_edit), .again = &training_page,
	.back = "/programmes/trainings/#",
};
static const struct action training_attendees = {
	.stmt = SQL_TRAINING_ATTENDEES, .binds = "$sid $id add remove $ip",
	ACTION_FIELDS(f_attendees), .again = &training_page,
	.back = "/programmes/trainings/#",
};
static const struct action leaders_page = {
	.stmt = SQL_LEADERS_PAGE, .binds = "$sid $lang kind page",
	ACTION_FIELDS(f_leaders), .tmpl = "leaders",
};
static const struct action leader_create = {
	.stmt = SQL_LEADER_CREATE,
	.binds = "$sid org_id name young ecommerce rural business town "
	    "since note $ip",
	ACTION_FIELDS(f_leader_new), .again = &leaders_page,
	.back = "/programmes/leaders/@",
};
static const struct action leader_page = {
	.stmt = SQL_LEADER_PAGE, .binds = "$sid $lang $id", .tmpl = "leader",
};
static const struct action leader_helps = {
	.stmt = SQL_LEADER_HELPS,
	.binds = "$sid $id add relation since remove $ip",
	ACTION_FIELDS(f_helps), .again = &leader_page,
	.back = "/programmes/leaders/#",
};
static const struct action exits_page = {
	.stmt = SQL_EXITS_PAGE, .binds = "$sid $lang status page",
	ACTION_FIELDS(f_exits), .tmpl = "exits",
};
static const struct action exit_create = {
	.stmt = SQL_EXIT_CREATE,
	.binds = "$sid beneficiary_id exited_on evidence $ip",
	ACTION_FIELDS(f_exit_new), .again = &exits_page,
	.back = "/programmes/exits",
};
static const struct action exit_review = {
	.stmt = SQL_EXIT_REVIEW, .binds = "$sid $id decision note $ip",
	ACTION_FIELDS(f_exit_review), .again = &exits_page,
	.back = "/programmes/exits",
};

/* Quarterly reports: the list, a report, its downloads, the rules. */
static const struct action reports_page = {
	.stmt = SQL_REPORTS_PAGE, .binds = "$sid $lang year quarter",
	ACTION_FIELDS(f_reports), .tmpl = "reports",
};
static const struct action report_create = {
	.stmt = SQL_REPORT_CREATE, .binds = "$sid year quarter $ip",
	ACTION_FIELDS(f_report_new), .again = &reports_page,
	.back = "/reports/@",
};
static const struct action report_page = {
	.stmt = SQL_REPORT_PAGE, .binds = "$sid $lang $id", .tmpl = "report",
};
static const struct action report_save = {
	.stmt = SQL_REPORT_SAVE, .binds = "$sid $id narrative action $ip",
	ACTION_FIELDS(f_report_save), .again = &report_page,
	.back = "/reports/#",
};
static const struct action report_revise = {
	.stmt = SQL_REPORT_REVISE, .binds = "$sid $id $ip",
	ACTION_FIELDS(f_none), .again = &report_page, .back = "/reports/@",
};
static const struct action report_csv = {
	.stmt = SQL_REPORT_EXPORT, .binds = "$sid $id", .done = export_csv,
};
static const struct action report_xlsx = {
	.stmt = SQL_REPORT_EXPORT, .binds = "$sid $id", .done = export_xlsx,
};
static const struct action rollup_csv = {
	.stmt = SQL_ROLLUP_EXPORT, .binds = "$sid year quarter",
	ACTION_FIELDS(f_reports), .done = export_csv,
};
static const struct action rollup_xlsx = {
	.stmt = SQL_ROLLUP_EXPORT, .binds = "$sid year quarter",
	ACTION_FIELDS(f_reports), .done = export_xlsx,
};
static const struct action report_settings = {
	.stmt = SQL_REPORT_SETTINGS,
	.binds = "$sid due_days remind_days first_year first_quarter $ip",
	ACTION_FIELDS(f_settings), .again = &reports_page,
	.back = "/reports",
};
static const struct action report_deadline = {
	.stmt = SQL_REPORT_DEADLINE, .binds = "$sid year quarter due_on $ip",
	ACTION_FIELDS(f_deadline), .again = &reports_page,
	.back = "/reports",
};
static const struct action reports_remind = {
	.stmt = SQL_REPORTS_REMIND, .binds = "$sid $ip",
	ACTION_FIELDS(f_none), .again = &reports_page, .back = "/reports",
};

/*
 * The handlers of the routes: a page's path (and its record's number),
 * the API's, and what GET and POST do.
 */
ACTION_HANDLER(prog_targets_public, NULL, NULL, &targets_public, NULL)
ACTION_HANDLER(prog_targets, NULL, NULL, &targets_page, NULL)
ACTION_HANDLER(prog_target, "/admin/targets/", "/api/v1/admin/targets/",
    NULL, &target_update)
ACTION_HANDLER(prog_home, NULL, NULL, &prog_home_page, NULL)
ACTION_HANDLER(prog_loans, NULL, NULL, &loans_page, &loan_create)
ACTION_HANDLER(prog_loan, "/programmes/loans/", "/api/v1/loans/",
    &loan_page, NULL)
ACTION_HANDLER(prog_loan_status, "/programmes/loans/", "/api/v1/loans/",
    NULL, &loan_action)
ACTION_HANDLER(prog_loan_payments, "/programmes/loans/", "/api/v1/loans/",
    NULL, &loan_pay)
ACTION_HANDLER(prog_trainings, NULL, NULL, &trainings_page, &training_create)
ACTION_HANDLER(prog_training, "/programmes/trainings/", "/api/v1/trainings/",
    &training_page, &training_update)
ACTION_HANDLER(prog_training_attendees, "/programmes/trainings/",
    "/api/v1/trainings/", NULL, &training_attendees)
ACTION_HANDLER(prog_leaders, NULL, NULL, &leaders_page, &leader_create)
ACTION_HANDLER(prog_leader, "/programmes/leaders/", "/api/v1/leaders/",
    &leader_page, NULL)
ACTION_HANDLER(prog_leader_helps, "/programmes/leaders/", "/api/v1/leaders/",
    NULL, &leader_helps)
ACTION_HANDLER(prog_exits, NULL, NULL, &exits_page, &exit_create)
ACTION_HANDLER(prog_exit_review, "/programmes/exits/", "/api/v1/exits/",
    NULL, &exit_review)
ACTION_HANDLER(prog_reports, NULL, NULL, &reports_page, &report_create)
ACTION_HANDLER(prog_report, "/reports/", "/api/v1/reports/",
    &report_page, &report_save)
ACTION_HANDLER(prog_report_revise, "/reports/", "/api/v1/reports/",
    NULL, &report_revise)
ACTION_HANDLER(prog_report_csv, "/reports/", "/api/v1/reports/",
    &report_csv, NULL)
ACTION_HANDLER(prog_report_xlsx, "/reports/", "/api/v1/reports/",
    &report_xlsx, NULL)
ACTION_HANDLER(prog_rollup_csv, NULL, NULL, &rollup_csv, NULL)
ACTION_HANDLER(prog_rollup_xlsx, NULL, NULL, &rollup_xlsx, NULL)
ACTION_HANDLER(prog_report_settings, NULL, NULL, NULL, &report_settings)
ACTION_HANDLER(prog_report_deadlines, NULL, NULL, NULL, &report_deadline)
ACTION_HANDLER(prog_reports_remind, NULL, NULL, NULL, &reports_remind)
