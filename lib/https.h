/*
 * https: one GET over HTTPS (RFC 9110, 9112), the way an MTA-STS policy
 * is fetched (RFC 8461 3.3), and one POST, the way a TLS report is sent
 * (RFC 8460 5.4): the host's addresses from DNS, TLS with the
 * certificate checked against the given anchors and the host name, no
 * redirects followed, the body bounded, the whole under one deadline.
 * Memory: the TLS client (about 33 KB) is allocated for the call and
 * freed; the body goes into the caller's buffer.
 */
#ifndef POSTEL_HTTPS_H
#define POSTEL_HTTPS_H

#include <stddef.h>

#include "http.h"
#include "tls.h"

/* GET https://host:port/path (path starts with '/') into r, its body in
 * out (at most outmax octets). 0 when a response came, whatever its
 * status (r->status); -1 with *why in words when none did (DNS, connect,
 * TLS, a malformed or oversized response, the deadline: monotonic ms as
 * bio_now). *temp is set when the failure may pass (DNS trouble, a
 * timeout, a refused connection), clear when it is the server's answer
 * or certificate. */
int https_get(const char *host, unsigned port, const char *path,
    const struct tls_anchors *a, long long deadline, char *out,
    size_t outmax, struct http_resp *r, const char **why, int *temp);

/* POST body[0..blen) of Content-Type type to https://host:port/path,
 * the response as https_get. */
int https_post(const char *host, unsigned port, const char *path,
    const char *type, const void *body, size_t blen,
    const struct tls_anchors *a, long long deadline, char *out,
    size_t outmax, struct http_resp *r, const char **why, int *temp);

#endif
