/* Sealing private data: AES-256-GCM answers, refusals, and key files. */
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include "unit.h"

static void
key_from_hex(struct seal_key *k, const char *hex)
{
	unsigned char	raw[SEAL_KEY_LEN];

	assert_int_equal(hex_decode(raw, sizeof(raw), hex), SEAL_KEY_LEN);
	seal_key_set(k, raw);
}

static void
unhex_or_fail(unsigned char *out, size_t max, const char *hex, long want)
{
	assert_int_equal(hex_decode(out, max, hex), want);
}

/* The AES-256 cases of the GCM specification (McGrew and Viega). */
static void
test_known_answers(void **state)
{
	static const struct {
		const char	*key, *nonce, *aad, *pt, *ct, *tag;
	} cases[] = {
		/* Test case 14: zero key and nonce, one zero block. */
		{ "0000000000000000000000000000000000000000000000000000000000000000",
		  "000000000000000000000000", "",
		  "00000000000000000000000000000000",
		  "cea7403d4d606b6e074ec5d3baf39d18",
		  "d0d1c8a799996bf0265b98b5d48ab919" },
		/* Test case 16: associated data, a partial last block. */
		{ "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
		  "cafebabefacedbaddecaf888",
		  "feedfacedeadbeeffeedfacedeadbeefabaddad2",
		  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
		  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
		  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
		  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
		  "76fc6ece0f4e1768cddf8853bb2d551b" },
	};
	struct seal_key	k;
	unsigned char	nonce[SEAL_NONCE_LEN], pt[64], aadraw[32];
	char		aad[64], hex[512];
	struct buf	out, back;
	long		plen, alen;
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		key_from_hex(&k, cases[i].key);
		unhex_or_fail(nonce, sizeof(nonce), cases[i].nonce,
		    SEAL_NONCE_LEN);
		plen = hex_decode(pt, sizeof(pt), cases[i].pt);
		alen = hex_decode(aadraw, sizeof(aadraw), cases[i].aad);
		assert_true(plen > 0 && alen >= 0);
		memcpy(aad, aadraw, (size_t)alen);	/* no NUL inside */
		aad[alen] = '\0';
		buf_init(&out, 16);
		assert_true(seal_encrypt_nonce(&k, aad, pt, (size_t)plen, nonce,
		    &out));
		assert_int_equal(out.len, (size_t)plen + SEAL_TAG_LEN);
		hex_encode(hex, (unsigned char *)out.data, (size_t)plen);
		assert_string_equal(hex, cases[i].ct);
		hex_encode(hex, (unsigned char *)out.data + plen, SEAL_TAG_LEN);
		assert_string_equal(hex, cases[i].tag);
		buf_init(&back, 16);
		assert_true(seal_decrypt(&k, aad, nonce, out.data, out.len,
		    &back));
		assert_int_equal(back.len, (size_t)plen);
		assert_memory_equal(back.data, pt, (size_t)plen);
		seal_buf_wipe(&back);
		buf_free(&out);
	}
}

