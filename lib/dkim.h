/*
 * dkim: DKIM signatures (RFC 6376) made and checked over a message in
 * queue form (LF line ends, postel-queue(5)). Each LF counts as the CRLF
 * the message has on the wire, so a signature made or checked here holds
 * for the bytes remote sends and smtpd received.
 *
 * Canonicalization simple and relaxed (3.4) for header and body, body
 * hash and header hash (3.7, h= fields taken bottom-up, 5.4.2), signing
 * with rsa-sha256 (RFC 8301: at least 1024 bits, 2048 by default) and
 * verification of rsa-sha256 and rsa-sha1. ed25519-sha256 (RFC 8463) is
 * recognised and reported unsupported: BearSSL 0.6 has no EdDSA.
 * Parsing of the tags is lib/dkimsig and lib/dkimkey; keys come from DNS
 * through struct dns_ops (lib/dns.h), so tests answer from memory.
 *
 * The RSA public key in p= is read by dkimkey_rsa (lib/dkimkey.h), a
 * bounded DER reader.
 *
 * The caller owns every buffer; nothing is kept between calls. Errors:
 * -1 with a reason string (never errno alone); results are values.
 */
#ifndef POSTEL_DKIM_H
#define POSTEL_DKIM_H

#include <stddef.h>
#include <time.h>

#include <bearssl.h>

#include "buf.h"
#include "dns.h"

#define DKIM_SIGS_MAX  8        /* signatures checked per message */
#define DKIM_BITS_MIN  1024     /* shorter RSA keys fail (RFC 8301 3.2) */
#define DKIM_BITS_MAX  4096     /* longest RSA key loaded or checked */
#define DKIM_SIG_MAX   4096     /* a DKIM-Signature field we make */

/* A private key for signing, loaded from a PEM file ("RSA PRIVATE KEY"
 * or unencrypted PKCS#8 "PRIVATE KEY"). Secret: wipe with dkim_key_free. */
struct dkim_key {
	br_rsa_private_key sk;
	unsigned char buf[BR_RSA_KBUF_PRIV_SIZE(DKIM_BITS_MAX)];
	unsigned bits;
};
/* 0, or -1 with *why: unreadable (errno kept), not a key, not RSA, size. */
int dkim_key_load(struct dkim_key *k, const char *path, const char **why);
void dkim_key_free(struct dkim_key *k);

struct dkim_sign {
	const char *d;                  /* signing domain, d= */
	const char *s;                  /* selector, s= */
	const char *fields;             /* h= as "from:to:...", NULL for the
	                                   default list (dkim_fields) */
	long long t;                    /* t= signing time, -1 for none */
	const struct dkim_key *key;
};
/* The default h= list: From oversigned (one more "from" than fields
 * present, RFC 6376 8.15), then Subject, Date, To, Cc, Message-ID,
 * MIME-Version, Content-Type, Content-Transfer-Encoding, Reply-To,
 * In-Reply-To, References: each listed once per occurrence present. */
extern const char dkim_fields[];

/* Sign msg[0..n) with rsa-sha256, c=relaxed/relaxed, no l=: append the
 * whole field "DKIM-Signature: ...\n" (folded at 78 columns, LF line
 * ends, queue form) to out. 0, or -1 with *why. */
int dkim_sign(const struct dkim_sign *o, const char *msg, size_t n,
    struct buf *out, const char **why);

/* RFC 8601 2.7.1 results. */
enum {
	DKIM_NONE = 0,                  /* no signature */
	DKIM_PASS, DKIM_FAIL, DKIM_POLICY, DKIM_NEUTRAL, DKIM_TEMPERROR,
	DKIM_PERMERROR
};
struct dkim_result {
	int res;
	int alg;                        /* DKIM_RSA_SHA256 ... (dkimsig.h) */
	unsigned bits;                  /* key size, 0 if unknown */
	char d[256], s[64];             /* "" when the tags were unreadable */
	char i[256];                    /* i=, or "@" d */
	char b[9];                      /* first 8 characters of b= */
	char why[128];                  /* for a comment: "body hash did not
	                                   verify", "rsa-sha1", "key revoked" */
};
/* Check every DKIM-Signature field of msg, top first, at most max (and
 * DKIM_SIGS_MAX): one result each, in res; returns how many. rsa-sha1
 * that verifies is DKIM_POLICY with why "rsa-sha1" (RFC 8301); a key
 * lookup that failed for now is DKIM_TEMPERROR; x= before now is
 * DKIM_FAIL ("signature expired"). */
size_t dkim_verify(const char *msg, size_t n, const struct dns_ops *dns,
    time_t now, struct dkim_result *res, size_t max);

/* Canonical forms, exposed for the unit tests and the fuzz target:
 * append the canonical header field (name and value, CRLF at the end)
 * or the whole canonical body of msg's body part to out. */
int dkim_canon_header(int canon, const char *f, size_t n, struct buf *out);
int dkim_canon_body(int canon, const char *body, size_t n, struct buf *out);

/* The name of a result for Authentication-Results: "pass" ... */
const char *dkim_result_name(int res);

#endif
