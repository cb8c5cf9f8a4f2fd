/*
 * shop-admin: the accounts nobody can create through the site.
 *
 *   shop-admin create-admin EMAIL NAME   the first administrator (of the
 *                                        city committee, created if absent)
 *   shop-admin set-password EMAIL        a new password for an account
 *   shop-admin demo-passwords FILE       random passwords for the demo
 *                                        accounts that have none, listed
 *                                        in FILE (mode 600)
 *   shop-admin demo-private              made-up private parts for the
 *                                        demo children that have none,
 *                                        sealed with the data key
 *
 * The database is OWNER_DATABASE (a libpq conninfo).  The data key is the
 * server's: SHOP_DATA_KEY_FILE, or $SHOP_VAR/data.key (var/ by default),
 * made on first use like the server does.  Passwords are read
 * from SHOP_ADMIN_PASSWORD when set (for scripts), else asked twice on
 * the terminal without echo.  Nothing here holds a password in the code.
 */
#include <sys/stat.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "lib.h"

static PGconn	*connect_db(void);
static void	 ask(const char *, char *, size_t);
static void	 get_password(char *, size_t);
static void	 hash_or_die(const char *, char *);
static PGresult	*exec(PGconn *, const char *, int, const char **);
static int	 create_admin(const char *, const char *);
static int	 set_password(const char *);
static int	 demo_passwords(const char *);
static int	 demo_private(void);
static void	 idcard_fake(char *, int, long);

static PGconn *
connect_db(void)
{
	const char	*conninfo;
	PGconn		*db;

	if ((conninfo = getenv("OWNER_DATABASE")) == NULL)
		errx(1, "OWNER_DATABASE is not set");
	db = PQconnectdb(conninfo);
	if (PQstatus(db) != CONNECTION_OK)
		errx(1, "cannot reach the database: %s", PQerrorMessage(db));
	return (db);
}

static PGresult *
exec(PGconn *db, const char *sql, int n, const char **params)
{
	PGresult	*res;

	res = PQexecParams(db, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK)
		errx(1, "%s", PQresultErrorMessage(res));
	return (res);
}

static void
ask(const char *prompt, char *buf, size_t len)
{
	struct termios	old, quiet;
	int		tty = isatty(STDIN_FILENO);

	fputs(prompt, stderr);
	if (tty && tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, (int)len, stdin) == NULL)
		buf[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	buf[strcspn(buf, "\r\n")] = '\0';
}

/* A password of 10 to 128 characters, from the environment or asked. */
static void
get_password(char *pw, size_t len)
{
	const char	*env;
	char		 again[256];
	size_t		 chars;

	if ((env = getenv("SHOP_ADMIN_PASSWORD")) != NULL) {
		if (strlen(env) >= len)
			errx(1, "password too long");
		strcpy(pw, env);
	} else {
		ask("password: ", pw, len);
		ask("again: ", again, sizeof(again));
		if (strcmp(pw, again))
			errx(1, "the passwords differ");
	}
	if (!utf8_check(pw, strlen(pw), 0, &chars) || chars < 10 ||
	    chars > 128)
		errx(1, "a password has 10 to 128 characters");
}

static void
hash_or_die(const char *pw, char *hash)
{
	if (!password_hash(pw, strlen(pw), hash, PASSWORD_HASH_MAX))
		errx(1, "cannot hash the password");
}

static int
create_admin(const char *email, const char *name)
{
	char		 pw[256], hash[PASSWORD_HASH_MAX];
	const char	*params[3];
	PGconn		*db;
	PGresult	*res;

	get_password(pw, sizeof(pw));
	hash_or_die(pw, hash);
	db = connect_db();
	PQclear(exec(db, "begin", 0, NULL));
	PQclear(exec(db, "insert into orgs (kind, name, name_en) "
	    "select 'city', '共青团济源市委', "
	    "'Jiyuan Municipal Youth League Committee' "
	    "where not exists (select 1 from orgs where kind = 'city')",
	    0, NULL));
	params[0] = email;
	params[1] = name;
	params[2] = hash;
	res = exec(db, "insert into users (role, org_id, display_name, email, "
	    "password_hash) select 'admin', id, $2, lower($1), $3 from orgs "
	    "where kind = 'city' order by id limit 1 returning id", 3, params);
	printf("administrator %s created (user %s)\n", email,
	    PQgetvalue(res, 0, 0));
	PQclear(res);
	PQclear(exec(db, "commit", 0, NULL));
	PQfinish(db);
	return (0);
}

