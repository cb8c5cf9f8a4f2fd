/*
 * The pure modules of the platform: no Kore, no database, no global state
 * beyond what a caller passes in.  Each is unit-tested alone (tests/unit).
 * Prototypes are grouped by the file that defines them.
 */
#ifndef SHOP_LIB_H
#define SHOP_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

/* buf.c: a growing byte buffer; allocation failure aborts. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *, size_t);
void	 buf_append(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);
const char *buf_cstr(struct buf *);

/* The languages of the site, Chinese first. */
enum lang {
	LANG_ZH,
	LANG_EN
};

/* hdr.c: what the module reads in a request's head, and the head's screen. */
#define HDR_LINES_MAX	256	/* lines of a head looked at, at most */

enum hdr_verdict {
	HDR_MORE,	/* the head is not complete yet */
	HDR_PASS,	/* Kore may parse it (as rewritten) */
	HDR_REFUSE	/* answer status, code */
};

struct hdr_limits {
	size_t	uri_max;	/* a request target this long is refused */
	size_t	body_max;	/* the largest Content-Length taken */
};

struct hdr_head {
	int		 status;	/* HDR_REFUSE: the answer's status */
	const char	*code;		/* and its error code */
	size_t		 len;		/* the head's bytes, blank line included */
	size_t		 body;		/* its body's (Content-Length) */
	size_t		 extra;		/* bytes after the request, cut */
	int		 api;		/* answered in JSON (/api/, /healthz) */
	int		 lang;		/* the reader's language */
	char		 path[128];	/* the path, when short and plain */
	char		 rid[33];	/* a valid X-Request-Id, or "" */
};

int	 hdr_hex64(const char *, size_t);
int	 hdr_bearer(const char *, size_t, char *);
int	 hdr_cookie(const char *, size_t, const char *, const char **,
	    size_t *);
int	 hdr_lang_cookie(const char *, size_t);
int	 hdr_lang_accept(const char *, size_t);
int	 hdr_lang_query(const char *, size_t);
int	 hdr_done_query(const char *, size_t, char *, size_t);
int	 hdr_ip(const char *, size_t, char *, size_t);
int	 hdr_request_id(const char *, size_t, char *, size_t);
int	 hdr_origin_ok(const char *, size_t, const char *, size_t, int);
int	 hdr_back_path(const char *, size_t, const char *const *, char *,
	    size_t);
int	 hdr_screen(char *, size_t *, size_t, int, const struct hdr_limits *,
	    struct hdr_head *);

/* esc.c: escaping and text checks. */
void	 esc_html(struct buf *, const char *, size_t);
void	 esc_url(struct buf *, const char *, size_t);
int	 utf8_check(const char *, size_t, int, size_t *);

/* fmt.c: numbers as people read them; the one place money becomes text. */
void	 fmt_int(struct buf *, int64_t);
void	 fmt_yuan(struct buf *, int64_t);
int	 fmt_amount(struct buf *, json_t *);

/* day.c: days on Shanghai's calendar, counted from 2000-01-01. */
int32_t	 day_shanghai(time_t);
int	 day_year(int32_t);

/*
 * photo.c: hand-over photos (JPEG, PNG, HEIC) decoded by libvips and
 * written again as JPEG without their metadata.  Links libvips: not part
 * of LIB_OBJ (see the Makefile).
 */
#define PHOTO_BYTES_MAX		(12 * 1024 * 1024)	/* from a phone */
#define PHOTO_PIXELS_MAX	(50 * 1000 * 1000)	/* 48/50 MP sensors */
#define PHOTO_SIDE		1600
#define PHOTO_THUMB_SIDE	400

enum photo_type { PHOTO_NONE, PHOTO_JPEG, PHOTO_PNG, PHOTO_HEIF };
enum { PHOTO_OK, PHOTO_UNSUPPORTED, PHOTO_TOO_MANY_PIXELS, PHOTO_BAD };

int	 photo_init(const char *);
int	 photo_clean(const unsigned char *, size_t, struct buf *,
	    struct buf *);

