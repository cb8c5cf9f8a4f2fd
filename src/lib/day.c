/*
 * Days on the calendar of Asia/Shanghai, the platform's one time zone.
 * China has kept UTC+8 all year since 1991, so a fixed offset is exact
 * for every date the platform sees and no time-zone database is needed.
 * SQL counts the same days: api.today() and api.daynum()
 * (sql/api/000_util.sql).
 */
#include "lib.h"

#define DAY_SECONDS	86400
#define DAY_OFFSET	(8 * 3600)	/* UTC+8 */
#define DAY_2000	10957		/* 2000-01-01, in days since 1970 */

/* The Shanghai day of the instant t, as days since 2000-01-01. */
int32_t
day_shanghai(time_t t)
{
	int64_t	s = (int64_t)t + DAY_OFFSET, d;

	d = s / DAY_SECONDS;
	if (s % DAY_SECONDS < 0)
		d--;
	return ((int32_t)(d - DAY_2000));
}

/*
 * The year of day number d (days since 2000-01-01), by the proleptic
 * Gregorian calendar (H. Hinnant's days_from_civil, inverted).
 */
int
day_year(int32_t d)
{
	int64_t	z, era, doe, yoe, doy, mp;

	z = (int64_t)d + DAY_2000 + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return ((int)(yoe + era * 400 + (mp < 10 ? 0 : 1)));
}
