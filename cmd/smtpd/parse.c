/*
 * parse: SMTP command lines for smtpd (see smtpd.h). Pure functions over
 * caller-owned memory, so fuzz/smtpd_cmd.c reaches them directly.
 * Replies carry RFC 3463 enhanced status codes.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "queue.h"
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
	c->len = n;
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

/* The parameters seen in one command, to refuse a second of a kind. */
#define P_SIZE     0x01
#define P_BODY     0x02
#define P_SMTPUTF8 0x04
#define P_AUTH     0x08
#define P_RET      0x10
#define P_ENVID    0x20
#define P_NOTIFY   0x40
#define P_ORCPT    0x80
#define P_REQUIRETLS 0x100

/* NOTIFY's value: "SUCCESS,FAILURE,DELAY" is 21 characters; a word may
 * come again, up to this. */
#define NOTIFY_MAX 64

/* The value v of vl octets as a C string in dst, for the lib/queue
 * checks: -1 if it does not fit. A value holds no NUL (cmd_split). */
static int
cstr(char *dst, size_t size, const char *v, size_t vl)
{
	if (vl >= size)
		return -1;
	memcpy(dst, v, vl);
	dst[vl] = '\0';
	return 0;
}

/* What is wrong with xtext x (RFC 3461 4): X_OK, X_SYNTAX, or
 * X_UNPRINTABLE: what it encodes must be printable ASCII (4.2 for
 * ORCPT, 4.4 for ENVID), so that a report (RFC 3464) can show it decoded. */
enum { X_OK, X_SYNTAX, X_UNPRINTABLE };

static int
xtext_check(const char *x)
{
	char dec[QUEUE_ORCPT_MAX + 1];

	if (!qdsn_xtext_ok(x, (size_t)-1))
		return X_SYNTAX;
	if (qdsn_xtext_decode(dec, sizeof dec, x) == -1)
		return X_UNPRINTABLE;
	return X_OK;
}

/* RET=FULL|HDRS (RFC 3461 4.3), any case. */
static const char *
ret_param(struct mailarg *m, const char *v, size_t vl)
{
	char w[8];

	if (v == NULL || cstr(w, sizeof w, v, vl) == -1 ||
	    qdsn_ret_parse(w, &m->dsn.ret) == -1)
		return "501 5.5.4 Bad RET parameter: not FULL or HDRS";
	return NULL;
}

/* ENVID=xtext, 1 to 100 characters (RFC 3461 4.4), kept as it came. */
static const char *
envid_param(struct mailarg *m, const char *v, size_t vl)
{
	int x;

	if (v == NULL || vl == 0)
		return "501 5.5.4 Bad ENVID parameter: empty";
	if (cstr(m->dsn.envid, sizeof m->dsn.envid, v, vl) == -1)
		return "501 5.5.4 Bad ENVID parameter: longer than 100 "
		    "characters";
	if ((x = xtext_check(m->dsn.envid)) != X_OK) {
		m->dsn.envid[0] = '\0';
		return x == X_SYNTAX ?
		    "501 5.5.4 Bad ENVID parameter: not xtext" :
		    "501 5.5.4 Bad ENVID parameter: not printable ASCII";
	}
	return NULL;
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
		if (*seen & P_SIZE)
			return "501 5.5.4 Duplicate SIZE parameter";
		*seen |= P_SIZE;
		/* RFC 1870: 1*20DIGIT */
		if (v == NULL || digits(v, vl, 20, &m->size) == -1)
			return "501 5.5.4 Bad SIZE parameter";
		return NULL;
	}
	if (k == 4 && strncasecmp(s, "BODY", 4) == 0) {
		if (*seen & P_BODY)
			return "501 5.5.4 Duplicate BODY parameter";
		*seen |= P_BODY;
		if (v && vl == 4 && strncasecmp(v, "7BIT", 4) == 0)
			m->body = BODY_7BIT;
		else if (v && vl == 8 && strncasecmp(v, "8BITMIME", 8) == 0)
			m->body = BODY_8BIT;
		else
			return "501 5.5.4 Bad BODY parameter";
		return NULL;
	}
	if (k == 8 && strncasecmp(s, "SMTPUTF8", 8) == 0) {
		if (*seen & P_SMTPUTF8)
			return "501 5.5.4 Duplicate SMTPUTF8 parameter";
		*seen |= P_SMTPUTF8;
		if (v != NULL)
			return "501 5.5.4 SMTPUTF8 takes no value";
		m->utf8 = 1;
		return NULL;
	}
	if (k == 4 && strncasecmp(s, "AUTH", 4) == 0) {
		/* RFC 4954 5: the identity the message was submitted as, in
		 * xtext. Accepted and not passed on: postel relays no AUTH=. */
		if (*seen & P_AUTH)
			return "501 5.5.4 Duplicate AUTH parameter";
		*seen |= P_AUTH;
		if (v == NULL || !sasl_xtext_ok(v, vl))
			return "501 5.5.4 Bad AUTH parameter";
		m->auth = 1;
		return NULL;
	}
	if (k == 3 && strncasecmp(s, "RET", 3) == 0) {
		if (*seen & P_RET)
			return "501 5.5.4 Duplicate RET parameter";
		*seen |= P_RET;
		return ret_param(m, v, vl);
	}
	if (k == 5 && strncasecmp(s, "ENVID", 5) == 0) {
		if (*seen & P_ENVID)
			return "501 5.5.4 Duplicate ENVID parameter";
		*seen |= P_ENVID;
		return envid_param(m, v, vl);
	}
	if (k == 10 && strncasecmp(s, "REQUIRETLS", 10) == 0) {
		/* RFC 8689 2: no value. Whether the session may use it (only
		 * over TLS) is the caller's to decide. */
		if (*seen & P_REQUIRETLS)
			return "501 5.5.4 Duplicate REQUIRETLS parameter";
		*seen |= P_REQUIRETLS;
		if (v != NULL)
			return "501 5.5.4 REQUIRETLS takes no value";
		m->requiretls = 1;
		return NULL;
	}
	return "555 5.5.4 Unsupported parameter";
}

