/*
 * buf: one growable byte string with a hard maximum, set at init.
 * The caller owns struct buf; buf_free releases p. Growing past max fails
 * with EMSGSIZE, allocation failure with ENOMEM; nothing is lost on failure.
 * No NUL terminator unless buf_0 is called.
 */
#ifndef POSTEL_BUF_H
#define POSTEL_BUF_H

#include <stddef.h>

struct buf {
	char *p;
	size_t len, cap, max;
};
#define BUF_INIT(limit) { NULL, 0, 0, (limit) }

void buf_init(struct buf *b, size_t max);
int buf_ready(struct buf *b, size_t n);              /* room for n more */
int buf_catb(struct buf *b, const void *s, size_t n);
int buf_cats(struct buf *b, const char *s);
int buf_catc(struct buf *b, char c);
int buf_catu(struct buf *b, unsigned long long u);   /* decimal */
/* Append what fd holds, to its end (EINTR retried): 0, or -1 (EMSGSIZE
 * when it holds more than fits, or read's errno); what was read stays. */
int buf_catfd(struct buf *b, int fd);
int buf_cpyb(struct buf *b, const void *s, size_t n);
int buf_cpys(struct buf *b, const char *s);
int buf_0(struct buf *b);                            /* NUL after len */
void buf_free(struct buf *b);                        /* keeps max */

#endif
