/*
 * logverify's own pieces, linked alone (it shares no code with the
 * server, so not with lib.h either): its JSON reader, its checks of
 * entries, its tree against the RFC 6962 vectors, its note verification
 * against the Go note package's example.  The pieces return what went
 * wrong and never end the program for what they read (err.c): a test
 * that makes one exit fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lv.h"

#define NELEM(x)	(sizeof(x) / sizeof((x)[0]))

static void
test_json(void **state)
{
	static const char *const bad[] = {
		"", "{", "{\"a\":}", "{\"a\" 1}", "[1,]", "[1 2]", "01", "1.5",
		"1e3", "-", "\"abc", "\"a\x01\"", "\"\\x\"", "\"\\ud800\"",
		"\"\\udc00x\"", "{} x", "tru", "nul", "\"\\u0000\"",
		"9007199254740992",
	};
	struct json	*j, *e;
	const char	*s;
	size_t		 i, len;
	long long	 v;

	(void)state;
	/* As PostgreSQL writes it: spaces around colons and commas. */
	s = "{\"tree_size\" : 3, \"entries\" : [{\"index\" : 0, "
	    "\"entry\" : \"index 0\\nunit \\u4ef6 \\\"\\/\\\\ \\ud83d\\ude00\\n"
	    "\"}], \"neg\": -7, \"t\": true, \"n\": null}";
	j = json_parse(s, strlen(s));
	assert_non_null(j);
	assert_true(json_int(j, "tree_size", &v));
	assert_int_equal(v, 3);
	assert_true(json_int(j, "neg", &v));
	assert_int_equal(v, -7);
	assert_false(json_int(j, "t", &v));
	e = &json_get(j, "entries")->kid[0];
	s = json_str(e, "entry", &len);
	assert_string_equal(s, "index 0\nunit \xe4\xbb\xb6 \"/\\ "
	    "\xf0\x9f\x98\x80\n");
	assert_int_equal(len, strlen(s));
	assert_null(json_get(j, "missing"));
	assert_null(json_str(j, "tree_size", NULL));
	json_free(j);
	for (i = 0; i < NELEM(bad); i++) {
		if ((j = json_parse(bad[i], strlen(bad[i]))) != NULL)
			fail_msg("accepted %s", bad[i]);
	}
}

#define OPEN(n, extra)	"index " #n "\ntime 2026-01-02T03:04:05Z\nkind " \
			"need_opened\nneed 7\nneed_kind goods\ncategory " \
			"clothing\ntown potou\nquantity 10\nunit \xe4\xbb\xb6\n" extra

