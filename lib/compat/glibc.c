/*
 * glibc: the few glibc entry points that Debian's libbearssl.a and
 * libcrypt.a call (their objects were compiled against glibc, with
 * _FORTIFY_SOURCE), for the musl static link of smtpd (Makefile, MUSL_CC).
 * Each checks what glibc's does and aborts as glibc's would.
 */
#define _GNU_SOURCE             /* explicit_bzero, getrandom */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

void *__memcpy_chk(void *d, const void *s, size_t n, size_t dl);
void *__memmove_chk(void *d, const void *s, size_t n, size_t dl);
void *__memset_chk(void *d, int c, size_t n, size_t dl);
void __explicit_bzero_chk(void *d, size_t n, size_t dl);
int __snprintf_chk(char *s, size_t n, int flag, size_t sl, const char *f, ...);
void arc4random_buf(void *p, size_t n);

void *
__memcpy_chk(void *d, const void *s, size_t n, size_t dl)
{
	if (n > dl)
		abort();
	return memcpy(d, s, n);
}

void *
__memmove_chk(void *d, const void *s, size_t n, size_t dl)
{
	if (n > dl)
		abort();
	return memmove(d, s, n);
}

void *
__memset_chk(void *d, int c, size_t n, size_t dl)
{
	if (n > dl)
		abort();
	return memset(d, c, n);
}

void
__explicit_bzero_chk(void *d, size_t n, size_t dl)
{
	if (n > dl)
		abort();
	explicit_bzero(d, n);
}

int
__snprintf_chk(char *s, size_t n, int flag, size_t sl, const char *f, ...)
{
	va_list ap;
	int r;

	(void)flag;
	if (n > sl)
		abort();
	va_start(ap, f);
	r = vsnprintf(s, n, f, ap);
	va_end(ap);
	return r;
}

/* libcrypt's salts; it never asks for more than getrandom gives at once */
void
arc4random_buf(void *p, size_t n)
{
	char *c = p;
	ssize_t r;

	while (n > 0) {
		r = getrandom(c, n, 0);
		if (r <= 0)
			abort();
		c += r;
		n -= (size_t)r;
	}
}
