/* buf: see buf.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fd.h"
#include "fmt.h"

void
buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

int
buf_ready(struct buf *b, size_t n)
{
	size_t need, ncap;
	char *np;

	/* One byte more than asked, so that buf_0 never has to grow past max. */
	if (__builtin_add_overflow(b->len, n, &need) || need > b->max) {
		errno = EMSGSIZE;
		return -1;
	}
	if (need + 1 <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need + 1) {
		if (__builtin_mul_overflow(ncap, 2, &ncap)) {
			ncap = need + 1;
			break;
		}
	}
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	np = realloc(b->p, ncap);
	if (np == NULL) {
		errno = ENOMEM;
		return -1;
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

int
buf_catb(struct buf *b, const void *s, size_t n)
{
	if (buf_ready(b, n) == -1)
		return -1;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

int
buf_catfd(struct buf *b, int fd)
{
	for (;;) {
		size_t n = b->max - b->len;
		ssize_t r;
		char c;

		if (n == 0) {           /* full: only the end may follow */
			if ((r = fd_read(fd, &c, 1)) == 1)
				errno = EMSGSIZE;
			return r == 0 ? 0 : -1;
		}
		if (n > 65536)
			n = 65536;
		if (buf_ready(b, n) == -1 ||
		    (r = fd_read(fd, b->p + b->len, n)) == -1)
			return -1;
		if (r == 0)
			return 0;
		b->len += (size_t)r;
	}
}

int
buf_cats(struct buf *b, const char *s)
{
	return buf_catb(b, s, strlen(s));
}

int
buf_catc(struct buf *b, char c)
{
	return buf_catb(b, &c, 1);
}

int
buf_catu(struct buf *b, unsigned long long u)
{
	char tmp[FMT_U_MAX];

	return buf_catb(b, tmp, fmt_u(tmp, u));
}

int
buf_cpyb(struct buf *b, const void *s, size_t n)
{
	b->len = 0;
	return buf_catb(b, s, n);
}

int
buf_cpys(struct buf *b, const char *s)
{
	return buf_cpyb(b, s, strlen(s));
}

int
buf_0(struct buf *b)
{
	if (b->p == NULL && buf_ready(b, 0) == -1)
		return -1;
	b->p[b->len] = '\0';
	return 0;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
