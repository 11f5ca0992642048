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
/* 0, or -1 with *why: unreadable (errno kept), or errno EINVAL: not a
 * PEM private key, not RSA, shorter than 1024 or longer than 4096 bits. */
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
 * DKIM_SIGS_MAX): one result each, in res; returns how many. A
 * signature that verifies is DKIM_POLICY, not a pass, when it is rsa-sha1
 * (why "rsa-sha1", RFC 8301), when l= leaves part of the body unsigned,
 * or when its key is in testing mode (t=y, RFC 6376 3.6.1); a key
 * lookup that failed for now is DKIM_TEMPERROR; x= before now is
 * DKIM_FAIL ("signature expired"); so are a body or header that changed
 * ("body hash did not verify", "signature did not verify") and an RSA
 * key under 1024 bits ("key too short (N bits)"). DKIM_PERMERROR: the
 * signature's tags (dkimsig's reason), "no key" (no such name or no
 * record; the first TXT record that parses as a key is used), "key
 * revoked" (p= empty: PERMFAIL in RFC 6376 6.1.2, permerror in RFC 8601
 * 2.7.1 terms), the key's k=, h= or t=s refusing it, "ed25519-sha256 not
 * supported". A message of more than 1000 header fields gets
 * DKIM_PERMERROR for each signature among the first 1000. l= is
 * honoured. Memory: a few tens of KiB, freed before it returns. */
size_t dkim_verify(const char *msg, size_t n, const struct dns_ops *dns,
    time_t now, struct dkim_result *res, size_t max);

/* Canonical forms, exposed for the unit tests and the fuzz target:
 * append the canonical header field (name and value, CRLF at the end)
 * or the whole canonical body of msg's body part to out. f is one field
 * and body a body in queue form: LF line ends (LF TAB or LF SP folds),
 * the field's final LF optional. 0, or -1 with errno from buf. */
int dkim_canon_header(int canon, const char *f, size_t n, struct buf *out);
int dkim_canon_body(int canon, const char *body, size_t n, struct buf *out);

/* The name of a result for Authentication-Results: "pass" ... */
const char *dkim_result_name(int res);

#endif