/* NOTIFY=NEVER, or a comma list of SUCCESS, FAILURE and DELAY, any case
 * (RFC 3461 4.1). The checks here only name the problem; the value is
 * qdsn_notify_parse's. */
static const char *
notify_param(struct mailarg *m, const char *v, size_t vl)
{
	char w[NOTIFY_MAX + 1];
	size_t i, words = 1;

	if (v == NULL || vl == 0)
		return "501 5.5.4 Bad NOTIFY parameter: empty";
	if (cstr(w, sizeof w, v, vl) == -1)
		return "501 5.5.4 Bad NOTIFY parameter: too long";
	for (i = 0; i < vl; i++)
		if (w[i] == ',') {
			if (i == 0 || i + 1 == vl || w[i + 1] == ',')
				return "501 5.5.4 Bad NOTIFY parameter: empty "
				    "word";
			words++;
		}
	if (qdsn_notify_parse(w, &m->rdsn.notify) == 0)
		return NULL;
	m->rdsn.notify = 0;
	for (i = 0; words > 1 && i + 5 <= vl; i++)
		if ((i == 0 || w[i - 1] == ',') &&
		    strncasecmp(w + i, "NEVER", 5) == 0 &&
		    (w[i + 5] == ',' || w[i + 5] == '\0'))
			return "501 5.5.4 Bad NOTIFY parameter: NEVER must be "
			    "alone";
	return "501 5.5.4 Bad NOTIFY parameter: not SUCCESS, FAILURE, "
	    "DELAY or NEVER";
}

/* ORCPT=utf-8;<raw UTF-8 address> (RFC 6533 3, utf-8-addr-unitext),
 * which a client may send in an SMTPUTF8 transaction: kept in its
 * utf-8-addr-xtext form, so that the queue holds ASCII. */
static const char *
orcpt_unitext(struct mailarg *m, const char *v, size_t vl)
{
	char raw[QUEUE_ORCPT_MAX + 1];

	if (!m->utf8)
		return "501 5.5.4 Bad ORCPT parameter: not ASCII without "
		    "SMTPUTF8";
	if (vl < 7 || strncasecmp(v, "utf-8;", 6) != 0)
		return "501 5.5.4 Bad ORCPT parameter: UTF-8 needs the utf-8 "
		    "address type";
	if (cstr(raw, sizeof raw, v + 6, vl - 6) == -1)
		return "501 5.5.4 Bad ORCPT parameter: longer than 500 "
		    "characters";
	memcpy(m->rdsn.orcpt, "utf-8;", 6);
	if (qdsn_utf8_xtext(m->rdsn.orcpt + 6, sizeof m->rdsn.orcpt - 6,
	    raw) == -1 || !qdsn_orcpt_ok(m->rdsn.orcpt)) {
		m->rdsn.orcpt[0] = '\0';
		return "501 5.5.4 Bad ORCPT parameter: not a UTF-8 address of "
		    "at most 500 characters";
	}
	return NULL;
}

/* ORCPT=addr-type;xtext (RFC 3461 4.2), at most QUEUE_ORCPT_MAX
 * characters; any atom is an addr-type (rfc822, RFC 6533's utf-8, ...).
 * Kept as it came. */