static void
test_entries(void **state)
{
	static const char *const good[] = {
		OPEN(0, ""),
		"index 1\ntime 2026-01-02T03:04:06Z\nkind pledge_made\nneed 7\n"
		    "pledge 3\nquantity 4\ndonor \xe7\x8e\x8b\xe5\xa5\xb3\xe5\xa3\xab\n",
		"index 2\ntime 2026-01-02T03:04:06Z\nkind pledge_received\n"
		    "need 7\npledge 3\nquantity 4\n",
		"index 3\ntime 2026-01-02T03:04:06Z\nkind need_fulfilled\n"
		    "need 7\n",
		"index 4\ntime 2026-01-02T03:04:06Z\nkind fund_received\n"
		    "amount 500\ndonor A B\n",
		"index 5\ntime 2026-01-02T03:04:06Z\nkind fund_paid_out\n"
		    "need 7\namount 500\n",
		"index 6\ntime 2026-01-02T03:04:06Z\nkind need_opened\nneed 8\n"
		    "need_kind scholarship\ncategory tuition\ntown dayu\n"
		    "quantity 2\nunit t\nunit_amount 100000\n",
		"index 7\ntime 2026-01-02T03:04:06Z\nkind pledge_cancelled\n"
		    "need 7\npledge 3\nquantity 1\n",
	};
	/* Each is wrong at position 8, after the good ones above. */
	static const struct { const char *entry, *why; } bad[] = {
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind need_fulfilled\n"
		  "need 7", "lines" },
		{ "index 9\ntime 2026-01-02T03:04:06Z\nkind need_fulfilled\n"
		  "need 7\n", "it says it is entry 9" },
		{ "index 08\ntime 2026-01-02T03:04:06Z\nkind need_fulfilled\n"
		  "need 7\n", "it says" },
		{ "time 2026-01-02T03:04:06Z\nindex 8\nkind need_fulfilled\n"
		  "need 7\n", "out of order" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind need_fulfilled\n"
		  "need 7\nneed 7\n", "out of order or repeated" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind need_fulfilled\n"
		  "need 7\nalias x\n", "unknown key" },
		{ "index 8\ntime 2026-01-02 03:04:06\nkind need_fulfilled\n"
		  "need 7\n", "time" },
		{ "index 8\ntime 2026-13-02T03:04:06Z\nkind need_fulfilled\n"
		  "need 7\n", "time" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind need_deleted\n"
		  "need 7\n", "unknown kind" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind need_fulfilled\n",
		  "keys of a need_fulfilled" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind need_fulfilled\n"
		  "need 7\nquantity 1\n", "keys of a need_fulfilled" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind need_fulfilled\n"
		  "need 9\n", "never opened" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind pledge_received\n"
		  "need 7\npledge 4\nquantity 1\n", "never made" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind pledge_received\n"
		  "need 8\npledge 3\nquantity 1\n", "made for need 7" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind pledge_received\n"
		  "need 7\npledge 3\nquantity 5\n", "more than pledge 3" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind pledge_made\n"
		  "need 7\npledge 3\nquantity 1\ndonor x\n", "made twice" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind pledge_made\n"
		  "need 7\npledge 9\nquantity 0\ndonor x\n", "positive" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind pledge_made\n"
		  "need 7\npledge 9\nquantity 1\ndonor  x\n", "donor" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind pledge_made\n"
		  "need 7\npledge 9\nquantity 1\ndonor a\tb\n", "donor" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind pledge_made\n"
		  "need 7\npledge 9\nquantity 1\ndonor \xc0\xaf\n", "donor" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind pledge_made\n"
		  "need 7\npledge 9\nquantity 1\ndonor "
		  "123456789012345678901234567890123456789012345678901\n",
		  "donor" },
		{ OPEN(8, "unit_amount 5\n"), "scholarships only" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind need_opened\nneed 9\n"
		  "need_kind goods\ncategory Clothing\ntown potou\nquantity 1\n"
		  "unit x\n", "slug" },
		{ "index 8\ntime 2026-01-02T03:04:06Z\nkind fund_paid_out\n"
		  "amount 9007199254740992\n", "positive integer" },
	};
	struct ledger	*l;
	struct lv_err	 e;
	size_t		 i, k;
	int		 rc;

	(void)state;
	for (k = 0; k < NELEM(bad); k++) {
		l = ledger_new();
		for (i = 0; i < NELEM(good); i++) {
			if (ledger_add(l, i, good[i], strlen(good[i]), &e) !=
			    LV_OK)
				fail_msg("good entry %zu: %s", i, e.msg);
		}
		rc = ledger_add(l, 8, bad[k].entry, strlen(bad[k].entry), &e);
		if (rc != LV_WRONG || strstr(e.msg, bad[k].why) == NULL)
			fail_msg("bad entry %zu: %s", k, rc == LV_OK ?
			    "accepted" : e.msg);
		ledger_free(l);
	}
}

/*
 * Every amount is below 2^53, but 1,025 of them are not below 2^63: the
 * totals are added with checks, and the entry that would overflow one is
 * refused as LV_CANNOT (it was signed overflow, then wrong totals).
 */
