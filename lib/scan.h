/*
 * scan: reading numbers out of text, the counterpart of fmt's writing
 * them: the whole string or nothing, bounds checked, no sign, no blanks.
 */
#ifndef POSTEL_SCAN_H
#define POSTEL_SCAN_H

/* The unsigned decimal s, in [min,max], into *out: 0, or -1 for anything
 * else (empty, a non-digit, overflow, out of range). */
int scan_ulong(const char *s, unsigned long long min, unsigned long long max,
    unsigned long long *out);

/* The ASCII classes the protocol grammars name (RFC 5234 B.1), whatever
 * the locale: WSP, ALPHA, DIGIT. */
static inline int
scan_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static inline int
scan_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int
scan_digit(int c)
{
	return c >= '0' && c <= '9';
}

#endif
