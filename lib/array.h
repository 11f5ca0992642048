/*
 * array: growing an array of fixed-size elements with checked size
 * arithmetic, the one place that does so (struct buf grows bytes).
 *
 *	struct msg **v = NULL; size_t n = 0, cap = 0, ...
 *	if (n == cap && (np = array_grow(v, &cap, n + 1, sizeof *v)) == NULL)
 *		fail;
 *	v = np;
 */
#ifndef POSTEL_ARRAY_H
#define POSTEL_ARRAY_H

#include <stddef.h>

/* Room for at least need elements of size bytes in p, an array of *cap
 * elements (NULL and 0 at first): the grown array, *cap updated, or p
 * itself when it is large enough. NULL with errno ENOMEM (also when the
 * byte count would overflow), and then p and *cap are as they were. */
void *array_grow(void *p, size_t *cap, size_t need, size_t size);
/* Free the n strings of v, then v itself. */
void array_free_strs(char **v, size_t n);

#endif
