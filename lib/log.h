/*
 * log: one event per line on stderr, "PROG: EVENT key=value ...".
 * A value stays bare if it holds only [A-Za-z0-9.@<>:/+_-] (and is not
 * empty); otherwise it is quoted with \" \\ and \xHH escapes. A line is
 * built in a caller-owned struct logl and written with one write(2); an
 * overlong line is cut and ends in "...". Logging never fails the caller:
 * a failed write is dropped. When fd 2 is the very socket of fd 0 or 1
 * (a program started by inetd), the line goes to syslog(3) instead,
 * facility mail, ident the program's name, so that it never reaches the
 * peer.
 */
#ifndef POSTEL_LOG_H
#define POSTEL_LOG_H

#include <stddef.h>

#define LOG_LINE_MAX 2048

struct logl {
	char s[LOG_LINE_MAX];
	size_t len;
	int cut;
};

void log_start(struct logl *l, const char *event);
void log_kv(struct logl *l, const char *key, const char *val);
void log_kvb(struct logl *l, const char *key, const void *val, size_t n);
void log_kvu(struct logl *l, const char *key, unsigned long long v);
void log_end(struct logl *l);      /* write the line to fd 2 (or syslog) */
/* Append v to dst (room bytes) in the escaped form; returns bytes used. */
size_t log_quote(char *dst, size_t room, const void *v, size_t n);

#endif
