/*
 * dns: MX, A and AAAA lookups through libresolv (res_nquery, ns_initparse,
 * ns_parserr), thread-free, and the parsers of their replies, kept apart
 * so that they can be fuzzed and unit-tested on bytes.
 * Results go into caller-owned fixed arrays; nothing is allocated.
 * Lookups return DNS_OK, DNS_NONE (the name exists but has no record of
 * that type), DNS_NXDOMAIN (the name does not exist: permanent) or
 * DNS_TEMP (SERVFAIL, timeout, malformed reply: try later).
 * Parsers return the number of records found or -1 (malformed reply).
 * remote's own: the unit test and the fuzz target include it as
 * "remote/dns.h".
 */
#ifndef POSTEL_DNS_H
#define POSTEL_DNS_H

#include <stddef.h>
#include <netinet/in.h>

#define DNS_NAME_MAX 255
#define DNS_MX_MAX   32
#define DNS_IP_MAX   16

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

/* Sort by preference; equal preferences in random order (RFC 5321 5.1). */
void dns_mx_sort(struct dns_mx *mx, size_t n);

int dns_mx(const char *domain, struct dns_mx *mx, size_t max, size_t *n);
/* A and AAAA records of host (IPv6 first when both exist); DNS_OK when
 * at least one was found. */
int dns_ip(const char *host, struct dns_ip *ip, size_t max, size_t *n);
/* Parse an IPv4 or IPv6 address in text form ("192.0.2.1", "::1",
 * "IPv6:::1"); 0 or -1. */
int dns_ip_parse(const char *s, struct dns_ip *ip);
/* Text form of ip into dst (at least 46 bytes). */
const char *dns_ip_fmt(const struct dns_ip *ip, char *dst, size_t size);

#endif
