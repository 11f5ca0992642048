/* https: see https.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bio.h"
#include "dns.h"
#include "fmt.h"
#include "https.h"
#include "net.h"

#define HTTPS_REQ_MAX 1024

/* The response on an open TLS connection, read until it is complete. */
static int
response(struct tls_client *c, char *buf, size_t cap, char *out,
    size_t outmax, long long deadline, struct http_resp *r,
    const char **why, int *temp)
{
	struct bio in;
	char io[4096];
	size_t n = 0;
	ssize_t k;
	int st;

	bio_init(&in, c->t.fd, tls_bio_read, io, sizeof io);
	in.ctx = &c->t;
	in.deadline = deadline;
	for (;;) {
		if ((k = bio_read(&in, buf + n, cap - n)) == -1) {
			*why = errno == ETIMEDOUT ? "timed out reading the "
			    "response" : errno == EPROTO ? tls_error(&c->t) :
			    "unable to read the response";
			return -1;              /* *temp: the connection's */
		}
		n += (size_t)k;
		st = http_parse(buf, n, k == 0, out, outmax, r);
		if (st == 1)
			return 0;
		if (st == -1 || n == cap) {
			*why = st == -1 ? r->why : "a response over the limit";
			*temp = 0;              /* the server's answer */
			return -1;
		}
	}
}

/* Send the request head req[0..n), then body[0..blen), read the
 * response: as https_get. */
static int
request(const char *host, unsigned port, char *req, int n, const void *body,
    size_t blen, const struct tls_anchors *a, long long deadline, char *out,
    size_t outmax, struct http_resp *r, const char **why, int *temp)
{
	struct dns_ip ip[DNS_IP_MAX];
	struct tls_client *c;
	struct bio o;
	char *buf;
	size_t nip, i, cap = outmax + HTTP_HEAD_MAX + 4096;
	int fd = -1, rc = -1;

	switch (dns_ip(host, ip, DNS_IP_MAX, &nip)) {
	case DNS_OK: break;
	case DNS_TEMP: *why = "DNS lookup of the host failed for now";
		return -1;
	default: *why = "the host has no address";
		*temp = 0;
		return -1;
	}
	if ((c = malloc(sizeof *c)) == NULL ||
	    (buf = malloc(cap)) == NULL) {
		free(c);
		*why = "out of memory";
		return -1;
	}
	*why = "no address of the host answered";
	for (i = 0; i < nip && fd == -1; i++) {
		if ((fd = net_connect(&ip[i], port, deadline)) == -1)
			*why = errno == ETIMEDOUT ? "timed out connecting" :
			    "unable to connect";
	}
	if (fd == -1)
		goto done;
	if (tls_client_start(c, fd, host, a, TLS_VERIFY, deadline) == -1) {
		*why = errno == ETIMEDOUT ? "timed out in the TLS handshake" :
		    tls_error(&c->t);
		*temp = errno == ETIMEDOUT;
		goto done;
	}
	bio_init(&o, fd, tls_bio_write, req, HTTPS_REQ_MAX);
	o.ctx = &c->t;
	o.deadline = deadline;
	o.end = (size_t)n;
	if (bio_flush(&o) == -1 || (blen > 0 && (bio_put(&o, body, blen) == -1
	    || bio_flush(&o) == -1))) {
		*why = "unable to send the request";
		goto done;
	}
	if (response(c, buf, cap, out, outmax, deadline, r, why, temp) == 0)
		rc = 0;
	tls_close(&c->t, deadline);
done:
	if (fd != -1)
		close(fd);
	explicit_bzero(c, sizeof *c);
	free(c);
	free(buf);
	return rc;
}

int
https_get(const char *host, unsigned port, const char *path,
    const struct tls_anchors *a, long long deadline, char *out,
    size_t outmax, struct http_resp *r, const char **why, int *temp)
{
	char req[HTTPS_REQ_MAX];
	int n;

	*temp = 1;
	if ((n = fmt_s(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: postel\r\nAccept: text/plain\r\n"
	    "Connection: close\r\n\r\n", path, host)) < 0) {
		*why = "a host or path too long";
		*temp = 0;
		return -1;
	}
	return request(host, port, req, n, NULL, 0, a, deadline, out, outmax,
	    r, why, temp);
}

int
https_post(const char *host, unsigned port, const char *path,
    const char *type, const void *body, size_t blen,
    const struct tls_anchors *a, long long deadline, char *out,
    size_t outmax, struct http_resp *r, const char **why, int *temp)
{
	char req[HTTPS_REQ_MAX], hp[16] = "";
	int n;

	*temp = 1;
	if (port != 443)                /* RFC 9110 7.2: a port not the
	                                   default goes in Host */
		fmt_s(hp, sizeof hp, ":%u", port);
	if ((n = fmt_s(req, sizeof req, "POST %s HTTP/1.1\r\nHost: %s%s\r\n"
	    "User-Agent: postel\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", path,
	    host, hp, type, blen)) < 0) {
		*why = "a host, path or type too long";
		*temp = 0;
		return -1;
	}
	return request(host, port, req, n, body, blen, a, deadline, out,
	    outmax, r, why, temp);
}
