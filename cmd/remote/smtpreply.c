/* smtpreply: see smtpreply.h. */
#include <string.h>
#include <strings.h>

#include "fmt.h"
#include "smtpreply.h"

void
smtpreply_init(struct smtpreply *r)
{
	r->code = 0;
	r->dsn[0] = '\0';
	r->text[0] = '\0';
	r->len = 0;
	r->lines = 0;
}

static void
addtext(struct smtpreply *r, const char *s, size_t n)
{
	size_t i;

	if (r->len && r->len < SMTPREPLY_TEXT_MAX)
		r->text[r->len++] = ' ';
	for (i = 0; i < n && r->len < SMTPREPLY_TEXT_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		r->text[r->len++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	r->text[r->len] = '\0';
}

/* An RFC 3463 code "c.sss.ddd" at s: its length, or 0. */
static size_t
enhanced(const char *s, size_t n)
{
	size_t i = 0, d, part;

	for (part = 0; part < 3; part++) {
		for (d = 0; i < n && s[i] >= '0' && s[i] <= '9' && d < 3; d++)
			i++;
		if (d == 0 || (part == 0 && d != 1))
			return 0;
		if (part < 2) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
	}
	if (i < n && s[i] != ' ')
		return 0;
	return i;
}

const char *
smtpreply_line(struct smtpreply *r, const char *s, size_t n, int *done)
{
	int code;
	size_t e;

	*done = 0;
	if (n && s[n - 1] == '\r')
		n--;
	if (n < 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '5' ||
	    s[2] < '0' || s[2] > '9')
		return "reply without a valid code";
	if (n > 3 && s[3] != ' ' && s[3] != '-')
		return "reply code not followed by space or hyphen";
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (r->lines && code != r->code)
		return "reply code changes inside a multi-line reply";
	if (++r->lines > SMTPREPLY_LINES_MAX)
		return "reply has too many lines";
	if (r->lines == 1) {
		r->code = code;
		addtext(r, s, 3);
		if (n > 4 && (e = enhanced(s + 4, n - 4)) > 0 &&
		    e < sizeof r->dsn && s[4] == s[0]) {
			memcpy(r->dsn, s + 4, e);
			r->dsn[e] = '\0';
		}
		if (n > 4)
			addtext(r, s + 4, n - 4);
	} else if (n > 4) {
		e = enhanced(s + 4, n - 4);
		if (e && n - 4 > e && strncmp(s + 4, r->dsn, e) == 0 &&
		    r->dsn[e] == '\0')
			addtext(r, s + 5 + e, n - 5 - e);   /* drop repeats */
		else
			addtext(r, s + 4, n - 4);
	}
	if (n == 3 || s[3] == ' ')
		*done = 1;
	return NULL;
}

const char *
smtpreply_parse(struct smtpreply *r, const char *s, size_t n, size_t *used)
{
	size_t off = 0;
	const char *why;
	int done = 0;

	smtpreply_init(r);
	while (off < n) {
		const char *lf = memchr(s + off, '\n', n - off);
		size_t len;

		if (lf == NULL)
			break;
		len = (size_t)(lf - (s + off));
		if (len + 1 > SMTPREPLY_LINE_MAX)
			return "reply line too long";
		if ((why = smtpreply_line(r, s + off, len, &done)) != NULL)
			return why;
		off += len + 1;
		if (done) {
			*used = off;
			return NULL;
		}
	}
	*used = off;
	return "incomplete";
}

int
smtpreply_class(const struct smtpreply *r)
{
	return r->code / 100;
}

const char *
smtpreply_dsn(const struct smtpreply *r, char *dst, size_t size)
{
	int c = smtpreply_class(r);

	if (r->dsn[0] && r->dsn[0] - '0' == c)
		fmt_s(dst, size, "%s", r->dsn);
	else
		fmt_s(dst, size, "%d.0.0", c);
	return dst;
}

static int
word(const char *s, size_t n, const char *w, size_t *wl)
{
	size_t l = strlen(w);

	if (n < l || strncasecmp(s, w, l) != 0 || (n > l && s[l] != ' '))
		return 0;
	*wl = l;
	return 1;
}

void
smtpehlo_line(struct smtpehlo *e, const char *s, size_t n)
{
	size_t l, i;

	if (n && s[n - 1] == '\r')
		n--;
	if (word(s, n, "PIPELINING", &l))
		e->ext |= EHLO_PIPELINING;
	else if (word(s, n, "8BITMIME", &l))
		e->ext |= EHLO_8BITMIME;
	else if (word(s, n, "SMTPUTF8", &l))
		e->ext |= EHLO_SMTPUTF8;
	else if (word(s, n, "STARTTLS", &l))
		e->ext |= EHLO_STARTTLS;
	else if (word(s, n, "ENHANCEDSTATUSCODES", &l))
		e->ext |= EHLO_ENHANCED;
	else if (word(s, n, "DSN", &l))
		e->ext |= EHLO_DSN;
	else if (word(s, n, "REQUIRETLS", &l))
		e->ext |= EHLO_REQUIRETLS;
	else if (word(s, n, "SIZE", &l)) {
		unsigned long long v = 0;
		e->ext |= EHLO_SIZE;
		for (i = l + 1; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (__builtin_mul_overflow(v, 10, &v) ||
			    __builtin_add_overflow(v, (unsigned)(s[i] - '0'), &v))
				break;
		if (i == n)
			e->size = v;
	} else if (word(s, n, "AUTH", &l)) {
		for (i = l; i < n;) {
			size_t j;
			while (i < n && s[i] == ' ')
				i++;
			for (j = i; j < n && s[j] != ' '; j++)
				;
			if (j - i == 5 && strncasecmp(s + i, "PLAIN", 5) == 0)
				e->ext |= EHLO_AUTH_PLAIN;
			if (j - i == 5 && strncasecmp(s + i, "LOGIN", 5) == 0)
				e->ext |= EHLO_AUTH_LOGIN;
			i = j;
		}
	}
}
