/* fuzz target: lib/tlsa.c's TLSA reply parser and its certificate walk
 * (the SubjectPublicKeyInfo of an X.509 DER) on arbitrary bytes; the
 * same bytes are tried as a reply and as a certificate. Checked: the
 * records and the SPKI stay inside their bounds, the class agrees with
 * tlsa_usable, and a certificate matches its own SPKI as 3 1 0. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tlsa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tlsa_set s;
	static struct tlsa_rec r;
	const unsigned char *spki;
	size_t len, i, usable = 0;
	int n;

	n = tlsa_parse(data, size, &s);
	if (n >= 0) {
		if ((size_t)n != s.n || s.n > TLSA_MAX)
			__builtin_trap();
		for (i = 0; i < s.n; i++) {
			if (!s.r[i].toolong && s.r[i].len > TLSA_DATA_MAX)
				__builtin_trap();
			if (s.r[i].len > size)
				__builtin_trap();
			usable += (size_t)tlsa_usable(&s.r[i]);
			(void)tlsa_match(&s.r[i], data, size);
		}
		if ((tlsa_class(&s) == TLSA_USABLE) != (usable > 0))
			__builtin_trap();
	}
	if (tlsa_spki(data, size, &spki, &len) == 0) {
		if (spki < data || len > size ||
		    (size_t)(spki - data) > size - len || len < 2)
			__builtin_trap();
		if (len <= TLSA_DATA_MAX) {
			r.usage = TLSA_DANE_EE;
			r.selector = TLSA_SPKI;
			r.mtype = TLSA_FULL;
			r.toolong = 0;
			r.len = len;
			memcpy(r.data, spki, len);
			if (tlsa_match(&r, data, size) != 1)
				__builtin_trap();
		}
	}
	return 0;
}
