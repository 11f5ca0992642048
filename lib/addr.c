/* addr: see addr.h. Grammar from RFC 5321 4.1.2 and 4.1.3; RFC 6531 3.3
 * widens atext and sub-domain with UTF8-non-ascii. */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "addr.h"

static int
is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int
is_letdig(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Length of the UTF-8 sequence at s (n bytes left), or 0 if malformed. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len, i;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int
addr_utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, l;

	while (i < n) {
		if ((l = utf8_len(s + i, n - i)) == 0)
			return 0;
		i += l;
	}
	return 1;
}

static const char *
literal_check(const char *d, size_t n)
{
	char tmp[64];
	unsigned char bin[16];

	size_t i;

	if (n < 3 || d[n - 1] != ']' || n - 2 >= sizeof tmp)
		return "bad address literal";
	/* dtext (RFC 5321 4.1.3): printable ASCII but [ ] \; inet_pton
	 * must not see a NUL that would end the text early. */
	for (i = 1; i < n - 1; i++)
		if (d[i] <= 32 || d[i] >= 127 || d[i] == '[' || d[i] == ']' ||
		    d[i] == '\\')
			return "bad address literal";
	memcpy(tmp, d + 1, n - 2);
	tmp[n - 2] = '\0';
	if (strncasecmp(tmp, "IPv6:", 5) == 0) {
		if (inet_pton(AF_INET6, tmp + 5, bin) != 1)
			return "bad IPv6 address literal";
		return NULL;
	}
	if (inet_pton(AF_INET, tmp, bin) != 1)
		return "bad IPv4 address literal";
	return NULL;
}

const char *
addr_domain_check(const char *d, size_t n, unsigned fl)
{
	const unsigned char *s = (const unsigned char *)d;
	size_t i = 0, label = 0, l;
	unsigned char prev = '.';

	if (n == 0)
		return "empty domain";
	if (n > ADDR_DOMAIN_MAX)
		return "domain too long";
	if (s[0] == '[')
		return literal_check(d, n);
	while (i < n) {
		unsigned char c = s[i];
		if (c == '.') {
			if (prev == '.' )
				return "empty label in domain";
			if (prev == '-')
				return "label ends with a hyphen";
			label = 0;
			prev = c;
			i++;
			continue;
		}
		if (c >= 0x80) {
			if (!(fl & ADDR_UTF8))
				return "non-ASCII domain without SMTPUTF8";
			if ((l = utf8_len(s + i, n - i)) == 0)
				return "malformed UTF-8 in domain";
		} else if (is_letdig(c)) {
			l = 1;
		} else if (c == '-') {
			if (prev == '.')
				return "label starts with a hyphen";
			l = 1;
		} else
			return "invalid character in domain";
		label += l;
		if (label > 63)
			return "domain label too long";
		prev = c;
		i += l;
	}
	if (prev == '.')
		return "domain ends with a dot";
	if (prev == '-')
		return "label ends with a hyphen";
	return NULL;
}

/* Scan a local part at s; returns its length or 0 with *why set. */
static size_t
local_scan(const unsigned char *s, size_t n, unsigned fl, unsigned *out,
    const char **why)
{
	size_t i = 0, l;

	if (n && s[0] == '"') {
		*out |= ADDR_QUOTED;
		for (i = 1; i < n; i++) {
			if (s[i] == '"')
				return i + 1;
			if (s[i] == '\\') {
				if (++i >= n || s[i] < 32 || s[i] > 126)
					break;
			} else if (s[i] >= 0x80) {
				if (!(fl & ADDR_UTF8) ||
				    (l = utf8_len(s + i, n - i)) == 0) {
					*why = "non-ASCII or malformed local part";
					return 0;
				}
				*out |= ADDR_UTF8;
				i += l - 1;
			} else if (s[i] < 32 || s[i] > 126) {
				break;
			}
		}
		*why = "bad quoted local part";
		return 0;
	}
	for (;;) {
		size_t start = i;
		while (i < n) {
			if (s[i] >= 0x80) {
				if (!(fl & ADDR_UTF8)) {
					*why = "non-ASCII address without SMTPUTF8";
					return 0;
				}
				if ((l = utf8_len(s + i, n - i)) == 0) {
					*why = "malformed UTF-8 in local part";
					return 0;
				}
				*out |= ADDR_UTF8;
				i += l;
			} else if (is_atext(s[i]))
				i++;
			else
				break;
		}
		if (i == start) {
			*why = i == 0 ? "empty local part" : "empty atom in local part";
			return 0;
		}
		if (i < n && s[i] == '.') {
			i++;
			continue;
		}
		return i;
	}
}

