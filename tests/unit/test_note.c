/*
 * Signed notes and base64: the Go note package's published example (key,
 * key ID, signature, byte for byte: Ed25519 is deterministic), the
 * signed-note specification's example, our own checkpoints signed and
 * verified, and altered notes refused.
 */
#include <openssl/evp.h>

#include "unit.h"

/* golang.org/x/mod/sumdb/note, package documentation. */
#define GO_NAME	"PeterNeumann"
#define GO_VKEY	"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define GO_SEED	"AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define GO_TEXT	"If you think cryptography is the answer to your problem,\n" \
		"then you don't know what your problem is.\n"
#define GO_SIG	"\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8" \
		"pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

/* c2sp.org/signed-note, example. */
#define SPEC_PUB	"AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
#define SPEC_NOTE	"This is an example message.\n\n\xe2\x80\x94 example.com/foo " \
		"Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZ" \
		"XsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"

static void
key_from_b64(const char *b64, unsigned char *raw)
{
	unsigned char	tmp[33];
	size_t		len;

	assert_true(b64_decode(b64, strlen(b64), tmp, sizeof(tmp), &len));
	assert_int_equal(len, 33);
	assert_int_equal(tmp[0], 0x01);
	memcpy(raw, tmp + 1, 32);
}

static void
test_go_vector(void **state)
{
	unsigned char	 seed[32], pub[32], pub2[32];
	EVP_PKEY	*key;
	struct buf	 b;
	size_t		 tlen;

	(void)state;
	key_from_b64(GO_SEED, seed);
	key_from_b64(strrchr(GO_VKEY, '+') + 1, pub);
	assert_non_null(key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519,
	    NULL, seed, 32));
	assert_true(note_public_key(key, pub2));
	assert_memory_equal(pub, pub2, 32);

	buf_init(&b, 64);
	note_verifier_key(&b, GO_NAME, pub);
	assert_string_equal(b.data, GO_VKEY);
	buf_reset(&b);

	assert_true(note_sign(&b, key, GO_NAME, GO_TEXT, strlen(GO_TEXT)));
	assert_string_equal(b.data, GO_TEXT "\n" GO_SIG);
	assert_true(note_verify(b.data, b.len, GO_NAME, pub, &tlen));
	assert_int_equal(tlen, strlen(GO_TEXT));

	/* A text that does not end in a newline is not a note. */
	buf_reset(&b);
	assert_false(note_sign(&b, key, GO_NAME, "no newline", 10));
	buf_free(&b);
	EVP_PKEY_free(key);
}

static void
test_spec_vector(void **state)
{
	unsigned char	pub[32];
	size_t		tlen;

	(void)state;
	key_from_b64(SPEC_PUB, pub);
	assert_true(note_verify(SPEC_NOTE, strlen(SPEC_NOTE), "example.com/foo",
	    pub, &tlen));
	assert_int_equal(tlen, strlen("This is an example message.\n"));
	/* The same key under another name signed nothing. */
	assert_false(note_verify(SPEC_NOTE, strlen(SPEC_NOTE),
	    "example.com/bar", pub, &tlen));
}

/* Our checkpoints: signed, verified, and every altered byte refused. */
static void
test_checkpoint(void **state)
{
	unsigned char	 root[32], pub[32], other[32];
	EVP_PKEY	*key, *key2;
	struct buf	 text, note;
	size_t		 i, tlen;
	char		*bad;

	(void)state;
	memset(root, 0xab, sizeof(root));
	assert_non_null(key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"));
	assert_non_null(key2 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"));
	assert_true(note_public_key(key, pub));
	assert_true(note_public_key(key2, other));

	buf_init(&text, 64);
	note_checkpoint(&text, "jiyuan.example/log", 1234, root);
	assert_string_equal(text.data, "jiyuan.example/log\n1234\n"
	    "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n");
	buf_init(&note, 256);
	assert_true(note_sign(&note, key, "jiyuan.example/log", text.data,
	    text.len));
	assert_true(note_verify(note.data, note.len, "jiyuan.example/log", pub,
	    &tlen));
	assert_int_equal(tlen, text.len);
	assert_false(note_verify(note.data, note.len, "jiyuan.example/log",
	    other, &tlen));

	/* Any byte changed (but the signature's base64 padding) fails. */
	bad = malloc(note.len + 1);
	for (i = 0; i < note.len; i++) {
		memcpy(bad, note.data, note.len + 1);
		bad[i] ^= 0x01;
		if (bad[i] == '\0')
			continue;
		assert_false(note_verify(bad, note.len, "jiyuan.example/log",
		    pub, &tlen));
	}
	free(bad);

	/* Signatures of other keys are skipped, not trusted. */
	buf_reset(&note);
	assert_true(note_sign(&note, key2, "someone.else/log", text.data,
	    text.len));
	assert_false(note_verify(note.data, note.len, "jiyuan.example/log", pub,
	    &tlen));
	buf_free(&text);
	buf_free(&note);
	EVP_PKEY_free(key);
	EVP_PKEY_free(key2);
}

static void
test_b64(void **state)
{
	static const struct { const char *raw, *enc; } ok[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	static const char *const bad[] = {
		"Zg=", "Zg", "Z===", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n", "=Zm9",
		"Zm-v", "Zg==Zg==",
	};
	unsigned char	out[16];
	struct buf	b;
	size_t		i, len;

	(void)state;
	buf_init(&b, 8);
	for (i = 0; i < NELEM(ok); i++) {
		buf_reset(&b);
		b64_encode(&b, ok[i].raw, strlen(ok[i].raw));
		assert_string_equal(b.data, ok[i].enc);
		assert_true(b64_decode(ok[i].enc, strlen(ok[i].enc), out,
		    sizeof(out), &len));
		assert_int_equal(len, strlen(ok[i].raw));
		assert_memory_equal(out, ok[i].raw, len);
	}
	for (i = 0; i < NELEM(bad); i++)
		assert_false(b64_decode(bad[i], strlen(bad[i]), out,
		    sizeof(out), &len));
	/* Too long for the room given. */
	assert_false(b64_decode("Zm9vYmFy", 8, out, 5, &len));
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_vector),
		cmocka_unit_test(test_spec_vector),
		cmocka_unit_test(test_checkpoint),
		cmocka_unit_test(test_b64),
	};

	return (cmocka_run_group_tests_name("note", tests, NULL, NULL));
}
