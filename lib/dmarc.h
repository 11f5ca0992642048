/*
 * dmarc: DMARC (RFC 7489) for one message: the policy record's syntax
 * (6.3), its discovery at the From: domain and else at the
 * organizational domain (6.6.3, lib/psl), identifier alignment in
 * relaxed and strict mode (3.1) for the SPF and DKIM results the caller
 * found, and the policy that applies (p=, sp= for subdomains, pct=).
 * DNS through struct dns_ops (lib/dns.h). Nothing is allocated.
 */
#ifndef POSTEL_DMARC_H
#define POSTEL_DMARC_H

#include <stddef.h>

#include "dns.h"
#include "psl.h"

enum { DMARC_P_NONE = 0, DMARC_P_QUARANTINE, DMARC_P_REJECT };

struct dmarc_rec {
	int p, sp;                      /* sp defaults to p */
	int adkim_strict, aspf_strict;  /* adkim=s, aspf=s */
	unsigned pct;                   /* 0..100, default 100 */
};
/* One "v=DMARC1; p=..." record: NULL, or why it is not valid. A record
 * without a valid p= (or with an invalid sp=) but with a valid rua=
 * counts as p=none (6.6.3 step 6). Tag names and the values of p, sp,
 * adkim and aspf are read without regard to case (6.4's ABNF strings,
 * RFC 5234 2.3), so "P=" and "p=" together are a tag twice, invalid.
 * An invalid adkim=, aspf= or pct= takes the default (6.3: "discarded
 * in favor of default values"). */
const char *dmarc_parse(struct dmarc_rec *r, const char *s, size_t n);
/* Whether the TXT record s[0..n) is a DMARC record at all: it starts
 * with the tag v=DMARC1 (6.6.3 step 2; white space around '=' allowed,
 * "v" in either case, "DMARC1" exact). */
int dmarc_is_record(const char *s, size_t n);

/* RFC 8601 2.7.4 results. */
enum {
	DMARC_NONE = 0,                 /* no policy record */
	DMARC_PASS, DMARC_FAIL, DMARC_TEMPERROR, DMARC_PERMERROR
};

struct dmarc_id {                   /* a result to align */
	int pass;                       /* SPF pass, or DKIM pass */
	const char *domain;             /* the domain it authenticated */
};

struct dmarc_in {
	const char *from;               /* RFC5322.From domain */
	struct dmarc_id spf;            /* MAIL FROM (or HELO) identity */
	const struct dmarc_id *dkim;    /* each DKIM signature's d= */
	size_t ndkim;
};

struct dmarc_out {
	int result;
	int policy;                     /* what the record asks for this
	                                   From: domain (p, or sp below the
	                                   organizational domain) */
	int sampled_out;                /* pct= left this failure out:
	                                   treat as the next policy down */
	struct dmarc_rec rec;
	int at_org;                     /* the record was found at
	                                   _dmarc.<org>, not at the From:
	                                   domain */
	char org[256];                  /* organizational domain */
	char record[512];               /* its text, cut to fit */
	char why[160];                  /* for the log and comments */
};

/* Fills o; returns o->result. A lookup that failed for now is
 * DMARC_TEMPERROR; never DMARC_PASS without an aligned pass. No record,
 * or more than one at the name where discovery stops, is DMARC_NONE;
 * a record that does not parse, or a From: domain that is not a domain
 * name, DMARC_PERMERROR. pct= draws with getrandom(2). */
int dmarc_check(const struct dmarc_in *in, const struct psl *psl,
    const struct dns_ops *dns, struct dmarc_out *o);
/* The same, with the list loaded by load(ctx) only when needed: not when
 * the record is at the From: domain itself and the identifiers that
 * passed are that very domain. load returns NULL when it cannot load it
 * (then relaxed alignment and the fallback to the organizational domain
 * find nothing); o->org is "" when it was not needed. */
int dmarc_check_lazy(const struct dmarc_in *in,
    const struct psl *(*load)(void *), void *ctx, const struct dns_ops *dns,
    struct dmarc_out *o);

/* "none", "reject", "quarantine"; and the result names of RFC 8601. */
const char *dmarc_policy_name(int p);
const char *dmarc_result_name(int result);

#endif
