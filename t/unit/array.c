/* array: growth keeps the elements, and sizes that overflow are refused
 * before any allocation. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "array.h"
#include "../tap.h"

int
main(void)
{
	int *v = NULL, *nv, good = 1;
	size_t cap = 0, i;

	plan(6);
	for (i = 0; i < 1000; i++) {
		if ((nv = array_grow(v, &cap, i + 1, sizeof *v)) == NULL) {
			good = 0;
			break;
		}
		v = nv;
		v[i] = (int)i;
	}
	for (i = 0; good && i < 1000; i++)
		good = v[i] == (int)i;
	ok(good && cap >= 1000, "1000 appends keep every element");
	ok(array_grow(v, &cap, 10, sizeof *v) == v, "no growth when it fits");
	errno = 0;
	nv = array_grow(v, &cap, SIZE_MAX / 2, sizeof *v);
	ok(nv == NULL && errno == ENOMEM, "a byte count past SIZE_MAX is refused");
	ok(v != NULL && cap >= 1000 && v[999] == 999,
	    "and the array is left as it was");
	{
		size_t c0 = 0;
		ok(array_grow(NULL, &c0, 1, 0) == NULL && c0 == 0,
		    "zero-size elements are refused");
	}
	free(v);
	{
		char **sv = calloc(3, sizeof *sv);
		ok(sv && (sv[0] = malloc(4)) && (sv[1] = malloc(4)),
		    "a string vector to free");
		array_free_strs(sv, 2);  /* ASan's leak check says the rest */
	}
	return done();
}