static void
test_totals_overflow(void **state)
{
	static const char *const kinds[] = {
		"kind fund_received\nneed 7\namount 9007199254740991\n"
		    "donor x\n",
		"kind fund_paid_out\nneed 7\namount 9007199254740991\n",
		"kind fund_paid_out\namount 9007199254740991\n",
		"kind pledge_made\nneed 7\npledge %llu\nquantity "
		    "9007199254740991\ndonor x\n",
	};
	struct ledger	*l;
	struct lv_err	 e;
	char		 entry[512], head[64];
	uint64_t	 i;
	size_t		 k;
	int		 rc, n;

	(void)state;
	for (k = 0; k < NELEM(kinds); k++) {
		l = ledger_new();
		assert_int_equal(ledger_add(l, 0, OPEN(0, ""),
		    strlen(OPEN(0, "")), &e), LV_OK);
		for (i = 1, rc = LV_OK; i < 2000 && rc == LV_OK; i++) {
			(void)snprintf(head, sizeof(head), "index %llu\ntime "
			    "2026-01-02T03:04:05Z\n", (unsigned long long)i);
			n = snprintf(entry, sizeof(entry), "%s", head);
			n += snprintf(entry + n, sizeof(entry) - (size_t)n,
			    kinds[k], (unsigned long long)i);
			rc = ledger_add(l, i, entry, (size_t)n, &e);
		}
		/* 1024 * (2^53 - 1) fits, one more does not. */
		assert_int_equal(rc, LV_CANNOT);
		assert_int_equal(i - 1, 1025);
		assert_non_null(strstr(e.msg, "more than 2^63 - 1"));
		ledger_free(l);
	}
}

static void
unhex(const char *s, unsigned char *out)
{
	size_t	i;

	for (i = 0; i < LV_HASH; i++)
		assert_int_equal(sscanf(s + 2 * i, "%2hhx", &out[i]), 1);
}

