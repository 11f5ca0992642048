/* spf: see spf.h. Section numbers are RFC 7208's. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fmt.h"
#include "scan.h"
#include "spf.h"

#define MX_MAX    10            /* MX names one mx may name (4.6.4) */
#define EXP_TAIL  512           /* tail kept of a domain expansion */
#define VAL_MAX   1024          /* one macro letter's value */

enum {
	M_ALL, M_INCLUDE, M_A, M_MX, M_PTR, M_IP4, M_IP6, M_EXISTS,
	T_REDIRECT, T_EXP, T_OTHER
};

/* One term of a record, as parse_term reads it. */
struct term {
	int kind, result;
	const char *spec;               /* domain-spec, or NULL */
	size_t slen;
	unsigned cidr4, cidr6;
	unsigned char net[16];
};

/* What a macro may refer to (7.3). getp finds %{p} (it needs DNS). */
struct menv {
	const struct spf_req *r;
	struct dns_ip ip;
	const char *l, *o, *d;
	size_t llen;
	void (*getp)(void *cx, const char *d, char *out, size_t size);
	void *cx;
};

/* An expansion's output: a domain keeps its tail (4.8: a long name
 * loses labels on the left), an explanation its head. */
struct sink {
	char *p;
	size_t len, size;
	int tail, lost;
};

struct ctx {
	const struct dns_ops *dns;
	struct spf_out *o;
	struct menv env;
	struct dns_txt txt;
	struct dns_mx mx[MX_MAX + 1];
	struct dns_ip ips[DNS_IP_MAX];
	char names[DNS_PTR_MAX][DNS_NAME_MAX + 1];
	char p[DNS_NAME_MAX + 1];
	int counting;                   /* void lookups count (not in exp) */
	int vdone, vn;                  /* validated()'s answer, kept: the */
	int vkeep[DNS_PTR_MAX];         /* client does not change within a
	                                   check, and %{p} in every term
	                                   must not ask again and again */
};

static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

static void
put(struct sink *w, const char *s, size_t n)
{
	for (; n > 0; s++, n--) {
		if (w->len == w->size) {
			w->lost = 1;
			if (!w->tail)
				return;
			memmove(w->p, w->p + w->size / 2,
			    w->size - w->size / 2);
			w->len = w->size - w->size / 2;
		}
		w->p[w->len++] = *s;
	}
}

/* The value of macro letter ch (lower case) into v. */
static const char *
value(const struct menv *e, int ch, char *v, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	const struct spf_req *r = e->r;
	size_t i, k = 0;

	switch (ch) {
	case 's':
		if (fmt_s(v, size, "%.*s@%s", (int)e->llen, e->l, e->o) < 0)
			return "sender too long";
		return NULL;
	case 'l':
		if (fmt_s(v, size, "%.*s", (int)e->llen, e->l) < 0)
			return "sender too long";
		return NULL;
	case 'o':
		fmt_s(v, size, "%s", e->o);
		return NULL;
	case 'd':
		fmt_s(v, size, "%s", e->d);
		return NULL;
	case 'i':
		if (e->ip.family == AF_INET) {
			fmt_s(v, size, "%u.%u.%u.%u", e->ip.a[0], e->ip.a[1],
			    e->ip.a[2], e->ip.a[3]);
			return NULL;
		}
		for (i = 0; i < 16; i++) {      /* nibbles, dotted (7.3) */
			v[k++] = hex[e->ip.a[i] >> 4];
			v[k++] = '.';
			v[k++] = hex[e->ip.a[i] & 15];
			v[k++] = i < 15 ? '.' : '\0';
		}
		return NULL;
	case 'p':
		if (e->getp)
			e->getp(e->cx, e->d, v, size);
		else
			fmt_s(v, size, "unknown");
		return NULL;
	case 'v':
		fmt_s(v, size, "%s", e->ip.family == AF_INET ? "in-addr" :
		    "ip6");
		return NULL;
	case 'h':
		if (fmt_s(v, size, "%s", r->helo ? r->helo : "") < 0)
			return "HELO too long";
		return NULL;
	case 'c':
		dns_ip_fmt(&e->ip, v, size);
		return NULL;
	case 'r':
		if (fmt_s(v, size, "%s", r->receiver && *r->receiver ?
		    r->receiver : "unknown") < 0)
			return "receiver too long";
		return NULL;
	case 't':
		fmt_s(v, size, "%lld", (long long)r->now);
		return NULL;
	}
	return "unknown macro letter";
}

static int
delimiter(int ch)
{
	return ch && strchr(".-+,/_=", ch) != NULL;
}

/* Unreserved characters stay as they are in an escaped (upper case)
 * macro (7.3, RFC 3986 2.3). */
