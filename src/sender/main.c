/*
 * shop-sender [-1v]: drains the notifications outbox until stopped
 * (SIGTERM, SIGINT: it finishes the message in hand and exits).
 *
 * Each round it folds the staff's digests that are due (once a minute),
 * then claims due messages SHOP_SENDER_BATCH at a time and sends them
 * until none is due, then sleeps until a message is written (LISTEN
 * shop_outbox: api.notify wakes it at commit) or SHOP_SENDER_INTERVAL
 * seconds pass.  Any number of senders may run against one database.
 *   -1  one round, then exit (cron, benchmarks)
 *   -v  a line per message on stderr (its id and outcome, never its
 *       address or text)
 *
 * Configuration, from the environment:
 *   SHOP_DATABASE           libpq conninfo (required)
 *   SHOP_PUBLIC_URL         the site's address, for the messages' links
 *   SHOP_VAR                state directory: .eml files go to SHOP_VAR/mail
 *   SHOP_SMTP_URL           smtp://host:port or smtps://host:port; none:
 *                           files (no credentials in it: refused)
 *   SHOP_SMTP_STARTTLS=1    STARTTLS required (CURLUSESSL_ALL)
 *   SHOP_SMTP_CREDENTIALS   a file holding user:password on its first
 *                           line, not readable by others
 *   SHOP_MAIL_FROM          "Name <address>" or an address
 *   SHOP_MAIL_DOMAIN        of the Message-IDs (default: From's domain)
 *   SHOP_SMS_URL            the SMS relay (http or https); none: files
 *   SHOP_SENDER_INTERVAL    seconds between rounds (default 5)
 *   SHOP_SENDER_BATCH       messages claimed at a time (default 50)
 *   SHOP_SENDER_RETRY_BASE  first backoff in seconds (default 60)
 *   SHOP_SENDER_LEASE       seconds a claim lasts (default 300)
 *   SHOP_SENDER_TIMEOUT     seconds one delivery may take (default 30)
 *   SHOP_SENDER_DIGEST_SECONDS  how often due digests are folded (60)
 */
#include <sys/select.h>
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sender.h"

struct sender_config		scfg;
static volatile sig_atomic_t	stopping;

static void	usage(void);
static void	on_signal(int);
static int	env_int(const char *, int, int, int);
static void	configure(void);
static void	read_credentials(const char *);
static int	round_once(PGconn *);
static void	wait_for_work(PGconn *);

static void
usage(void)
{
	fprintf(stderr, "usage: shop-sender [-1v]\n");
	exit(2);
}

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* An integer setting in [min, max], or def; exits when it is not one. */
static int
env_int(const char *name, int def, int min, int max)
{
	const char	*v = getenv(name);
	char		*end;
	long		 n;

	if (v == NULL || *v == '\0')
		return (def);
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max) {
		fprintf(stderr, "shop-sender: %s must be an integer from %d "
		    "to %d\n", name, min, max);
		exit(2);
	}
	return ((int)n);
}