static int
set_password(const char *who)
{
	char		 pw[256], hash[PASSWORD_HASH_MAX];
	const char	*params[2];
	PGconn		*db;
	PGresult	*res;

	get_password(pw, sizeof(pw));
	hash_or_die(pw, hash);
	db = connect_db();
	params[0] = who;
	params[1] = hash;
	res = exec(db, "update users set password_hash = $2, "
	    "disabled_at = null, updated_at = now() "
	    "where email = lower($1) or phone = $1 returning id", 2, params);
	if (PQntuples(res) != 1)
		errx(1, "no account %s", who);
	PQclear(res);
	params[0] = who;
	PQclear(exec(db, "delete from sessions where user_id = (select id "
	    "from users where email = lower($1) or phone = $1)", 1, params));
	printf("password of %s set; its sessions ended\n", who);
	PQfinish(db);
	return (0);
}

/* Random readable passwords: no 0/O or 1/l/I to misread. */
static void
random_password(char *out, size_t len)
{
	static const char	alphabet[] =
	    "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char		rnd[64];
	size_t			i;

	if (len > sizeof(rnd))
		errx(1, "random_password: %zu characters", len);
	rnd_bytes(rnd, len);
	for (i = 0; i + 1 < len; i++)
		out[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	out[len - 1] = '\0';
}

static int
demo_passwords(const char *file)
{
	char		 pw[16], hash[PASSWORD_HASH_MAX];
	const char	*params[2];
	PGconn		*db;
	PGresult	*res;
	FILE		*fp;
	int		 i, n;

	db = connect_db();
	res = exec(db, "select id, role, coalesce(email, phone), display_name "
	    "from users where password_hash is null and coalesce(email, phone) "
	    "is not null order by role, id", 0, NULL);
	n = PQntuples(res);
	if (n == 0) {
		PQclear(res);
		PQfinish(db);
		return (0);
	}
	umask(077);
	if ((fp = fopen(file, "a")) == NULL)
		err(1, "%s", file);
	fprintf(fp, "# demo accounts of this checkout (role, sign-in, name, "
	    "password)\n");
	for (i = 0; i < n; i++) {
		random_password(pw, sizeof(pw));
		hash_or_die(pw, hash);
		params[0] = PQgetvalue(res, i, 0);
		params[1] = hash;
		PQclear(exec(db, "update users set password_hash = $2 "
		    "where id = $1", 2, params));
		fprintf(fp, "%s\t%s\t%s\t%s\n", PQgetvalue(res, i, 1),
		    PQgetvalue(res, i, 2), PQgetvalue(res, i, 3), pw);
	}
	fclose(fp);
	printf("demo accounts: %d passwords written to %s\n", n, file);
	PQclear(res);
	PQfinish(db);
	return (0);
}

/*
 * An ID number (into out, 40 bytes) that passes the check but belongs
 * to nobody: region 419001 (济源), the birth year, a day from n,
 * sequence 9xx.
 */
static void
idcard_fake(char *out, int year, long n)
{
	static const int	weight[] = {
		7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
	};
	static const char	check[] = "10X98765432";
	int			i, sum = 0;

	(void)snprintf(out, 40, "419001%04d%02d%02d9%02d", year % 10000,
	    (int)(n % 12) + 1, (int)(n % 28) + 1, (int)(n % 100));
	for (i = 0; i < 17; i++)
		sum += (out[i] - '0') * weight[i];
	out[17] = check[sum % 11];
	out[18] = '\0';
}

/*
 * Made-up private parts for the demo children that have none (make demo
 * runs this after loading sql/demo/seed.sql): names, ID numbers, phones
 * and addresses that belong to nobody, sealed exactly as the server
 * seals them, so that the staff pages have something to show.
 */
static int
demo_private(void)
{
	static const char *const surnames[] = {
		"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
		"徐", "孙"
	};
	static const char *const given[] = {
		"子涵", "雨桐", "浩然", "欣怡", "梓萱", "宇轩", "思琪", "俊杰",
		"佳怡", "博文", "可馨", "晨阳", "诗雨", "志强", "梦瑶", "家乐"
	};
	static const char *const relations[] = {
		"祖母", "祖父", "母亲", "父亲", "外祖母"
	};
	struct seal_key	 key;
	const char	*path, *var, *params[4];
	char		 keypath[1024], why[1200], idcard[40], phone[32];
	char		 aad[64], nonce_hex[SEAL_NONCE_LEN * 2 + 1], *hex, *text;
	char		 name[64], guardian[64], address[200];
	unsigned char	 nonce[SEAL_NONCE_LEN];
	struct buf	 sealed;
	PGconn		*db;
	PGresult	*res;
	json_t		*o;
	long		 id;
	int		 i, n, create;

	if ((path = getenv("SHOP_DATA_KEY_FILE")) == NULL) {
		if ((var = getenv("SHOP_VAR")) == NULL)
			var = "var";
		(void)snprintf(keypath, sizeof(keypath), "%s/data.key", var);
		path = keypath;
	}
	create = getenv("SHOP_DATA_KEY_FILE") == NULL;
	if (!seal_key_load(&key, path, create, why, sizeof(why)))
		errx(1, "data key: %s", why);
	db = connect_db();
	res = exec(db, "select b.id, b.birth_year, t.name_zh from beneficiaries b "
	    "join towns t on t.id = b.town_id where not exists (select 1 "
	    "from beneficiary_private p where p.beneficiary_id = b.id) "
	    "order by b.id", 0, NULL);
	n = PQntuples(res);
	PQclear(exec(db, "begin", 0, NULL));
	for (i = 0; i < n; i++) {
		id = atol(PQgetvalue(res, i, 0));
		(void)snprintf(name, sizeof(name), "%s%s",
		    surnames[id % 12], given[id % 16]);
		(void)snprintf(guardian, sizeof(guardian), "%s%s",
		    surnames[id % 12], given[(id * 7 + 3) % 16]);
		(void)snprintf(address, sizeof(address), "济源市%s演示村%ld组%ld号",
		    PQgetvalue(res, i, 2), id % 9 + 1, id * 3 % 97 + 1);
		(void)snprintf(phone, sizeof(phone), "1390391%04ld", id % 10000);
		idcard_fake(idcard, atoi(PQgetvalue(res, i, 1)), id);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		    "real_name", name, "id_number", idcard,
		    "guardian", guardian,
		    "guardian_relation", relations[id % 5],
		    "phone", phone, "address", address,
		    "notes", "演示数据，并非真实儿童。");
		text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(o);
		(void)snprintf(aad, sizeof(aad), SEAL_AAD_FMT, "child",
		    PQgetvalue(res, i, 0));
		buf_init(&sealed, 512);
		if (!seal_encrypt(&key, aad, text, strlen(text), nonce,
		    &sealed))
			errx(1, "cannot seal");
		free(text);
		hex_encode(nonce_hex, nonce, sizeof(nonce));
		if ((hex = malloc(sealed.len * 2 + 1)) == NULL)
			err(1, "malloc");
		hex_encode(hex, (unsigned char *)sealed.data, sealed.len);
		params[0] = PQgetvalue(res, i, 0);
		params[1] = key.id;
		params[2] = nonce_hex;
		params[3] = hex;
		PQclear(exec(db, "insert into beneficiary_private "
		    "(beneficiary_id, key_id, nonce, sealed) values ($1, $2, "
		    "decode($3, 'hex'), decode($4, 'hex'))", 4, params));
		free(hex);
		seal_buf_wipe(&sealed);
	}
	PQclear(exec(db, "commit", 0, NULL));
	PQclear(res);
	PQfinish(db);
	if (n > 0)
		printf("demo children: %d private parts sealed with key %s\n",
		    n, key.id);
	seal_key_wipe(&key);
	return (0);
}

int
main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "create-admin"))
		return (create_admin(argv[2], argv[3]));
	if (argc == 3 && !strcmp(argv[1], "set-password"))
		return (set_password(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "demo-passwords"))
		return (demo_passwords(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "demo-private"))
		return (demo_private());
	fprintf(stderr, "usage: shop-admin create-admin EMAIL NAME\n"
	    "       shop-admin set-password EMAIL|PHONE\n"
	    "       shop-admin demo-passwords FILE\n"
	    "       shop-admin demo-private\n");
	return (2);
}
