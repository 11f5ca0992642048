/*
 * dns: MX, A, AAAA, TXT and PTR lookups through libresolv (res_nquery,
 * ns_initparse, ns_parserr), thread-free, and the parsers of their
 * replies, kept apart so that they can be fuzzed and unit-tested on bytes.
 * remote looks up MX hosts; filter-dmarc looks up SPF, DKIM and DMARC.
 * Results go into caller-owned fixed arrays; nothing is allocated.
 * Lookups return DNS_OK, DNS_NONE (the name exists but has no record of
 * that type), DNS_NXDOMAIN (the name does not exist: permanent) or
 * DNS_TEMP (SERVFAIL, timeout, malformed reply: try later).
 * Parsers return the number of records found or -1 (malformed reply).
 * The _sec lookups also say whether a validating resolver vouched for
 * the answer (DNSSEC, the AD bit), for DANE (lib/tlsa).
 */
#ifndef POSTEL_DNS_H
#define POSTEL_DNS_H

#include <stddef.h>
#include <netinet/in.h>

#define DNS_NAME_MAX 255
#define DNS_MX_MAX   32
#define DNS_IP_MAX   16
#define DNS_TXT_SIZE 16384      /* all TXT records of one name, octets */
#define DNS_TXT_ONE  4096       /* one TXT record; longer ones are skipped */
#define DNS_TXT_MAX  32         /* TXT records of one name kept */
#define DNS_PTR_MAX  10         /* PTR names kept (RFC 7208 4.6.4) */

enum { DNS_OK = 0, DNS_NONE = 1, DNS_NXDOMAIN = 2, DNS_TEMP = -1 };

struct dns_mx {
	unsigned pref;
	char host[DNS_NAME_MAX + 1];    /* "" for the root: a null MX */
};

struct dns_ip {
	int family;                     /* AF_INET or AF_INET6 */
	unsigned char a[16];            /* network order, 4 or 16 bytes */
};

/* Records of type ns_t_mx, ns_t_a or ns_t_aaaa in the answer section of
 * msg whose owner is the question's name or, through CNAMEs in the same
 * answer, one of its aliases. At most max are stored. */
int dns_parse_mx(const unsigned char *msg, size_t n, struct dns_mx *mx,
    size_t max);
int dns_parse_ip(const unsigned char *msg, size_t n, int type,
    struct dns_ip *ip, size_t max);

/* The TXT records of a name: each one's character-strings joined
 * without separators (RFC 7208 3.3, RFC 6376 3.6.2.2), NUL-terminated,
 * rec[i] pointing into buf. A record longer than DNS_TXT_ONE, or past
 * DNS_TXT_MAX records or DNS_TXT_SIZE octets, is counted in skipped and
 * not kept: a hostile name cannot make a reader hold more than this. */
struct dns_txt {
	char buf[DNS_TXT_SIZE];
	const char *rec[DNS_TXT_MAX];
	size_t len[DNS_TXT_MAX];
	size_t n, skipped;
	/* Set by the caller, or NULL: only records that start with it
	 * (any case) are kept, the others neither kept nor counted, so
	 * that a name with many TXT records (site verifications) cannot
	 * push the one looked for (v=spf1, v=DMARC1) past the limits. */
	const char *want;
};
int dns_parse_txt(const unsigned char *msg, size_t n, struct dns_txt *t);
/* PTR targets, without the final dot. */
int dns_parse_ptr(const unsigned char *msg, size_t n,
    char (*name)[DNS_NAME_MAX + 1], size_t max);

/* The rdata of the records of type in the answer, owned as above: at
 * most max, pointing into msg; -1 if malformed or if there are more
 * than max (a set judged as a whole, as TLSA, must not be cut). */
struct dns_rr {
	const unsigned char *p;
	size_t len;
};
int dns_parse_rr(const unsigned char *msg, size_t n, int type,
    struct dns_rr *rr, size_t max);

