/* dane: the certificate check of a DANE session (RFC 7672 3, RFC 7671),
 * a br_x509_class for lib/tls. See remote.h. */
#include <string.h>

#include "fmt.h"
#include "remote.h"

#define CTX(c) ((struct dane_x509 *)(void *)(c))

static void
start_chain(const br_x509_class **c, const char *server_name)
{
	struct dane_x509 *x = CTX(c);

	(void)server_name;              /* ours are x->name and x->base */
	x->n = x->len = 0;
	x->off[0] = 0;
	x->over = 0;
	x->matched = 0;
	x->why[0] = '\0';
}

static void
start_cert(const br_x509_class **c, uint32_t length)
{
	struct dane_x509 *x = CTX(c);

	if (x->n >= DANE_CERTS_MAX || length > sizeof x->buf - x->len)
		x->over = 1;
}

static void
append(const br_x509_class **c, const unsigned char *p, size_t n)
{
	struct dane_x509 *x = CTX(c);

	if (x->over)
		return;
	if (n > sizeof x->buf - x->len) {
		x->over = 1;
		return;
	}
	memcpy(x->buf + x->len, p, n);
	x->len += n;
}

static void
end_cert(const br_x509_class **c)
{
	struct dane_x509 *x = CTX(c);

	if (x->over)
		return;
	x->n++;
	x->off[x->n] = x->len;
}

static void
dn_append(void *ctx, const void *p, size_t n)
{
	struct dane_x509 *x = ctx;

	if (n > sizeof x->dn - x->dnlen) {
		x->dnlen = sizeof x->dn + 1;    /* too long: unusable */
		return;
	}
	memcpy(x->dn + x->dnlen, p, n);
	x->dnlen += n;
}

/* Certificates 0..k-1 of the chain checked by br_x509_minimal with
 * certificate k as trust anchor (itself when k is 0: its key is then
 * trusted directly), the end entity naming name. BearSSL's error, 0 ok. */
static unsigned
chain_below(struct dane_x509 *x, size_t k, const char *name)
{
	const br_x509_class **v = &x->xc.vtable;
	const unsigned char *cert = x->buf + x->off[k];
	size_t len = x->off[k + 1] - x->off[k], i, last = k ? k : 1;
	br_x509_pkey *pk;

	x->dnlen = 0;
	br_x509_decoder_init(&x->tad, dn_append, x);
	br_x509_decoder_push(&x->tad, cert, len);
	if ((pk = br_x509_decoder_get_pkey(&x->tad)) == NULL ||
	    x->dnlen > sizeof x->dn)
		return BR_ERR_X509_BAD_DN;
	memset(&x->ta, 0, sizeof x->ta);
	x->ta.dn.data = x->dn;
	x->ta.dn.len = x->dnlen;
	x->ta.flags = k ? BR_X509_TA_CA : 0;
	x->ta.pkey = *pk;
	br_x509_minimal_init(&x->xc, &br_sha256_vtable, &x->ta, 1);
	br_x509_minimal_set_hash(&x->xc, br_sha1_ID, &br_sha1_vtable);
	br_x509_minimal_set_hash(&x->xc, br_sha224_ID, &br_sha224_vtable);
	br_x509_minimal_set_hash(&x->xc, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_hash(&x->xc, br_sha384_ID, &br_sha384_vtable);
	br_x509_minimal_set_hash(&x->xc, br_sha512_ID, &br_sha512_vtable);
	br_x509_minimal_set_rsa(&x->xc, br_rsa_pkcs1_vrfy_get_default());
	br_x509_minimal_set_ecdsa(&x->xc, br_ec_get_default(),
	    br_ecdsa_vrfy_asn1_get_default());
	(*v)->start_chain(v, name);
	for (i = 0; i < last; i++) {
		size_t l = x->off[i + 1] - x->off[i];
		(*v)->start_cert(v, (uint32_t)l);
		(*v)->append(v, x->buf + x->off[i], l);
		(*v)->end_cert(v);
	}
	return (*v)->end_chain(v);
}

static const char *
ta_error(unsigned e)
{
	switch (e) {
	case BR_ERR_X509_BAD_SERVER_NAME:
		return "the certificate does not name the host";
	case BR_ERR_X509_EXPIRED:
		return "a certificate expired or is not yet valid";
	case BR_ERR_X509_BAD_SIGNATURE:
		return "bad certificate signature";
	case BR_ERR_X509_NOT_TRUSTED:
		return "the chain does not lead to the matching certificate";
	}
	return "the chain below the matching certificate does not verify";
}

static unsigned
end_chain(const br_x509_class **c)
{
	struct dane_x509 *x = CTX(c);
	const struct tlsa_set *s = x->tlsa;
	size_t i, k;
	unsigned e = 0;
	int ta = 0;

	if (x->n == 0) {
		fmt_s(x->why, sizeof x->why, "%s", x->over ? "certificate too "
		    "long" : "no certificate");
		return BR_ERR_X509_EMPTY_CHAIN;
	}
	br_x509_decoder_init(&x->ee, NULL, NULL);
	br_x509_decoder_push(&x->ee, x->buf, x->off[1]);
	if (br_x509_decoder_get_pkey(&x->ee) == NULL) {
		fmt_s(x->why, sizeof x->why, "malformed certificate");
		return BR_ERR_X509_INVALID_VALUE;
	}
	/* DANE-EE: the certificate, nothing else (RFC 7672 3.1.1) */
	for (i = 0; i < s->n; i++)
		if (s->r[i].usage == TLSA_DANE_EE &&
		    tlsa_match(&s->r[i], x->buf, x->off[1]) == 1) {
			x->matched = TLSA_DANE_EE;
			return 0;
		}
	/* DANE-TA: a certificate the server sent, then the chain below it
	 * with the names checked (RFC 7672 3.2.2) */
	for (i = 0; i < s->n; i++) {
		if (s->r[i].usage != TLSA_DANE_TA || !tlsa_usable(&s->r[i]))
			continue;
		for (k = 0; k < x->n; k++) {
			if (tlsa_match(&s->r[i], x->buf + x->off[k],
			    x->off[k + 1] - x->off[k]) != 1)
				continue;
			ta = 1;
			e = chain_below(x, k, x->name);
			if (e == BR_ERR_X509_BAD_SERVER_NAME && x->base[0] &&
			    strcmp(x->base, x->name) != 0)
				e = chain_below(x, k, x->base);
			if (e == 0) {
				x->matched = TLSA_DANE_TA;
				return 0;
			}
		}
	}
	if (ta)
		fmt_s(x->why, sizeof x->why, "DANE-TA: %s", ta_error(e));
	else
		fmt_s(x->why, sizeof x->why, "no TLSA record matches the "
		    "certificate%s", x->over ? " (chain too long to check)" : "");
	return e ? e : BR_ERR_X509_NOT_TRUSTED;
}

static const br_x509_pkey *
get_pkey(const br_x509_class *const *c, unsigned *usages)
{
	struct dane_x509 *x = CTX(c);

	if (usages)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return br_x509_decoder_get_pkey(&x->ee);
}

static const br_x509_class dane_class = {
	sizeof(struct dane_x509),
	start_chain, start_cert, append, end_cert, end_chain, get_pkey,
};

void
dane_x509_init(struct dane_x509 *x, const struct target *t)
{
	x->vtable = &dane_class;
	x->tlsa = t->tlsa;
	x->name = t->name;
	x->base = t->base;
	x->n = x->len = 0;
	x->matched = 0;
	x->why[0] = '\0';
}
