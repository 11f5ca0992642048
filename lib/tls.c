/* tls: see tls.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "buf.h"
#include "fmt.h"
#include "tls.h"

#define PEM_FILE_MAX (16u << 20)        /* a CA bundle is ~200 KB */
#define DER_MAX      (64u << 10)

/* ---- PEM and trust anchors ---- */

static void
der_append(void *ctx, const void *p, size_t n)
{
	struct buf *b = ctx;

	if (buf_catb(b, p, n) == -1)
		b->max = 0;             /* remember the overflow */
}

int
tls_pem_each(const void *p, size_t n,
    int (*fn)(void *, const char *, const unsigned char *, size_t), void *arg)
{
	br_pem_decoder_context pc;
	struct buf der = BUF_INIT(DER_MAX);
	const unsigned char *s = p;
	char name[128];
	int inobj = 0, r = 0;

	br_pem_decoder_init(&pc);
	while (n > 0 && r == 0) {
		size_t used = br_pem_decoder_push(&pc, s, n);
		s += used;
		n -= used;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			fmt_s(name, sizeof name, "%s", br_pem_decoder_name(&pc));
			der.len = 0;
			der.max = DER_MAX;
			br_pem_decoder_setdest(&pc, der_append, &der);
			inobj = 1;
			break;
		case BR_PEM_END_OBJ:
			if (!inobj || der.max == 0) {
				errno = EINVAL;
				r = -1;
				break;
			}
			inobj = 0;
			r = fn(arg, name, (unsigned char *)der.p, der.len);
			break;
		case BR_PEM_ERROR:
			errno = EINVAL;
			r = -1;
			break;
		default:
			break;
		}
	}
	if (r == 0 && inobj) {
		errno = EINVAL;
		r = -1;
	}
	if (der.p)
		explicit_bzero(der.p, der.cap);
	buf_free(&der);
	return r;
}

static void
dn_append(void *ctx, const void *p, size_t n)
{
	der_append(ctx, p, n);
}

static void *
memdup(const void *p, size_t n)
{
	void *d = malloc(n ? n : 1);

	if (d)
		memcpy(d, p, n);
	return d;
}

static void
ta_free(br_x509_trust_anchor *ta)
{
	free(ta->dn.data);
	if (ta->pkey.key_type == BR_KEYTYPE_RSA) {
		free(ta->pkey.key.rsa.n);
		free(ta->pkey.key.rsa.e);
	} else
		free(ta->pkey.key.ec.q);
}

static int
add_anchor(void *arg, const char *name, const unsigned char *der, size_t len)
{
	struct tls_anchors *a = arg;
	br_x509_decoder_context dc;
	struct buf dn = BUF_INIT(DER_MAX);
	br_x509_trust_anchor ta, *nt;
	br_x509_pkey *pk;

	if (strcmp(name, "CERTIFICATE") != 0 &&
	    strcmp(name, "X509 CERTIFICATE") != 0)
		return 0;
	br_x509_decoder_init(&dc, dn_append, &dn);
	br_x509_decoder_push(&dc, der, len);
	if ((pk = br_x509_decoder_get_pkey(&dc)) == NULL || dn.max == 0) {
		buf_free(&dn);
		return 0;               /* skip what BearSSL cannot use */
	}
	memset(&ta, 0, sizeof ta);
	ta.dn.data = memdup(dn.p, dn.len);
	ta.dn.len = dn.len;
	buf_free(&dn);
	ta.flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta.pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta.pkey.key.rsa.n = memdup(pk->key.rsa.n, pk->key.rsa.nlen);
		ta.pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta.pkey.key.rsa.e = memdup(pk->key.rsa.e, pk->key.rsa.elen);
		ta.pkey.key.rsa.elen = pk->key.rsa.elen;
		if (!ta.pkey.key.rsa.n || !ta.pkey.key.rsa.e)
			goto nomem;
	} else {
		ta.pkey.key.ec.curve = pk->key.ec.curve;
		ta.pkey.key.ec.q = memdup(pk->key.ec.q, pk->key.ec.qlen);
		ta.pkey.key.ec.qlen = pk->key.ec.qlen;
		if (!ta.pkey.key.ec.q)
			goto nomem;
	}
	if (ta.dn.data == NULL)
		goto nomem;
	if ((nt = array_grow(a->ta, &a->cap, a->n + 1, sizeof *nt)) == NULL)
		goto nomem;
	a->ta = nt;
	a->ta[a->n++] = ta;
	return 0;
nomem:
	ta_free(&ta);
	errno = ENOMEM;
	return -1;
}

