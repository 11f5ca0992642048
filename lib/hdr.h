/*
 * hdr: RFC 5322 header helpers for sendmail -t and bounces.
 * hdr_addrlist walks an address-list (display names, comments, quoted
 * strings, groups, angle addresses with an obsolete route) and hands each
 * mailbox's addr-spec, with comments and folding whitespace removed, to fn.
 * It never allocates; an addr-spec longer than ADDR_MAX is reported to fn
 * as it is cut, so the caller's address check refuses it.
 */
#ifndef POSTEL_HDR_H
#define POSTEL_HDR_H

#include <stddef.h>

#include "buf.h"

/* Call fn(arg, spec, len) per mailbox; fn returning -1 stops the walk.
 * Returns 0, or -1 if fn failed or the syntax was hopeless (*why set). */
int hdr_addrlist(const char *s, size_t n,
    int (*fn)(void *arg, const char *spec, size_t len), void *arg,
    const char **why);
/* Append the address-list s (n bytes) to out with "@domain" after each
 * mailbox whose addr-spec has no domain (RFC 5322 3.4.1 needs one), as
 * in "root (Cron Daemon)" -> "root@domain (Cron Daemon)" and "Ann
 * <ann>" -> "Ann <ann@domain>"; everything else (display names,
 * comments, folding, groups) is copied as written. A mailbox of more
 * than one word without angle brackets is left alone: it is not an
 * address to complete. Returns 0, or -1 with errno from buf. */
int hdr_qualify(const char *s, size_t n, const char *domain,
    struct buf *out);
/* 1 if the field in line (n bytes) is an address field whose bare names
 * get "@domain" in locally submitted mail: From, Sender, Reply-To, To,
 * Cc and their Resent- forms (RFC 5322 3.6.2, 3.6.3, 3.6.6). */
int hdr_address_field(const char *line, size_t n);
/* Append field f (n bytes, "Name: value" with its line ends) to out,
 * the bare names of its address-list completed with "@domain". 0, or -1
 * with errno from buf (out may then hold part of it). */
int hdr_qualify_field(const char *f, size_t n, const char *domain,
    struct buf *out);
/* Copy the message in fd in (from its start) to fd out, with the address
 * fields of its header section qualified (hdr_address_field). A header
 * section larger than HDR_QUALIFY_MAX is copied as it is. 0, or -1 with
 * errno. Line ends (LF or CRLF) are kept as they are. */
#define HDR_QUALIFY_MAX (1024 * 1024)
int hdr_qualify_copy(int in, int out, const char *domain);
/* 1 if line (n bytes, no LF) starts a header field "Name:" (RFC 5322
 * 2.2: printable ASCII but ':' and space, at least one). */
int hdr_is_field(const char *line, size_t n);
/* The next line of the header section of msg[0..n) at *off with its
 * continuation lines: 1 with *len its length, final LF included (*off is
 * left at its start; the caller adds *len to go on), or 0 at the empty
 * line that ends the section, or at the end. A line that starts no field
 * is returned all the same: the section ends only at the empty line. */
int hdr_field_next(const char *msg, size_t n, size_t off, size_t *len);
/* The domain of the one address of the one From: field of the header
 * section msg[0..n), lower case, without a final dot, into dom: NULL, or
 * why there is none (no From:, two, several addresses, no domain, a
 * header line that is not a field). Obsolete "From :" counts. */
const char *hdr_from_domain(const char *msg, size_t n, char *dom,
    size_t size);
/* The mark filter-dmarc puts on a message whose sender's DMARC policy
 * asks for quarantine; local delivers such mail to a Maildir's .Junk
 * folder when there is one (postel-filter-dmarc(8), postel-local(8)). */
#define HDR_QUARANTINE "X-Postel-Quarantine"
/* 1 if the field in line has the name (case-insensitive; white space
 * before the colon, RFC 5322 4.5, allowed). */
int hdr_name_is(const char *line, size_t n, const char *name);

#endif
