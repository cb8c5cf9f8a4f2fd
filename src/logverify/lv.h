/*
 * logverify: an independent verifier of the platform's public log.  It
 * shares no code with the server: only the formats of sql/LOG_FORMAT.md,
 * libc and OpenSSL.  Prototypes grouped by the file that defines them.
 */
#ifndef LV_H
#define LV_H

#include <stddef.h>
#include <stdint.h>

#define LV_HASH		32
#define LV_MAX_PATH	128

/* What a piece found: LV_OK, or the exit status it calls for. */
#define LV_OK		0
#define LV_WRONG	1	/* the log is not what it claims */
#define LV_CANNOT	2	/* cannot check: a malformed answer, a limit */

struct lv_err {
	char	msg[256];
};

/* err.c: how things end; what went wrong. */
void	lv_end(int, const char *, ...) __attribute__((format(printf, 2, 3),
	    noreturn));
void	lv_fail(const char *, ...) __attribute__((format(printf, 1, 2),
	    noreturn));
void	lv_fatal(const char *, ...) __attribute__((format(printf, 1, 2),
	    noreturn));
void	*lv_alloc(size_t);
int	 lv_err(struct lv_err *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* http.c: GET over HTTP or HTTPS. */
struct lv_url {
	int	 tls;
	char	*host;
	char	*port;
	char	*prefix;	/* path before /api/..., no trailing slash */
};

int	 http_parse_url(struct lv_url *, const char *);
char	*http_get(const struct lv_url *, const char *, size_t *);
int	 http_parse_reply(const char *, size_t, char **, size_t *,
	    struct lv_err *);

/* json.c: a reader for the JSON the API answers with. */
enum json_type {
	JSON_NULL, JSON_BOOL, JSON_INT, JSON_STR, JSON_ARR, JSON_OBJ
};

struct json {
	enum json_type	 type;
	long long	 num;		/* JSON_INT, JSON_BOOL */
	char		*str;		/* JSON_STR: NUL-terminated */
	size_t		 len;		/* JSON_STR: bytes */
	struct json	*kid;		/* JSON_ARR, JSON_OBJ */
	char		**key;		/* JSON_OBJ */
	size_t		 n;
};

struct json	*json_parse(const char *, size_t);
void		 json_free(struct json *);
struct json	*json_get(const struct json *, const char *);
const char	*json_str(const struct json *, const char *, size_t *);
int		 json_int(const struct json *, const char *, long long *);

/* tree.c: RFC 6962 / 9162 hashing, roots, proofs; base64; checkpoints. */
void	tree_leaf(const void *, size_t, unsigned char *);
void	tree_node(const unsigned char *, const unsigned char *,
	    unsigned char *);
void	tree_root(const unsigned char (*)[LV_HASH], uint64_t,
	    unsigned char *);
int	tree_verify_inclusion(uint64_t, uint64_t, const unsigned char *,
	    const unsigned char (*)[LV_HASH], size_t, const unsigned char *);
int	tree_verify_consistency(uint64_t, uint64_t, const unsigned char *,
	    const unsigned char *, const unsigned char (*)[LV_HASH], size_t);
int	b64_dec(const char *, size_t, unsigned char *, size_t, size_t *);
char	*b64_enc(const unsigned char *, size_t);

struct checkpoint {
	char		origin[256];	/* NUL-terminated */
	uint64_t	size;
	unsigned char	root[LV_HASH];
};

int	checkpoint_parse(const char *, size_t, struct checkpoint *,
	    struct lv_err *);
int	note_open(const char *, size_t, const char *, const unsigned char *,
	    struct lv_err *);

/* entry.c: the entries, their rules, the totals per need. */
struct ledger;

struct ledger	*ledger_new(void);
int		 ledger_add(struct ledger *, uint64_t, const char *, size_t,
		    struct lv_err *);
void		 ledger_print(const struct ledger *);
void		 ledger_free(struct ledger *);

#endif