/* alias.c: whether a child's public alias gives the child away. */
int	 alias_looks_like_name(const char *, size_t);
int	 alias_matches_name(const char *, size_t, const char *, size_t);

/*
 * poster.c: a share poster (PNG) of a need or a campaign, drawn with
 * libvips like photo.c (not part of LIB_OBJ either).
 */
#define POSTER_W	750
#define POSTER_H	1100

struct poster {
	const char	*site;		/* the site's name */
	const char	*title;
	const char	*line;		/* who and where */
	const char	*progress;	/* in words */
	int		 pct;		/* the bar, 0..100 */
	const char	*url;		/* the page: its QR code */
	const char	*caption;	/* under the QR code */
};

int	 poster_png(const struct poster *, struct buf *);

/* qr.c: a QR code as inline SVG. */
int	 qr_svg(const char *, const char *, struct buf *);

/* password.c: scrypt password hashes (slow: run them on a task). */
#define PASSWORD_HASH_MAX	160

extern const char	password_dummy[];

int	 password_hash(const char *, size_t, char *, size_t);
int	 password_verify(const char *, size_t, const char *);

/* tmpl.c: templates over JSON values, escaping by default. */
struct tmpl_set;

struct tmpl_set	*tmpl_set_new(void);
void		 tmpl_set_free(struct tmpl_set *);
int		 tmpl_add(struct tmpl_set *, const char *, const char *,
		    size_t, char *, size_t);
int		 tmpl_has(const struct tmpl_set *, const char *);
int		 tmpl_render(const struct tmpl_set *, const char *, json_t *,
		    json_t *, struct buf *);
int		 tmpl_messages_used(const struct tmpl_set *,
		    int (*)(const char *, void *), void *);

/* mail.c: the outbox's messages, rendered and composed (issue 12). */
struct mail_text {
	struct buf	subject;	/* one line */
	struct buf	text;		/* the body, plain text */
	struct buf	html;		/* the body, HTML */
	struct buf	url;		/* the message's link, or empty */
};

struct mail_in {
	const char	*kind;		/* mail.<kind>.* in the catalogue */
	json_t		*params;	/* what its text names */
	const char	*subject;	/* a message written before the */
	const char	*body;		/* catalogues: its own text, or NULL */
	const char	*site;		/* the public URL, no trailing slash */
};

struct mail_head {
	const char	*from_name;	/* may be NULL or empty */
	const char	*from_addr;
	const char	*to;
	const char	*to_name;	/* may be NULL */
	const char	*message_id;	/* without its brackets */
	const char	*unsubscribe;	/* one-click URL, or NULL */
	time_t		 date;
};

void	 mail_text_init(struct mail_text *);
void	 mail_text_free(struct mail_text *);
int	 mail_render(json_t *, const struct mail_in *, struct mail_text *,
	    char *, size_t);
void	 mail_letter(json_t *, const char *, const struct mail_text *,
	    const char *, const char *, struct buf *, struct buf *);
void	 mail_sms(json_t *, const struct mail_text *, struct buf *);
int	 mail_address_ok(const char *);
int	 mail_from_parse(const char *, char *, size_t, char *, size_t);
void	 mail_message_id(struct buf *, long long, const char *);
int	 mail_compose(struct buf *, const struct mail_head *, const char *,
	    const struct buf *, const struct buf *);

/* form.c: declared input, from a query string, a form or a JSON object. */
enum field_kind {
	FIELD_TEXT,	/* one line of text; min/max count characters */
	FIELD_LINES,	/* text that may hold line breaks */
	FIELD_INT,	/* a decimal integer in [min, max] */
	FIELD_CHOICE,	/* one of choices[] */
	FIELD_SLUG,	/* [a-z0-9-], up to max characters */
	FIELD_BOOL,	/* 1/0, true/false, on (a checkbox) */
	FIELD_EMAIL,	/* an e-mail address, up to 254 characters */
	FIELD_PHONE,	/* a mainland mobile number: 1[3-9] and 9 digits */
	/* children and needs */
	FIELD_YUAN,	/* an amount in yuan ("1234.5"); min/max in fen */
	FIELD_DATE,	/* YYYY-MM-DD, a real date; min/max are years */
	FIELD_IDCARD,	/* a resident ID number: 17 digits and a check */
	/* accounts that can be recovered */
	FIELD_CONTACT,	/* an e-mail address or a mainland mobile number */
	FIELD_TOKEN,	/* a token from a link: 64 lower-case hex digits */
	FIELD_DIGITS,	/* a code of exactly max digits (0-9) */
	FIELD_KEY	/* an idempotency key (form_key_ok) */
};

