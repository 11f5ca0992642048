/*
 * stsget: what a sender fetches for MTA-STS (RFC 8461 3): the one
 * STSv1 record of _mta-sts.DOMAIN, and the policy served at
 * https://mta-sts.DOMAIN/.well-known/mta-sts.txt, fetched with lib/https
 * (no redirects, a 200 of type text/plain, 64 KiB) and parsed with
 * lib/mtasts. remote applies it; `postel mta-sts` shows it. Reasons are
 * constant strings or the module's own static buffer (valid until the
 * next call).
 */
#ifndef POSTEL_STSGET_H
#define POSTEL_STSGET_H

#include "mtasts.h"
#include "tls.h"

/* The id of domain's one valid STSv1 record: 1; 0 when there is none
 * (no record, several, an invalid one); -1 when DNS failed for now.
 * *why says which when not 1. */
int stsget_record(const char *domain, char id[MTASTS_ID_MAX + 1],
    const char **why);

/* Fetch and parse the policy of domain, checked against the anchors a,
 * by deadline (monotonic ms): its text into body (of size
 * MTASTS_POLICY_MAX), *blen and p: NULL, or why there is none; *temp
 * then says whether the failure may pass (DNS, connection, timeout). */
const char *stsget_policy(const char *domain, const struct tls_anchors *a,
    long long deadline, char *body, size_t *blen,
    struct mtasts_policy *p, int *temp);

#endif
