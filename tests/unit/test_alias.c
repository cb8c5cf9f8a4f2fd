/* Whether a child's alias gives the child away (alias.c): tables of cases. */
#include "unit.h"

static void
test_looks_like_name(void **state)
{
	static const struct { const char *alias; int name; } cases[] = {
		{ "王芳", 1 },
		{ "李小明", 1 },
		{ "张 伟", 1 },		/* spaces do not hide it */
		{ "欧阳秀兰", 1 },
		{ "欧阳娜", 1 },
		{ "司马光", 1 },
		{ "陈", 0 },		/* one character: no name */
		{ "欧阳", 0 },		/* a compound surname alone */
		{ "王小明明明", 0 },	/* five characters */
		{ "小雨点", 0 },	/* a nickname, as asked */
		{ "小明", 0 },
		{ "阿强", 0 },
		{ "矩阵", 0 },
		{ "Wang Fang", 0 },	/* not Chinese characters */
		{ "王Fang", 0 },
		{ "王2", 0 },
		{ "", 0 },
		{ "\xe7\x8e", 0 },	/* a cut character */
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_int_equal(alias_looks_like_name(cases[i].alias,
		    strlen(cases[i].alias)), cases[i].name);
}

static void
test_matches_name(void **state)
{
	static const struct { const char *alias, *name; int same; } cases[] = {
		{ "欧阳秀兰", "欧阳秀兰", 1 },
		{ "欧阳 秀兰", "欧阳秀兰", 1 },
		{ "秀兰", "欧阳秀兰", 1 },	/* the given name */
		{ "小秀兰", "秀兰", 1 },
		{ "小雨点", "欧阳秀兰", 0 },
		{ "兰", "欧阳秀兰", 0 },	/* one character is not enough */
		{ "小兰", "兰", 0 },
		{ "", "欧阳秀兰", 0 },
		{ "小雨点", "", 0 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_int_equal(alias_matches_name(cases[i].alias,
		    strlen(cases[i].alias), cases[i].name,
		    strlen(cases[i].name)), cases[i].same);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_looks_like_name),
		cmocka_unit_test(test_matches_name),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
