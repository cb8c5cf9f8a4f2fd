/*
 * build/shop-sender: drains the notifications outbox (issue 12).  Its
 * own process, never a Kore worker: it claims due messages in batches,
 * renders each in its recipient's language from the catalogues embedded
 * at build time, sends it (SMTP through libcurl, an HTTP relay for SMS,
 * or .eml files when no SMTP server is configured) and records the
 * outcome.  Prototypes grouped by the file that defines them.
 */
#ifndef SENDER_H
#define SENDER_H

#include <libpq-fe.h>

#include "lib.h"

/* main.c: configuration, from the environment. */
struct sender_config {
	const char	*database;	/* SHOP_DATABASE */
	const char	*site;		/* SHOP_PUBLIC_URL, no trailing / */
	char		 mail_dir[1024];	/* SHOP_VAR/mail */
	const char	*smtp_url;	/* SHOP_SMTP_URL, or NULL: files */
	int		 starttls;	/* SHOP_SMTP_STARTTLS=1 */
	char		 smtp_user[256];	/* from SHOP_SMTP_CREDENTIALS */
	char		 smtp_pass[256];
	char		 from_name[128];	/* SHOP_MAIL_FROM */
	char		 from_addr[256];
	const char	*domain;	/* SHOP_MAIL_DOMAIN: of Message-IDs */
	const char	*sms_url;	/* SHOP_SMS_URL, or NULL: files */
	int		 interval;	/* SHOP_SENDER_INTERVAL, seconds */
	int		 batch;		/* SHOP_SENDER_BATCH */
	int		 retry_base;	/* SHOP_SENDER_RETRY_BASE, seconds */
	int		 lease;		/* SHOP_SENDER_LEASE, seconds */
	int		 timeout;	/* SHOP_SENDER_TIMEOUT, seconds */
	int		 digest_every;	/* SHOP_SENDER_DIGEST_SECONDS */
	int		 verbose;
};

extern struct sender_config	scfg;

/* outbox.c: the database side. */
int	 outbox_connect(PGconn **);
json_t	*outbox_claim(PGconn *);
int	 outbox_done(PGconn *, long long, const char *, const char *);
int	 outbox_digest(PGconn *);

/* deliver.c: one message rendered and sent. */
enum deliver_result {
	DELIVER_SENT,
	DELIVER_TEMPORARY,	/* try again later */
	DELIVER_PERMANENT	/* never again */
};

void	 deliver_init(void);
void	 deliver_end(void);
enum deliver_result deliver(json_t *, char *, size_t);
const char *deliver_result_name(enum deliver_result);

#endif
