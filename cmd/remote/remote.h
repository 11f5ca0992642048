/*
 * remote: private interfaces between main.c (argv, conf, the host loop),
 * batch.c (the messages of -m from their envelopes), route.c
 * (conf/routes and DNS into a list of addresses to try, with what DNSSEC
 * and TLSA say of each), smtp.c (one SMTP session, carrying one message
 * or a batch), sts.c (the MTA-STS policy of a domain), dane.c (the
 * certificate check of RFC 7672), dsn.c (the RFC 3461 parameters for a
 * next hop that offers DSN) and requiretls.c (RFC 8689: REQUIRETLS and
 * the TLS-Required field). See postel-remote(8).
 * main.c owns the deliveries and their recipients, in static arrays.
 */
#ifndef POSTEL_REMOTE_H
#define POSTEL_REMOTE_H

#include <stddef.h>
#include <bearssl.h>

#include "buf.h"
#include "dns.h"
#include "queue.h"
#include "result.h"
#include "route.h"
#include "mtasts.h"
#include "tls.h"
#include "tlsa.h"

#define REMOTE_HOSTS_MAX 64             /* addresses in one plan */
#define REMOTE_BATCH_MAX 64             /* messages in one -m run */
#define REMOTE_RCPT_MAX 100             /* their recipients, in all */
/* A command line remote writes, CRLF excluded: RFC 5321 4.5.3.1.4's 512
 * grown by RFC 3461 section 4 (MAIL by 110 for RET and ENVID, RCPT by
 * 500 for NOTIFY and ORCPT) and by the other parameters of MAIL. */
#define REMOTE_CMD_MAX 1024

struct rcpt {
	const char *addr;
	struct result r;                /* OUTCOME_NONE: pending */
	int accepted;                   /* 250 to RCPT in this session */
	int reported;                   /* its result line is written */
	unsigned notify;                /* RFC 3461 NOTIFY, QN_ bits; 0 none */
	char orcpt[QUEUE_ORCPT_MAX + 1]; /* ORCPT to send: the envelope's, or
	                                   made from addr; "" none */
	int dsn;                        /* the RCPT accepted carried them: the
	                                   hop offered DSN (action passed) */
};

/* What DNSSEC says of a host's TLS (RFC 7672 2.2): no DANE (no TLSA, or
 * not all of MX, address and TLSA answers secure); TLSA records none of
 * which are usable (TLS mandatory, not authenticated); usable ones (TLS
 * mandatory, the certificate must match one); or the TLSA lookup failed
 * (this host is a temporary failure). */
enum { DANE_NONE, DANE_UNUSABLE, DANE_USABLE, DANE_TEMP };

/* one address to try */
struct target {
	char name[DNS_NAME_MAX + 1];    /* host name, for TLS and messages */
	struct dns_ip ip;
	unsigned port;
	int dane;                       /* DANE_* */
	const struct tlsa_set *tlsa;    /* DANE_USABLE: the records */
	char base[DNS_NAME_MAX + 1];    /* their base domain: name, or what
	                                   name is a CNAME of (RFC 7672 2.2.2) */
	int sts;                        /* STS_*: the MTA-STS policy applied
	                                   to this host (none where DANE is) */
};

/* One message and its recipients in this domain; a batch is an array. */
struct delivery {
	const char *qid, *domain, *sender;
	struct rcpt *rcpt;
	size_t nrcpt;
	int utf8, eightbit;
	int fd;                         /* the message, LF form */
	long long off;                  /* its first byte */
	unsigned long long size;        /* its size in CRLF form */
	const char *me;
	int sign;                       /* a user's of this host: DKIM */
	struct buf dkim;                /* its DKIM-Signature field, LF form,
	                                   sent before the message */
	struct result res;              /* the last failure: the result of
	                                   the recipients still pending */
	struct qdsn dsn;                /* RET and ENVID (notify unused) */
	int requiretls;                 /* QF_REQUIRETLS: RFC 8689 4.2.1 */
	int tlsreq_no;                  /* has "TLS-Required: No" (RFC 8689
	                                   4.2.2); meaningless with requiretls */
};

/* main.c */
/* Write the result line of every recipient of m[0..nm) that has one and
 * has not been reported; with all, also of the pending ones (their
 * message's res). A settled result goes out at once, so that a run killed
 * later does not lose it (postel(7), invariant 2). */
