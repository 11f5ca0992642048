/*
 * stscache: the MTA-STS policies a sender keeps (RFC 8461 5.1), one file
 * per policy domain in a directory of the queue user's (postel-queue(5),
 * sts/): the record's id, when the policy was fetched, when it expires
 * (fetched + max_age), and the policy text as it was served, so that it
 * is parsed again when read (and reported whole in TLSRPT). A file is
 * written under a temporary name and renamed, so a reader sees a whole
 * one or none; one that does not parse reads as none (the sender fetches
 * the policy again). Not synced: a cache lost in a crash costs a fetch.
 */
#ifndef POSTEL_STSCACHE_H
#define POSTEL_STSCACHE_H

#include <stddef.h>

#include "mtasts.h"

struct stscache {
	char id[MTASTS_ID_MAX + 1];
	long long fetched, expires;     /* seconds since 1970 */
	struct mtasts_policy p;
	char body[MTASTS_POLICY_MAX];   /* the policy as served */
	size_t blen;
};

/* The cached policy of domain (a host name, any case) from the
 * directory dirfd into c: 1 if there is one that has not expired at
 * now, 0 if none (missing, expired, damaged), -1 on another error
 * (errno). */
int stscache_get(int dirfd, const char *domain, long long now,
    struct stscache *c);

/* Keep the policy body[0..n) of domain, with its record's id, fetched
 * at now and parsed into p (for max_age): 0, or -1 with errno (EINVAL
 * for a domain that is not a host name or a body over the limit). */
int stscache_put(int dirfd, const char *domain, const char *id,
    const char *body, size_t n, const struct mtasts_policy *p, long long now);

/* Remove the cached policy of domain: 0 (also when there was none), or
 * -1 with errno. */
int stscache_drop(int dirfd, const char *domain);

#endif
