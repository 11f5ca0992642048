/* http: responses framed by Content-Length, chunked coding or the end
 * of the connection; incomplete input asks for more; what is malformed
 * or too large is refused with a reason. */
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "../tap.h"

static char out[256];
static struct http_resp r;

static int
P(const char *s, int eof)
{
	return http_parse(s, strlen(s), eof, out, sizeof out, &r);
}

int
main(void)
{
	static const char *const bad[] = {
		"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\n", "ICY 200 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\n folded: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nab",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 300\r\n\r\n",
	};
	char big[20000];
	size_t i;
	int good;

	plan(12);
	ok(P("HTTP/1.1 200 OK\r\nContent-Type: Text/Plain; charset=utf-8\r\n"
	    "Content-Length: 5\r\n\r\nhelloEXTRA", 0) == 1 && r.status == 200 &&
	    r.blen == 5 && memcmp(out, "hello", 5) == 0 &&
	    strcmp(r.ctype, "text/plain") == 0,
	    "Content-Length frames the body; the media type without parameters");
	ok(P("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", 0) == 0,
	    "a short body asks for more");
	ok(P("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", 1) == -1 &&
	    strstr(r.why, "closed") != NULL, "a short body at the end is refused");
	ok(P("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
	    "5;ext=1\r\nhello\r\nA\r\n, world!!!\r\n0\r\nTrailer: x\r\n\r\n",
	    0) == 1 && r.blen == 15 && memcmp(out, "hello, world!!!", 15) == 0,
	    "chunked coding with an extension and a trailer");
	ok(P("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
	    0) == 0, "a chunk cut short asks for more");
	ok(P("HTTP/1.0 200 OK\nContent-Type: text/plain\n\nto the end", 0) == 0 &&
	    P("HTTP/1.0 200 OK\nContent-Type: text/plain\n\nto the end", 1) == 1 &&
	    r.blen == 10, "no framing: the body runs to the end; bare LF taken");
	ok(P("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0) == 1 &&
	    r.status == 404 && r.blen == 0, "another status is reported");
	ok(P("HTTP/1.1 200 OK\r\nContent-Le", 0) == 0 &&
	    P("HTTP/1.1 200 OK\r\nContent-Le", 1) == -1,
	    "a header cut short: more, or refused at the end");
	good = 1;
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		if (P(bad[i], 1) != -1 || r.why == NULL) {
			good = 0;
			printf("# took %zu\n", i);
		}
	ok(good, "malformed responses are refused with a reason");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ok(P(big, 0) == -1, "a header over 16 KiB is refused");
	ok(P("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "FFFFFFFFFFFFFFFFFFFF\r\n", 0) == -1, "a huge chunk size is refused");
	ok(P("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n", 0) == -1,
	    "a Content-Length over the limit is refused");
	return done();
}
