/* maildir: see maildir.h. */
#include <string.h>

#include "maildir.h"

size_t
maildir_baselen(const char *name)
{
	return strcspn(name, ":");
}

int
maildir_field(const char *name, char c, unsigned long long *v)
{
	size_t n = maildir_baselen(name), i;

	for (i = 0; i + 3 < n; i++) {
		unsigned long long x = 0;
		size_t k;

		if (name[i] != ',' || name[i + 1] != c || name[i + 2] != '=')
			continue;
		for (k = i + 3; k < n && name[k] >= '0' && name[k] <= '9'; k++) {
			if (x > (~0ULL - 9) / 10)
				return -1;
			x = x * 10 + (unsigned)(name[k] - '0');
		}
		if (k == i + 3 || (k < n && name[k] != ','))
			return -1;
		*v = x;
		return 0;
	}
	return -1;
}

void
maildir_crlf_count(struct maildir_crlf *w, const char *p, size_t n)
{
	const char *e = p + n, *lf;

	while (p < e && (lf = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		if (lf == p ? !w->cr : lf[-1] != '\r')
			w->added++;
		w->cr = 0;
		p = lf + 1;
	}
	if (p < e)
		w->cr = e[-1] == '\r';
}