/* The RFC 6962 vectors of Certificate Transparency, as in test_merkle. */
static void
test_tree(void **state)
{
	static const struct { const char *d; size_t n; } in[] = {
		{ "", 0 }, { "\x00", 1 }, { "\x10", 1 }, { "\x20\x21", 2 },
		{ "\x30\x31", 2 }, { "\x40\x41\x42\x43", 4 },
		{ "\x50\x51\x52\x53\x54\x55\x56\x57", 8 },
		{ "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d"
		  "\x6e\x6f", 16 },
	};
	static const char *const roots[] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	};
	static const char *const incl[] = {	/* leaf 5 in 8 */
	"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	};
	static const char *const cons[] = {	/* 6 to 8 */
	"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	};
	unsigned char	leaves[8][LV_HASH], r[LV_HASH], want[LV_HASH];
	unsigned char	path[3][LV_HASH], r6[LV_HASH];
	size_t		i;

	(void)state;
	for (i = 0; i < 8; i++)
		tree_leaf(in[i].d, in[i].n, leaves[i]);
	for (i = 0; i <= 8; i++) {
		tree_root((const unsigned char (*)[LV_HASH])leaves, i, r);
		unhex(roots[i], want);
		assert_memory_equal(r, want, LV_HASH);
	}
	for (i = 0; i < 3; i++)
		unhex(incl[i], path[i]);
	unhex(roots[8], r);
	assert_true(tree_verify_inclusion(5, 8, leaves[5],
	    (const unsigned char (*)[LV_HASH])path, 3, r));
	assert_false(tree_verify_inclusion(4, 8, leaves[5],
	    (const unsigned char (*)[LV_HASH])path, 3, r));
	assert_false(tree_verify_inclusion(5, 8, leaves[4],
	    (const unsigned char (*)[LV_HASH])path, 3, r));
	for (i = 0; i < 3; i++)
		unhex(cons[i], path[i]);
	unhex(roots[6], r6);
	assert_true(tree_verify_consistency(6, 8, r6, r,
	    (const unsigned char (*)[LV_HASH])path, 3));
	assert_false(tree_verify_consistency(6, 8, r, r6,
	    (const unsigned char (*)[LV_HASH])path, 3));
	r6[5] ^= 1;	/* an old root that was never the log's */
	assert_false(tree_verify_consistency(6, 8, r6, r,
	    (const unsigned char (*)[LV_HASH])path, 3));
	r6[5] ^= 1;
	assert_false(tree_verify_consistency(5, 8, r6, r,
	    (const unsigned char (*)[LV_HASH])path, 3));
	assert_true(tree_verify_consistency(8, 8, r, r, NULL, 0));
}

static void
test_note(void **state)
{
	static const char	note[] =
	    "If you think cryptography is the answer to your problem,\n"
	    "then you don't know what your problem is.\n\n"
	    "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAc"
	    "ElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
	static const char	vkey[] =
	    "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
	/* Not signed notes: LV_CANNOT, not a verdict on the log. */
	static const char *const malformed[] = {
		"", "\n", "text\n", "text\n\n", "text\n\nno dash\n",
		"text\n\n\xe2\x80\x94 PeterNeumann\n",
		"text\n\n\xe2\x80\x94 PeterNeumann !!!!\n",
		"text\n\n\xe2\x80\x94 PeterNeumann AAAA\n",
		"text\n\n\xe2\x80\x94 x y\nno dash\n",
		"text\n\n\xe2\x80\x94 x y",
	};
	unsigned char		raw[33];
	char			bad[sizeof(note)];
	struct lv_err		e;
	size_t			len, i;

	(void)state;
	assert_true(b64_dec(vkey, strlen(vkey), raw, sizeof(raw), &len));
	assert_int_equal(len, 33);
	assert_int_equal(note_open(note, strlen(note), "PeterNeumann", raw + 1,
	    &e), LV_OK);
	assert_int_equal(note_open(note, strlen(note), "PeterNeumannX",
	    raw + 1, &e), LV_WRONG);
	assert_non_null(strstr(e.msg, "no signature by PeterNeumannX"));
	for (i = 0; i < strlen(note); i++) {
		memcpy(bad, note, sizeof(note));
		bad[i] ^= 0x02;
		assert_int_not_equal(note_open(bad, strlen(note),
		    "PeterNeumann", raw + 1, &e), LV_OK);
	}
	for (i = 0; i < NELEM(malformed); i++) {
		if (note_open(malformed[i], strlen(malformed[i]),
		    "PeterNeumann", raw + 1, &e) != LV_CANNOT)
			fail_msg("malformed note %zu: not LV_CANNOT", i);
	}
}

#define SIG	"\n\xe2\x80\x94 o x\n"
#define ROOT	"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="	/* SHA-256() */

/*
 * The checkpoint's text, read with its length: a line of 255 bytes and
 * more without a newline was cut by sscanf's %255[^\n], and strchr's NULL
 * then dereferenced.
 */
static void
test_checkpoint(void **state)
{
	static const struct { const char *in; size_t len; const char *why; }
	    bad[] = {
#define C(s, why)	{ s, sizeof(s) - 1, why }
		C("", "not a signed note"),
		C("o\n5\n" ROOT "\n", "not a signed note"),
		C("o\n5\n" ROOT "\n" SIG "x", "not a signed note"),
		C("\n5\n" ROOT "\n" SIG, "origin is empty"),
		C("o o\n5\n" ROOT "\n" SIG, "not a key name"),
		C("o+\n5\n" ROOT "\n" SIG, "not a key name"),
		C("o\x01\n5\n" ROOT "\n" SIG, "not a key name"),
		C("o\0p\n5\n" ROOT "\n" SIG, "not a key name"),
		C("o\n" SIG, "no tree size"),
		C("o\n\n5\n" ROOT "\n" SIG, "not a number"),
		C("o\n-1\n" ROOT "\n" SIG, "not a number"),
		C("o\n+5\n" ROOT "\n" SIG, "not a number"),
		C("o\n 5\n" ROOT "\n" SIG, "not a number"),
		C("o\n05\n" ROOT "\n" SIG, "not a number"),
		C("o\n5x\n" ROOT "\n" SIG, "not a number"),
		C("o\n18446744073709551616\n" ROOT "\n" SIG, "not a number"),
		C("o\n5\n" SIG, "no root hash"),
		C("o\n5\n" ROOT SIG, "not a signed note"),
		C("o\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuA==\n" SIG,
		    "not 32 bytes"),
		C("o\n5\n" ROOT "AAAA\n" SIG, "not 32 bytes"),
		C("o\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n" SIG,
		    "not 32 bytes"),
#undef C
	};
	static const char	good[] = "example.org/log\n18446744073709551615"
	    "\n" ROOT "\nextension\n" SIG;
	struct checkpoint	cp;
	struct lv_err		e;
	char			line[400];
	size_t			i, n;

	(void)state;
	assert_int_equal(checkpoint_parse(good, sizeof(good) - 1, &cp, &e),
	    LV_OK);
	assert_string_equal(cp.origin, "example.org/log");
	assert_true(cp.size == UINT64_MAX);
	assert_int_equal(cp.root[0], 0xe3);
	assert_int_equal(cp.root[31], 0x55);
	for (i = 0; i < NELEM(bad); i++) {
		if (checkpoint_parse(bad[i].in, bad[i].len, &cp, &e) !=
		    LV_CANNOT || strstr(e.msg, bad[i].why) == NULL)
			fail_msg("bad checkpoint %zu: %s", i, e.msg);
	}
	/* Long lines, with and without a newline after them. */
	for (n = 250; n < 300; n++) {
		memset(line, 'a', n);
		line[n] = '7';
		assert_int_equal(checkpoint_parse(line, n + 1, &cp, &e),
		    LV_CANNOT);
		(void)snprintf(line + n, sizeof(line) - n, "\n5\n%s\n" SIG,
		    ROOT);
		assert_int_equal(checkpoint_parse(line, strlen(line), &cp, &e),
		    n < 256 ? LV_OK : LV_CANNOT);
	}
}

/*
 * The HTTP answer, read with its length: the status, the fields, the
 * body by Content-Length, chunked or to the end.  A Content-Length below
 * the chunked body's length made dechunk's "len - i" wrap and memmove a
 * length the server chose.
 */
static void
test_http(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;
		int		 rc;
		const char	*want;	/* the body, or in the message */
		size_t		 wlen;
	} cases[] = {
#define H(s)		s, sizeof(s) - 1
#define OK(s)		LV_OK, s, sizeof(s) - 1
#define NO(s)		LV_CANNOT, s, 0
#define HDR		"HTTP/1.1 200 OK\r\n"
#define CH		HDR "Transfer-Encoding: chunked\r\n\r\n"
		{ H(HDR "Content-Length: 2\r\n\r\n{}"), OK("{}") },
		{ H(HDR "content-length:3 \r\n\r\na\0b"), OK("a\0b") },
		{ H("HTTP/1.0 200 OK\r\nServer: x\r\n\r\n[1]"), OK("[1]") },
		{ H("HTTP/1.1 200\r\n\r\nab"), OK("ab") },
		{ H(HDR "X-A: \0\r\n\r\nab"), OK("ab") },
		{ H(CH "2\r\n{}\r\n0\r\n\r\n"), OK("{}") },
		{ H(HDR "transfer-encoding: Chunked\r\n\r\n1;x=y\r\n{\r\n"
		    "01\r\n}\r\n0\r\nX-Trailer: 1\r\n\r\n"), OK("{}") },
		{ H(CH "0\r\n\r\n"), OK("") },
		/* The crash: chunked, and a Content-Length of 0. */
		{ H(HDR "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n"
		    "\r\nfffff\r\n"), NO("both") },
		{ H(HDR "Transfer-Encoding: chunked\r\nContent-Length: x\r\n"
		    "\r\n2\r\n{}\r\n0\r\n\r\n"), NO("not a byte count") },
		{ H(CH "fffff\r\n"), NO("larger than the answer") },
		{ H(CH "5\r\nab\r\n"), NO("runs past the end") },
		{ H(CH "ffffffffffffffffffff\r\nab\r\n"), NO("larger") },
		{ H(CH "10000000000000000\r\nab\r\n0\r\n\r\n"),
		    NO("larger") },
		{ H(CH "3\r\nabcX\r\n0\r\n\r\n"), NO("not followed by CRLF") },
		{ H(CH "3\r\nabc"), NO("not followed by CRLF") },
		{ H(CH "3"), NO("larger than the answer") },
		{ H(CH "0"), NO("without CRLF") },
		{ H(CH "0;x\r"), NO("without CRLF") },
		{ H(CH "3\r\nabc\r\n"), NO("without a size") },
		{ H(CH "zz\r\n"), NO("without a size") },
		{ H(CH "-1\r\n"), NO("without a size") },
		{ H(CH "3x\r\nabc\r\n0\r\n\r\n"), NO("without a size") },
		{ H(CH "0\r\n"), NO("has no end") },
		{ H(CH "0\r\nX: 1\r\n"), NO("has no end") },
		{ H(CH "0\r\n\r\nxyz"), NO("bytes after") },
		{ H(HDR "Content-Length: 10\r\n\r\nabc"),
		    NO("not its Content-Length 10") },
		{ H(HDR "Content-Length: 1\r\n\r\nabc"),
		    NO("not its Content-Length 1") },
		{ H(HDR "Content-Length: -1\r\n\r\nabc"), NO("byte count") },
		{ H(HDR "Content-Length: \r\n\r\nabc"), NO("byte count") },
		{ H(HDR "Content-Length: 99999999999999999999999\r\n\r\n"),
		    NO("byte count") },
		{ H(HDR "Content-Length: 1\r\nContent-Length: 1\r\n\r\na"),
		    NO("two Content-Length") },
		{ H(HDR "Transfer-Encoding: gzip\r\n\r\n"), NO("other than") },
		{ H(HDR "Transfer-Encoding: gzip, chunked\r\n\r\n"),
		    NO("other than") },
		{ H(HDR "Transfer-Encoding: chunked\r\nTransfer-Encoding: "
		    "chunked\r\n\r\n0\r\n\r\n"), NO("other than") },
		{ H("HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\n"
		    "nope!"), NO("HTTP 404: nope!") },
		{ H("HTTP/1.1 99999999999999999999 OK\r\n\r\n"),
		    NO("not an HTTP answer") },
		{ H("HTTP/1.1 2000 OK\r\n\r\n"), NO("not an HTTP answer") },
		{ H("HTTP/2 200 OK\r\n\r\n"), NO("not an HTTP answer") },
		{ H("HTTP/1.1 -200 OK\r\n\r\n"), NO("not an HTTP answer") },
		{ H(""), NO("not an HTTP answer") },
		{ H("HTTP/1.1 200 OK"), NO("does not end") },
		{ H("HTTP/1.1 200"), NO("not an HTTP answer") },
		{ H(HDR "Content-Length: 0\r\n"), NO("does not end") },
		{ H(HDR "bogus\r\n\r\n"), NO("not a field") },
		{ H(HDR ": x\r\n\r\n"), NO("not a field") },
		{ H(HDR "Content-Length : 1\r\n\r\na"), NO("a space") },
		{ H(HDR "X\0: 1\r\n\r\n"), NO("a control character") },
		{ H(HDR " Content-Length: 1\r\n\r\na"), NO("a space") },
#undef H
#undef OK
#undef NO
#undef HDR
#undef CH
	};
	struct lv_err	 e;
	char		*body, *copy;
	size_t		 i, len;
	int		 rc;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		/* Exactly len bytes, no NUL after them. */
		copy = malloc(cases[i].len ? cases[i].len : 1);
		assert_non_null(copy);
		memcpy(copy, cases[i].in, cases[i].len);
		rc = http_parse_reply(copy, cases[i].len, &body, &len, &e);
		free(copy);
		if (rc != cases[i].rc)
			fail_msg("reply %zu: %s", i, rc == LV_OK ? "accepted" :
			    e.msg);
		if (rc == LV_OK) {
			if (len != cases[i].wlen || memcmp(body, cases[i].want,
			    len) != 0 || body[len] != '\0')
				fail_msg("reply %zu: body %.*s", i, (int)len,
				    body);
			free(body);
		} else if (strstr(e.msg, cases[i].want) == NULL) {
			fail_msg("reply %zu: %s", i, e.msg);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_totals_overflow),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_note),
		cmocka_unit_test(test_checkpoint),
		cmocka_unit_test(test_http),
	};

	return (cmocka_run_group_tests_name("logverify", tests, NULL, NULL));
}