void remote_report(struct delivery *m, size_t nm, int all);
/* How many recipients of j have no result yet. */
size_t delivery_pending(const struct delivery *j);
/* The size of the message at fd from off in CRLF form, for SIZE (RFC
 * 1870), into *size: 0, or -1 with errno if it cannot be read. */
int remote_crlf_size(int fd, long long off, unsigned long long *size);

/* batch.c */
/* The deliveries of "remote -m -- DOMAIN QID:N,N ...": argv holds the
 * QID:N arguments, the k-th message is on fd 0, 3, 4, ... at offset 0.
 * Fills m[0..*nm) and their recipients in rcpt[], in argv order (K - 1);
 * a message whose envelope is unusable gets its results at once. NULL,
 * or a usage error. */
const char *batch_init(struct delivery *m, size_t *nm, struct rcpt *rcpt,
    int argc, char **argv, const char *domain);

/* dsn.c */
/* r's DSN requests from its envelope: notify (QN_ bits, 0 none) and
 * orcpt (as stored, NULL or "" none). Without an ORCPT one is made from
 * r->addr, the address as this hop received it (RFC 3461 4.2, 5.2.1):
 * rfc822 and xtext, or for an address that is not ASCII utf-8 and RFC
 * 6533's utf-8-addr-xtext; none if it would exceed QUEUE_ORCPT_MAX. */
void dsn_rcpt_init(struct rcpt *r, unsigned notify, const char *orcpt);
/* The MAIL parameters " RET=... ENVID=..." of j, only those it has,
 * into dst: 0, or -1 (dst "") if dst is short. */
int dsn_mail_params(char *dst, size_t size, const struct delivery *j);
/* The RCPT parameters " NOTIFY=... ORCPT=..." of r, only those it has,
 * into dst: 0, or -1 (dst "") if dst is short. */
int dsn_rcpt_params(char *dst, size_t size, const struct rcpt *r);

/* sign.c */
/* 1 if a message with this envelope origin and auth line (postel-queue(5))
 * is this host's users' mail, which is signed: a local submission, a
 * bounce of qrun's, or a client's that authenticated. */
int sign_wanted(const char *origin, const char *auth);
/* When j->sign, and conf/dkim-sign has a key for its From: domain, the
 * DKIM-Signature field into j->dkim and its size into j->size; a key or
 * table that cannot be used gives every pending recipient a temporary
 * result. Logs a dkim event when it signs or why it did not. */
void sign_message(struct delivery *j);
/* Free the keys (wiped) and the table. */
void sign_end(void);

/* route.c */
/* Resolve r into targets; NULL, or a failure in res for every recipient.
 * relaxed: the messages say "TLS-Required: No" (RFC 8689 5), so the
 * domain's MTA-STS policy neither picks the hosts nor is required. */
int route_plan(const struct route *r, const struct delivery *j, int relaxed,
    struct target *t, size_t max, size_t *n, struct result *res);

/* sts.c */
/* The MTA-STS mode applied to a host (RFC 8461 5): none, testing (only
 * logged), enforce (TLS with a certificate that verifies against
 * remote-ca-file and names the host; only hosts matching the policy). */
enum { STS_NONE, STS_TESTING, STS_ENFORCE };
/* The policy of domain (RFC 8461 3, 5.1): its _mta-sts TXT record; the
 * policy cached in queue/sts/ if its id is the record's, else fetched
 * from https://mta-sts.DOMAIN/.well-known/mta-sts.txt and cached (mode
 * none drops it); a cached one that has not expired when there is no
 * record or the fetch fails. Logs an sts event (qid may be NULL). The
 * mode, STS_*; *pol the policy (static until the next call), or NULL. */
int sts_find(const char *domain, const char *qid,
    const struct mtasts_policy **pol);
/* "none", "testing" or "enforce". */
const char *sts_mode_word(int mode);
/* A BearSSL certificate check for testing mode: the chain is verified
 * against the anchors and the server name as under enforce, but the
 * verdict is only kept in err (0, or BR_ERR_X509_*) for the log, and the
 * handshake goes on with the server's key, unauthenticated. */
