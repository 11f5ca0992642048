/* dmarc: see dmarc.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "dmarc.h"
#include "fmt.h"
#include "scan.h"
#include "taglist.h"

int
dmarc_is_record(const char *s, size_t n)
{
	size_t i = 0;

	/* dmarc-version = "v" *WSP "=" *WSP %x44 %x4d %x41 %x52 %x43 %x31 */
	if (n == 0 || (s[0] != 'v' && s[0] != 'V'))
		return 0;
	for (i = 1; i < n && scan_wsp(s[i]); i++)
		;
	if (i == n || s[i++] != '=')
		return 0;
	while (i < n && scan_wsp(s[i]))
		i++;
	if (n - i < 6 || memcmp(s + i, "DMARC1", 6) != 0)
		return 0;
	i += 6;
	/* the tag ends there: "v=DMARC10" is another version */
	return i == n || scan_wsp(s[i]) || s[i] == ';' || s[i] == '\r' ||
	    s[i] == '\n';
}

/* p= and sp=: a policy, or -1. */
static int
policy(const struct tag *t)
{
	static const char *const name[] = { "none", "quarantine", "reject" };
	size_t i;

	for (i = 0; i < 3; i++)
		if (t->vlen == strlen(name[i]) &&
		    strncasecmp(t->val, name[i], t->vlen) == 0)
			return (int)i;
	return -1;
}

/* adkim= and aspf=: 1 for s, 0 for r, -1 for anything else. */
static int
mode(const struct tag *t)
{
	if (t->vlen != 1)
		return -1;
	if (t->val[0] == 's' || t->val[0] == 'S')
		return 1;
	return t->val[0] == 'r' || t->val[0] == 'R' ? 0 : -1;
}

/* Whether rua= holds at least one URI that looks valid (6.4: a list of
 * URIs separated by ',', each with an optional "!size"): a scheme
 * (RFC 3986 3.1), ':', then something without white space. */
static int
rua_valid(const struct tag *t)
{
	size_t i = 0;

	while (i < t->vlen) {
		size_t a, b, k;
		int good;

		while (i < t->vlen && strchr(" \t\r\n", t->val[i]))
			i++;
		a = i;
		while (i < t->vlen && t->val[i] != ',')
			i++;
		b = i;
		while (b > a && strchr(" \t\r\n", t->val[b - 1]))
			b--;
		good = b > a && scan_alpha(t->val[a]);
		for (k = a; good && k < b && t->val[k] != ':'; k++)
			good = scan_alpha(t->val[k]) || scan_digit(t->val[k]) ||
			    strchr("+-.", t->val[k]) != NULL;
		if (good && k + 1 < b) {
			for (k++; k < b && !strchr(" \t\r\n", t->val[k]); k++)
				;
			if (k == b)
				return 1;
		}
		i++;                    /* the ',' */
	}
	return 0;
}

/* The tag called name in any case of letters (the names of RFC 7489 6.4
 * are ABNF strings, which RFC 5234 2.3 reads so), or NULL; *twice set
 * when the name comes twice. */
static const struct tag *
get(const struct taglist *l, const char *name, int *twice)
{
	const struct tag *t = NULL;
	size_t i, n = strlen(name);

	for (i = 0; i < l->n; i++)
		if (l->t[i].nlen == n &&
		    strncasecmp(l->t[i].name, name, n) == 0) {
			if (t)
				*twice = 1;
			t = &l->t[i];
		}
	return t;
}

