/*
 * spf: SPF's check_host() (RFC 7208 4-7) for one identity: the record
 * lookup and its syntax, every mechanism (all, include, a, mx, ptr, ip4,
 * ip6, exists) and modifier (redirect, exp), macro expansion, and the
 * limits: at most 10 terms that query DNS (including nested includes and
 * redirects), at most 2 void lookups, at most 10 names per mx or ptr
 * (4.6.4). DNS answers come through struct dns_ops (lib/dns.h), so tests
 * and the fuzz target answer from memory.
 *
 * Nothing is allocated; the caller owns every buffer. A DNS failure that
 * may pass is SPF_TEMPERROR, never a pass or a fail. spf_check keeps its
 * work on the stack (about 80 KB at the deepest include).
 *
 * Counting (4.6.4): a term that queries DNS counts when it is evaluated,
 * so terms after the match do not; every query answered NXDOMAIN or
 * without records is a void lookup (the A/AAAA of each MX or PTR name
 * and the lookups of %{p} included), except the record lookups
 * themselves and the explanation's, which never change a result.
 * A record one of whose TXT records could not be read (lib/dns's
 * limits) and that has no SPF record among the rest is a permerror.
 *
 * The two identities (RFC 7208 2.3, 2.4): MAIL FROM sets domain to the
 * sender's domain and sender to the address (a null sender: sender ""
 * and domain helo, checked as postmaster@helo); the HELO check sets
 * domain to helo and sender to "postmaster@" helo.
 */
#ifndef POSTEL_SPF_H
#define POSTEL_SPF_H

#include <stddef.h>
#include <time.h>

#include "dns.h"

#define SPF_LOOKUPS_MAX 10
#define SPF_VOIDS_MAX   2
#define SPF_RECORD_MAX  DNS_TXT_ONE

enum {
	SPF_NONE = 0, SPF_NEUTRAL, SPF_PASS, SPF_FAIL, SPF_SOFTFAIL,
	SPF_TEMPERROR, SPF_PERMERROR
};

struct spf_req {
	struct dns_ip ip;               /* the SMTP client */
	const char *sender;             /* MAIL FROM without <>, "" for the
	                                   null sender (then postmaster@helo) */
	const char *helo;               /* the HELO/EHLO argument */
	const char *domain;             /* the domain to check: the sender's
	                                   domain, or helo for the HELO check */
	const char *receiver;           /* %{r}: this host's name */
	time_t now;                     /* %{t} */
};

struct spf_out {
	int result;
	char why[200];                  /* what decided: "mechanism
	                                   ip4:192.0.2.0/24 matched", "no
	                                   record", or the error */
	char exp[256];                  /* expanded exp= text on a fail, or "" */
	unsigned lookups, voids;        /* used, for the log */
};

/* check_host(ip, domain, sender): fills o; returns o->result. */
int spf_check(const struct spf_req *r, const struct dns_ops *dns,
    struct spf_out *o);

/* The syntax of one record (RFC 7208 12, "v=spf1 ..."): NULL when
 * valid, else the reason. No DNS. */
const char *spf_record_check(const char *rec, size_t n);

/* Expand a macro-string (7.1) for domain (the current %{d}); exp
 * allows %{c}, %{r}, %{t} and spaces (explanations only) and cuts the
 * text at size - 1. Without exp the input is a domain-spec and the
 * result a name to query (4.8, 7.3): its trailing dot dropped, labels cut
 * from the left until at most 253 octets remain, then checked (labels of
 * 1 to 63 octets); size must be at least 254. %{p} needs DNS: here it
 * is "unknown" (spf_check finds the validated name). 0, or -1 with
 * *why. */
int spf_macro(const char *in, size_t n, const struct spf_req *r,
    const char *domain, int exp, char *out, size_t size, const char **why);

/* "none", "neutral", "pass", "fail", "softfail", "temperror",
 * "permerror" (RFC 8601 2.7.2). */
const char *spf_result_name(int result);

#endif