static const char *
orcpt_param(struct mailarg *m, const char *v, size_t vl)
{
	char *o = m->rdsn.orcpt, *semi;
	int x;

	if (v == NULL || vl == 0)
		return "501 5.5.4 Bad ORCPT parameter: empty";
	for (x = 0; (size_t)x < vl && (unsigned char)v[x] < 0x80; x++)
		;
	if ((size_t)x < vl)
		return orcpt_unitext(m, v, vl);
	if (cstr(o, sizeof m->rdsn.orcpt, v, vl) == -1)
		return "501 5.5.4 Bad ORCPT parameter: longer than 500 "
		    "characters";
	semi = strchr(o, ';');
	x = semi ? xtext_check(semi + 1) : X_SYNTAX;
	if (qdsn_orcpt_ok(o) && x == X_OK)
		return NULL;
	o[0] = '\0';
	if (semi == NULL)
		return "501 5.5.4 Bad ORCPT parameter: not type;address";
	if (semi[1] == '\0')
		return "501 5.5.4 Bad ORCPT parameter: empty address";
	if (x == X_SYNTAX)
		return "501 5.5.4 Bad ORCPT parameter: address not xtext";
	if (x == X_UNPRINTABLE)
		return "501 5.5.4 Bad ORCPT parameter: address not printable "
		    "ASCII";
	return "501 5.5.4 Bad ORCPT parameter: bad address type";
}

/* One RCPT parameter, as param() does for MAIL. */
static const char *
rparam(struct mailarg *m, const char *s, size_t n, unsigned *seen)
{
	const char *eq = memchr(s, '=', n);
	size_t k = eq ? (size_t)(eq - s) : n;
	const char *v = eq ? eq + 1 : NULL;
	size_t vl = eq ? n - k - 1 : 0;

	if (k == 6 && strncasecmp(s, "NOTIFY", 6) == 0) {
		if (*seen & P_NOTIFY)
			return "501 5.5.4 Duplicate NOTIFY parameter";
		*seen |= P_NOTIFY;
		return notify_param(m, v, vl);
	}
	if (k == 5 && strncasecmp(s, "ORCPT", 5) == 0) {
		if (*seen & P_ORCPT)
			return "501 5.5.4 Duplicate ORCPT parameter";
		*seen |= P_ORCPT;
		return orcpt_param(m, v, vl);
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

/* The parameters after a path, each through fn; ehlo says whether there
 * may be any. NULL, or a reply line. */
static const char *
params(struct mailarg *m, const char *s, size_t n, int ehlo,
    const char *(*fn)(struct mailarg *, const char *, size_t, unsigned *))
{
	const char *why;
	unsigned seen = 0;

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
		if ((why = fn(m, s, k, &seen)) != NULL)
			return why;
		s += k;
		n -= k;
	}
	return NULL;
}

const char *
parse_mail(struct mailarg *m, const char *s, size_t n, int ehlo)
{
	const char *why;
	size_t used;

	memset(m, 0, sizeof *m);
	if (prefix("FROM:", &s, &n) == NULL)
		return "501 5.5.4 Syntax: MAIL FROM:<address>";
	if ((why = path(m, s, n, ADDR_NULL_OK, &used)) != NULL)
		return why;
	why = params(m, s + used, n - used, ehlo, param);
	/* RFC 6531 3.5: a UTF-8 address only in an SMTPUTF8 transaction */
	if (why == NULL && (m->a.flags & ADDR_UTF8) && !m->utf8)
		why = "553 5.6.7 Non-ASCII address needs SMTPUTF8";
	if (why != NULL)
		memset(&m->dsn, 0, sizeof m->dsn);
	return why;
}

/* "<postmaster>" in any case, then the end or a blank: RFC 5321 4.5.1's
 * mailbox without a domain, after "TO:" and blanks (a tab too). */
static size_t
postmaster(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (n - i < 12 || strncasecmp(s + i, "<postmaster>", 12) != 0 ||
	    (n - i > 12 && s[i + 12] != ' '))
		return 0;
	return i + 12;
}

const char *
parse_rcpt(struct mailarg *m, const char *s, size_t n, int ehlo, int utf8)
{
	const char *why;
	size_t used;

	memset(m, 0, sizeof *m);
	if (prefix("TO:", &s, &n) == NULL)
		return "501 5.5.4 Syntax: RCPT TO:<address>";
	if ((used = postmaster(s, n)) != 0)
		m->postmaster = 1;
	else if ((why = path(m, s, n, 0, &used)) != NULL)
		return why;
	m->utf8 = utf8;         /* the transaction's SMTPUTF8, for ORCPT */
	why = params(m, s + used, n - used, ehlo, rparam);
	if (why == NULL && (m->a.flags & ADDR_UTF8) && !utf8)
		why = "553 5.6.7 Non-ASCII address needs SMTPUTF8";
	if (why != NULL)
		memset(&m->rdsn, 0, sizeof m->rdsn);
	return why;
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
