/* array: see array.h. */
#include <errno.h>
#include <stdlib.h>

#include "array.h"

void *
array_grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 16, bytes;
	void *np;

	if (need <= *cap)
		return p;
	while (ncap < need)
		if (__builtin_mul_overflow(ncap, 2, &ncap)) {
			ncap = need;
			break;
		}
	if (size == 0 || __builtin_mul_overflow(ncap, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	if ((np = realloc(p, bytes)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	*cap = ncap;
	return np;
}

void
array_free_strs(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}
