/* Password hashes: round trip, refusal, malformed input. */
#include "unit.h"

static void
test_roundtrip(void **state)
{
	char	h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];

	(void)state;
	assert_true(password_hash("correct horse", 13, h1, sizeof(h1)));
	assert_true(password_hash("correct horse", 13, h2, sizeof(h2)));
	assert_true(!strncmp(h1, "$scrypt$ln=15,r=8,p=1$", 22));
	assert_string_not_equal(h1, h2);	/* a fresh salt each time */
	assert_int_equal(password_verify("correct horse", 13, h1), 1);
	assert_int_equal(password_verify("correct horse", 13, h2), 1);
	assert_int_equal(password_verify("correct horsE", 13, h1), 0);
	assert_int_equal(password_verify("correct hors", 12, h1), 0);
	assert_int_equal(password_verify("", 0, h1), 0);
	/* Chinese passwords are bytes like any other. */
	assert_true(password_hash("爱心超市密码", 18, h1, sizeof(h1)));
	assert_int_equal(password_verify("爱心超市密码", 18, h1), 1);
	/* Nothing matches the dummy. */
	assert_int_equal(password_verify("correct horse", 13, password_dummy),
	    0);
}

static void
test_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"plain",
		"$scrypt$ln=15,r=8,p=1$00$00",
		"$scrypt$ln=9,r=8,p=1$00000000000000000000000000000000$"
		    "0000000000000000000000000000000000000000000000000000000000000000",
		"$scrypt$ln=15,r=8,p=1$0000000000000000000000000000000g$"
		    "0000000000000000000000000000000000000000000000000000000000000000",
		"$scrypt$ln=15,r=8,p=1$00000000000000000000000000000000$"
		    "0000000000000000000000000000000000000000000000000000000000000000x",
		"$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		assert_int_equal(password_verify("x", 1, bad[i]), -1);
	assert_int_equal(password_verify("x", 1, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_malformed),
	};

	return (cmocka_run_group_tests_name("password", tests, NULL, NULL));
}