int
tls_anchors_load(struct tls_anchors *a, const char *file)
{
	struct buf data = BUF_INIT(PEM_FILE_MAX);
	int fd, e, r;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (buf_catfd(&data, fd) == -1) {
		e = errno;
		close(fd);
		buf_free(&data);
		errno = e;
		return -1;
	}
	close(fd);
	r = tls_pem_each(data.p, data.len, add_anchor, a);
	e = errno;
	buf_free(&data);
	if (r == -1) {
		errno = e;
		return -1;
	}
	if (a->n == 0) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

void
tls_anchors_free(struct tls_anchors *a)
{
	while (a->n)
		ta_free(&a->ta[--a->n]);
	free(a->ta);
	a->ta = NULL;
	a->cap = 0;
}

/* ---- driving the engine ---- */

static int
fail(struct tls *t, int e)
{
	t->err = br_ssl_engine_last_error(t->eng);
	errno = e;
	return -1;
}

/* An I/O failure of bio_fdio, r its result: a timeout keeps the
 * engine's error, anything else is BearSSL's I/O error. */
static int
io_fail(struct tls *t, ssize_t r, int eof)
{
	if (r == -1 && errno == ETIMEDOUT)
		return fail(t, ETIMEDOUT);
	t->err = BR_ERR_IO;
	if (r == 0)
		errno = eof;
	return -1;
}

int
tls_run(struct tls *t, unsigned target, long long deadline)
{
	for (;;) {
		unsigned st = br_ssl_engine_current_state(t->eng);
		unsigned char *p;
		size_t len;
		ssize_t r;

		if (st & BR_SSL_CLOSED) {
			int e = br_ssl_engine_last_error(t->eng);
			return fail(t, e == BR_ERR_OK ? ECONNRESET : EPROTO);
		}
		if (st & BR_SSL_SENDREC) {
			p = br_ssl_engine_sendrec_buf(t->eng, &len);
			if ((r = bio_fdio(t->fd, POLLOUT, p, len, deadline)) <= 0)
				return io_fail(t, r, EIO);
			br_ssl_engine_sendrec_ack(t->eng, (size_t)r);
			continue;
		}
		if (st & target)
			return 0;
		if (st & BR_SSL_RECVAPP)        /* data we did not ask for */
			return fail(t, EPROTO);
		if (st & BR_SSL_RECVREC) {
			p = br_ssl_engine_recvrec_buf(t->eng, &len);
			if ((r = bio_fdio(t->fd, POLLIN, p, len, deadline)) <= 0)
				return io_fail(t, r, ECONNRESET);
			br_ssl_engine_recvrec_ack(t->eng, (size_t)r);
			continue;
		}
		br_ssl_engine_flush(t->eng, 0);
	}
}

ssize_t
tls_bio_read(struct bio *b, void *p, size_t n)
{
	struct tls *t = b->ctx;
	unsigned char *s;
	size_t len;

	if (tls_run(t, BR_SSL_RECVAPP, b->deadline) == -1) {
		if (errno == ECONNRESET && t->err == BR_ERR_OK)
			return 0;       /* close_notify: end of input */
		return -1;
	}
	s = br_ssl_engine_recvapp_buf(t->eng, &len);
	if (len > n)
		len = n;
	memcpy(p, s, len);
	br_ssl_engine_recvapp_ack(t->eng, len);
	return (ssize_t)len;
}

ssize_t
tls_bio_write(struct bio *b, void *p, size_t n)
{
	struct tls *t = b->ctx;
	unsigned char *s;
	size_t len;

	if (tls_run(t, BR_SSL_SENDAPP, b->deadline) == -1)
		return -1;
	s = br_ssl_engine_sendapp_buf(t->eng, &len);
	if (len > n)
		len = n;
	memcpy(s, p, len);
	br_ssl_engine_sendapp_ack(t->eng, len);
	/* bio writes only when it means to send: push the record out now */
	br_ssl_engine_flush(t->eng, 0);
	if (tls_run(t, BR_SSL_SENDAPP | BR_SSL_RECVAPP, b->deadline) == -1)
		return -1;
	return (ssize_t)len;
}

void
tls_close(struct tls *t, long long deadline)
{
	if (br_ssl_engine_current_state(t->eng) & BR_SSL_CLOSED)
		return;
	br_ssl_engine_close(t->eng);
	while (br_ssl_engine_current_state(t->eng) & BR_SSL_SENDREC) {
		size_t len;
		unsigned char *p = br_ssl_engine_sendrec_buf(t->eng, &len);
		ssize_t r = bio_fdio(t->fd, POLLOUT, p, len, deadline);
		if (r <= 0)
			return;
		br_ssl_engine_sendrec_ack(t->eng, (size_t)r);
	}
}

const char *
tls_error(const struct tls *t)
{
	static char s[64];

	switch (t->err) {
	case BR_ERR_OK: return "connection closed";
	case BR_ERR_IO: return "I/O error";
	case BR_ERR_X509_NOT_TRUSTED: return "certificate not trusted";
	case BR_ERR_X509_BAD_SERVER_NAME:
		return "certificate does not match the host name";
	case BR_ERR_X509_EXPIRED: return "certificate expired or not yet valid";
	case BR_ERR_BAD_VERSION: return "no common protocol version";
	case BR_ERR_BAD_CIPHER_SUITE: return "no common cipher suite";
	case BR_ERR_X509_BAD_SIGNATURE: return "bad certificate signature";
	case BR_ERR_X509_EMPTY_CHAIN: return "no certificate";
	}
	if (t->err >= BR_ERR_RECV_FATAL_ALERT && t->err < BR_ERR_SEND_FATAL_ALERT)
		fmt_s(s, sizeof s, "peer sent alert %d",
		    t->err - BR_ERR_RECV_FATAL_ALERT);
	else if (t->err >= BR_ERR_SEND_FATAL_ALERT)
		fmt_s(s, sizeof s, "sent alert %d",
		    t->err - BR_ERR_SEND_FATAL_ALERT);
	else
		fmt_s(s, sizeof s, "BearSSL error %d", t->err);
	return s;
}

const char *
tls_version(const struct tls *t)
{
	switch (br_ssl_engine_get_version(t->eng)) {
	case BR_TLS12: return "TLSv1.2";
	case BR_TLS11: return "TLSv1.1";
	case BR_TLS10: return "TLSv1.0";
	}
	return "unknown";
}

static const struct {
	uint16_t id;
	const char *name;
} suites[] = {
	{ BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	  "ECDHE-ECDSA-AES256-GCM-SHA384" },
	{ BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	  "ECDHE-RSA-AES256-GCM-SHA384" },
	{ BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	  "ECDHE-ECDSA-CHACHA20-POLY1305" },
	{ BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	  "ECDHE-RSA-CHACHA20-POLY1305" },
	{ BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	  "ECDHE-ECDSA-AES128-GCM-SHA256" },
	{ BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	  "ECDHE-RSA-AES128-GCM-SHA256" },
};
#define NSUITES (sizeof suites / sizeof suites[0])

void
tls_policy(br_ssl_engine_context *eng)
{
	uint16_t ids[NSUITES];
	size_t i;

	for (i = 0; i < NSUITES; i++)
		ids[i] = suites[i].id;
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, ids, NSUITES);
}

