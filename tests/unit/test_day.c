/* Shanghai's days: the day number of an instant, the year of a day. */
#include "unit.h"

static void
test_day_shanghai(void **state)
{
	static const struct {
		int64_t	t;	/* seconds since 1970, UTC */
		int32_t	day;
	} cases[] = {
		{ 946656000, 0 },	/* 2000-01-01 00:00 in Shanghai */
		{ 946655999, -1 },	/* a second before: 1999-12-31 */
		{ 946684800, 0 },	/* 2000-01-01 00:00 UTC, 08:00 there */
		{ 946742399, 0 },	/* 23:59:59 there */
		{ 946742400, 1 },
		{ 0, -10957 },		/* 1970-01-01 08:00 there */
		{ -28800, -10957 },	/* 1970-01-01 00:00 there */
		{ -28801, -10958 },
		{ 1709222400, 8826 },	/* 2024-03-01 00:00 there */
		{ 1709222399, 8825 },	/* 2024-02-29 23:59:59 there */
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_int_equal(day_shanghai((time_t)cases[i].t),
		    cases[i].day);
}

static void
test_day_year(void **state)
{
	static const struct {
		int32_t	day;
		int	year;
	} cases[] = {
		{ 0, 2000 }, { -1, 1999 },
		{ 365, 2000 }, { 366, 2001 },	/* 2000 is a leap year */
		{ 8825, 2024 }, { 9131, 2024 },	/* 2024-12-31 */
		{ 9132, 2025 }, { -10957, 1970 }, { 36524, 2099 },
		{ 36525, 2100 },
	};
	size_t	i;
	int32_t	jan1;
	int	y;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_int_equal(day_year(cases[i].day), cases[i].year);
	/* Each year begins on its 1 January, from 1970 to 2200. */
	for (y = 1970, jan1 = -10957; y <= 2200; y++) {
		assert_int_equal(day_year(jan1), y);
		assert_int_equal(day_year(jan1 - 1), y - 1);
		jan1 += (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ?
		    366 : 365;
	}
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_day_shanghai),
		cmocka_unit_test(test_day_year),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
