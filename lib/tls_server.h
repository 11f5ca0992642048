/*
 * tls_server: the server side of TLS with BearSSL, for smtpd's STARTTLS.
 * tls_server_load reads a certificate chain and its private key (RSA or
 * EC; PKCS#1, SEC 1 or PKCS#8, in PEM) once, before any client input;
 * tls_server_start runs the handshake on a socket with TLS 1.2 and the
 * ECDHE AEAD suites of lib/tls, in the server's order of preference.
 * After it, the struct tls inside drives lib/tls's bio ops
 * (tls_bio_read/tls_bio_write) and tls_version/tls_cipher/tls_close.
 *
 * Memory: struct tls_server_cred owns the chain and a copy of the key,
 * freed and wiped (explicit_bzero) by tls_server_free. struct tls_server
 * holds the BearSSL context and its buffer (about 33 KB + 4 KB): one per
 * process, static. Errors: -1 with errno; tls_server_load also sets *why
 * to a reason in words; a failed handshake is EPROTO (tls_error says why),
 * ETIMEDOUT past the deadline, ECONNRESET if the client went away.
 */
#ifndef POSTEL_TLS_SERVER_H
#define POSTEL_TLS_SERVER_H

#include <stddef.h>
#include <bearssl.h>

#include "tls.h"

#define TLS_SERVER_CHAIN_MAX 8

struct tls_server_cred {
	br_x509_certificate chain[TLS_SERVER_CHAIN_MAX];
	size_t nchain;
	int key_type;                   /* BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
	int issuer_type;                /* key type of the leaf's signer */
	br_rsa_private_key rsa;         /* pointing into keybuf */
	br_ec_private_key ec;
	unsigned char *keybuf;
	size_t keylen;
};

/* Read the PEM chain (leaf first) from certfile and the key from keyfile.
 * The key must belong to the leaf. 0, or -1 with errno and *why. */
int tls_server_load(struct tls_server_cred *c, const char *certfile,
    const char *keyfile, const char **why);
void tls_server_free(struct tls_server_cred *c);
/* "RSA" or "EC" and the key's size in bits, for a log line. */
const char *tls_server_keydesc(const struct tls_server_cred *c);

struct tls_server {
	struct tls t;
	br_ssl_server_context sc;
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

/* Handshake as the server on fd (read and written: a socket), waiting at
 * most until deadline (monotonic ms). 0 or -1. */
int tls_server_start(struct tls_server *s, const struct tls_server_cred *c,
    int fd, long long deadline);
/* The name the client asked for with SNI, "" if none. */
const char *tls_server_sni(const struct tls_server *s);

#endif
