/*
 * fmt: formatting into fixed arrays that fails on truncation, and the
 * printable-ASCII filter for echoing outside input.
 */
#ifndef POSTEL_FMT_H
#define POSTEL_FMT_H

#include <stddef.h>

/* snprintf that returns -1 (errno ENAMETOOLONG) instead of truncating. */
int fmt_s(char *dst, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Copy at most n bytes of s into dst (size bytes), replacing anything but
 * printable ASCII with '?', cutting at size-1; always NUL-terminated. */
void fmt_safe(char *dst, size_t size, const char *s, size_t n);
/* A span of seconds as a queue listing shows it: "42s", "5m", "3h",
 * "2d" (the largest unit that keeps it at least two); negative is 0s. */
void fmt_span(char *dst, size_t size, long long secs);
/* An RFC 5322 date-time ("Thu, 03 Dec 2026 02:15:00 +0100") for t in
 * local time, as Date:, Received: and bounces want it; a clock that
 * cannot be shown gives the epoch. dst wants FMT_DATE_MAX bytes. */
#define FMT_DATE_MAX 40
void fmt_date(char *dst, size_t size, long long t);
/* u in decimal at dst, which wants FMT_U_MAX bytes (no NUL is added):
 * how many it took. */
#define FMT_U_MAX 20
size_t fmt_u(char *dst, unsigned long long u);

#endif
