/*
 * smtpreply: the client side's parser for SMTP replies (RFC 5321 4.2) and
 * EHLO keywords (RFC 5321 4.1.1.1, 2920, 3030, 1870, 6152, 6531, 3207, 4954,
 * 3461).
 * A reply is fed line by line into a caller-owned struct smtpreply (fixed
 * size, no allocation). The text of all lines is kept, joined by spaces,
 * in printable ASCII only and cut at SMTPREPLY_TEXT_MAX: it is safe to log
 * and to quote in a bounce. Errors: a constant string saying what is wrong.
 * remote's own: the unit test and the fuzz target include it as
 * "remote/smtpreply.h".
 */
#ifndef POSTEL_SMTPREPLY_H
#define POSTEL_SMTPREPLY_H

#include <stddef.h>

#define SMTPREPLY_LINE_MAX 512          /* RFC 5321 4.5.3.1.5, CRLF included */
#define SMTPREPLY_TEXT_MAX 400
#define SMTPREPLY_LINES_MAX 100         /* more lines than this is hostile */

struct smtpreply {
	int code;                       /* 200..599 */
	char dsn[16];                   /* "5.1.1" from the first line, or "" */
	char text[SMTPREPLY_TEXT_MAX + 1]; /* "550 5.1.1 no such user ..." */
	size_t len;
	size_t lines;
};

void smtpreply_init(struct smtpreply *r);
/* Feed one line of n bytes, CRLF (or LF) already removed. *done is set
 * to 1 when the line was the last of the reply. NULL, or why it is not a
 * reply line (a code change inside a multi-line reply, no code, ...). */
const char *smtpreply_line(struct smtpreply *r, const char *s, size_t n,
    int *done);
/* Parse a whole reply at s (lines ending in CRLF or LF); *used is set to
 * the bytes of the reply. NULL when complete; "incomplete" when more
 * bytes are needed; else why it is malformed. For fuzzing and tests. */
const char *smtpreply_parse(struct smtpreply *r, const char *s, size_t n,
    size_t *used);
/* The reply class: 2, 3, 4 or 5. */
int smtpreply_class(const struct smtpreply *r);
/* "X.Y.Z": the reply's own enhanced code if it has one of the reply's
 * class, else "C.0.0" with C the class. */
const char *smtpreply_dsn(const struct smtpreply *r, char *dst, size_t size);

/* EHLO extensions */
#define EHLO_PIPELINING 0x01
#define EHLO_SIZE       0x02
#define EHLO_8BITMIME   0x04
#define EHLO_SMTPUTF8   0x08
#define EHLO_STARTTLS   0x10
#define EHLO_AUTH_PLAIN 0x20
#define EHLO_AUTH_LOGIN 0x40
#define EHLO_ENHANCED   0x80
#define EHLO_DSN        0x100
#define EHLO_REQUIRETLS 0x200   /* RFC 8689 2 */

struct smtpehlo {
	unsigned ext;
	unsigned long long size;        /* SIZE limit; 0 = none declared */
};
/* Read one EHLO reply line's text (after "250-" or "250 "). The first line
 * is the greeting and must be skipped by the caller. */
void smtpehlo_line(struct smtpehlo *e, const char *s, size_t n);

#endif
