/*
 * dkimkey: a DKIM public key record, the TXT record at
 * SELECTOR._domainkey.DOMAIN (RFC 6376 3.6.1; k=ed25519 from RFC 8463),
 * parsed from its text (lib/taglist) into what a verifier needs: the
 * key's type and its bytes (p=, base64 decoded, FWS dropped), whether
 * it is revoked (p= empty), the hashes it allows (h=), whether it serves
 * email (s=) and its flags (t=y testing, t=s strict). Pure: no I/O, no
 * allocation; the key is copied into the struct.
 */
#ifndef POSTEL_DKIMKEY_H
#define POSTEL_DKIMKEY_H

#include <stddef.h>

#include <bearssl.h>

#define DKIMKEY_MAX 2048        /* decoded p=: RSA up to 8192 bits */

enum { DKIMKEY_RSA = 1, DKIMKEY_ED25519, DKIMKEY_OTHER };
#define DKIMKEY_SHA1   0x01     /* h= allows sha1 */
#define DKIMKEY_SHA256 0x02     /* h= allows sha256 */

struct dkimkey {
	int type;                       /* k=, default rsa */
	unsigned hashes;                /* h=, default every one */
	int revoked;                    /* p= empty */
	int testing, strict;            /* t=y, t=s */
	unsigned char key[DKIMKEY_MAX];
	size_t keylen;
};

/* Parse the record s[0..n): NULL, or why it cannot be used (a syntax
 * error, v= not first or not DKIM1, no p=, p= not base64 or too long,
 * s= not for email). A revoked key parses (revoked set, keylen 0). */
const char *dkimkey_parse(struct dkimkey *k, const char *s, size_t n);

/* The RSA public key in p= (k->key): a SubjectPublicKeyInfo (RFC 5280
 * 4.1.2.7, rsaEncryption, RFC 8017 A.1) in DER, or a bare RSAPublicKey
 * as some old records publish. Bounded reader: definite lengths only,
 * nothing past der[0..n) is read. pk->n and pk->e point into der
 * (leading zeros skipped), *bits is the modulus's size. NULL, or why. */
const char *dkimkey_rsa(const unsigned char *der, size_t n,
    br_rsa_public_key *pk, unsigned *bits);

#endif