static void
put_escaped(struct sink *w, const char *s, size_t n, int esc)
{
	static const char hex[] = "0123456789ABCDEF";
	char q[3];

	if (!esc) {
		put(w, s, n);
		return;
	}
	for (; n > 0; s++, n--) {
		unsigned char ch = (unsigned char)*s;
		if (scan_alpha(ch) || scan_digit(ch) || strchr("-._~", ch)) {
			put(w, s, 1);
			continue;
		}
		q[0] = '%';
		q[1] = hex[ch >> 4];
		q[2] = hex[ch & 15];
		put(w, q, 3);
	}
}

/* One "%{...}" at in (n bytes from the '{'): its length through '}'
 * in *used, the expansion into w when w is not NULL. */
static const char *
macro_one(const struct menv *e, const char *in, size_t n, int exp,
    struct sink *w, size_t *used)
{
	char v[VAL_MAX], delims[8] = "";
	unsigned short part[VAL_MAX + 1][2];
	size_t i = 1, nd = 0, np = 0, start, keep, k, from;
	unsigned long digits = 0;
	int ch, rev = 0, esc, any = 0;
	const char *why;

	if (n < 3)
		return "unterminated macro";
	ch = in[i++];
	esc = ch >= 'A' && ch <= 'Z';
	ch = lower(ch);
	if (!strchr("slodiphcrtv", ch))
		return "unknown macro letter";
	if (!exp && strchr("crt", ch))
		return "macro c, r or t outside an explanation";
	while (i < n && scan_digit(in[i])) {
		any = 1;
		if (digits < 1000)
			digits = digits * 10 + (unsigned long)(in[i] - '0');
		i++;
	}
	if (any && digits == 0)
		return "macro transformer 0";
	if (i < n && lower(in[i]) == 'r') {
		rev = 1;
		i++;
	}
	while (i < n && delimiter(in[i])) {
		if (!memchr(delims, in[i], nd) && nd < sizeof delims)
			delims[nd++] = in[i];
		i++;
	}
	if (i == n || in[i] != '}')
		return "bad macro";
	*used = i + 1;
	if (w == NULL)
		return NULL;
	if (nd == 0)
		delims[nd++] = '.';
	if ((why = value(e, ch, v, sizeof v)) != NULL)
		return why;
	/* split into parts, reverse, keep the right-most, join with '.' */
	for (start = k = 0; ; k++) {
		if (v[k] == '\0' || memchr(delims, v[k], nd)) {
			part[np][0] = (unsigned short)start;
			part[np][1] = (unsigned short)(k - start);
			np++;
			start = k + 1;
		}
		if (v[k] == '\0')
			break;
	}
	keep = digits && digits < np ? digits : np;
	from = np - keep;
	for (k = 0; k < keep; k++) {
		size_t x = rev ? np - 1 - (from + k) : from + k;
		if (k > 0)
			put(w, ".", 1);
		put_escaped(w, v + part[x][0], part[x][1], esc);
	}
	return NULL;
}

/* Expand (or, with w NULL, only check) a macro-string (7.1); exp: an
 * explain-string, which may hold spaces and c, r, t. */
static const char *
expand(const struct menv *e, const char *in, size_t n, int exp,
    struct sink *w, size_t *lastmacro)
{
	size_t i = 0, used;
	const char *why;

	if (lastmacro)
		*lastmacro = 0;
	while (i < n) {
		unsigned char ch = (unsigned char)in[i];
		if (ch != '%') {
			if (ch < 0x21 || ch > 0x7e) {
				if (!(exp && ch == ' '))
					return "character not allowed";
			}
			if (w)
				put(w, in + i, 1);
			i++;
			continue;
		}
		if (i + 1 == n)
			return "'%' at the end";
		switch (in[i + 1]) {
		case '%':
			if (w)
				put(w, "%", 1);
			used = 2;
			break;
		case '_':
			if (w)
				put(w, " ", 1);
			used = 2;
			break;
		case '-':
			if (w)
				put(w, "%20", 3);
			used = 2;
			break;
		case '{':
			why = macro_one(e, in + i + 1, n - i - 1, exp, w,
			    &used);
			if (why)
				return why;
			used++;
			break;
		default:
			return "bad macro";
		}
		i += used;
		if (lastmacro)
			*lastmacro = i;
	}
	return NULL;
}

/* toplabel (12): letters, digits, '-'; alphanumerics at both ends; a
 * letter or a '-' somewhere, so that it is not a number. */
static int
toplabel(const char *s, size_t n)
{
	size_t i;
	int letter = 0;

	if (n == 0 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if (scan_alpha(s[i]) || s[i] == '-')
			letter = 1;
		else if (!scan_digit(s[i]))
			return 0;
	}
	return letter;
}

