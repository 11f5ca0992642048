/*
 * http: libFuzzer target for lib/http (RFC 9112 responses, what the
 * MTA-STS policy fetch reads from a web server): the input is a whole
 * response, the server closing after it. Checks: -1 comes with a
 * reason; a complete response has a status of 200 to 599, a body within
 * the limit and a media type in lower case; read in two parts (the
 * connection still open after the first), the first part is never a
 * different complete response: incomplete, or the same body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static char out[4096], out2[4096];
	struct http_resp r, r2;
	const char *s = (const char *)p;
	size_t i;
	int st = http_parse(s, n, 1, out, sizeof out, &r), st2;

	if (st == -1) {
		if (r.why == NULL)
			__builtin_trap();
		return 0;
	}
	if (st != 1 || r.status < 200 || r.status > 599 ||
	    r.blen > sizeof out || memchr(r.ctype, '\0', sizeof r.ctype) ==
	    NULL)
		__builtin_trap();
	for (i = 0; r.ctype[i]; i++)
		if (r.ctype[i] >= 'A' && r.ctype[i] <= 'Z')
			__builtin_trap();
	st2 = http_parse(s, n / 2, 0, out2, sizeof out2, &r2);
	if (st2 == -1 || (st2 == 1 && (r2.blen != r.blen ||
	    memcmp(out, out2, r.blen) != 0 || r2.status != r.status)))
		__builtin_trap();
	return 0;
}