const char *
addr_parse(struct addr *a, const char *str, size_t n, unsigned fl)
{
	const unsigned char *s = (const unsigned char *)str;
	const char *why = NULL;
	size_t llen;
	unsigned out = 0;

	a->s[0] = '\0';
	a->at = 0;
	a->flags = 0;
	if (n == 0) {
		if (fl & ADDR_NULL_OK)
			return NULL;
		return "empty address";
	}
	if (n > ADDR_MAX)
		return "address too long";
	if ((llen = local_scan(s, n, fl, &out, &why)) == 0)
		return why;
	if (llen > ADDR_LOCAL_MAX)
		return "local part too long";
	if (llen == n)
		return "address has no domain";
	if (s[llen] != '@')
		return "invalid character in local part";
	if ((why = addr_domain_check(str + llen + 1, n - llen - 1, fl)) != NULL)
		return why;
	if (s[llen + 1] == '[')
		out |= ADDR_LITERAL;
	else if (!addr_utf8_ok(s + llen + 1, n - llen - 1))
		return "malformed UTF-8 in domain";
	else {
		size_t i;
		for (i = llen + 1; i < n; i++)
			if (s[i] >= 0x80)
				out |= ADDR_UTF8;
	}
	memcpy(a->s, str, n);
	a->s[n] = '\0';
	a->at = llen;
	a->flags = out;
	return NULL;
}

const char *
addr_path(struct addr *a, const char *s, size_t n, unsigned fl, size_t *used)
{
	size_t i = 1, end;
	const char *why;
	int route = 0;

	a->s[0] = '\0';
	a->at = 0;
	a->flags = 0;
	if (n == 0 || s[0] != '<')
		return "path must be enclosed in <>";
	/* Source route: "@dom,@dom:" (RFC 5321 4.1.2 A-d-l), accepted and
	 * ignored as RFC 5321 C. asks; each domain must still be valid. */
	if (i < n && s[i] == '@') {
		for (;;) {
			size_t st = ++i;
			while (i < n && s[i] != ',' && s[i] != ':' && s[i] != '>')
				i++;
			if (i >= n || s[i] == '>')
				return "bad source route";
			if (addr_domain_check(s + st, i - st, fl) != NULL)
				return "bad domain in source route";
			if (s[i] == ':') {
				i++;
				break;
			}
			if (++i >= n || s[i] != '@')
				return "bad source route";
		}
		route = 1;
	}
	/* Find the closing '>' outside a quoted string. */
	for (end = i; end < n; end++) {
		if (s[end] == '"') {
			for (end++; end < n && s[end] != '"'; end++)
				if (s[end] == '\\')
					end++;
			if (end >= n)
				return "unterminated quoted string";
		} else if (s[end] == '>')
			break;
	}
	if (end >= n)
		return "path must be enclosed in <>";
	if (route && end == i)
		return "source route without mailbox";
	if ((why = addr_parse(a, s + i, end - i, fl)) != NULL)
		return why;
	if (route)
		a->flags |= ADDR_ROUTE;
	*used = end + 1;
	return NULL;
}

const char *
addr_domain(const struct addr *a)
{
	return a->s[0] ? a->s + a->at + 1 : a->s;
}

int
addr_local(const struct addr *a, char *dst, size_t size)
{
	size_t i, o = 0;
	size_t n = a->at;
	const char *s = a->s;

	if (size == 0)
		return -1;
	if (a->flags & ADDR_QUOTED) {
		s++;
		n -= 2;
	}
	for (i = 0; i < n; i++) {
		if ((a->flags & ADDR_QUOTED) && s[i] == '\\')
			i++;
		if (o + 1 >= size)
			return -1;
		dst[o++] = s[i];
	}
	dst[o] = '\0';
	return 0;
}

int
addr_domain_eq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}