/* domain-spec = macro-string domain-end (12). */
static const char *
domain_spec(const char *s, size_t n)
{
	const char *why, *dot;
	size_t last, m;

	if (n == 0)
		return "empty domain-spec";
	if ((why = expand(NULL, s, n, 0, NULL, &last)) != NULL)
		return why;
	if (last == n)
		return NULL;                    /* ends with a macro */
	m = n;
	if (s[m - 1] == '.')
		m--;
	dot = NULL;
	for (size_t i = m; i > last; i--)
		if (s[i - 1] == '.') {
			dot = s + i - 1;
			break;
		}
	if (dot == NULL || !toplabel(dot + 1, (size_t)(s + m - dot - 1)))
		return "domain-spec does not end in a top label";
	return NULL;
}

/* "0" or 1-3 digits without a leading zero, at most max. */
static int
cidr(const char *s, size_t n, unsigned max, unsigned *v)
{
	size_t i;

	if (n == 0 || n > 3 || (s[0] == '0' && n > 1))
		return -1;
	*v = 0;
	for (i = 0; i < n; i++) {
		if (!scan_digit(s[i]))
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return *v <= max ? 0 : -1;
}

static int
qnum(const char **p, const char *end, unsigned char *b)
{
	unsigned v = 0;
	const char *s = *p;

	if (s == end || !scan_digit(*s))
		return -1;
	if (*s == '0' && s + 1 < end && scan_digit(s[1]))
		return -1;
	while (s < end && scan_digit(*s) && s - *p < 3)
		v = v * 10 + (unsigned)(*s++ - '0');
	if (v > 255 || (s < end && scan_digit(*s)))
		return -1;
	*b = (unsigned char)v;
	*p = s;
	return 0;
}

static int
ip4_net(const char *s, size_t n, unsigned char *a)
{
	const char *end = s + n;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0 && (s == end || *s++ != '.'))
			return -1;
		if (qnum(&s, end, a + i) == -1)
			return -1;
	}
	return s == end ? 0 : -1;
}

static int
ip6_net(const char *s, size_t n, unsigned char *a)
{
	char t[INET6_ADDRSTRLEN + 1];

	if (n == 0 || n >= sizeof t)
		return -1;
	memcpy(t, s, n);
	t[n] = '\0';
	return inet_pton(AF_INET6, t, a) == 1 ? 0 : -1;
}

/* The CIDR suffix of an a, mx, ip4 or ip6 argument: where it starts. */
static const char *
cidrs(const char *s, size_t n, int dual, unsigned max4, struct term *t,
    size_t *rest)
{
	size_t i = n;

	*rest = n;
	while (i > 0 && scan_digit(s[i - 1]))
		i--;
	if (i == n || i == 0 || s[i - 1] != '/')
		return NULL;                    /* no suffix */
	if (i >= 2 && s[i - 2] == '/') {
		if (!dual)
			return "dual CIDR length not allowed";
		if (cidr(s + i, n - i, 128, &t->cidr6) == -1)
			return "bad IPv6 CIDR length";
		*rest = n = i - 2;
		i = n;
		while (i > 0 && scan_digit(s[i - 1]))
			i--;
		if (i == n || i == 0 || s[i - 1] != '/')
			return NULL;
	}
	if (cidr(s + i, n - i, max4, &t->cidr4) == -1)
		return "bad CIDR length";
	*rest = i - 1;
	return NULL;
}

static const struct {
	const char *name;
	int kind;
} mechs[] = {
	{ "all", M_ALL }, { "include", M_INCLUDE }, { "a", M_A },
	{ "mx", M_MX }, { "ptr", M_PTR }, { "ip4", M_IP4 }, { "ip6", M_IP6 },
	{ "exists", M_EXISTS },
};