struct field {
	const char		*name;
	enum field_kind		 kind;
	int			 required;
	long long		 min;
	long long		 max;
	const char *const	*choices;
};

/* The largest record id an input field takes (ids are bigint). */
#define ID_MAX		(1LL << 50)

/* The largest amount in fen a programme's yuan field takes: ten digits. */
#define YUAN_FIELD_MAX	999999999999LL

/* The CSRF token a form sends (auth.c checks it; JSON calls need none). */
#define CSRF_FIELD	{ "csrf", FIELD_TEXT, 0, 0, 64, NULL }

/* The number of fields of a declared field list (an array). */
#define NFIELDS(x)	(sizeof(x) / sizeof(x[0]))

struct form_value {
	char	*name;
	char	*value;
};

struct form {
	struct form_value	*v;
	size_t			 n;
	size_t			 cap;
};

/* What was wrong, for a 400: which field and a stable code. */
struct form_error {
	char		 field[64];
	const char	*code;
};

void		 form_init(struct form *);
void		 form_free(struct form *);
int		 form_parse_urlencoded(struct form *, const char *, size_t,
		    struct form_error *);
int		 form_from_json(struct form *, json_t *, struct form_error *);
int		 form_check(const struct form *, const struct field *, size_t,
		    int, struct form_error *);
const char	*form_get(const struct form *, const char *);
long long	 form_int(const struct form *, const char *, long long);
int		 form_bool(const struct form *, const char *);
int64_t		 form_fen(const struct form *, const char *, int64_t);
int		 form_key_ok(const char *);

/* money.c: amounts typed in yuan, kept in fen. */
int	 money_parse_yuan(const char *, int64_t *);

/*
 * seal.c: AES-256-GCM for private data at rest, and key files.  A sealed
 * value is the ciphertext followed by the tag; the nonce and the key's id
 * are kept beside it.
 */
#define SEAL_KEY_LEN	32
#define SEAL_NONCE_LEN	12
#define SEAL_TAG_LEN	16
#define SEAL_ID_LEN	16	/* hex digits of a key's id */
/* The associated data of a sealed value: its kind of record and its id. */
#define SEAL_AAD_FMT	"shop/v1/%s/%s"

struct seal_key {
	unsigned char	key[SEAL_KEY_LEN];
	char		id[SEAL_ID_LEN + 1];
};

void	 seal_key_set(struct seal_key *, const unsigned char *);
void	 seal_key_wipe(struct seal_key *);
int	 seal_key_load(struct seal_key *, const char *, int, char *, size_t);
int	 seal_encrypt(const struct seal_key *, const char *, const void *,
	    size_t, unsigned char *, struct buf *);
int	 seal_encrypt_nonce(const struct seal_key *, const char *,
	    const void *, size_t, const unsigned char *, struct buf *);
int	 seal_decrypt(const struct seal_key *, const char *,
	    const unsigned char *, const void *, size_t, struct buf *);
void	 seal_buf_wipe(struct buf *);

/*
 * match.c: the matching engine.  The caller fills arrays of needs and
 * offers (from the database, or anywhere), calls one of the three modes,
 * and gets proposals back: which offer gives how much to which need, and
 * why.  Nothing is written anywhere; a proposal becomes a pledge only
 * through the ordinary pledge rules.  Day numbers are any consecutive
 * count of days (e.g. days since 2000-01-01); only differences matter.
 * Ids must be unique within each array (they are primary keys).
 */
