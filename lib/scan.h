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

#endif
