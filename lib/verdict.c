/* verdict: see verdict.h. */
#include <string.h>

#include "fmt.h"
#include "verdict.h"

/* A decimal number "-12.34" at p (up to end) scaled by 10; the
 * position after it, or NULL. */
static const char *
num10(const char *p, const char *end, long *out)
{
	long v = 0;
	int neg = 0, digits = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	while (p < end && *p >= '0' && *p <= '9') {
		if (v > 100000000L)
			return NULL;
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	v *= 10;
	if (p < end && *p == '.') {
		p++;
		if (p < end && *p >= '0' && *p <= '9')
			v += *p - '0';
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (digits == 0)
		return NULL;
	*out = neg ? -v : v;
	return p;
}

/* The value of "key=" in v, a word boundary before it; NULL if absent. */
static const char *
find(const char *v, const char *end, const char *key)
{
	size_t k = strlen(key);
	const char *p;

	for (p = v; p + k <= end; p++)
		if ((p == v || *(p - 1) == ' ' || *(p - 1) == '\t' ||
		    *(p - 1) == '\n' || *(p - 1) == ',') &&
		    memcmp(p, key, k) == 0)
			return p + k;
	return NULL;
}

int
verdict_spam_status(const char *v, size_t n, int *yes, long *score10,
    long *required10)
{
	const char *end = v + n, *p = v;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p >= 3 && memcmp(p, "Yes", 3) == 0)
		*yes = 1;
	else if (end - p >= 2 && memcmp(p, "No", 2) == 0)
		*yes = 0;
	else
		return -1;
	if ((p = find(v, end, "score=")) == NULL ||
	    num10(p, end, score10) == NULL)
		return -1;
	if ((p = find(v, end, "required=")) == NULL ||
	    num10(p, end, required10) == NULL)
		return -1;
	return 0;
}

int
verdict_clam_line(const char *line, size_t n, char *name, size_t size)
{
	const char *colon, *end = line + n;

	while (end > line && (end[-1] == '\n' || end[-1] == '\r' ||
	    end[-1] == ' '))
		end--;
	if ((colon = memchr(line, ':', (size_t)(end - line))) == NULL)
		return -1;
	colon++;
	while (colon < end && *colon == ' ')
		colon++;
	if (end - colon == 2 && memcmp(colon, "OK", 2) == 0)
		return 0;
	if (end - colon > 6 && memcmp(end - 6, " FOUND", 6) == 0) {
		fmt_safe(name, size, colon, (size_t)(end - 6 - colon));
		return 1;
	}
	return -1;
}