enum match_kind {
	MATCH_GOODS,		/* quantity in units */
	MATCH_MONEY,		/* quantity in fen */
	MATCH_SCHOLARSHIP,	/* quantity in terms of unit_amount fen each */
	MATCH_SERVICE,		/* quantity in places */
	MATCH_NKINDS
};

/* Why a proposal was made; render with match_reason_key(). */
enum match_reason {
	MATCH_R_SAME_TOWN,	/* the need is in a town the offer names */
	MATCH_R_URGENT,		/* urgency 3 */
	MATCH_R_DEADLINE,	/* due within 7 days */
	MATCH_R_CATEGORY,	/* the offer names the need's category */
	MATCH_R_ITEM,		/* same item */
	MATCH_R_ITEM_NEAR,	/* one item's name contains the other's */
	MATCH_R_SIZE,		/* the sizes overlap (140 within 140-160) */
	MATCH_R_SPEC,		/* same specification (not a size) */
	MATCH_R_CAMPAIGN,	/* the offer is for the need's campaign */
	MATCH_R_WAITING,	/* open for 30 days or more */
	MATCH_R_COUNT
};

struct match_need {
	int64_t		 id;
	int		 kind;		/* enum match_kind */
	const char	*category;	/* slug */
	const char	*item;		/* "棉衣"; NULL or "" if none */
	const char	*spec;		/* "140码"; NULL or "" if none */
	int64_t		 remaining;	/* units, fen, terms or places */
	int64_t		 unit_amount;	/* scholarship: fen per term */
	int		 town;
	int		 urgency;	/* 1..3, 3 the most urgent */
	int32_t		 deadline;	/* day number; skipped after it */
	int32_t		 opened;	/* day number it went on the shelf */
	int		 campaign;	/* 0: none */
};

struct match_offer {
	int64_t		 id;
	int64_t		 donor_id;
	int		 kind;		/* enum match_kind */
	const char	*category;	/* NULL or "": any of its kind */
	const char	*item;		/* NULL or "": any item */
	const char	*spec;		/* "140-160码"; NULL or "": any */
	int64_t		 quantity;	/* units or places left; money and
					   scholarship: budget left in fen */
	int64_t		 terms;		/* scholarship: most terms it still
					   pays (0: as many as the budget) */
	int64_t		 unit_amount;	/* scholarship: most fen per term
					   (0: any) */
	const int	*towns;		/* preferred towns */
	size_t		 ntowns;	/* 0: anywhere */
	int		 towns_only;	/* 1: nowhere but those towns */
	int		 campaign;	/* 0: any; else only that campaign */
	int32_t		 valid_until;	/* day number; offers past it are
					   skipped */
};

struct match_proposal {
	size_t		 need;		/* index into the needs given */
	size_t		 offer;		/* index into the offers given */
	int64_t		 need_id;
	int64_t		 offer_id;
	int64_t		 quantity;	/* in the need's unit */
	int64_t		 amount;	/* fen taken from a money or
					   scholarship budget; else 0 */
	uint32_t	 score;		/* higher first; see match.c */
	uint32_t	 reasons;	/* bit 1 << MATCH_R_x per reason */
};

/* Proposals in rank order; the counters are those of the last run. */
struct match_result {
	struct match_proposal	*v;
	size_t			 n;
	size_t			 cap;
	size_t			 nclasses;	/* groups of alike needs */
	size_t			 npairs;	/* entries in offer lists */
};

/* The kinds' names by enum match_kind, NULL-terminated: form choices. */
extern const char *const	need_kinds[MATCH_NKINDS + 1];

int	 match_kind_parse(const char *);
void	 match_result_init(struct match_result *);
void	 match_result_free(struct match_result *);
/* (..., today's day number[, k: at most k proposals, 0: no limit], out) */
size_t	 match_all(const struct match_need *, size_t,
	    const struct match_offer *, size_t, int32_t,
	    struct match_result *);
size_t	 match_for_offer(const struct match_offer *,
	    const struct match_need *, size_t, int32_t, size_t,
	    struct match_result *);
