/*
 * remote: private interfaces between main.c (argv, conf, the host loop),
 * route.c (conf/routes and DNS into a list of addresses to try) and
 * smtp.c (one SMTP session). See postel-remote(8).
 */
#ifndef POSTEL_REMOTE_H
#define POSTEL_REMOTE_H

#include <stddef.h>

#include "dns.h"
#include "result.h"
#include "route.h"

#define REMOTE_HOSTS_MAX 64             /* addresses in one plan */

struct rcpt {
	const char *addr;
	struct result r;                /* OUTCOME_NONE: pending */
	int accepted;                   /* 250 to RCPT in this session */
};

/* one address to try */
struct target {
	char name[DNS_NAME_MAX + 1];    /* host name, for TLS and messages */
	struct dns_ip ip;
	unsigned port;
};

struct delivery {
	const char *qid, *domain, *sender;
	struct rcpt *rcpt;
	size_t nrcpt;
	int utf8, eightbit;
	int fd;                         /* the message, LF form */
	long long off;                  /* its first byte */
	unsigned long long size;        /* its size in CRLF form */
	const char *me;
};

/* route.c */
/* Resolve r into targets; NULL, or a failure in res for every recipient. */
int route_plan(const struct route *r, const struct delivery *j, struct target *t,
    size_t max, size_t *n, struct result *res);

/* smtp.c */
enum { S_DONE, S_NEXT, S_TLSFAIL };
/* One session with t. Fills recipient results; S_NEXT means try the next
 * address for the recipients still pending (*res says why), S_TLSFAIL
 * means the TLS handshake failed (retry in plaintext if policy allows). */
int smtp_session(struct delivery *j, const struct route *r, const struct target *t,
    int tls, struct result *res);

#endif
