/*
 * mtasts: the texts of MTA-STS (RFC 8461): the _mta-sts TXT record
 * (3.1), the policy served at https://mta-sts.DOMAIN/.well-known/
 * mta-sts.txt (3.2), and which MX host names a policy allows (4.1).
 * Pure functions on caller-owned memory: the fetch over HTTPS, the DNS
 * lookup and the cache are the caller's. Parsers return NULL, or a
 * reason in plain words, constant, for the log.
 */
#ifndef POSTEL_MTASTS_H
#define POSTEL_MTASTS_H

#include <stddef.h>

#define MTASTS_ID_MAX     32            /* 3.1: 1*32(ALPHA / DIGIT) */
#define MTASTS_MX_MAX     32            /* mx lines kept */
#define MTASTS_NAME_MAX   255
#define MTASTS_POLICY_MAX 65536         /* 3.3: a body limit, 64 KiB */
#define MTASTS_AGE_MAX    31557600      /* 3.2: max_age, one year */

/* The id of an _mta-sts TXT record "v=STSv1; id=...;" into id: NULL,
 * or why the record is not a valid STSv1 record (a record that does not
 * start with "v=STSv1" is not one; extension fields are skipped). */
const char *mtasts_txt_parse(const char *rec, size_t n,
    char id[MTASTS_ID_MAX + 1]);

enum mtasts_mode { MTASTS_NONE, MTASTS_TESTING, MTASTS_ENFORCE };

struct mtasts_policy {
	enum mtasts_mode mode;
	unsigned long max_age;                  /* seconds */
	char mx[MTASTS_MX_MAX][MTASTS_NAME_MAX + 1];    /* lower case,
	                                           "*.example.net" kept */
	size_t nmx;
};

/* Parse a policy body of n octets (lines ending in LF or CRLF) into p:
 * NULL, or why it is not a valid STSv1 policy (a missing or second
 * version, mode or max_age, a bad value, no mx under enforce or testing,
 * more than MTASTS_MX_MAX mx lines, over MTASTS_POLICY_MAX octets).
 * Unknown fields are ignored, as 3.2 asks. */
const char *mtasts_policy_parse(const char *body, size_t n,
    struct mtasts_policy *p);

/* 1 if host (a trailing dot allowed, any case) matches one of p's mx
 * patterns (4.1: "*." stands for exactly one leftmost label), else 0. */
int mtasts_mx_match(const struct mtasts_policy *p, const char *host);

#endif