/* user:password from the first line of path, a file only we may read. */
static void
read_credentials(const char *path)
{
	struct stat	 st;
	FILE		*f;
	char		 line[520], *colon;
	size_t		 len;

	if ((f = fopen(path, "r")) == NULL || fstat(fileno(f), &st) == -1) {
		fprintf(stderr, "shop-sender: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (st.st_mode & S_IROTH) {
		fprintf(stderr, "shop-sender: %s is readable by others: "
		    "chmod o-r it\n", path);
		exit(2);
	}
	if (fgets(line, sizeof(line), f) == NULL ||
	    (colon = strchr(line, ':')) == NULL) {
		fprintf(stderr, "shop-sender: %s: want user:password\n", path);
		exit(2);
	}
	fclose(f);
	len = strcspn(line, "\r\n");
	line[len] = '\0';
	*colon = '\0';
	if (strlen(line) >= sizeof(scfg.smtp_user) ||
	    strlen(colon + 1) >= sizeof(scfg.smtp_pass)) {
		fprintf(stderr, "shop-sender: %s: too long\n", path);
		exit(2);
	}
	memcpy(scfg.smtp_user, line, strlen(line) + 1);
	memcpy(scfg.smtp_pass, colon + 1, strlen(colon + 1) + 1);
	explicit_bzero(line, sizeof(line));
}

static void
configure(void)
{
	static char	 site[256];
	const char	*v, *var, *at, *host;
	size_t		 len;

	if ((scfg.database = getenv("SHOP_DATABASE")) == NULL) {
		fprintf(stderr, "shop-sender: SHOP_DATABASE is not set\n");
		exit(2);
	}
	if ((v = getenv("SHOP_PUBLIC_URL")) == NULL)
		v = "http://127.0.0.1:8888";
	len = strlen(v);
	while (len > 0 && v[len - 1] == '/')
		len--;
	if (len >= sizeof(site) || (strncmp(v, "http://", 7) &&
	    strncmp(v, "https://", 8)) || strcspn(v, " \t\r\n\"'<>\\`") < len) {
		fprintf(stderr, "shop-sender: SHOP_PUBLIC_URL must be "
		    "http(s)://host[:port][/path]\n");
		exit(2);
	}
	memcpy(site, v, len);
	site[len] = '\0';
	scfg.site = site;
	if ((var = getenv("SHOP_VAR")) == NULL)
		var = "var";
	if ((size_t)snprintf(scfg.mail_dir, sizeof(scfg.mail_dir), "%s/mail",
	    var) >= sizeof(scfg.mail_dir)) {
		fprintf(stderr, "shop-sender: SHOP_VAR is too long\n");
		exit(2);
	}

	scfg.smtp_url = getenv("SHOP_SMTP_URL");
	if (scfg.smtp_url != NULL && *scfg.smtp_url == '\0')
		scfg.smtp_url = NULL;
	if (scfg.smtp_url != NULL) {
		if (strncmp(scfg.smtp_url, "smtp://", 7) &&
		    strncmp(scfg.smtp_url, "smtps://", 8)) {
			fprintf(stderr, "shop-sender: SHOP_SMTP_URL must be "
			    "smtp:// or smtps://\n");
			exit(2);
		}
		host = strstr(scfg.smtp_url, "://") + 3;
		at = strchr(host, '@');
		if (at != NULL && at < host + strcspn(host, "/?#")) {
			fprintf(stderr, "shop-sender: no credentials in "
			    "SHOP_SMTP_URL: put them in the file named by "
			    "SHOP_SMTP_CREDENTIALS\n");
			exit(2);
		}
	}
	v = getenv("SHOP_SMTP_STARTTLS");
	scfg.starttls = v != NULL && !strcmp(v, "1");
	if ((v = getenv("SHOP_SMTP_CREDENTIALS")) != NULL && *v != '\0')
		read_credentials(v);

	if ((v = getenv("SHOP_MAIL_FROM")) == NULL)
		v = "共青扶贫超市 <noreply@localhost>";
	if (!mail_from_parse(v, scfg.from_name, sizeof(scfg.from_name),
	    scfg.from_addr, sizeof(scfg.from_addr))) {
		fprintf(stderr, "shop-sender: SHOP_MAIL_FROM must be "
		    "\"Name <address>\" or an address\n");
		exit(2);
	}
	if ((scfg.domain = getenv("SHOP_MAIL_DOMAIN")) == NULL)
		scfg.domain = strchr(scfg.from_addr, '@') + 1;
	if (*scfg.domain == '\0' || strspn(scfg.domain, "abcdefghijklmnopqrs"
	    "tuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
	    strlen(scfg.domain)) {
		fprintf(stderr, "shop-sender: SHOP_MAIL_DOMAIN is not a "
		    "domain\n");
		exit(2);
	}
	scfg.sms_url = getenv("SHOP_SMS_URL");
	if (scfg.sms_url != NULL && *scfg.sms_url == '\0')
		scfg.sms_url = NULL;
	if (scfg.sms_url != NULL && strncmp(scfg.sms_url, "http://", 7) &&
	    strncmp(scfg.sms_url, "https://", 8)) {
		fprintf(stderr, "shop-sender: SHOP_SMS_URL must be http(s)\n");
		exit(2);
	}
	scfg.interval = env_int("SHOP_SENDER_INTERVAL", 5, 1, 3600);
	scfg.batch = env_int("SHOP_SENDER_BATCH", 50, 1, 500);
	scfg.retry_base = env_int("SHOP_SENDER_RETRY_BASE", 60, 1, 3600);
	scfg.lease = env_int("SHOP_SENDER_LEASE", 300, 10, 86400);
	scfg.timeout = env_int("SHOP_SENDER_TIMEOUT", 30, 1, 600);
	scfg.digest_every = env_int("SHOP_SENDER_DIGEST_SECONDS", 60, 1, 3600);
}

/*
 * Sends every message due now, a batch at a time.  Returns how many it
 * handled, or -1 when the database failed.
 */
static int
round_once(PGconn *db)
{
	static time_t		 digested;
	json_t			*rows, *row;
	size_t			 i;
	char			 err[512];
	enum deliver_result	 r;
	int			 n = 0;

	if (time(NULL) - digested >= scfg.digest_every) {
		if (outbox_digest(db) < 0)
			return (-1);
		digested = time(NULL);
	}
	while (!stopping) {
		if ((rows = outbox_claim(db)) == NULL)
			return (-1);
		if (json_array_size(rows) == 0) {
			json_decref(rows);
			break;
		}
		json_array_foreach(rows, i, row) {
			/* Stopping: the rest is claimed again later. */
			if (stopping)
				break;
			r = deliver(row, err, sizeof(err));
			if (r != DELIVER_SENT)
				fprintf(stderr, "shop-sender: outbox-%lld: %s "
				    "(%s)\n", (long long)json_integer_value(
				    json_object_get(row, "id")), err,
				    deliver_result_name(r));
			if (!outbox_done(db, json_integer_value(
			    json_object_get(row, "id")),
			    deliver_result_name(r), err[0] ? err : NULL)) {
				json_decref(rows);
				return (-1);
			}
			n++;
		}
		json_decref(rows);
	}
	return (n);
}

/* Sleeps until a message is written or the interval passes. */
static void
wait_for_work(PGconn *db)
{
	struct timeval	 tv;
	fd_set		 fds;
	PGnotify	*note;
	int		 fd, woken = 0;

	/* Notifications that came with the last results count too. */
	PQconsumeInput(db);
	while ((note = PQnotifies(db)) != NULL) {
		PQfreemem(note);
		woken = 1;
	}
	if (woken || stopping || (fd = PQsocket(db)) < 0)
		return;
	FD_ZERO(&fds);
	FD_SET(fd, &fds);
	tv.tv_sec = scfg.interval;
	tv.tv_usec = 0;
	if (select(fd + 1, &fds, NULL, NULL, &tv) > 0) {
		PQconsumeInput(db);
		while ((note = PQnotifies(db)) != NULL)
			PQfreemem(note);
	}
}

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;
	PGconn			*db = NULL;
	int			 ch, once = 0, n;

	while ((ch = getopt(argc, argv, "1v")) != -1) {
		switch (ch) {
		case '1':
			once = 1;
			break;
		case 'v':
			scfg.verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	configure();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	deliver_init();

	fprintf(stderr, "shop-sender: sending %s%s, SMS %s\n",
	    scfg.smtp_url ? "by SMTP to " : "e-mail as files in ",
	    scfg.smtp_url ? scfg.smtp_url : scfg.mail_dir,
	    scfg.sms_url ? "to the relay" : "as files");
	while (!stopping) {
		if (db == NULL || PQstatus(db) != CONNECTION_OK) {
			if (!outbox_connect(&db)) {
				if (once)
					break;
				sleep((unsigned int)scfg.interval);
				continue;
			}
		}
		n = round_once(db);
		if (n < 0) {
			/* Reconnect on the next round. */
			if (PQstatus(db) == CONNECTION_OK)
				sleep(1);
			else
				PQreset(db);
		}
		if (once)
			break;
		wait_for_work(db);
	}
	PQfinish(db);
	deliver_end();
	return (0);
}