/* One term (4.6.1, 12): a directive or a modifier. */
static const char *
parse_term(const char *s, size_t n, struct term *t)
{
	size_t i = 0, k, rest;
	const char *why, *arg;

	memset(t, 0, sizeof *t);
	t->cidr4 = 32;
	t->cidr6 = 128;
	if (n == 0)
		return "empty term";
	/* a modifier: name "=" */
	if (scan_alpha(s[0])) {
		for (i = 1; i < n && (scan_alpha(s[i]) || scan_digit(s[i]) ||
		    strchr("-_.", s[i])); i++)
			;
		if (i < n && s[i] == '=') {
			t->spec = s + i + 1;
			t->slen = n - i - 1;
			if (i == 8 && strncasecmp(s, "redirect", 8) == 0)
				t->kind = T_REDIRECT;
			else if (i == 3 && strncasecmp(s, "exp", 3) == 0)
				t->kind = T_EXP;
			else {
				t->kind = T_OTHER;
				return expand(NULL, t->spec, t->slen, 0, NULL,
				    NULL);
			}
			return domain_spec(t->spec, t->slen);
		}
	}
	i = 0;
	t->result = SPF_PASS;
	switch (s[0]) {
	case '+': t->result = SPF_PASS; i = 1; break;
	case '-': t->result = SPF_FAIL; i = 1; break;
	case '~': t->result = SPF_SOFTFAIL; i = 1; break;
	case '?': t->result = SPF_NEUTRAL; i = 1; break;
	}
	for (k = i; k < n && (scan_alpha(s[k]) || (k > i && scan_digit(s[k]))); k++)
		;
	t->kind = -1;
	for (size_t m = 0; m < sizeof mechs / sizeof mechs[0]; m++)
		if (strlen(mechs[m].name) == k - i &&
		    strncasecmp(s + i, mechs[m].name, k - i) == 0)
			t->kind = mechs[m].kind;
	if (t->kind == -1)
		return "unknown mechanism";
	arg = s + k;
	n -= k;
	switch (t->kind) {
	case M_ALL:
		return n == 0 ? NULL : "unknown mechanism";
	case M_INCLUDE:
	case M_EXISTS:
		if (n == 0 || arg[0] != ':')
			return "domain-spec missing";
		t->spec = arg + 1;
		t->slen = n - 1;
		return domain_spec(t->spec, t->slen);
	case M_PTR:
		if (n == 0)
			return NULL;
		if (arg[0] != ':')
			return "unknown mechanism";
		t->spec = arg + 1;
		t->slen = n - 1;
		return domain_spec(t->spec, t->slen);
	case M_A:
	case M_MX:
		if ((why = cidrs(arg, n, 1, 32, t, &rest)) != NULL)
			return why;
		if (rest == 0)
			return NULL;
		if (arg[0] != ':')
			return "unknown mechanism";
		t->spec = arg + 1;
		t->slen = rest - 1;
		return domain_spec(t->spec, t->slen);
	case M_IP4:
	case M_IP6:
		if (n == 0 || arg[0] != ':')
			return "address missing";
		if ((why = cidrs(arg + 1, n - 1, 0, t->kind == M_IP4 ? 32 :
		    128, t, &rest)) != NULL)
			return why;
		if (t->kind == M_IP6) {
			t->cidr6 = t->cidr4 == 32 && rest == n - 1 ? 128 :
			    t->cidr4;
			if (ip6_net(arg + 1, rest, t->net) == -1)
				return "bad IPv6 address";
		} else if (ip4_net(arg + 1, rest, t->net) == -1)
			return "bad IPv4 address";
		return NULL;
	}
	return "unknown mechanism";
}

/* The terms of rec one by one: *pos moves past the next, whose bytes
 * are s, *n. 0 at the end. */
static int
next_term(const char *rec, size_t len, size_t *pos, const char **s,
    size_t *n)
{
	size_t i = *pos;

	while (i < len && rec[i] == ' ')
		i++;
	if (i == len)
		return 0;
	*s = rec + i;
	while (i < len && rec[i] != ' ')
		i++;
	*n = (size_t)(rec + i - *s);
	*pos = i;
	return 1;
}

static int
is_spf(const char *rec, size_t n)
{
	return n >= 6 && strncasecmp(rec, "v=spf1", 6) == 0 &&
	    (n == 6 || rec[6] == ' ');
}

/* The whole record's syntax; the bad term in *bad, *badlen. */
static const char *
record_parse(const char *rec, size_t n, const char **bad, size_t *badlen)
{
	struct term t;
	const char *s, *why;
	size_t pos = 6, len;
	int redirects = 0, exps = 0;

	*bad = rec;
	*badlen = 0;
	if (!is_spf(rec, n))
		return "not an SPF record";
	while (next_term(rec, n, &pos, &s, &len)) {
		*bad = s;
		*badlen = len;
		if ((why = parse_term(s, len, &t)) != NULL)
			return why;
		if (t.kind == T_REDIRECT && redirects++)
			return "redirect twice";
		if (t.kind == T_EXP && exps++)
			return "exp twice";
	}
	return NULL;
}

const char *
spf_record_check(const char *rec, size_t n)
{
	const char *bad;
	size_t badlen;

	return record_parse(rec, n, &bad, &badlen);
}


/* A domain-spec for a query: the trailing dot gone, labels cut from
 * the left until at most 253 octets remain (4.8, 7.3). */
