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

int
https_get(const char *host, unsigned port, const char *path,
    const struct tls_anchors *a, long long deadline, char *out,
    size_t outmax, struct http_resp *r, const char **why, int *temp)
{
	struct dns_ip ip[DNS_IP_MAX];
	struct tls_client *c;
	struct bio o;
	char req[1024], *buf;
	size_t nip, i, cap = outmax + HTTP_HEAD_MAX + 4096;
	int fd = -1, rc = -1, n;

	*temp = 1;
	if ((n = fmt_s(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: postel\r\nAccept: text/plain\r\n"
	    "Connection: close\r\n\r\n", path, host)) < 0) {
		*why = "a host or path too long";
		*temp = 0;
		return -1;
	}
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
	bio_init(&o, fd, tls_bio_write, req, sizeof req);
	o.ctx = &c->t;
	o.deadline = deadline;
	o.end = (size_t)n;
	if (bio_flush(&o) == -1) {
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
