/* dkimkey: see dkimkey.h. */
#include <stdint.h>
#include <string.h>

#include "dkimkey.h"
#include "taglist.h"

const char *
dkimkey_parse(struct dkimkey *k, const char *s, size_t n)
{
	struct taglist l;
	const struct tag *t;
	const char *why;

	memset(k, 0, sizeof *k);
	if ((why = taglist_parse(&l, s, n)) != NULL)
		return why;
	if ((t = taglist_get(&l, "v")) != NULL &&
	    (t != &l.t[0] || !taglist_is(t, "DKIM1")))
		return "v= is not DKIM1 or not the first tag";
	k->type = DKIMKEY_RSA;
	if ((t = taglist_get(&l, "k")) != NULL)
		k->type = taglist_is(t, "rsa") ? DKIMKEY_RSA : taglist_is(t, "ed25519") ?
		    DKIMKEY_ED25519 : DKIMKEY_OTHER;
	k->hashes = DKIMKEY_SHA1 | DKIMKEY_SHA256;
	if ((t = taglist_get(&l, "h")) != NULL)
		k->hashes = (taglist_item(t, "sha1", 0) ? DKIMKEY_SHA1 : 0) |
		    (taglist_item(t, "sha256", 0) ? DKIMKEY_SHA256 : 0);
	if ((t = taglist_get(&l, "s")) != NULL && !taglist_item(t, "*", 0) &&
	    !taglist_item(t, "email", 0))
		return "the key is not for email (s=)";
	if ((t = taglist_get(&l, "t")) != NULL) {
		k->testing = taglist_item(t, "y", 0);
		k->strict = taglist_item(t, "s", 0);
	}
	if ((t = taglist_get(&l, "p")) == NULL)
		return "no key (p=)";
	if (taglist_b64(t, k->key, sizeof k->key, &k->keylen) == -1)
		return "the key (p=) is not base64 or too long";
	k->revoked = k->keylen == 0;
	return NULL;
}

/* One DER element of type tag at der[*off..n): its contents in *v,
 * *vlen, *off moved past it; -1 when it is not there or does not fit.
 * Lengths of up to 2 octets: a DKIM key is far shorter than 64 KiB. */
static int
der_get(const unsigned char *der, size_t n, size_t *off, unsigned char tag,
    const unsigned char **v, size_t *vlen)
{
	size_t i = *off, len, k;

	if (i >= n || der[i] != tag || ++i >= n)
		return -1;
	if (der[i] < 0x80)
		len = der[i++];
	else {
		k = der[i++] & 0x7f;
		if (k == 0 || k > 2)
			return -1;      /* indefinite, or too long */
		for (len = 0; k > 0; k--) {
			if (i >= n)
				return -1;
			len = len << 8 | der[i++];
		}
	}
	if (len > n - i)
		return -1;
	*v = der + i;
	*vlen = len;
	*off = i + len;
	return 0;
}

/* A positive INTEGER without its leading zeros: 0, or -1. */
static int
der_uint(const unsigned char *der, size_t n, size_t *off,
    const unsigned char **v, size_t *vlen)
{
	if (der_get(der, n, off, 0x02, v, vlen) == -1 || *vlen == 0 ||
	    (**v & 0x80))
		return -1;
	while (*vlen > 0 && **v == 0) {
		(*v)++;
		(*vlen)--;
	}
	return *vlen > 0 ? 0 : -1;
}

const char *
dkimkey_rsa(const unsigned char *der, size_t n, br_rsa_public_key *pk,
    unsigned *bits)
{
	/* 1.2.840.113549.1.1.1, rsaEncryption */
	static const unsigned char rsa_oid[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7,
	    0x0d, 0x01, 0x01, 0x01 };
	const unsigned char *seq, *alg, *oid, *bs, *key, *m, *e;
	size_t seql, algl, oidl, bsl, keyl, ml, el, o = 0, o2 = 0, o3 = 0;
	unsigned top;

	memset(pk, 0, sizeof *pk);
	*bits = 0;
	if (der_get(der, n, &o, 0x30, &seq, &seql) == -1)
		return "not a DER sequence";
	if (seql > 0 && seq[0] == 0x02) {
		key = seq;              /* RSAPublicKey itself */
		keyl = seql;
	} else {
		if (der_get(seq, seql, &o2, 0x30, &alg, &algl) == -1 ||
		    der_get(alg, algl, &o3, 0x06, &oid, &oidl) == -1)
			return "no algorithm";
		if (oidl != sizeof rsa_oid || memcmp(oid, rsa_oid, oidl) != 0)
			return "not an RSA key";
		if (der_get(seq, seql, &o2, 0x03, &bs, &bsl) == -1 ||
		    bsl < 1 || bs[0] != 0)
			return "no key bits";
		o3 = 0;
		if (der_get(bs + 1, bsl - 1, &o3, 0x30, &key, &keyl) == -1)
			return "no RSA key in the key bits";
	}
	o3 = 0;
	if (der_uint(key, keyl, &o3, &m, &ml) == -1 ||
	    der_uint(key, keyl, &o3, &e, &el) == -1)
		return "bad RSA modulus or exponent";
	if (ml > DKIMKEY_MAX)
		return "RSA modulus too long";
	for (top = m[0], *bits = (unsigned)(ml - 1) * 8; top; top >>= 1)
		(*bits)++;
	pk->n = (unsigned char *)(uintptr_t)m;
	pk->nlen = ml;
	pk->e = (unsigned char *)(uintptr_t)e;
	pk->elen = el;
	return NULL;
}
