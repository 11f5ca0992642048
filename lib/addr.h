/*
 * addr: RFC 5321 mailboxes and paths, with RFC 6531 (SMTPUTF8) UTF-8.
 * Parsers fill a caller-owned struct addr (fixed size, no allocation) and
 * return NULL, or a constant string saying what is wrong.
 * A mailbox is kept exactly as written (a quoted local part keeps its
 * quotes); the domain is what follows the last unquoted '@'.
 */
#ifndef POSTEL_ADDR_H
#define POSTEL_ADDR_H

#include <stddef.h>

#define ADDR_LOCAL_MAX  64      /* RFC 5321 4.5.3.1.1 */
#define ADDR_DOMAIN_MAX 255     /* RFC 5321 4.5.3.1.2 */
#define ADDR_MAX        256     /* path, RFC 5321 4.5.3.1.3, less <> */

/* flags for the parsers (in) and struct addr (out) */
#define ADDR_UTF8      0x01     /* in: allow UTF-8; out: holds UTF-8 */
#define ADDR_NULL_OK   0x02     /* in: "" / <> is allowed (reverse-path) */
#define ADDR_QUOTED    0x04     /* out: local part is a quoted string */
#define ADDR_LITERAL   0x08     /* out: domain is an address literal */
#define ADDR_ROUTE     0x10     /* out: a source route was stripped */

struct addr {
	char s[ADDR_MAX + 1];   /* the mailbox, NUL-terminated; "" = null */
	size_t at;              /* offset of the '@'; 0 for the null path */
	unsigned flags;
};

/* Parse a bare mailbox "local@domain" of n bytes. */
const char *addr_parse(struct addr *a, const char *s, size_t n, unsigned fl);
/* Parse a path "<[@route,...:]mailbox>" at s; *used is set to the bytes
 * consumed (so ESMTP parameters may follow). The source route is checked
 * and dropped (RFC 5321 4.1.1.3, C.). */
const char *addr_path(struct addr *a, const char *s, size_t n, unsigned fl,
    size_t *used);
/* Domain part (empty string for the null path). */
const char *addr_domain(const struct addr *a);
/* Copy the local part, unquoted (quoted-pairs resolved), into dst. */
int addr_local(const struct addr *a, char *dst, size_t size);
/* Check a domain name (or, with literal_ok, an address literal). */
const char *addr_domain_check(const char *d, size_t n, unsigned fl);
/* Case-insensitive ASCII comparison of two domains: 1 if equal. */
int addr_domain_eq(const char *a, const char *b);
/* 1 if the n bytes are well-formed UTF-8 (no overlongs, no surrogates). */
int addr_utf8_ok(const unsigned char *s, size_t n);

#endif
