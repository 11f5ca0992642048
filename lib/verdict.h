/*
 * verdict: parsers for what the real scanners say, for the shipped filters
 * (postel-filter(8)): SpamAssassin's X-Spam-Status header field and a
 * ClamAV result line. Pure functions on caller-owned bytes, no I/O; each
 * returns 0, or -1 for input it does not understand (the caller then
 * treats the scan as failed, a temporary failure).
 */
#ifndef POSTEL_VERDICT_H
#define POSTEL_VERDICT_H

#include <stddef.h>

#define VERDICT_NAME_MAX 128

/* The value of "X-Spam-Status:", e.g. "Yes, score=1000.0 required=5.0
 * tests=GTUBE autolearn=no": *yes, and the two numbers (scaled by 10,
 * rounded toward zero, so no float compares). Folded lines are fine. */
int verdict_spam_status(const char *v, size_t n, int *yes, long *score10,
    long *required10);

/* One line of clamscan or clamdscan output, "stdin: Eicar-Sig FOUND":
 * 1 with the signature name in name (printable ASCII, cut to size) for
 * FOUND, 0 for "OK", -1 otherwise. */
int verdict_clam_line(const char *line, size_t n, char *name, size_t size);

#endif