struct sts_x509 {
	const br_x509_class *vtable;
	br_x509_minimal_context xc;
	br_x509_decoder_context dc;     /* the end entity: its key */
	int first;
	int err;
};
void sts_x509_init(struct sts_x509 *x, const struct tls_anchors *a);

/* dane.c */
/* A BearSSL certificate check by TLSA records (RFC 7672 3): the chain
 * the server sent is kept (DER), and end_chain decides. DANE-EE(3): the
 * end-entity certificate matches, nothing else is checked (3.1.1).
 * DANE-TA(2): a certificate of the chain matches, and the chain below it
 * verifies with it as trust anchor, dates checked, the end entity naming
 * one of the reference identifiers (3.2.2). */
#define DANE_CERTS_MAX 10               /* certificates of a chain kept */
#define DANE_CHAIN_MAX 65536            /* their octets */
struct dane_x509 {
	const br_x509_class *vtable;
	const struct tlsa_set *tlsa;
	const char *name, *base;        /* reference identifiers */
	unsigned char buf[DANE_CHAIN_MAX];
	size_t off[DANE_CERTS_MAX + 1], n, len;
	int over;                       /* chain longer than kept */
	br_x509_decoder_context ee;     /* the end entity: its key */
	br_x509_decoder_context tad;    /* a trust anchor's certificate */
	br_x509_minimal_context xc;
	br_x509_trust_anchor ta;
	unsigned char dn[1024];
	size_t dnlen;
	int matched;                    /* 3 DANE-EE, 2 DANE-TA, 0 none */
	char why[160];                  /* why it failed */
};
/* Ready x for a handshake with t (whose tlsa must be set). */
void dane_x509_init(struct dane_x509 *x, const struct target *t);

/* requiretls.c */
/* What a session's TLS proved of the server's certificate, filled by
 * smtp.c before MAIL: TLS is on; DANE verified it (dane=verified); an
 * MTA-STS policy in enforce mode admitted the MX and its certificate
 * verified (sts_result=verified); a route's tls=verify check passed (a
 * relay the admin configured). */
struct tlsauth {
	int tls;
	int dane;
	int sts;
	int verify;
};
/* How the session's server was authenticated: "dane", "sts", "verify",
 * or NULL when it was not (RFC 8689 4.2.1 steps 2 and 3). */
const char *session_authenticated(const struct tlsauth *a);
/* Whether message j may go on this session (RFC 8689 4.2.1): 0, or -1
 * with j->res set to 5.7.30 (permanent: main.c keeps a temporary failure
 * of another host instead) and a fail line logged by the caller. ext is
 * the server's EHLO extensions, peer its name for the text. */
int requiretls_check(struct delivery *j, const struct tlsauth *a,
    unsigned ext, const char *peer);
/* 1 if the header section of the message at fd from off has a
 * "TLS-Required: No" field (RFC 8689 3); 0 if not or unreadable. */
int requiretls_header_no(int fd, long long off);
/* 1 if every message of m[0..nm) asks, by TLS-Required: No and without
 * REQUIRETLS, that DANE (and MTA-STS) not stop its delivery (RFC 8689
 * 4.2.2): the session then uses opportunistic TLS. */
int requiretls_relaxed(const struct delivery *m, size_t nm);

/* smtp.c */
enum { S_DONE, S_NEXT, S_TLSFAIL };
/* One session with t for the messages m[0..nm), one transaction each
 * (the next MAIL after the last one's end, RSET if it was left open).
 * Fills recipient results; the recipients still pending afterwards go to
 * the next address (each message's res says why). S_TLSFAIL means the
 * TLS handshake failed (retry in plaintext if policy allows). sid names
 * the session in the log lines (batch mode), or NULL (one message). */
int smtp_session(struct delivery *m, size_t nm, const struct route *r,
    const struct target *t, int tls, const char *sid);

/* tlsrpt.c: the sessions TLSRPT counts (RFC 8460) */
/* The 4.3 result type (TR_*) of a certificate check that failed with
 * the BearSSL error err. */
int tlsrpt_tls_result(int err);
/* Keep one session to t under domain's policy, type TP_STS or TP_TLSA
 * (t->tlsa the records), result -1 success or the TR_* of its failure,
 * in queue/tlsrpt/DAY (postel-queue(5)); a failure is only warned. */
void tlsrpt_note(const char *domain, int type, int result,
    const struct target *t);

#endif
