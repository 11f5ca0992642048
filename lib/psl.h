/*
 * psl: the Public Suffix List (publicsuffix.org's format: one rule per
 * line, "//" comments, "*." wildcards, "!" exceptions) and the
 * organizational domain of RFC 7489 3.2 computed from it. The list is a
 * file the admin updates (conf/public-suffix-list.dat, a copy ships).
 *
 * psl_load reads it once into memory the struct owns (bounded: a file
 * of at most PSL_SIZE_MAX octets, as much again at most for the rules
 * that are not ASCII, and a hash table of at most 32 octets a rule); psl_free
 * releases it. Errors: -1 with errno (EFBIG for a file over the bound),
 * or -1 with EINVAL and *why ("line N: ...", static) for bad content.
 *
 * Rules are compared as octets, ASCII letters without regard to case.
 * A rule written in UTF-8 (IDN) is entered twice: as given, and with
 * each such label as its A-label ("xn--", RFC 3492 Punycode), so that a
 * name matches it in either form. Both sections of the list (ICANN and
 * private domains) count, as RFC 7489 3.2 uses the whole list.
 */
#ifndef POSTEL_PSL_H
#define POSTEL_PSL_H

#include <stddef.h>

#define PSL_SIZE_MAX (4u << 20)

struct psl;

int psl_load(struct psl **p, const char *path, const char **why);
/* Which list a program of this instance reads, into dst: name when
 * given (a conf value: absolute, or relative to $POSTEL_ROOT/conf), else
 * the admin's conf/public-suffix-list.dat if it exists, else Debian's
 * (PSL_SYSTEM, kept current by apt) if it exists, else the copy make
 * install puts in PREFIX/share/postel/conf. 0, or -1 (ENAMETOOLONG, or
 * errno of a failed look). */
#define PSL_SYSTEM "/usr/share/publicsuffix/public_suffix_list.dat"
int psl_path(char *dst, size_t size, const char *name);
void psl_free(struct psl *p);

/* The organizational domain of name (lower-cased into out): the public
 * suffix plus one label, or name itself when it is a public suffix or
 * one label only. A name under no rule takes "*" (its last label) as
 * its suffix. 0, or -1 when out is too small or name is not a name
 * (empty, an empty label, a trailing dot, over 253 octets, a space or
 * a control character). */
int psl_org(const struct psl *p, const char *name, char *out, size_t size);

/* name with each label that is not ASCII as its IDNA A-label ("xn--",
 * RFC 3492 Punycode; no Unicode case mapping or normalization), into
 * out: 0, or -1 when a label is not UTF-8 or the result does not fit. */
int psl_alabels(const char *name, char *out, size_t size);

#endif