const char *
dmarc_parse(struct dmarc_rec *r, const char *s, size_t n)
{
	struct taglist l;
	const struct tag *t;
	const char *why;
	int p = -1, sp = -1, bad = 0, twice = 0;
	unsigned long v;

	r->p = r->sp = DMARC_P_NONE;
	r->adkim_strict = r->aspf_strict = 0;
	r->pct = 100;
	if (!dmarc_is_record(s, n))
		return "not a DMARC record: v=DMARC1 must come first";
	if ((why = taglist_parse(&l, s, n)) != NULL)
		return why;
	get(&l, "v", &twice);
	if ((t = get(&l, "p", &twice)) == NULL)
		bad = 1;
	else if ((p = policy(t)) == -1)
		bad = 2;
	if ((t = get(&l, "sp", &twice)) != NULL && (sp = policy(t)) == -1)
		bad = 3;
	get(&l, "adkim", &twice);
	get(&l, "aspf", &twice);
	get(&l, "pct", &twice);
	if (twice)
		return "a tag given twice";
	if (bad) {
		/* 6.6.3 step 6: as if "v=DMARC1; p=none" */
		if ((t = get(&l, "rua", &twice)) != NULL && rua_valid(t))
			return NULL;
		return bad == 1 ? "no p= and no valid rua=" :
		    bad == 2 ? "an invalid p= and no valid rua=" :
		    "an invalid sp= and no valid rua=";
	}
	r->p = p;
	r->sp = sp == -1 ? p : sp;
	if ((t = get(&l, "adkim", &twice)) != NULL && mode(t) != -1)
		r->adkim_strict = mode(t);
	if ((t = get(&l, "aspf", &twice)) != NULL && mode(t) != -1)
		r->aspf_strict = mode(t);
	if ((t = get(&l, "pct", &twice)) != NULL && t->vlen > 0 &&
	    t->vlen <= 3) {
		size_t i;
		for (i = 0, v = 0; i < t->vlen && scan_digit(t->val[i]); i++)
			v = v * 10 + (unsigned long)(t->val[i] - '0');
		if (i == t->vlen && v <= 100)
			r->pct = (unsigned)v;
	}
	return NULL;
}

const char *
dmarc_policy_name(int p)
{
	return p == DMARC_P_REJECT ? "reject" : p == DMARC_P_QUARANTINE ?
	    "quarantine" : "none";
}

const char *
dmarc_result_name(int result)
{
	static const char *const name[] = { "none", "pass", "fail",
	    "temperror", "permerror" };

	return result >= 0 && result <= DMARC_PERMERROR ? name[result] :
	    "permerror";
}

static void say(struct dmarc_out *, const char *, ...)
	__attribute__((format(printf, 2, 3)));

static void
say(struct dmarc_out *o, const char *fmt, ...)
{
	va_list ap;

	/* a cut reason is still a reason */
	va_start(ap, fmt);
	if (vsnprintf(o->why, sizeof o->why, fmt, ap) < 0)
		o->why[0] = '\0';
	va_end(ap);
}

/* The DMARC records at _dmarc.<domain> (6.6.3 steps 1-2): DNS_OK with
 * *n records found, the first at *rec, or DNS_TEMP. A name that does
 * not exist or has no TXT record has none. */
static int
lookup(const struct dns_ops *dns, const char *domain, struct dns_txt *t,
    size_t *n, const char **rec, size_t *len)
{
	char name[DNS_NAME_MAX + 1];
	size_t i;
	int r;

	*n = 0;
	if ((size_t)snprintf(name, sizeof name, "_dmarc.%s", domain) >=
	    sizeof name || strlen(name) > 253)
		return DNS_OK;          /* no such name can exist */
	t->want = "v=DMARC1";           /* 6.6.3: other records are not */
	r = dns->txt(dns->ctx, name, t);
	if (r == DNS_TEMP)
		return DNS_TEMP;
	if (r != DNS_OK)
		return DNS_OK;
	for (i = 0; i < t->n; i++)
		if (dmarc_is_record(t->rec[i], t->len[i])) {
			if ((*n)++ == 0) {
				*rec = t->rec[i];
				*len = t->len[i];
			}
		}
	return DNS_OK;
}

/* Where the public suffix list comes from: given, or loaded by get on
 * first need, so that mail whose identifiers equal its From: domain,
 * with a record at that very name, never needs the list. */
struct src {
	const struct psl *(*get)(void *);
	void *ctx;
	const struct psl *p;
};

static const struct psl *
list(struct src *s)
{
	if (s->p == NULL && s->get != NULL)
		s->p = s->get(s->ctx);
	return s->p;
}

/* The organizational domain of the From: domain into o->org, once:
 * 0, or -1 when name is none. */
static int
org_of(struct src *s, const char *from, struct dmarc_out *o)
{
	const struct psl *p;

	if (o->org[0])
		return 0;
	if ((p = list(s)) == NULL)
		return -1;
	return psl_org(p, from, o->org, sizeof o->org);
}

/* Identifier alignment (3.1): in strict mode the same name, in relaxed
 * mode the same organizational domain. */
static int
aligned(struct src *s, const char *d, const char *from,
    struct dmarc_out *o, int strict)
{
	char od[256];
	const struct psl *p;