const char *
tls_cipher(const struct tls *t)
{
	br_ssl_session_parameters sp;
	size_t i;

	br_ssl_engine_get_session_parameters(t->eng, &sp);
	for (i = 0; i < NSUITES; i++)
		if (suites[i].id == sp.cipher_suite)
			return suites[i].name;
	return "unknown";
}

/* ---- client ---- */

/* An X.509 "validator" that takes the leaf's key and checks nothing:
 * STARTTLS without verification still defeats passive eavesdropping. */
static void
nv_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct tls_novalidate *nv = (struct tls_novalidate *)(void *)ctx;

	(void)server_name;
	nv->first = 1;
}

static void
nv_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct tls_novalidate *nv = (struct tls_novalidate *)(void *)ctx;

	(void)length;
	if (nv->first)
		br_x509_decoder_init(&nv->dc, NULL, NULL);
}

static void
nv_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct tls_novalidate *nv = (struct tls_novalidate *)(void *)ctx;

	if (nv->first)
		br_x509_decoder_push(&nv->dc, buf, len);
}

static void
nv_end_cert(const br_x509_class **ctx)
{
	struct tls_novalidate *nv = (struct tls_novalidate *)(void *)ctx;

	nv->first = 0;
}

static unsigned
nv_end_chain(const br_x509_class **ctx)
{
	struct tls_novalidate *nv = (struct tls_novalidate *)(void *)ctx;

	if (br_x509_decoder_get_pkey(&nv->dc) == NULL)
		return BR_ERR_X509_EMPTY_CHAIN;
	return 0;
}

static const br_x509_pkey *
nv_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct tls_novalidate *nv = (struct tls_novalidate *)(void *)ctx;

	if (usages)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return br_x509_decoder_get_pkey(&nv->dc);
}

static const br_x509_class nv_class = {
	sizeof(struct tls_novalidate),
	nv_start_chain, nv_start_cert, nv_append, nv_end_cert, nv_end_chain,
	nv_get_pkey,
};

static int handshake(struct tls_client *c, int fd, const char *host,
    long long deadline);

int
tls_client_start(struct tls_client *c, int fd, const char *host,
    const struct tls_anchors *a, int mode, long long deadline)
{
	br_ssl_client_init_full(&c->cc, &c->xc, a ? a->ta : NULL,
	    a ? a->n : 0);
	tls_policy(&c->cc.eng);
	if (mode == TLS_NOVERIFY) {
		c->nv.vtable = &nv_class;
		br_ssl_engine_set_x509(&c->cc.eng, &c->nv.vtable);
	}
	return handshake(c, fd, host, deadline);
}

int
tls_client_start_x509(struct tls_client *c, int fd, const char *host,
    const br_x509_class **x, long long deadline)
{
	br_ssl_client_init_full(&c->cc, &c->xc, NULL, 0);
	tls_policy(&c->cc.eng);
	br_ssl_engine_set_x509(&c->cc.eng, x);
	return handshake(c, fd, host, deadline);
}

static int
handshake(struct tls_client *c, int fd, const char *host, long long deadline)
{
	br_ssl_engine_set_buffer(&c->cc.eng, c->iobuf, sizeof c->iobuf, 1);
	c->t.eng = &c->cc.eng;
	c->t.fd = fd;
	c->t.err = 0;
	if (!br_ssl_client_reset(&c->cc, host, 0))
		return fail(&c->t, EPROTO);
	/* the handshake is done when the engine accepts application data */
	return tls_run(&c->t, BR_SSL_SENDAPP, deadline);
}
