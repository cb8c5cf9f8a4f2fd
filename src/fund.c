/*
 * The foundation account's book (issue 8), for the admins: what the
 * account received for each money need, what it paid out to the
 * schools, and the form that records a pay-out.  The rules (never more
 * than received, one pay-out per key, the public log's entry in the same
 * transaction) are api.fund_payout's (sql/api/092_fund.sql); the routes
 * are conf/kore.conf's, the actions declared as in programmes.c
 * (action.c).
 */
#include "shop.h"

static const struct field f_fund[] = {
	{ "need", FIELD_INT, 0, 1, ID_MAX, NULL },
	{ "page", FIELD_INT, 0, 1, 100000, NULL },
};
static const struct field f_payout[] = {
	{ "need", FIELD_INT, 1, 1, ID_MAX, NULL },
	{ "amount", FIELD_INT, 0, 1, 2147483647, NULL },
	{ "amount_yuan", FIELD_YUAN, 0, 0, YUAN_FIELD_MAX, NULL },
	{ "paid_on", FIELD_DATE, 0, 2000, 9999, NULL },
	{ "reference", FIELD_TEXT, 1, 1, 80, NULL },
	{ "note", FIELD_LINES, 0, 0, 500, NULL },
	{ "idem", FIELD_KEY, 0, 0, 0, NULL },
	CSRF_FIELD,
};

/*
 * GET /admin/fund, /api/v1/fund: the account, the needs awaiting a
 * pay-out (?page=, 50 a page), the latest pay-outs; ?need= picks the
 * form's need.
 */
static const struct action fund_book = {
	.stmt = SQL_FUND_PAGE, .binds = "$sid $lang need page",
	ACTION_FIELDS(f_fund), .tmpl = "fund",
};

/*
 * POST /admin/fund/payouts, /api/v1/fund/payouts: a pay-out, once per
 * Idempotency-Key (a form's idem).
 */
static const struct action fund_pay = {
	.stmt = SQL_FUND_PAYOUT,
	.binds = "$sid need amount|amount_yuan paid_on reference note $idem "
	    "$ip",
	ACTION_FIELDS(f_payout), .again = &fund_book, .back = "/admin/fund",
};

ACTION_HANDLER(fund_page, NULL, NULL, &fund_book, NULL)
ACTION_HANDLER(fund_payout, NULL, NULL, NULL, &fund_pay)