	if (d == NULL || *d == '\0')
		return 0;
	if (strcasecmp(d, from) == 0)
		return 1;
	if (strict || org_of(s, from, o) == -1 || (p = list(s)) == NULL)
		return 0;
	return psl_org(p, d, od, sizeof od) == 0 && strcmp(od, o->org) == 0;
}

/* pct= (6.6.4): whether this failure is left out of the policy. */
static int
sampled_out(unsigned pct)
{
	unsigned r;

	if (pct >= 100)
		return 0;
	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
		r = (unsigned)random();
	return r % 100 >= pct;
}

static int
check(const struct dmarc_in *in, struct src *src, int eager,
    const struct dns_ops *dns, struct dmarc_out *o)
{
	static struct dns_txt t;
	char from[256];
	const char *rec = NULL, *why, *d = NULL;
	size_t n, len = 0, i;
	int spf, dkim = 0;

	memset(o, 0, sizeof *o);
	o->result = DMARC_NONE;
	o->rec.pct = 100;
	if (in->from == NULL || strlen(in->from) >= sizeof from ||
	    !dns_name_ok(in->from) || (eager && org_of(src, in->from, o) ==
	    -1)) {
		say(o, "the From: domain is not a domain name");
		return o->result = DMARC_PERMERROR;
	}
	for (i = 0; in->from[i]; i++)
		from[i] = (char)(in->from[i] >= 'A' && in->from[i] <= 'Z' ?
		    in->from[i] + 32 : in->from[i]);
	from[i] = '\0';

	/* policy discovery, 6.6.3 */
	if (lookup(dns, from, &t, &n, &rec, &len) == DNS_TEMP) {
		say(o, "lookup of _dmarc.%s failed for now", from);
		return o->result = DMARC_TEMPERROR;
	}
	if (n == 0 && org_of(src, from, o) == -1) {
		say(o, "the From: domain is not a domain name");
		return o->result = DMARC_PERMERROR;
	}
	if (n == 0 && strcmp(from, o->org) != 0) {
		o->at_org = 1;
		if (lookup(dns, o->org, &t, &n, &rec, &len) == DNS_TEMP) {
			say(o, "lookup of _dmarc.%s failed for now",
			    o->org);
			return o->result = DMARC_TEMPERROR;
		}
	}
	if (n == 0) {
		o->at_org = 0;
		say(o, "no DMARC record");
		return o->result = DMARC_NONE;
	}
	if (n > 1) {
		say(o, "more than one DMARC record at _dmarc.%s",
		    o->at_org ? o->org : from);
		return o->result = DMARC_NONE;
	}
	fmt_safe(o->record, sizeof o->record, rec, len);
	if ((why = dmarc_parse(&o->rec, rec, len)) != NULL) {
		say(o, "a bad record at _dmarc.%s: %s",
		    o->at_org ? o->org : from, why);
		return o->result = DMARC_PERMERROR;
	}
	o->policy = o->at_org ? o->rec.sp : o->rec.p;

	/* alignment, 3.1 */
	spf = in->spf.pass && aligned(src, in->spf.domain, from, o,
	    o->rec.aspf_strict);
	for (i = 0; i < in->ndkim && !dkim; i++)
		if (in->dkim[i].pass && aligned(src, in->dkim[i].domain, from,
		    o, o->rec.adkim_strict)) {
			dkim = 1;
			d = in->dkim[i].domain;
		}
	if (spf || dkim) {
		if (spf && dkim)
			say(o, "spf and dkim d=%s aligned", d);
		else if (spf)
			say(o, "spf aligned");
		else
			say(o, "dkim d=%s aligned", d);
		return o->result = DMARC_PASS;
	}
	o->sampled_out = o->policy != DMARC_P_NONE &&
	    sampled_out(o->rec.pct);
	say(o, "no aligned pass%s", o->sampled_out ? ", sampled out by "
	    "pct=" : "");
	return o->result = DMARC_FAIL;
}

int
dmarc_check(const struct dmarc_in *in, const struct psl *psl,
    const struct dns_ops *dns, struct dmarc_out *o)
{
	struct src src = { NULL, NULL, psl };

	return check(in, &src, 1, dns, o);
}

int
dmarc_check_lazy(const struct dmarc_in *in,
    const struct psl *(*load)(void *), void *ctx, const struct dns_ops *dns,
    struct dmarc_out *o)
{
	struct src src = { load, ctx, NULL };

	return check(in, &src, 0, dns, o);
}
