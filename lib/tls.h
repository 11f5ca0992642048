/*
 * tls: BearSSL glue. Loading PEM files (trust anchors from a CA bundle,
 * certificates), a TLS 1.2 client with ECDHE AEAD suites only, and a pair
 * of bio ops so that TLS slots under lib/bio: after a handshake, point a
 * bio's op at tls_bio_read/tls_bio_write and its ctx at the struct tls.
 * The engine-driving part (struct tls, tls_run, the bio ops) knows nothing
 * of the client side, so a server (smtpd STARTTLS) can reuse it with a
 * br_ssl_server_context.
 *
 * Memory: struct tls_anchors owns what tls_anchors_load allocated (free it
 * with tls_anchors_free). struct tls_client is large (the BearSSL buffer,
 * about 33 KB): allocate one per process. Errors: -1 with errno; EPROTO
 * for a TLS failure, with tls_error() giving the reason in words;
 * ETIMEDOUT when the deadline passed.
 */
#ifndef POSTEL_TLS_H
#define POSTEL_TLS_H

#include <stddef.h>
#include <sys/types.h>
#include <bearssl.h>

#include "bio.h"

struct tls_anchors {
	br_x509_trust_anchor *ta;
	size_t n, cap;
};

/* Append every CERTIFICATE in the PEM file to a as a trust anchor (the
 * system bundle: /etc/ssl/certs/ca-certificates.crt). 0 when at least one
 * was loaded; -1 (ENOENT for none, EINVAL for bad data, or open's errno). */
int tls_anchors_load(struct tls_anchors *a, const char *file);
void tls_anchors_free(struct tls_anchors *a);

/* Call fn for each object of the PEM data at p: its name ("CERTIFICATE",
 * "PRIVATE KEY", ...) and DER bytes. Stops at fn's -1. 0 or -1 (EINVAL). */
int tls_pem_each(const void *p, size_t n,
    int (*fn)(void *arg, const char *name, const unsigned char *der,
    size_t len), void *arg);

/* The engine and its socket: what the bio ops need. */
struct tls {
	br_ssl_engine_context *eng;
	int fd;
	int err;                        /* BearSSL error of the last failure */
};

/* Drive the engine until its state has one of the bits in target
 * (BR_SSL_SENDAPP, BR_SSL_RECVAPP), moving records over fd, waiting at
 * most until deadline (monotonic ms, 0 = none). 0 or -1. */
int tls_run(struct tls *t, unsigned target, long long deadline);
ssize_t tls_bio_read(struct bio *b, void *p, size_t n);
ssize_t tls_bio_write(struct bio *b, void *p, size_t n);
/* Send close_notify (best effort, until deadline). */
void tls_close(struct tls *t, long long deadline);
/* The reason for the last failure, in words. */
const char *tls_error(const struct tls *t);
/* What client and server both offer, from one list: TLS 1.2 and the
 * ECDHE suites with AEAD ciphers, strongest first. */
void tls_policy(br_ssl_engine_context *eng);
/* "TLSv1.2" and the suite's name, after a handshake. */
const char *tls_version(const struct tls *t);
const char *tls_cipher(const struct tls *t);

/* Certificate checks for a client. */
enum { TLS_NOVERIFY = 0, TLS_VERIFY = 1 };

struct tls_novalidate {
	const br_x509_class *vtable;
	br_x509_decoder_context dc;
	int first;
};

struct tls_client {
	struct tls t;
	br_ssl_client_context cc;
	br_x509_minimal_context xc;
	struct tls_novalidate nv;
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

/* Handshake as a client on fd. With TLS_VERIFY the chain must lead to one
 * of the anchors and the certificate must name host; with TLS_NOVERIFY
 * any certificate is taken (encryption without authentication). */
int tls_client_start(struct tls_client *c, int fd, const char *host,
    const struct tls_anchors *a, int mode, long long deadline);
/* The same with the caller's certificate check x (DANE in remote): its
 * end_chain decides, its get_pkey gives the server's key; host is only
 * sent (SNI) and passed to x's start_chain. */
int tls_client_start_x509(struct tls_client *c, int fd, const char *host,
    const br_x509_class **x, long long deadline);

#endif
