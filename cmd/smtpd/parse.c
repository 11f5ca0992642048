/*
 * parse: SMTP command lines for smtpd (see smtpd.h). Pure functions over
 * caller-owned memory, so fuzz/smtpd_cmd.c reaches them directly.
 * Replies carry RFC 3463 enhanced status codes.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "sasl.h"
#include "smtpd.h"

int
cmd_split(struct cmd *c, const char *line, size_t n)
{
	size_t i, v;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)line[i];
		/* UTF-8 is allowed (RFC 6531); controls other than TAB not */
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return -1;
	}
	for (v = 0; v < n && line[v] != ' '; v++)
		;
	if (v >= sizeof c->verb)
		v = sizeof c->verb - 1;         /* no verb is that long */
	memcpy(c->verb, line, v);
	c->verb[v] = '\0';
	for (i = v; i < n && line[i] != ' '; i++)
		;
	while (i < n && line[i] == ' ')
		i++;
	c->arg = line + i;
	c->alen = n - i;
	while (c->alen && (c->arg[c->alen - 1] == ' ' ||
	    c->arg[c->alen - 1] == '\t'))
		c->alen--;
	return 0;
}

/* "KEYWORD:" then optional blanks (tolerated, as most servers do). */
static const char *
prefix(const char *kw, const char **s, size_t *n)
{
	size_t k = strlen(kw);

	if (*n < k || strncasecmp(*s, kw, k) != 0)
		return NULL;
	*s += k;
	*n -= k;
	while (*n && **s == ' ') {
		(*s)++;
		(*n)--;
	}
	return *s;
}

/* 1 to max decimal digits; a value past what fits is ULLONG_MAX, which
 * is just too big for any limit. */
static int
digits(const char *s, size_t n, size_t max, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;

	if (n == 0 || n > max)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (unsigned long long)(s[i] - '0'),
		    &v))
			v = ULLONG_MAX;
	}
	*out = v;
	return 0;
}

/* One esmtp-param "keyword[=value]" (RFC 5321 4.1.2) at s, n octets.
 * Returns NULL or a reply line. */
static const char *
param(struct mailarg *m, const char *s, size_t n, unsigned *seen)
{
	const char *eq = memchr(s, '=', n);
	size_t k = eq ? (size_t)(eq - s) : n;
	const char *v = eq ? eq + 1 : NULL;
	size_t vl = eq ? n - k - 1 : 0;

	if (k == 4 && strncasecmp(s, "SIZE", 4) == 0) {
		if (*seen & 1)
			return "501 5.5.4 Duplicate SIZE parameter";
		*seen |= 1;
		/* RFC 1870: 1*20DIGIT */
		if (v == NULL || digits(v, vl, 20, &m->size) == -1)
			return "501 5.5.4 Bad SIZE parameter";
		return NULL;
	}
	if (k == 4 && strncasecmp(s, "BODY", 4) == 0) {
		if (*seen & 2)
			return "501 5.5.4 Duplicate BODY parameter";
		*seen |= 2;
		if (v && vl == 4 && strncasecmp(v, "7BIT", 4) == 0)
			m->body = BODY_7BIT;
		else if (v && vl == 8 && strncasecmp(v, "8BITMIME", 8) == 0)
			m->body = BODY_8BIT;
		else
			return "501 5.5.4 Bad BODY parameter";
		return NULL;
	}
	if (k == 8 && strncasecmp(s, "SMTPUTF8", 8) == 0) {
		if (*seen & 4)
			return "501 5.5.4 Duplicate SMTPUTF8 parameter";
		*seen |= 4;
		if (v != NULL)
			return "501 5.5.4 SMTPUTF8 takes no value";
		m->utf8 = 1;
		return NULL;
	}
	if (k == 4 && strncasecmp(s, "AUTH", 4) == 0) {
		/* RFC 4954 5: the identity the message was submitted as, in
		 * xtext. Accepted and not passed on: postel relays no AUTH=. */
		if (*seen & 8)
			return "501 5.5.4 Duplicate AUTH parameter";
		*seen |= 8;
		if (v == NULL || !sasl_xtext_ok(v, vl))
			return "501 5.5.4 Bad AUTH parameter";
		m->auth = 1;
		return NULL;
	}
	return "555 5.5.4 Unsupported parameter";
}

static const char *
path(struct mailarg *m, const char *s, size_t n, unsigned fl, size_t *used)
{
	const char *why = addr_path(&m->a, s, n, fl | ADDR_UTF8, used);

	if (why == NULL)
		return NULL;
	if (n == 0 || s[0] != '<')
		return "501 5.5.4 Syntax: address must be in <>";
	return "501 5.1.3 Bad address syntax";
}

const char *
parse_mail(struct mailarg *m, const char *s, size_t n, int ehlo)
{
	const char *why;
	size_t used;
	unsigned seen = 0;

	memset(m, 0, sizeof *m);
	if (prefix("FROM:", &s, &n) == NULL)
		return "501 5.5.4 Syntax: MAIL FROM:<address>";
	if ((why = path(m, s, n, ADDR_NULL_OK, &used)) != NULL)
		return why;
	s += used;
	n -= used;
	while (n) {
		size_t k;
		if (*s != ' ')
			return "501 5.5.4 Syntax: junk after the address";
		while (n && *s == ' ') {
			s++;
			n--;
		}
		for (k = 0; k < n && s[k] != ' '; k++)
			;
		if (k == 0)
			break;
		if (!ehlo)
			return "555 5.5.4 Parameters need EHLO";
		if ((why = param(m, s, k, &seen)) != NULL)
			return why;
		s += k;
		n -= k;
	}
	/* RFC 6531 3.5: a UTF-8 address only in an SMTPUTF8 transaction */
	if ((m->a.flags & ADDR_UTF8) && !m->utf8)
		return "553 5.6.7 Non-ASCII address needs SMTPUTF8";
	return NULL;
}

const char *
parse_rcpt(struct mailarg *m, const char *s, size_t n, int utf8)
{
	const char *why;
	size_t used;

	memset(m, 0, sizeof *m);
	if (prefix("TO:", &s, &n) == NULL)
		return "501 5.5.4 Syntax: RCPT TO:<address>";
	if ((why = path(m, s, n, 0, &used)) != NULL)
		return why;
	s += used;
	n -= used;
	while (n && *s == ' ') {
		s++;
		n--;
	}
	if (n)
		return "555 5.5.4 Unsupported parameter";
	if ((m->a.flags & ADDR_UTF8) && !utf8)
		return "553 5.6.7 Non-ASCII address needs SMTPUTF8";
	return NULL;
}

int
parse_bdat(struct bdat *b, const char *s, size_t n)
{
	const char *sp = memchr(s, ' ', n);
	size_t nl = sp ? (size_t)(sp - s) : n;

	memset(b, 0, sizeof *b);
	if (sp) {
		const char *l = sp;
		while (l < s + n && *l == ' ')
			l++;
		if ((size_t)(s + n - l) != 4 || strncasecmp(l, "LAST", 4) != 0)
			return -1;
		b->last = 1;
	}
	/* leading zeros are fine, up to BDAT_DIGITS digits in all */
	if (digits(s, nl, BDAT_DIGITS, &b->size) == -1 ||
	    b->size > SMTP_CHUNK_MAX)
		return -1;
	return 0;
}
