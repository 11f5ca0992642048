/* tls_server: see tls_server.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fmt.h"
#include "tls_server.h"

#define PEM_MAX (1u << 20)      /* a chain or a key file: a few KB */

static int
readfile(const char *file, struct buf *b)
{
	int fd, e;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	/* straight into b, which the caller wipes: no copy of a key on
	 * the stack */
	if (buf_catfd(b, fd) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

static void
wipe_buf(struct buf *b)
{
	if (b->p)
		explicit_bzero(b->p, b->cap);
	buf_free(b);
}

static int
add_cert(void *arg, const char *name, const unsigned char *der, size_t len)
{
	struct tls_server_cred *c = arg;
	unsigned char *copy;

	if (strcmp(name, "CERTIFICATE") != 0 &&
	    strcmp(name, "X509 CERTIFICATE") != 0)
		return 0;
	if (c->nchain == TLS_SERVER_CHAIN_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if ((copy = malloc(len ? len : 1)) == NULL)
		return -1;
	memcpy(copy, der, len);
	c->chain[c->nchain].data = copy;
	c->chain[c->nchain].data_len = len;
	c->nchain++;
	return 0;
}

/* A copy of the decoded key in one buffer, pointed to by c->rsa or c->ec. */
static int
copy_key(struct tls_server_cred *c, const br_skey_decoder_context *dc)
{
	const br_rsa_private_key *rk;
	const br_ec_private_key *ek;
	unsigned char *p;

	c->key_type = br_skey_decoder_key_type(dc);
	if (c->key_type == BR_KEYTYPE_RSA) {
		rk = br_skey_decoder_get_rsa(dc);
		c->keylen = rk->plen + rk->qlen + rk->dplen + rk->dqlen +
		    rk->iqlen;
		if ((p = c->keybuf = malloc(c->keylen)) == NULL)
			return -1;
		c->rsa = *rk;
		memcpy(c->rsa.p = p, rk->p, rk->plen);
		memcpy(c->rsa.q = p += rk->plen, rk->q, rk->qlen);
		memcpy(c->rsa.dp = p += rk->qlen, rk->dp, rk->dplen);
		memcpy(c->rsa.dq = p += rk->dplen, rk->dq, rk->dqlen);
		memcpy(c->rsa.iq = p += rk->dqlen, rk->iq, rk->iqlen);
		return 0;
	}
	if (c->key_type == BR_KEYTYPE_EC) {
		ek = br_skey_decoder_get_ec(dc);
		c->keylen = ek->xlen;
		if ((c->keybuf = malloc(c->keylen ? c->keylen : 1)) == NULL)
			return -1;
		c->ec = *ek;
		memcpy(c->ec.x = c->keybuf, ek->x, ek->xlen);
		return 0;
	}
	errno = EINVAL;
	return -1;
}

struct keyarg {
	struct tls_server_cred *c;
	br_skey_decoder_context dc;
	int found;
};

static int
add_key(void *arg, const char *name, const unsigned char *der, size_t len)
{
	struct keyarg *k = arg;

	if (strcmp(name, "RSA PRIVATE KEY") != 0 &&
	    strcmp(name, "EC PRIVATE KEY") != 0 &&
	    strcmp(name, "PRIVATE KEY") != 0)
		return 0;               /* e.g. "EC PARAMETERS" */
	if (k->found) {
		errno = EINVAL;
		return -1;
	}
	br_skey_decoder_init(&k->dc);
	br_skey_decoder_push(&k->dc, der, len);
	if (br_skey_decoder_last_error(&k->dc) != 0) {
		errno = EINVAL;
		return -1;
	}
	k->found = 1;
	return copy_key(k->c, &k->dc);
}

/* Does the leaf certificate hold the public half of the key? Its type and
 * size must match; the handshake proves the rest. */
static const char *
leaf_check(struct tls_server_cred *c)
{
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;

	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, c->chain[0].data, c->chain[0].data_len);
	if ((pk = br_x509_decoder_get_pkey(&dc)) == NULL)
		return "the certificate cannot be decoded";
	if (pk->key_type != c->key_type)
		return "the key does not match the certificate's type";
	if (c->key_type == BR_KEYTYPE_EC && pk->key.ec.curve != c->ec.curve)
		return "the key's curve differs from the certificate's";
	if (c->key_type == BR_KEYTYPE_RSA) {
		size_t n = pk->key.rsa.nlen;
		const unsigned char *m = pk->key.rsa.n;
		while (n > 0 && *m == 0) {
			m++;
			n--;
		}
		if ((n * 8 + 7) / 8 != (c->rsa.n_bitlen + 7) / 8)
			return "the key's size differs from the certificate's";
	}
	c->issuer_type = br_x509_decoder_get_signer_key_type(&dc);
	if (c->issuer_type == 0)
		c->issuer_type = c->key_type;
	return NULL;
}

int
tls_server_load(struct tls_server_cred *c, const char *certfile,
    const char *keyfile, const char **why)
{
	struct buf data = BUF_INIT(PEM_MAX);
	struct keyarg *k;
	int r, e;

	memset(c, 0, sizeof *c);
	if (readfile(certfile, &data) == -1) {
		*why = "unable to read the certificate file";
		goto fail;
	}
	r = tls_pem_each(data.p, data.len, add_cert, c);
	wipe_buf(&data);
	if (r == -1 || c->nchain == 0) {
		*why = c->nchain == TLS_SERVER_CHAIN_MAX ?
		    "too many certificates in the chain" :
		    "no certificate in the certificate file";
		errno = EINVAL;
		goto fail;
	}
	data = (struct buf)BUF_INIT(PEM_MAX);
	if (readfile(keyfile, &data) == -1) {
		*why = "unable to read the key file";
		goto fail;
	}
	/* the decoder context holds key material: wipe it after use */
	if ((k = calloc(1, sizeof *k)) == NULL) {
		wipe_buf(&data);
		*why = "out of memory";
		goto fail;
	}
	k->c = c;
	r = tls_pem_each(data.p, data.len, add_key, k);
	e = errno;
	r = r == -1 ? -1 : k->found ? 0 : -2;
	explicit_bzero(k, sizeof *k);
	free(k);
	wipe_buf(&data);
	if (r != 0) {
		*why = r == -2 ? "no private key in the key file" :
		    "the private key cannot be decoded";
		errno = r == -2 ? EINVAL : e;
		goto fail;
	}
	if ((*why = leaf_check(c)) != NULL) {
		errno = EINVAL;
		goto fail;
	}
	return 0;
fail:
	e = errno;
	tls_server_free(c);
	errno = e;
	return -1;
}

void
tls_server_free(struct tls_server_cred *c)
{
	size_t i;

	for (i = 0; i < c->nchain; i++)
		free(c->chain[i].data);
	if (c->keybuf) {
		explicit_bzero(c->keybuf, c->keylen);
		free(c->keybuf);
	}
	explicit_bzero(c, sizeof *c);
}

const char *
tls_server_keydesc(const struct tls_server_cred *c)
{
	static char s[32];

	if (c->key_type == BR_KEYTYPE_RSA)
		fmt_s(s, sizeof s, "RSA-%u", (unsigned)c->rsa.n_bitlen);
	else if (c->key_type == BR_KEYTYPE_EC)
		fmt_s(s, sizeof s, "EC-%s", c->ec.curve == BR_EC_secp256r1 ?
		    "P256" : c->ec.curve == BR_EC_secp384r1 ? "P384" :
		    c->ec.curve == BR_EC_secp521r1 ? "P521" : "other");
	else
		fmt_s(s, sizeof s, "none");
	return s;
}

int
tls_server_start(struct tls_server *s, const struct tls_server_cred *c,
    int fd, long long deadline)
{
	if (c->key_type == BR_KEYTYPE_RSA)
		br_ssl_server_init_full_rsa(&s->sc, c->chain, c->nchain,
		    &c->rsa);
	else
		br_ssl_server_init_full_ec(&s->sc, c->chain, c->nchain,
		    (unsigned)c->issuer_type, &c->ec);
	tls_policy(&s->sc.eng);
	br_ssl_engine_add_flags(&s->sc.eng, BR_OPT_ENFORCE_SERVER_PREFERENCES |
	    BR_OPT_NO_RENEGOTIATION);
	br_ssl_engine_set_buffer(&s->sc.eng, s->iobuf, sizeof s->iobuf, 1);
	s->t.eng = &s->sc.eng;
	s->t.fd = fd;
	s->t.err = 0;
	if (!br_ssl_server_reset(&s->sc)) {
		s->t.err = br_ssl_engine_last_error(&s->sc.eng);
		errno = EPROTO;
		return -1;
	}
	/* done when the engine takes application data */
	return tls_run(&s->t, BR_SSL_SENDAPP, deadline);
}

const char *
tls_server_sni(const struct tls_server *s)
{
	return br_ssl_engine_get_server_name(&s->sc.eng);
}
