/*
 * authres: Authentication-Results header fields (RFC 8601): whether an
 * incoming field claims a given authserv-id (2.2; CFWS and comments
 * skipped, the id compared without regard to case), so that a receiver
 * can remove forged ones before adding its own (5). Pure functions on
 * caller-owned bytes.
 */
#ifndef POSTEL_AUTHRES_H
#define POSTEL_AUTHRES_H

#include <stddef.h>

/* v[0..n) is the value of an Authentication-Results field (after the
 * colon, folded lines included). 1 when its authserv-id is id, 0 when
 * another, -1 when the value cannot be read (a reader then treats it as
 * possibly ours, and removes it). */
int authres_is_ours(const char *v, size_t n, const char *id);

#endif