size_t	 match_for_need(const struct match_need *,
	    const struct match_offer *, size_t, int32_t, size_t,
	    struct match_result *);
size_t	 match_reasons(uint32_t, enum match_reason *, size_t);
const char *match_reason_key(enum match_reason);
/* hex.c: lower-case hex out, any case in. */
void	 hex_encode(char *, const unsigned char *, size_t);
long	 hex_decode(unsigned char *, size_t, const char *);

/* rnd.c: len random bytes into out (OpenSSL's, drawn in bulk). */
void	 rnd_bytes(void *, size_t);

/* b64.c: standard base64, strictly. */
void	 b64_encode(struct buf *, const void *, size_t);
int	 b64_decode(const char *, size_t, unsigned char *, size_t, size_t *);

/* note.c: signed notes and checkpoints (C2SP formats), Ed25519. */
#define NOTE_KEY_LEN	32

struct evp_pkey_st;

void	 note_checkpoint(struct buf *, const char *, uint64_t,
	    const unsigned char *);
void	 note_key_id(const char *, const unsigned char *, unsigned char *);
void	 note_verifier_key(struct buf *, const char *, const unsigned char *);
int	 note_public_key(struct evp_pkey_st *, unsigned char *);
int	 note_sign(struct buf *, struct evp_pkey_st *, const char *,
	    const char *, size_t);
int	 note_verify(const char *, size_t, const char *, const unsigned char *,
	    size_t *);

/* merkle.c: RFC 6962 / 9162 Merkle trees over SHA-256. */
#define MERKLE_HASH		32
#define MERKLE_MAX_PATH		128	/* a proof in a tree of 2^63 leaves */
#define MERKLE_MAX_TAPE		8192

/* The hash of node (level, index): leaves index * 2^level and on. */
typedef int	(*merkle_node_fn)(void *, unsigned int, uint64_t,
		    unsigned char *);

struct merkle_leaves {
	const unsigned char	(*hash)[MERKLE_HASH];
	uint64_t		  n;
};

struct merkle_tape_node {
	unsigned int	level;
	uint64_t	index;
	unsigned char	hash[MERKLE_HASH];
	int		set;
};

struct merkle_tape {
	struct merkle_tape_node	*node;
	size_t			 n;
	size_t			 cap;
	size_t			 pos;
	int			 replay;
};

void	 merkle_leaf(const void *, size_t, unsigned char *);
void	 merkle_node(const unsigned char *, const unsigned char *,
	    unsigned char *);
void	 merkle_empty(unsigned char *);
int	 merkle_range(merkle_node_fn, void *, uint64_t, uint64_t,
	    unsigned char *);
int	 merkle_root(merkle_node_fn, void *, uint64_t, unsigned char *);
int	 merkle_inclusion(merkle_node_fn, void *, uint64_t, uint64_t,
	    unsigned char (*)[MERKLE_HASH], size_t *);
int	 merkle_consistency(merkle_node_fn, void *, uint64_t, uint64_t,
	    unsigned char (*)[MERKLE_HASH], size_t *);
int	 merkle_verify_inclusion(uint64_t, uint64_t, const unsigned char *,
	    const unsigned char (*)[MERKLE_HASH], size_t,
	    const unsigned char *);
int	 merkle_verify_consistency(uint64_t, uint64_t, const unsigned char *,
	    const unsigned char *, const unsigned char (*)[MERKLE_HASH],
	    size_t);
int	 merkle_leaves_node(void *, unsigned int, uint64_t, unsigned char *);
void	 merkle_tape_init(struct merkle_tape *);
void	 merkle_tape_free(struct merkle_tape *);
int	 merkle_tape_node(void *, unsigned int, uint64_t, unsigned char *);
void	 merkle_tape_rewind(struct merkle_tape *);


/*
 * The transparency page (issue 8): CSV cells, charts as SVG, and the
 * per-worker cache of its answers.
 */

/*
 * csv.c: CSV files (RFC 4180) that spreadsheets read as UTF-8 and cannot
 * run: the start of a file, cells, whole tables (the programme exports).
 */
