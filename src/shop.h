/*
 * The Kore side of the platform.  Prototypes grouped by the file that
 * defines them; the pure modules are in lib.h.
 */
#ifndef SHOP_H
#define SHOP_H

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>

#include "lib.h"

/* init.c: configuration, read once in the parent from the environment. */
struct config {
	const char	*database;	/* SHOP_DATABASE: libpq conninfo */
	const char	*var;		/* SHOP_VAR: keys and other state */
	int		 tls;		/* SHOP_TLS=1: behind a TLS proxy */
};

extern struct config	cfg;

/* stmt.c: every SQL statement of the platform, chosen by this enum. */
enum stmt {
	SQL_HEALTH,
	SQL_HOME,
	SQL_NEEDS_LIST,
	SQL_NEEDS_PAGE,
	SQL_NEED_GET,
	SQL__COUNT
};

#define STMT_READONLY	0x01	/* safe to send again on a new connection */

struct stmt_def {
	const char	*sql;
	int		 nparams;
	int		 flags;
};

extern const struct stmt_def	stmts[SQL__COUNT];

/* db.c: one query for one request, asynchronously. */
#define DB_MAX_PARAMS	16

struct db_call;
typedef int	(*db_done_fn)(struct http_request *, struct db_call *,
		    PGresult *);

struct db_call {
	struct kore_pgsql	 pgsql;
	enum stmt		 stmt;
	int			 nparams;
	char			*values[DB_MAX_PARAMS];
	int			 lengths[DB_MAX_PARAMS];
	int			 formats[DB_MAX_PARAMS];
	db_done_fn		 done;
	const char		*page;	/* template for web_db_page */
	void			*arg;
	void			(*arg_free)(void *);
	int			 retried;
	int			 answered;
	struct http_request	*req;
	TAILQ_ENTRY(db_call)	 queue;		/* waiting for a connection */
	int			 waiting;
	int			 holding;	/* holds a pooled connection */
};

struct db_call	*db_prepare(struct http_request *, enum stmt, db_done_fn);
void		 db_text(struct db_call *, const char *);
void		 db_int(struct db_call *, long long);
int		 db_run(struct http_request *);
const char	*db_value(PGresult *, int, int, size_t *);

/* web.c: answers, languages, errors, the page layout. */
enum lang {
	LANG_ZH,
	LANG_EN
};

void		 web_init(void);
enum lang	 web_lang(struct http_request *);
const char	*web_lang_code(enum lang);
int		 web_is_api(struct http_request *);
void		 web_headers(struct http_request *, const char *);
int		 web_send(struct http_request *, int, const char *,
		    const void *, size_t);
int		 web_json_text(struct http_request *, int, const char *,
		    size_t);
int		 web_json(struct http_request *, int, json_t *);
int		 web_error(struct http_request *, int, const char *,
		    const char *);
int		 web_page(struct http_request *, int, const char *, json_t *);
int		 web_method(struct http_request *, int);
int		 web_query(struct http_request *, struct form *,
		    const struct field *, size_t);
int		 web_db_json(struct http_request *, struct db_call *,
		    PGresult *);
int		 web_db_page(struct http_request *, struct db_call *,
		    PGresult *);
json_t		*web_db_object(PGresult *, int);
json_t		*web_messages(enum lang);
const struct tmpl_set *web_templates(void);

/* assets.c: files embedded from assets/. */
struct asset {
	const char	*name;
	const char	*data;
	const char	*end;
	size_t		 len;
};

const struct asset	*asset_find(const char *);
const struct asset	*asset_all(size_t *);
const char		*asset_version(void);

#endif
