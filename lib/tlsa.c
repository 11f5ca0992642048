/* tlsa: see tlsa.h. */
#include <string.h>

#include <bearssl.h>

#include "dns.h"
#include "fmt.h"
#include "tlsa.h"

#define T_TLSA 52                       /* RFC 6698 7.1 */

int
tlsa_parse(const unsigned char *msg, size_t n, struct tlsa_set *s)
{
	static struct dns_rr rr[TLSA_MAX];
	int c, i;

	s->n = 0;
	if ((c = dns_parse_rr(msg, n, T_TLSA, rr, TLSA_MAX)) == -1)
		return -1;
	for (i = 0; i < c; i++) {
		struct tlsa_rec *r = &s->r[i];
		/* RFC 6698 2.1: three one-octet fields, then the data */
		if (rr[i].len < 4)
			return -1;
		r->usage = rr[i].p[0];
		r->selector = rr[i].p[1];
		r->mtype = rr[i].p[2];
		r->len = rr[i].len - 3;
		r->toolong = r->len > TLSA_DATA_MAX;
		memcpy(r->data, rr[i].p + 3, r->toolong ? 0 : r->len);
	}
	s->n = (size_t)c;
	return c;
}

int
tlsa_usable(const struct tlsa_rec *r)
{
	if (r->usage != TLSA_DANE_TA && r->usage != TLSA_DANE_EE)
		return 0;
	if (r->selector > TLSA_SPKI || r->toolong)
		return 0;
	switch (r->mtype) {
	case TLSA_FULL:
		return 1;
	case TLSA_SHA256:
		return r->len == br_sha256_SIZE;
	case TLSA_SHA512:
		return r->len == br_sha512_SIZE;
	default:
		return 0;
	}
}

int
tlsa_class(const struct tlsa_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (tlsa_usable(&s->r[i]))
			return TLSA_USABLE;
	return s->n ? TLSA_UNUSABLE : TLSA_NONE;
}

/* One DER element of type tag at der[*off..n) (X.690 8.1): its contents
 * in *v, *vlen; *off moves past it. Definite lengths of up to four
 * octets only; -1 if it does not fit in der[0..n). */
static int
der_elem(const unsigned char *der, size_t n, size_t *off, unsigned tag,
    const unsigned char **v, size_t *vlen)
{
	size_t i = *off, len = 0, k;

	if (i >= n || der[i] != tag || ++i >= n)
		return -1;
	if (der[i] < 0x80) {
		len = der[i++];
	} else {
		k = der[i++] & 0x7f;
		if (k == 0 || k > 4 || k > n - i)
			return -1;      /* indefinite, or too long for us */
		while (k-- > 0)
			len = len << 8 | der[i++];
	}
	if (len > n - i)
		return -1;
	*v = der + i;
	*vlen = len;
	*off = i + len;
	return 0;
}

int
tlsa_spki(const unsigned char *cert, size_t n,
    const unsigned char **spki, size_t *len)
{
	/* RFC 5280 4.1: Certificate ::= SEQUENCE { tbsCertificate, ... };
	 * TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serial
	 * INTEGER, signature, issuer, validity, subject SEQUENCEs,
	 * subjectPublicKeyInfo SEQUENCE, ... } */
	static const unsigned char skip[] = { 0x02, 0x30, 0x30, 0x30, 0x30 };
	const unsigned char *c, *tbs, *v;
	size_t off = 0, cl, tl, vl, o = 0, i, at;

	if (der_elem(cert, n, &off, 0x30, &c, &cl) == -1 || off != n)
		return -1;
	if (der_elem(c, cl, &o, 0x30, &tbs, &tl) == -1)
		return -1;
	o = 0;
	if (tl > 0 && tbs[0] == 0xa0 &&
	    der_elem(tbs, tl, &o, 0xa0, &v, &vl) == -1)
		return -1;
	for (i = 0; i < sizeof skip; i++)
		if (der_elem(tbs, tl, &o, skip[i], &v, &vl) == -1)
			return -1;
	at = o;
	if (der_elem(tbs, tl, &o, 0x30, &v, &vl) == -1)
		return -1;
	*spki = tbs + at;
	*len = o - at;
	return 0;
}

int
tlsa_match(const struct tlsa_rec *r, const unsigned char *cert, size_t n)
{
	unsigned char d[br_sha512_SIZE];
	const unsigned char *p = cert, *spki;
	size_t len = n, slen, dlen;

	if (!tlsa_usable(r))
		return 0;
	/* for selector 0 too: only a certificate may match */
	if (tlsa_spki(cert, n, &spki, &slen) == -1)
		return -1;
	if (r->selector == TLSA_SPKI) {
		p = spki;
		len = slen;
	}
	if (r->mtype == TLSA_FULL)
		return r->len == len && memcmp(r->data, p, len) == 0;
	if (r->mtype == TLSA_SHA256) {
		br_sha256_context h;
		br_sha256_init(&h);
		br_sha256_update(&h, p, len);
		br_sha256_out(&h, d);
		dlen = br_sha256_SIZE;
	} else {
		br_sha512_context h;
		br_sha512_init(&h);
		br_sha512_update(&h, p, len);
		br_sha512_out(&h, d);
		dlen = br_sha512_SIZE;
	}
	return r->len == dlen && memcmp(r->data, d, dlen) == 0;
}

int
tlsa_lookup(const char *host, struct tlsa_set *s, int *ad)
{
	static unsigned char ans[DNS_REPLY_MAX];
	char q[DNS_NAME_MAX + 1];
	size_t len;
	int r;

	s->n = 0;
	*ad = 0;
	if (fmt_s(q, sizeof q, "_25._tcp.%s", host) < 0 || !dns_name_ok(q))
		return DNS_TEMP;
	r = dns_query_sec(q, T_TLSA, ans, sizeof ans, &len, ad);
	if (r != DNS_OK)
		return r;
	if (tlsa_parse(ans, len, s) == -1)
		return DNS_TEMP;
	return s->n ? DNS_OK : DNS_NONE;
}
