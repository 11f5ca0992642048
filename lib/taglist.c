/* taglist: see taglist.h. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sasl.h"
#include "scan.h"
#include "taglist.h"

/* Skip FWS (RFC 5322 3.2.2: white space, possibly folded by CRLF
 * followed by white space) from s[*i]; 0, or -1 for a CRLF that does not
 * fold (a line that ends inside the list). */
static int
fws(const char *s, size_t n, size_t *i)
{
	for (;;) {
		while (*i < n && scan_wsp(s[*i]))
			(*i)++;
		if (*i + 1 < n && s[*i] == '\r' && s[*i + 1] == '\n') {
			if (*i + 2 >= n || !scan_wsp(s[*i + 2]))
				return -1;
			*i += 3;
			continue;
		}
		if (*i < n && (s[*i] == '\r' || s[*i] == '\n'))
			return -1;
		return 0;
	}
}

static int
valchar(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 0x21 && u <= 0x7e && u != ';';
}

const char *
taglist_parse(struct taglist *l, const char *s, size_t n)
{
	size_t i = 0, k;

	l->n = 0;
	for (;;) {
		struct tag t;
		size_t end;

		if (fws(s, n, &i) == -1)
			return "a line break that does not fold";
		if (i == n)
			return l->n ? NULL : "empty";
		if (!scan_alpha(s[i]))
			return "a tag name must start with a letter";
		t.name = s + i;
		while (i < n && (scan_alpha(s[i]) || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_'))
			i++;
		t.nlen = (size_t)(s + i - t.name);
		if (fws(s, n, &i) == -1)
			return "a line break that does not fold";
		if (i == n || s[i] != '=')
			return "a tag without '='";
		i++;
		if (fws(s, n, &i) == -1)
			return "a line break that does not fold";
		t.val = s + i;
		/* tvals with white space between; the value ends at the
		 * last tval, before the white space that ends the spec */
		end = i;
		while (i < n && s[i] != ';') {
			if (valchar(s[i])) {
				end = ++i;
				continue;
			}
			if (fws(s, n, &i) == -1)
				return "a line break that does not fold";
			if (i < n && s[i] != ';' && !valchar(s[i]))
				return "a character not allowed in a value";
		}
		t.vlen = end - (size_t)(t.val - s);
		for (k = 0; k < l->n; k++)
			if (l->t[k].nlen == t.nlen &&
			    memcmp(l->t[k].name, t.name, t.nlen) == 0)
				return "a tag given twice";
		if (l->n == TAGLIST_MAX)
			return "too many tags";
		l->t[l->n++] = t;
		if (i == n)
			return NULL;
		i++;                    /* the ';' */
	}
}

const struct tag *
taglist_get(const struct taglist *l, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < l->n; i++)
		if (l->t[i].nlen == n && memcmp(l->t[i].name, name, n) == 0)
			return &l->t[i];
	return NULL;
}

int
taglist_item(const struct tag *t, const char *w, int nocase)
{
	size_t i = 0, wl = strlen(w);

	while (i < t->vlen) {
		size_t a, b;

		while (i < t->vlen && strchr(" \t\r\n", t->val[i]))
			i++;
		a = i;
		while (i < t->vlen && t->val[i] != ':')
			i++;
		b = i;
		while (b > a && strchr(" \t\r\n", t->val[b - 1]))
			b--;
		if (b - a == wl && (nocase ? strncasecmp(t->val + a, w, wl) :
		    memcmp(t->val + a, w, wl)) == 0)
			return 1;
		i++;                            /* the ':' */
	}
	return 0;
}

int
taglist_is(const struct tag *t, const char *w)
{
	return t->vlen == strlen(w) && memcmp(t->val, w, t->vlen) == 0;
}

int
taglist_b64(const struct tag *t, void *dst, size_t size, size_t *len)
{
	char in[4096];
	size_t i, n = 0;

	*len = 0;
	for (i = 0; i < t->vlen; i++) {
		if (strchr(" \t\r\n", t->val[i]))
			continue;
		if (n == sizeof in) {
			errno = EMSGSIZE;
			return -1;
		}
		in[n++] = t->val[i];
	}
	return n == 0 ? 0 : sasl_b64_decode(dst, size, len, in, n);
}
