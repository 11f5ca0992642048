/*
 * tlsa: DANE for SMTP (RFC 6698, RFC 7671, RFC 7672): the TLSA records
 * of an MX host (_25._tcp.HOST, type 52) looked up through lib/dns with
 * their DNSSEC status, the parser of the reply, the classification of
 * the set RFC 7672 2.2 and 3.1 ask for, and the match of a certificate
 * (DER) against one record. The set is a caller-owned struct of fixed
 * size; the record data are copied into it; nothing is allocated. The
 * parser and the matching are pure, for tests and fuzzing.
 */
#ifndef POSTEL_TLSA_H
#define POSTEL_TLSA_H

#include <stddef.h>

#define TLSA_MAX      16        /* records of one name: more is malformed */
#define TLSA_DATA_MAX 2048      /* association data kept; longer: unusable */

/* RFC 7218 names of the fields' values */
enum { TLSA_PKIX_TA = 0, TLSA_PKIX_EE = 1, TLSA_DANE_TA = 2,
	TLSA_DANE_EE = 3 };
enum { TLSA_CERT = 0, TLSA_SPKI = 1 };
enum { TLSA_FULL = 0, TLSA_SHA256 = 1, TLSA_SHA512 = 2 };

struct tlsa_rec {
	unsigned usage, selector, mtype;
	size_t len;                     /* octets of the data */
	int toolong;                    /* data longer than TLSA_DATA_MAX */
	unsigned char data[TLSA_DATA_MAX];
};

struct tlsa_set {
	struct tlsa_rec r[TLSA_MAX];
	size_t n;
};

/* The TLSA records of a DNS reply (msg[0..n), owned by the question's
 * name or its aliases) into s: their number, or -1 if the reply is
 * malformed, a record has less than one octet of data or there are more
 * than TLSA_MAX. */
int tlsa_parse(const unsigned char *msg, size_t n, struct tlsa_set *s);

/* 1 if an SMTP client can use r (RFC 7672 3.1): DANE-TA(2) or
 * DANE-EE(3), selector 0 or 1, matching type 0, 1 or 2, a digest of the
 * right length, data kept whole. PKIX-TA(0) and PKIX-EE(1) are not. */
int tlsa_usable(const struct tlsa_rec *r);

/* What the set means for the session (RFC 7672 2.2, 3.1): TLSA_NONE (no
 * records: no DANE), TLSA_UNUSABLE (records, none usable: TLS is
 * mandatory but not authenticated), TLSA_USABLE (TLS is mandatory and
 * the certificate must match one usable record). */
enum { TLSA_NONE = 0, TLSA_UNUSABLE = 1, TLSA_USABLE = 2 };
int tlsa_class(const struct tlsa_set *s);

/* The SubjectPublicKeyInfo of an X.509 certificate in DER (RFC 5280
 * 4.1): *spki and *len, its whole element (tag and length too), point
 * into cert. Bounded walk, definite lengths only. 0, or -1 malformed. */
int tlsa_spki(const unsigned char *cert, size_t n,
    const unsigned char **spki, size_t *len);

/* Whether the certificate cert[0..n) (DER) matches r (RFC 6698 2.1):
 * selector 0 the whole certificate, 1 its SPKI; matching 0 exact, 1
 * SHA-256, 2 SHA-512. 1 match, 0 no match or r not usable, -1 the
 * certificate is malformed. The usage is the caller's: which certificate
 * of the chain to try (RFC 7672 3.1). */
int tlsa_match(const struct tlsa_rec *r, const unsigned char *cert,
    size_t n);

/* The TLSA records of host for SMTP (_25._tcp.host, RFC 7672 2.2)
 * into s, *ad the DNSSEC status (lib/dns). DNS_OK (s->n > 0), DNS_NONE
 * or DNS_NXDOMAIN (s->n == 0), DNS_TEMP (the lookup failed, or the
 * reply is malformed: RFC 7672 2.2 treats this as a failure, not as no
 * records). A name too long for the prefix is DNS_TEMP. */
int tlsa_lookup(const char *host, struct tlsa_set *s, int *ad);

#endif
