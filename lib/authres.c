/* authres: see authres.h. */
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "scan.h"

/* Skip CFWS (RFC 5322 3.2.2): white space, line breaks that fold (CRLF,
 * or a bare LF as files keep them, before white space) and comments,
 * which nest and may hold quoted pairs. 0, or -1 for a comment that does
 * not end or a line break that does not fold. */
static int
cfws(const char *v, size_t n, size_t *i)
{
	size_t depth = 0;

	while (*i < n) {
		char c = v[*i];

		if (scan_wsp(c)) {
			(*i)++;
		} else if (c == '\r' || c == '\n') {
			size_t k = *i + (c == '\r' && *i + 1 < n &&
			    v[*i + 1] == '\n' ? 2 : 1);
			if (k < n && scan_wsp(v[k]))
				*i = k;
			else if (k == n && depth == 0)
				*i = k;         /* the field's own line end */
			else
				return -1;
		} else if (c == '(') {
			depth++;
			(*i)++;
		} else if (depth > 0 && c == ')') {
			depth--;
			(*i)++;
		} else if (depth > 0 && c == '\\') {
			if (*i + 1 >= n)
				return -1;
			*i += 2;
		} else if (depth > 0) {
			(*i)++;
		} else
			return 0;
	}
	return depth ? -1 : 0;
}

/* RFC 2045 token characters (RFC 6532 adds UTF-8). */
static int
tchar(char c)
{
	unsigned char u = (unsigned char)c;

	return (u > 0x20 && u < 0x7f && !strchr("()<>@,;:\\\"/[]?=", c)) ||
	    u >= 0x80;
}

int
authres_is_ours(const char *v, size_t n, const char *id)
{
	char got[256];
	size_t i = 0, len = 0, idlen = strlen(id);

	if (cfws(v, n, &i) == -1 || i == n)
		return -1;
	if (v[i] == '"') {
		/* quoted-string: its content, quoted pairs undone */
		for (i++;; i++) {
			if (i == n)
				return -1;
			if (v[i] == '"')
				break;
			if (v[i] == '\\' && ++i == n)
				return -1;
			if (v[i] == '\r' || v[i] == '\n')
				return -1;      /* folding inside: not an id */
			if (len == sizeof got)
				return -1;
			got[len++] = v[i];
		}
		i++;
	} else {
		while (i < n && tchar(v[i])) {
			if (len == sizeof got)
				return -1;
			got[len++] = v[i++];
		}
	}
	if (len == 0)
		return -1;
	/* what may follow: CFWS, then a version, ';' or the end */
	if (i < n && (v[i] == '\0' || (!scan_wsp(v[i]) &&
	    !strchr("(;\r\n", v[i]))))
		return -1;
	if (cfws(v, n, &i) == -1)
		return -1;
	return len == idlen && strncasecmp(got, id, len) == 0;
}