/* Sort by preference; equal preferences in random order (RFC 5321 5.1). */
void dns_mx_sort(struct dns_mx *mx, size_t n);

int dns_mx(const char *domain, struct dns_mx *mx, size_t max, size_t *n);
/* A and AAAA records of host (IPv6 first when both exist); DNS_OK when
 * at least one was found. */
int dns_ip(const char *host, struct dns_ip *ip, size_t max, size_t *n);
/* Only the records of one family (AF_INET: A, AF_INET6: AAAA). */
int dns_addr(const char *host, int family, struct dns_ip *ip, size_t max,
    size_t *n);
/* TXT records of name; DNS_OK even when t->n is 0 but some were
 * skipped. */
int dns_txt(const char *name, struct dns_txt *t);
/* The names of ip (in-addr.arpa or ip6.arpa PTR), at most max. */
int dns_ptr(const struct dns_ip *ip, char (*name)[DNS_NAME_MAX + 1],
    size_t max, size_t *n);
/* DNSSEC status (RFC 4035 3.2.3, RFC 6840 5.7, RFC 7672 2.1.1): the
 * lookups above with *ad set to 1 when the resolver said it validated
 * the answer (the AD bit), else 0; also for DNS_NONE and DNS_NXDOMAIN,
 * a secure denial. They ask for AD and make glibc keep it (RES_TRUSTAD),
 * so the resolvers in resolv.conf must be validating ones this host
 * trusts, on loopback (postel-remote(8)). dns_ip_sec: *ad only if both
 * the AAAA and the A reply carried AD. The old lookups are unchanged. */
int dns_mx_sec(const char *domain, struct dns_mx *mx, size_t max, size_t *n,
    int *ad);
int dns_ip_sec(const char *host, struct dns_ip *ip, size_t max, size_t *n,
    int *ad);
int dns_addr_sec(const char *host, int family, struct dns_ip *ip,
    size_t max, size_t *n, int *ad);
/* One query of type (ns_t_*) for name, its reply in ans[0..*len) for a
 * parser elsewhere (lib/tlsa), *ad as above. size: NS_HFIXEDSZ to
 * DNS_REPLY_MAX octets, else DNS_TEMP. */
#define DNS_REPLY_MAX 65536
int dns_query_sec(const char *name, int type, unsigned char *ans,
    size_t size, size_t *len, int *ad);
/* The AD bit of a reply's header: 1 set, 0 clear, -1 not a reply (QR
 * clear) or shorter than a header. Pure, for tests and fuzzing. */
int dns_reply_ad(const unsigned char *msg, size_t n);

/* The lookups as a table, so that SPF, DKIM and DMARC take their
 * answers from the caller: dns_ops_real is the functions above; tests and
 * fuzz targets answer from memory. ctx is passed back to each call. */
struct dns_ops {
	int (*txt)(void *ctx, const char *name, struct dns_txt *t);
	int (*addr)(void *ctx, const char *host, int family,
	    struct dns_ip *ip, size_t max, size_t *n);
	int (*mx)(void *ctx, const char *domain, struct dns_mx *mx,
	    size_t max, size_t *n);
	int (*ptr)(void *ctx, const struct dns_ip *ip,
	    char (*name)[DNS_NAME_MAX + 1], size_t max, size_t *n);
	void *ctx;
};
extern const struct dns_ops dns_ops_real;

/* 1 if s may be asked for: labels of 1 to 63 octets, at most 253 in
 * all, no control octet and no backslash, which a resolver would read as
 * an escape (SPF's targets, DKIM's key names). */
int dns_name_ok(const char *s);
/* Parse an IPv4 or IPv6 address in text form ("192.0.2.1", "::1",
 * "IPv6:::1"); 0 or -1. */
int dns_ip_parse(const char *s, struct dns_ip *ip);
/* Text form of ip into dst (at least 46 bytes). */
const char *dns_ip_fmt(const struct dns_ip *ip, char *dst, size_t size);

#endif
