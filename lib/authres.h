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
 * colon, folded lines included, by CRLF or a bare LF). 1 when its
 * authserv-id is id, 0 when another, -1 when the value cannot be read
 * (a reader then treats it as possibly ours, and removes it). The id is
 * a token (RFC 2045, UTF-8 allowed) or a quoted-string on one line, and
 * must be followed by CFWS, ';' or the end: comments that do not end,
 * line breaks that do not fold, ids over 255 octets are unreadable. */
int authres_is_ours(const char *v, size_t n, const char *id);

#endif
