/* fmt: see fmt.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "fmt.h"

int
fmt_s(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		if (size)
			dst[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	return n;
}

void
fmt_safe(char *dst, size_t size, const char *s, size_t n)
{
	size_t i;

	if (size == 0)
		return;
	for (i = 0; i < n && i + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[i] = '\0';
}

size_t
fmt_u(char *dst, unsigned long long u)
{
	char rev[FMT_U_MAX];
	size_t n = 0, i;

	do {
		rev[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	for (i = 0; i < n; i++)
		dst[i] = rev[n - 1 - i];
	return n;
}

void
fmt_date(char *dst, size_t size, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	/* strftime's %a and %b are the C locale's, which no program here
	 * changes: English names, as RFC 5322 3.3 requires. */
	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(dst, size, "%a, %d %b %Y %H:%M:%S %z", &tm) == 0)
		fmt_s(dst, size, "Thu, 01 Jan 1970 00:00:00 +0000");
}

void
fmt_span(char *dst, size_t size, long long secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		fmt_s(dst, size, "%llds", secs);
	else if (secs < 7200)
		fmt_s(dst, size, "%lldm", secs / 60);
	else if (secs < 172800)
		fmt_s(dst, size, "%lldh", secs / 3600);
	else
		fmt_s(dst, size, "%lldd", secs / 86400);
}
