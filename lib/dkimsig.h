/*
 * dkimsig: the value of a DKIM-Signature header field (RFC 6376 3.5),
 * parsed (lib/taglist) and checked as a verifier must before anything
 * else (6.1.1): v=1; a=, b=, bh=, d=, h=, s= present; a= and c= known;
 * h= naming From; i= in d= or a subdomain of it; q= offering dns/txt;
 * x= after t=. Pure: no I/O, no allocation; names and the signature's
 * bytes are copied into the struct, h= points into the caller's text.
 */
#ifndef POSTEL_DKIMSIG_H
#define POSTEL_DKIMSIG_H

#include <stddef.h>

#define DKIMSIG_B_MAX  1024     /* b= decoded: RSA up to 8192 bits */
#define DKIMSIG_BH_MAX 64

enum { DKIM_RSA_SHA256 = 1, DKIM_RSA_SHA1, DKIM_ED25519_SHA256 };
enum { DKIM_SIMPLE = 0, DKIM_RELAXED = 1 };

struct dkimsig {
	int alg;                        /* a= */
	int hcanon, bcanon;             /* c=, default simple/simple */
	char d[256];                    /* d=, lower case */
	char s[256];                    /* s= */
	char i[512];                    /* i=, default "@" d */
	const char *h;                  /* h=, as written (FWS, ':') */
	size_t hlen;
	unsigned char b[DKIMSIG_B_MAX], bh[DKIMSIG_BH_MAX];
	size_t blen, bhlen;
	long long l, t, x;              /* -1 when absent */
};

/* Parse the field's value s[0..n): NULL, or why the signature is
 * invalid (PERMFAIL, RFC 6376 6.1.1). */
const char *dkimsig_parse(struct dkimsig *g, const char *s, size_t n);

#endif