void	 csv_begin(struct buf *, const char *const *);
void	 csv_cell(struct buf *, const char *);
void	 csv_int(struct buf *, int64_t);
void	 csv_yuan(struct buf *, int64_t);
int	 csv_table(struct buf *, json_t *, json_t *);
int	 csv_rows(struct buf *, json_t *);

/* chart.c: bar charts as inline SVG, from rows of JSON. */
struct chart_series {
	const char	*key;		/* member of each row: an integer >= 0 */
	const char	*name;		/* its name in the legend */
};

struct chart {
	const char			*id;	/* unique in the page: [a-z0-9-] */
	const char			*title;	/* what it shows, for everyone */
	const char			*label;	/* member of each row: its label */
	const struct chart_series	*series;
	size_t				 nseries;	/* 1 to CHART_MAX_SERIES */
	const char			*empty;	/* shown when all values are 0 */
};

#define CHART_MAX_SERIES	4
#define CHART_MAX_ROWS		64

int	 chart_bars(struct buf *, const struct chart *, json_t *);
int	 chart_columns(struct buf *, const struct chart *, json_t *);
int64_t	 chart_nice(int64_t);

/* pcache.c: answers kept for a short time, by key (one cache a worker). */
struct pcache_entry {
	char		*key;
	uint64_t	 hash;		/* of key */
	char		*data;		/* NULL: none yet */
	size_t		 len;
	uint64_t	 born;		/* when the data was asked for (ms) */
	uint64_t	 used;		/* last served (ms), for eviction */
	int		 refreshing;	/* a request is fetching it */
};

struct pcache {
	struct pcache_entry	*slot;
	size_t			 n;
	uint64_t		 fresh;	/* served as is while younger (ms) */
	uint64_t		 max;	/* never served older than this (ms) */
};

void	 pcache_init(struct pcache *, size_t, uint64_t, uint64_t);
void	 pcache_free(struct pcache *);
const struct pcache_entry *pcache_get(struct pcache *, const char *,
	    uint64_t, int *);
const struct pcache_entry *pcache_peek(struct pcache *, const char *,
	    uint64_t);
void	 pcache_put(struct pcache *, const char *, const char *, size_t,
	    uint64_t);
void	 pcache_abort(struct pcache *, const char *);
void	 pcache_expire(struct pcache *, const char *);

/*
 * statement.c: the foundation account's bank statement (CSV, UTF-8 or
 * GBK) read by the columns an admin named for its bank (issue 16).
 */
enum statement_col {
	STATEMENT_DATE,		/* 交易日期 */
	STATEMENT_AMOUNT,	/* one signed amount column, or */
	STATEMENT_CREDIT,	/* 收入 and */
	STATEMENT_DEBIT,	/* 支出 */
	STATEMENT_COUNTERPARTY,	/* 对方户名 */
	STATEMENT_NOTE,		/* 摘要, 附言: where the reference code is */
	STATEMENT_BALANCE,	/* 余额 */
	STATEMENT_LINE_ID,	/* the bank's own number of the line */
	STATEMENT_NCOLS
};

#define STATEMENT_MAX_LINES	50000

/* The columns' keys ("date", "amount", ...), as forms and JSON name them. */
extern const char *const statement_cols[STATEMENT_NCOLS];

/* Each column's text in the header row; NULL or "": not in the file. */
struct statement_map {
	const char	*col[STATEMENT_NCOLS];
};

struct statement_error {
	const char	*code;		/* for the 400 */
	char		 field[32];	/* a column's key, or "" */
	size_t		 row;		/* the file's row (1 first), or 0 */
};

void	 statement_init(void);
int	 statement_amount(const char *, size_t, int64_t *);
int	 statement_date(const char *, size_t, char *);
int	 statement_utf8(const char *, size_t, struct buf *, const char **);
int	 statement_map_ok(const struct statement_map *,
	    struct statement_error *);
json_t	*statement_read(const char *, size_t, const struct statement_map *,
	    struct statement_error *);
json_t	*statement_records(const char *, size_t, size_t);

#endif
