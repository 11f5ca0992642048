/*
 * mtasts: libFuzzer target for lib/mtasts (RFC 8461) and lib/tlsrpt's
 * record parser (RFC 8460 3): the input is read as an _mta-sts TXT
 * record, an _smtp._tls TXT record and a policy body, and a few host
 * names are matched against the policy. An accepted _smtp._tls record
 * names 1 to 8 addresses: https: URIs, or mailto: addresses of
 * printable ASCII with an '@'. Checks: an accepted record has an id
 * of 1 to 32 letters and digits; an accepted policy has a known mode,
 * max_age within a year, mx patterns that are lower-case host names
 * (with at most a leading "*."), some under enforce and testing; a host
 * matches only a pattern it equals or whose "*." stands for its first
 * label.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mtasts.h"
#include "tlsrpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static void
check_mx(const char *m)
{
	size_t i = 0, n = strlen(m);

	if (n == 0 || n > MTASTS_NAME_MAX)
		__builtin_trap();
	if (m[0] == '*') {
		if (m[1] != '.')
			__builtin_trap();
		i = 2;
	}
	for (; i < n; i++)
		if (!((m[i] >= 'a' && m[i] <= 'z') || (m[i] >= '0' &&
		    m[i] <= '9') || m[i] == '-' || m[i] == '.'))
			__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static const char *const hosts[] = {
		"mail.example.com", "a.example.net", "example.net", "x",
	};
	static struct mtasts_policy pol;
	static struct tlsrpt_rua rua;
	char id[MTASTS_ID_MAX + 1];
	size_t i, k;

	if (mtasts_txt_parse((const char *)p, n, id) == NULL) {
		k = strlen(id);
		if (k == 0 || k > MTASTS_ID_MAX)
			__builtin_trap();
		for (i = 0; i < k; i++)
			if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' &&
			    id[i] <= 'Z') || (id[i] >= '0' && id[i] <= '9')))
				__builtin_trap();
	}
	if (tlsrpt_txt_parse((const char *)p, n, &rua) == NULL) {
		if (rua.n == 0 || rua.n > TLSRPT_RUA_MAX)
			__builtin_trap();
		for (i = 0; i < rua.n; i++) {
			const char *u = rua.uri[i];
			if (!rua.https[i] && strchr(u, '@') == NULL)
				__builtin_trap();
			for (k = 0; u[k]; k++)
				if (u[k] <= ' ' || u[k] >= 0x7f)
					__builtin_trap();
		}
	}
	if (mtasts_policy_parse((const char *)p, n, &pol) != NULL)
		return 0;
	if (pol.mode > MTASTS_ENFORCE || pol.max_age > MTASTS_AGE_MAX ||
	    pol.nmx > MTASTS_MX_MAX ||
	    (pol.mode != MTASTS_NONE && pol.nmx == 0))
		__builtin_trap();
	for (i = 0; i < pol.nmx; i++)
		check_mx(pol.mx[i]);
	for (i = 0; i < sizeof hosts / sizeof *hosts; i++) {
		const char *h = hosts[i], *dot = strchr(h, '.');
		int want = 0;
		for (k = 0; k < pol.nmx; k++)
			if (strcmp(pol.mx[k], h) == 0 || (pol.mx[k][0] == '*' &&
			    dot && strcmp(pol.mx[k] + 1, dot) == 0))
				want = 1;
		if (mtasts_mx_match(&pol, h) != want)
			__builtin_trap();
	}
	return 0;
}
