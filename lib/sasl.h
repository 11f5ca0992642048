/*
 * sasl: decoding what an SMTP AUTH (RFC 4954) or POP3 AUTH (RFC 5034)
 * client sends: base64
 * (RFC 4648 section 4, padding required, no blanks), the PLAIN message
 * (RFC 4616: authzid NUL authcid NUL passwd), the xtext of MAIL's AUTH=
 * parameter (RFC 3461 4), and a built-in users file checked with crypt(3).
 * No I/O but sasl_users_check's read of its file; no allocation; nothing
 * is logged. Credentials live in a caller-owned struct sasl_cred that
 * sasl_wipe clears with explicit_bzero. Parsers return NULL or a reason.
 */
#ifndef POSTEL_SASL_H
#define POSTEL_SASL_H

#include <stddef.h>

#define SASL_NAME_MAX 255               /* user or password, octets */

struct sasl_cred {
	char user[SASL_NAME_MAX + 1];   /* NUL-terminated */
	char pass[SASL_NAME_MAX + 1];
	size_t ulen, plen;
};

/* Decode base64 src[0..n) into dst (at most size octets), *len set.
 * 0, or -1 with EINVAL (not base64) or EMSGSIZE (does not fit). */
int sasl_b64_decode(void *dst, size_t size, size_t *len, const char *src,
    size_t n);
/* Encode n octets as base64 with a NUL; -1 (EMSGSIZE) if it does not fit. */
int sasl_b64_encode(char *dst, size_t size, const void *src, size_t n);

/* Split a decoded PLAIN message into c. The authzid must be empty or the
 * authcid itself (no proxy authorisation); neither name nor password may
 * be empty, hold NUL, or exceed SASL_NAME_MAX. NULL, or the reason. */
const char *sasl_plain(struct sasl_cred *c, const void *p, size_t n);
/* One decoded LOGIN answer (user name or password) into dst: NULL or a
 * reason (empty, NUL inside, too long). */
const char *sasl_login(char *dst, size_t *dlen, const void *p, size_t n);

/* 1 if s[0..n) is xtext (RFC 3461 4: printable ASCII but '+' and '=',
 * and "+HH" with upper-case hex), else 0. "<>" is xtext too. */
int sasl_xtext_ok(const char *s, size_t n);

void sasl_wipe(struct sasl_cred *c);

/* Check c against a file of "user:crypt-hash" lines ('#' comments, blank
 * lines ignored), such as mkpasswd(1) -m yescrypt or sha-512 makes.
 * 1 good, 0 unknown user or wrong password, -1 with errno when the file
 * cannot be read (the caller answers 454, temporary). */
int sasl_users_check(const char *file, const struct sasl_cred *c);

#endif
