/*
 * http: the response side of an HTTP/1.1 GET (RFC 9112), as much as
 * fetching an MTA-STS policy (RFC 8461 3.3) needs: the status line, the
 * header fields that frame the body (Content-Length, Transfer-Encoding:
 * chunked, else the end of the connection) and Content-Type. A pure
 * parser on bytes, so that it is fuzzed; the connection is https.c's.
 * Nothing is allocated: the body is copied into the caller's buffer.
 */
#ifndef POSTEL_HTTP_H
#define POSTEL_HTTP_H

#include <stddef.h>

#define HTTP_HEAD_MAX 16384     /* the status line and header fields */

struct http_resp {
	int status;                     /* 100..599 */
	char ctype[128];                /* media type, lower case, no
	                                   parameters; "" if none */
	char *body;                     /* the caller's out */
	size_t blen;
	const char *why;                /* on -1: what is wrong */
};

/* Parse the n bytes of a response received so far; eof says the server
 * closed the connection after them. 1: complete, r filled and the body
 * (de-chunked) in out; 0: incomplete, read more; -1: malformed, a body
 * over outmax octets or a head over HTTP_HEAD_MAX, r->why says which. */
int http_parse(const char *p, size_t n, int eof, char *out, size_t outmax,
    struct http_resp *r);

#endif
