/*
 * auth: libFuzzer target for the AUTH decoder (lib/sasl.c): the input is
 * taken as base64, decoded, and the result split as a PLAIN message and
 * as a LOGIN answer; it is also checked as xtext. Checks: no crash, a
 * decoded length within the buffer and equal to what re-encoding gives
 * back, NUL-terminated names within their bounds, a wiped credential
 * after a refusal.
 */
#include <stdint.h>
#include <string.h>

#include "sasl.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	unsigned char d[1024];
	char e[1400];
	size_t len;
	struct sasl_cred c;
	const char *s = (const char *)p;

	memset(&c, 0, sizeof c);
	(void)sasl_xtext_ok(s, n);
	if (sasl_b64_decode(d, sizeof d, &len, s, n) == 0) {
		if (len > sizeof d || len > n)
			__builtin_trap();
		/* canonical base64 only: encoding gives the input back */
		if (sasl_b64_encode(e, sizeof e, d, len) == -1 ||
		    strlen(e) != n || memcmp(e, s, n) != 0)
			__builtin_trap();
	} else {
		/* the raw input as a decoded message, too */
		len = n < sizeof d ? n : sizeof d;
		memcpy(d, p, len);
	}
	if (sasl_plain(&c, d, len) == NULL) {
		if (strlen(c.user) != c.ulen || strlen(c.pass) != c.plen ||
		    c.ulen == 0 || c.plen == 0 || c.ulen > SASL_NAME_MAX ||
		    c.plen > SASL_NAME_MAX)
			__builtin_trap();
	} else if (c.plen != 0 || c.pass[0] != '\0')
		__builtin_trap();       /* a refused password is not kept */
	if (sasl_login(c.user, &c.ulen, d, len) == NULL &&
	    strlen(c.user) != c.ulen)
		__builtin_trap();
	sasl_wipe(&c);
	return 0;
}