static const char *
expand_name(const struct menv *e, const char *in, size_t n, char *out,
    size_t size)
{
	char buf[EXP_TAIL];
	struct sink w = { buf, 0, sizeof buf, 1, 0 };
	const char *why, *dot;
	size_t off = 0;

	if ((why = expand(e, in, n, 0, &w, NULL)) != NULL)
		return why;
	if (w.len > 0 && buf[w.len - 1] == '.')
		w.len--;
	while (w.lost || w.len - off > 253) {
		dot = memchr(buf + off, '.', w.len - off);
		if (dot == NULL)
			return "name longer than 253 octets";
		off = (size_t)(dot - buf) + 1;
		w.lost = 0;
	}
	if (w.len - off >= size)
		return "name too long";
	memcpy(out, buf + off, w.len - off);
	out[w.len - off] = '\0';
	if (!dns_name_ok(out))
		return "not a valid domain name";
	return NULL;
}

/* The client and the sender as macros see them. */
static void
env_init(struct menv *e, const struct spf_req *r)
{
	const char *at;

	memset(e, 0, sizeof *e);
	e->r = r;
	e->ip = r->ip;
	/* an IPv4-mapped address is an IPv4 client (5) */
	if (e->ip.family == AF_INET6 && memcmp(e->ip.a,
	    "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(e->ip.a, e->ip.a + 12, 4);
		e->ip.family = AF_INET;
	}
	/* <sender> without a local part has "postmaster" (4.3); without
	 * a sender at all it is postmaster@helo (2.4) */
	at = r->sender && *r->sender ? strrchr(r->sender, '@') : NULL;
	if (at && at > r->sender) {
		e->l = r->sender;
		e->llen = (size_t)(at - r->sender);
	} else {
		e->l = "postmaster";
		e->llen = 10;
	}
	e->o = at ? at + 1 : r->sender && *r->sender ? r->sender :
	    r->helo ? r->helo : "";
}

int
spf_macro(const char *in, size_t n, const struct spf_req *r,
    const char *domain, int exp, char *out, size_t size, const char **why)
{
	struct menv e;
	struct sink w = { out, 0, size ? size - 1 : 0, 0, 0 };

	*why = NULL;
	if (size == 0) {
		*why = "no room";
		return -1;
	}
	env_init(&e, r);
	e.d = domain;
	if (!exp) {
		*why = expand_name(&e, in, n, out, size);
		return *why ? -1 : 0;
	}
	if ((*why = expand(&e, in, n, 1, &w, NULL)) != NULL)
		return -1;
	out[w.len] = '\0';
	return 0;
}

const char *
spf_result_name(int result)
{
	static const char *const names[] = { "none", "neutral", "pass",
	    "fail", "softfail", "temperror", "permerror" };

	if (result < SPF_NONE || result > SPF_PERMERROR)
		return "permerror";
	return names[result];
}

/* Evaluation. */

static int
why(struct ctx *c, int result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* o->why, printable ASCII only (it quotes names from outside) */
static int
why(struct ctx *c, int result, const char *fmt, ...)
{
	char buf[sizeof c->o->why];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		buf[0] = '\0';
	fmt_safe(c->o->why, sizeof c->o->why, buf, strlen(buf));
	return result;
}

static int
prefix(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[bytes] ^ b[bytes]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static int
ip_in(const struct ctx *c, const struct dns_ip *net, const struct term *t)
{
	if (net->family != c->env.ip.family)
		return 0;
	return net->family == AF_INET ? prefix(c->env.ip.a, net->a, t->cidr4) :
	    prefix(c->env.ip.a, net->a, t->cidr6);
}

/* A reply without records: a void lookup (4.6.4). -1 past the limit. */
static int
void_lookup(struct ctx *c)
{
	if (!c->counting)
		return 0;
	return ++c->o->voids > SPF_VOIDS_MAX ? -1 : 0;
}

/* Address lookup of name in the client's family (5): DNS_OK, DNS_NONE
 * (void, counted), DNS_TEMP, or -2 past the void limit. */
static int
addr(struct ctx *c, const char *name, int family, size_t *n)
{
	int rc;

	*n = 0;
	rc = c->dns->addr(c->dns->ctx, name, family, c->ips, DNS_IP_MAX, n);
	if (rc == DNS_TEMP)
		return DNS_TEMP;
	if (rc != DNS_OK || *n == 0) {
		*n = 0;
		return void_lookup(c) == -1 ? -2 : DNS_NONE;
	}
	return DNS_OK;
}

static int
same_ip(const struct dns_ip *a, const struct dns_ip *b)
{
	return a->family == b->family &&
	    memcmp(a->a, b->a, a->family == AF_INET ? 4 : 16) == 0;
}

/* The client's validated names (5.5): at most DNS_PTR_MAX PTR names
 * whose address lookup gives the client back. The count, or -1 on a
 * PTR lookup error, -2 past the void limit. */
static int validated_ask(struct ctx *c, int *keep);

static int
validated(struct ctx *c, int *keep)
{
	if (!c->vdone) {
		c->vn = validated_ask(c, c->vkeep);
		c->vdone = 1;
	}
	memcpy(keep, c->vkeep, sizeof c->vkeep);
	return c->vn;
}

static int
validated_ask(struct ctx *c, int *keep)
{
	size_t n = 0, i, k, m;
	int rc, found = 0;

	for (i = 0; i < DNS_PTR_MAX; i++)
		keep[i] = 0;
	rc = c->dns->ptr(c->dns->ctx, &c->env.ip, c->names, DNS_PTR_MAX, &n);
	if (rc == DNS_TEMP)
		return -1;
	if (rc != DNS_OK || n == 0)
		return void_lookup(c) == -1 ? -2 : 0;
	for (i = 0; i < n && i < DNS_PTR_MAX; i++) {
		keep[i] = 0;
		rc = addr(c, c->names[i], c->env.ip.family, &m);
		if (rc == -2)
			return -2;
		for (k = 0; rc == DNS_OK && k < m; k++)
			if (same_ip(&c->ips[k], &c->env.ip)) {
				keep[i] = 1;
				found++;
				break;
			}
	}
	for (; i < DNS_PTR_MAX; i++)
		keep[i] = 0;
	return found;
}

/* name is target or one of its subdomains, case aside */
static int
in_domain(const char *name, const char *target)
{
	size_t n = strlen(name), t = strlen(target);

	if (n && name[n - 1] == '.')
		n--;
	if (t && target[t - 1] == '.')
		t--;
	if (n < t || strncasecmp(name + n - t, target, t) != 0)
		return 0;
	return n == t || name[n - t - 1] == '.';
}

/* %{p} (7.3): the domain itself if validated, else a subdomain of it,
 * else any validated name, else "unknown". */
static void
getp(void *cx, const char *d, char *out, size_t size)
{
	struct ctx *c = cx;
	int keep[DNS_PTR_MAX], n = 0, i, best = -1;

	/* past the void limit nothing more is asked: target() stops */
	if (!c->counting || c->o->voids <= SPF_VOIDS_MAX)
		n = validated(c, keep);
	for (i = 0; n > 0 && i < DNS_PTR_MAX; i++) {
		if (!keep[i])
			continue;
		if (in_domain(c->names[i], d) && (best == -1 ||
		    strlen(c->names[i]) < strlen(c->names[best])))
			best = i;
	}
	for (i = 0; n > 0 && best == -1 && i < DNS_PTR_MAX; i++)
		if (keep[i])
			best = i;
	if (best == -1 || fmt_s(out, size, "%s", c->names[best]) < 0)
		fmt_s(out, size, "unknown");
}

static int check_host(struct ctx *c, const char *domain, int depth);

static int
count_lookup(struct ctx *c, const char *term, size_t n)
{
	if (++c->o->lookups > SPF_LOOKUPS_MAX)
		return why(c, SPF_PERMERROR, "more than %d DNS lookups at %.*s",
		    SPF_LOOKUPS_MAX, (int)n, term);
	return 0;
}

/* The target of a term: its domain-spec expanded, or the domain. */
static int
target(struct ctx *c, const struct term *t, const char *domain, char *out,
    const char *s, size_t n)
{
	const char *w;

	if (t->spec == NULL) {
		fmt_s(out, DNS_NAME_MAX + 1, "%s", domain);
		return 0;
	}
	c->env.d = domain;
	if ((w = expand_name(&c->env, t->spec, t->slen, out,
	    DNS_NAME_MAX + 1)) != NULL)
		return why(c, SPF_PERMERROR, "%s: %.*s: %s", domain, (int)n,
		    s, w);
	/* %{p} may have gone past the void limit */
	if (c->o->voids > SPF_VOIDS_MAX)
		return why(c, SPF_PERMERROR, "%s: more than %d void DNS "
		    "lookups at %.*s", domain, SPF_VOIDS_MAX, (int)n, s);
	return 0;
}

static int
void_over(struct ctx *c, const char *domain, const char *s, size_t n)
{
	return -why(c, SPF_PERMERROR, "%s: more than %d void DNS lookups at "
	    "%.*s", domain, SPF_VOIDS_MAX, (int)n, s);
}

/* mx (5.4): at most MX_MAX names, each looked up in the client's
 * family. 1, 0, or -result. */
static int
match_mx(struct ctx *c, const struct term *t, const char *name,
    const char *domain, const char *s, size_t n)
{
	size_t m, i, k;
	int rc;

	rc = c->dns->mx(c->dns->ctx, name, c->mx, MX_MAX + 1, &m);
	if (rc == DNS_TEMP)
		return -why(c, SPF_TEMPERROR, "%s: %.*s: DNS failure for MX "
		    "of %s", domain, (int)n, s, name);
	if (rc != DNS_OK || m == 0)
		return void_lookup(c) == -1 ? void_over(c, domain, s, n) : 0;
	if (m > MX_MAX)
		return -why(c, SPF_PERMERROR, "%s: %.*s: more than %d MX "
		    "names", domain, (int)n, s, MX_MAX);
	for (k = 0; k < m; k++) {
		if (c->mx[k].host[0] == '\0')
			continue;               /* a null MX (RFC 7505) */
		rc = addr(c, c->mx[k].host, c->env.ip.family, &i);
		if (rc == DNS_TEMP)
			return -why(c, SPF_TEMPERROR, "%s: %.*s: DNS failure "
			    "for %s", domain, (int)n, s, c->mx[k].host);
		if (rc == -2)
			return void_over(c, domain, s, n);
		while (i-- > 0)
			if (ip_in(c, &c->ips[i], t))
				return 1;
	}
	return 0;
}

/* 1 when the directive matches, 0 when not, else -result. */
static int
match(struct ctx *c, const struct term *t, const char *domain, int depth,
    const char *s, size_t n)
{
	char name[DNS_NAME_MAX + 1];
	int keep[DNS_PTR_MAX];
	struct dns_ip net;
	size_t m, i;
	int rc, family = c->env.ip.family;

	if (t->kind == M_ALL)
		return 1;
	if (t->kind == M_IP4 || t->kind == M_IP6) {
		net.family = t->kind == M_IP4 ? AF_INET : AF_INET6;
		memcpy(net.a, t->net, 16);
		return ip_in(c, &net, t);
	}
	if ((rc = count_lookup(c, s, n)) != 0 ||
	    (rc = target(c, t, domain, name, s, n)) != 0)
		return -rc;
	switch (t->kind) {
	case M_INCLUDE:
		rc = check_host(c, name, depth + 1);
		if (rc == SPF_PASS)
			return 1;
		if (rc == SPF_TEMPERROR || rc == SPF_PERMERROR)
			return -rc;
		if (rc == SPF_NONE)
			return -why(c, SPF_PERMERROR, "%s: %.*s: no SPF record "
			    "at %s", domain, (int)n, s, name);
		return 0;
	case M_A:
	case M_EXISTS:
		rc = addr(c, name, t->kind == M_EXISTS ? AF_INET : family, &m);
		if (rc == DNS_TEMP)
			return -why(c, SPF_TEMPERROR, "%s: %.*s: DNS failure "
			    "for %s", domain, (int)n, s, name);
		if (rc == -2)
			break;
		if (t->kind == M_EXISTS)
			return m > 0;
		for (i = 0; i < m; i++)
			if (ip_in(c, &c->ips[i], t))
				return 1;
		return 0;
	case M_MX:
		return match_mx(c, t, name, domain, s, n);
	case M_PTR:
		/* a failed PTR lookup is no match, a failed address lookup
		 * skips that name (5.5) */
		rc = validated(c, keep);
		if (rc == -2)
			break;
		for (i = 0; rc > 0 && i < DNS_PTR_MAX; i++)
			if (keep[i] && in_domain(c->names[i], name))
				return 1;
		return 0;
	}
	return void_over(c, domain, s, n);
}

/* The record of domain (4.4, 4.5) into rec: -1, or a result. */
static int
fetch(struct ctx *c, const char *domain, char *rec, size_t *len)
{
	size_t i, found = 0, at = 0;
	int rc;

	if (!dns_name_ok(domain) || !strchr(domain, '.'))
		return why(c, SPF_NONE, "%s: not a domain name", domain);
	c->txt.want = "v=spf1";         /* 4.5: other records are not ours */
	rc = c->dns->txt(c->dns->ctx, domain, &c->txt);
	if (rc == DNS_TEMP)
		return why(c, SPF_TEMPERROR, "%s: DNS failure for TXT",
		    domain);
	if (rc != DNS_OK)
		return why(c, SPF_NONE, "%s: no SPF record", domain);
	for (i = 0; i < c->txt.n && i < DNS_TXT_MAX; i++)
		if (is_spf(c->txt.rec[i], c->txt.len[i])) {
			found++;
			at = i;
		}
	if (found > 1)
		return why(c, SPF_PERMERROR, "%s: more than one SPF record",
		    domain);
	if (found == 0 && c->txt.skipped)
		return why(c, SPF_PERMERROR, "%s: a TXT record too long to "
		    "read", domain);
	if (found == 0)
		return why(c, SPF_NONE, "%s: no SPF record", domain);
	if (c->txt.len[at] > SPF_RECORD_MAX)
		return why(c, SPF_PERMERROR, "%s: SPF record too long",
		    domain);
	memcpy(rec, c->txt.rec[at], c->txt.len[at]);
	rec[c->txt.len[at]] = '\0';
	*len = c->txt.len[at];
	return -1;
}

/* exp= (6.2): the explanation of a fail, or nothing on any problem. */
static void
explain(struct ctx *c, const struct term *x, const char *domain)
{
	char name[DNS_NAME_MAX + 1];
	struct sink w = { c->o->exp, 0, sizeof c->o->exp - 1, 0, 0 };
	size_t i;

	c->env.d = domain;
	c->counting = 0;
	c->txt.want = NULL;             /* 6.2: any text */
	if (expand_name(&c->env, x->spec, x->slen, name, sizeof name) ||
	    c->dns->txt(c->dns->ctx, name, &c->txt) != DNS_OK ||
	    c->txt.n != 1 || c->txt.skipped)
		return;
	if (expand(&c->env, c->txt.rec[0], c->txt.len[0], 1, &w, NULL)) {
		c->o->exp[0] = '\0';
		return;
	}
	for (i = 0; i < w.len; i++)
		if ((unsigned char)c->o->exp[i] < 0x20 ||
		    (unsigned char)c->o->exp[i] > 0x7e)
			c->o->exp[i] = '?';
	c->o->exp[w.len] = '\0';
}

/* check_host() (4): the result for domain; depth counts includes. */
static int
check_host(struct ctx *c, const char *domain, int depth)
{
	char rec[SPF_RECORD_MAX + 1], dom[DNS_NAME_MAX + 1];
	struct term t, x, redirect, exp;
	const char *s, *bad;
	size_t len = 0, pos, n, badlen;
	int rc, redirected = 0, m;

	if (fmt_s(dom, sizeof dom, "%s", domain) < 0)
		return why(c, SPF_NONE, "domain name too long");
again:
	rc = fetch(c, dom, rec, &len);
	if (rc != -1) {
		if (redirected && rc == SPF_NONE)
			return why(c, SPF_PERMERROR, "redirect=%s: no SPF "
			    "record", dom);
		return rc;
	}
	if ((s = record_parse(rec, len, &bad, &badlen)) != NULL)
		return why(c, SPF_PERMERROR, "%s: %s at %.*s", dom, s,
		    (int)badlen, bad);
	redirect.kind = exp.kind = -1;
	pos = 6;
	while (next_term(rec, len, &pos, &s, &n)) {
		parse_term(s, n, &t);
		if (t.kind == T_REDIRECT)
			redirect = t;
		if (t.kind == T_EXP)
			exp = t;
		if (t.kind >= T_REDIRECT)
			continue;
		m = match(c, &t, dom, depth, s, n);
		if (m < 0)
			return -m;
		if (m == 0)
			continue;
		why(c, t.result, "%s: mechanism %.*s matched", dom, (int)n, s);
		/* later terms may hold the exp= */
		while (next_term(rec, len, &pos, &s, &n)) {
			parse_term(s, n, &x);
			if (x.kind == T_EXP)
				exp = x;
		}
		if (depth == 0 && t.result == SPF_FAIL && exp.kind == T_EXP)
			explain(c, &exp, dom);
		return t.result;
	}
	if (redirect.kind == T_REDIRECT) {
		char target[DNS_NAME_MAX + 1];
		pos = (size_t)(redirect.spec - rec) - 9;
		if ((rc = count_lookup(c, rec + pos, redirect.slen + 9)) != 0)
			return rc;
		c->env.d = dom;
		if ((s = expand_name(&c->env, redirect.spec, redirect.slen,
		    target, sizeof target)) != NULL)
			return why(c, SPF_PERMERROR, "%s: redirect=%.*s: %s",
			    dom, (int)redirect.slen, redirect.spec, s);
		if (c->o->voids > SPF_VOIDS_MAX)
			return why(c, SPF_PERMERROR, "%s: more than %d void "
			    "DNS lookups at redirect", dom, SPF_VOIDS_MAX);
		memcpy(dom, target, sizeof dom);
		redirected = 1;
		goto again;
	}
	return why(c, SPF_NEUTRAL, "%s: no mechanism matched", dom);
}

int
spf_check(const struct spf_req *r, const struct dns_ops *dns,
    struct spf_out *o)
{
	struct ctx c;
	char dom[DNS_NAME_MAX + 1];
	const char *d;
	size_t n;

	memset(o, 0, sizeof *o);
	env_init(&c.env, r);
	c.dns = dns;
	c.o = o;
	c.counting = 1;
	c.vdone = 0;
	c.env.getp = getp;
	c.env.cx = &c;
	d = r->domain ? r->domain : "";
	n = strlen(d);
	if (n > 0 && d[n - 1] == '.')
		n--;
	if (n == 0 || n > DNS_NAME_MAX) {
		o->result = why(&c, SPF_NONE, "no domain to check");
		return o->result;
	}
	memcpy(dom, d, n);
	dom[n] = '\0';
	c.env.d = dom;
	o->result = check_host(&c, dom, 0);
	return o->result;
}
