/*
 * authres: libFuzzer target for lib/authres (RFC 8601 2.2): the input is
 * the value of an Authentication-Results field. Checks: the answer is
 * -1, 0 or 1; 1 only when the id occurs in the input (without regard to
 * case, once quoted pairs are undone); the answer does not change when the value gains white space in
 * front.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authres.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static const char id[] = "mx.example.org";
	const char *v = (const char *)p;
	char *w;
	size_t i, m = 0;
	int r = authres_is_ours(v, n, id), seen = 0;

	if (r < -1 || r > 1)
		__builtin_trap();
	if ((w = malloc(n + 2)) == NULL)
		abort();
	for (i = 0; i < n; i++)         /* the input without backslashes */
		if (v[i] != '\\')
			w[m++] = v[i];
	for (i = 0; i + sizeof id - 1 <= m && !seen; i++)
		seen = strncasecmp(w + i, id, sizeof id - 1) == 0;
	if (r == 1 && !seen)
		__builtin_trap();
	memcpy(w, " \t", 2);
	memcpy(w + 2, v, n);
	if (authres_is_ours(w, n + 2, id) != r)
		__builtin_trap();
	free(w);
	return 0;
}
