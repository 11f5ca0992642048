/*
 * psl: the Public Suffix List (publicsuffix.org's format: one rule per
 * line, "//" comments, "*." wildcards, "!" exceptions) and the
 * organizational domain of RFC 7489 3.2 computed from it. The list is a
 * file the admin updates (conf/public-suffix-list.dat, a copy ships).
 *
 * psl_load reads it once into memory the struct owns (bounded: at most
 * PSL_SIZE_MAX octets); psl_free releases it. Errors: -1 with errno
 * (EFBIG for a file over the bound), or *why for bad content.
 */
#ifndef POSTEL_PSL_H
#define POSTEL_PSL_H

#include <stddef.h>

#define PSL_SIZE_MAX (4u << 20)

struct psl;

int psl_load(struct psl **p, const char *path, const char **why);
void psl_free(struct psl *p);

/* The organizational domain of name (lower-cased into out): the public
 * suffix plus one label, or name itself when it is a public suffix or
 * one label only. A name under no rule takes "*" (its last label) as
 * its suffix. 0, or -1 when out is too small or name is not a name. */
int psl_org(const struct psl *p, const char *name, char *out, size_t size);

#endif