/* Any change to the value, key, nonce or record is refused. */
static void
test_refusals(void **state)
{
	static const char	msg[] = "{\"real_name\":\"王小明\"}";
	struct seal_key		k, other;
	unsigned char		raw[SEAL_KEY_LEN], nonce[SEAL_NONCE_LEN];
	unsigned char		nonce2[SEAL_NONCE_LEN], bad[SEAL_NONCE_LEN];
	struct buf		out, out2, back;
	size_t			i;

	(void)state;
	memset(raw, 7, sizeof(raw));
	seal_key_set(&k, raw);
	raw[31] ^= 1;
	seal_key_set(&other, raw);
	assert_string_not_equal(k.id, other.id);

	buf_init(&out, 16);
	assert_true(seal_encrypt(&k, "child:1", msg, strlen(msg), nonce,
	    &out));
	buf_init(&back, 16);
	buf_puts(&back, "kept");

	/* Each byte of ciphertext and tag, altered. */
	for (i = 0; i < out.len; i++) {
		out.data[i] ^= 0x20;
		assert_false(seal_decrypt(&k, "child:1", nonce, out.data,
		    out.len, &back));
		assert_string_equal(back.data, "kept");
		out.data[i] ^= 0x20;
	}
	assert_false(seal_decrypt(&other, "child:1", nonce, out.data, out.len,
	    &back));
	assert_false(seal_decrypt(&k, "child:2", nonce, out.data, out.len,
	    &back));
	assert_false(seal_decrypt(&k, "", nonce, out.data, out.len, &back));
	memcpy(bad, nonce, sizeof(bad));
	bad[0] ^= 1;
	assert_false(seal_decrypt(&k, "child:1", bad, out.data, out.len,
	    &back));
	assert_false(seal_decrypt(&k, "child:1", nonce, out.data, out.len - 1,
	    &back));
	assert_false(seal_decrypt(&k, "child:1", nonce, out.data,
	    SEAL_TAG_LEN - 1, &back));
	assert_string_equal(back.data, "kept");

	/* The right key, nonce and record open it. */
	assert_true(seal_decrypt(&k, "child:1", nonce, out.data, out.len,
	    &back));
	assert_string_equal(back.data, "kept{\"real_name\":\"王小明\"}");

	/* The same message twice: another nonce, another ciphertext. */
	buf_init(&out2, 16);
	assert_true(seal_encrypt(&k, "child:1", msg, strlen(msg), nonce2,
	    &out2));
	assert_memory_not_equal(nonce, nonce2, SEAL_NONCE_LEN);
	assert_memory_not_equal(out.data, out2.data, out.len);
	/* The plaintext does not appear in the sealed value. */
	assert_null(memmem(out.data, out.len, "王小明", strlen("王小明")));

	/* An empty message is sealed too (just a tag). */
	buf_reset(&out2);
	assert_true(seal_encrypt(&k, "x", "", 0, nonce2, &out2));
	assert_int_equal(out2.len, SEAL_TAG_LEN);
	buf_reset(&back);
	assert_true(seal_decrypt(&k, "x", nonce2, out2.data, out2.len, &back));
	assert_int_equal(back.len, 0);

	seal_buf_wipe(&back);
	buf_free(&out);
	buf_free(&out2);
	seal_key_wipe(&k);
}

static void
test_hex(void **state)
{
	unsigned char	b[4];
	char		h[9];

	(void)state;
	assert_int_equal(hex_decode(b, sizeof(b), "00fFa9"), 3);
	hex_encode(h, b, 3);
	assert_string_equal(h, "00ffa9");
	assert_int_equal(hex_decode(b, sizeof(b), ""), 0);
	assert_int_equal(hex_decode(b, sizeof(b), "abc"), -1);
	assert_int_equal(hex_decode(b, sizeof(b), "zz"), -1);
	assert_int_equal(hex_decode(b, sizeof(b), "0011223344"), -1);
}

/* Key files: made 0600 on first use, refused when anything is off. */
static void
test_key_files(void **state)
{
	struct seal_key	k1, k2;
	struct stat	st;
	char		dir[] = "/tmp/seal-test.XXXXXX", path[128], err[256];
	char		link[160];
	int		fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/data.key", dir);
	snprintf(link, sizeof(link), "%s/link.key", dir);

	assert_false(seal_key_load(&k1, path, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open"));
	assert_true(seal_key_load(&k1, path, 1, err, sizeof(err)));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 65);
	assert_int_equal(strlen(k1.id), SEAL_ID_LEN);
	/* The second start reads the same key. */
	assert_true(seal_key_load(&k2, path, 1, err, sizeof(err)));
	assert_string_equal(k1.id, k2.id);
	assert_memory_equal(k1.key, k2.key, SEAL_KEY_LEN);

	/* Readable by others: refused, and the message holds no key. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_false(seal_key_load(&k2, path, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "chmod 600"));
	assert_int_equal(chmod(path, 0600), 0);

	/* A symbolic link is not followed. */
	assert_int_equal(symlink(path, link), 0);
	assert_false(seal_key_load(&k2, link, 0, err, sizeof(err)));
	unlink(link);

	/* Not 64 hex digits. */
	assert_int_equal(truncate(path, 40), 0);
	assert_false(seal_key_load(&k2, path, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "64 hex digits"));
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "zz", 2), 2);
	close(fd);
	assert_false(seal_key_load(&k2, path, 1, err, sizeof(err)));
	unlink(path);

	/* A directory is not a key file. */
	assert_int_equal(mkdir(path, 0700), 0);
	assert_false(seal_key_load(&k2, path, 1, err, sizeof(err)));
	rmdir(path);

	/* A new file is a new key. */
	assert_true(seal_key_load(&k2, path, 1, err, sizeof(err)));
	assert_string_not_equal(k1.id, k2.id);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_key_files),
	};

	return (cmocka_run_group_tests_name("seal", tests, NULL, NULL));
}
