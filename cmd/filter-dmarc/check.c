/*
 * filter-dmarc's checks: SPF for the MAIL FROM and HELO identities
 * (RFC 7208 2.3, 2.4), every DKIM signature (RFC 6376), DMARC for the
 * From: domain (RFC 7489), and the Authentication-Results field that
 * reports them (RFC 8601). See fdmarc.h.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "fdmarc.h"
#include "fmt.h"
#include "hdr.h"

int
check_from(const char *msg, size_t n, char *dom, size_t size, char *why,
    size_t wsize)
{
	const char *bad = hdr_from_domain(msg, n, dom, size), *p;
	char a[256];

	if (bad != NULL) {
		fmt_s(why, wsize, "%s", bad);
		return 0;
	}
	/* a UTF-8 domain (SMTPUTF8) publishes its records under its
	 * A-labels: look there, or a forger's IDN would find no policy */
	for (p = dom; *p && (unsigned char)*p < 0x80; p++)
		;
	if (*p && (psl_alabels(dom, a, sizeof a) == -1 ||
	    fmt_s(dom, size, "%s", a) < 0)) {
		fmt_s(why, wsize, "From: domain not convertible to A-labels");
		return 0;
	}
	return 1;
}

/* The domain part of an address, or NULL. */
static const char *
domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at && at[1] ? at + 1 : NULL;
}

static int
helo_is_name(const char *helo)
{
	return helo && *helo && *helo != '[' &&
	    addr_domain_check(helo, strlen(helo), 0) == NULL &&
	    strchr(helo, '.') != NULL;
}

static void
spf_both(struct checks *c, const char *me, const struct dns_ops *dns)
{
	const char *sender = getenv("SENDER"), *helo = getenv("HELO");
	const char *ip = getenv("CLIENT_IP"), *dom;
	struct spf_req r;
	char pm[300];

	memset(&r, 0, sizeof r);
	c->spf.result = c->helo.result = SPF_NONE;
	if (ip == NULL || dns_ip_parse(ip, &r.ip) == -1) {
		fmt_s(c->spf.why, sizeof c->spf.why, "no client address");
		return;
	}
	c->have_ip = 1;
	r.helo = helo ? helo : "";
	r.receiver = me;
	r.now = time(NULL);
	if (helo_is_name(helo)) {
		fmt_s(pm, sizeof pm, "postmaster@%s", helo);
		r.sender = pm;
		r.domain = helo;
		fmt_s(c->heloname, sizeof c->heloname, "%s", helo);
		spf_check(&r, dns, &c->helo);
		c->helo_checked = 1;
	}
	if (sender && *sender && (dom = domain_of(sender)) != NULL) {
		const char *p;
		fmt_s(c->mailfrom, sizeof c->mailfrom, "%s", sender);
		fmt_s(c->spfdomain, sizeof c->spfdomain, "%s", dom);
		/* RFC 8616 3: a UTF-8 domain (SMTPUTF8) is looked up, and
		 * aligned with From:'s, under its A-labels */
		for (p = dom; *p && (unsigned char)*p < 0x80; p++)
			;
		if (*p && psl_alabels(dom, c->spfdomain,
		    sizeof c->spfdomain) == -1) {
			c->spfdomain[0] = '\0';
			fmt_s(c->spf.why, sizeof c->spf.why, "MAIL FROM domain "
			    "not convertible to A-labels");
		} else {
			r.sender = sender;
			r.domain = c->spfdomain;
			spf_check(&r, dns, &c->spf);
		}
	} else if (c->helo_checked) {
		/* the null sender: the MAIL FROM identity is postmaster@helo
		 * (RFC 7208 2.4), already checked */
		fmt_s(c->mailfrom, sizeof c->mailfrom, "%s", pm);
		fmt_s(c->spfdomain, sizeof c->spfdomain, "%s", helo);
		c->spf = c->helo;
	} else
		fmt_s(c->spf.why, sizeof c->spf.why, "no domain to check");
	for (char *p = c->spfdomain; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

static int
same_org(const struct psl *(*load)(void *), const char *a, const char *b)
{
	const struct psl *psl;
	char oa[256], ob[256];

	if (*a && strcasecmp(a, b) == 0)
		return 1;
	return *a && (psl = load(NULL)) != NULL &&
	    psl_org(psl, a, oa, sizeof oa) == 0 &&
	    psl_org(psl, b, ob, sizeof ob) == 0 && strcmp(oa, ob) == 0;
}

void
check_all(struct checks *c, const char *msg, size_t n, const char *me,
    const struct dns_ops *dns, const struct psl *(*load)(void *))
{
	struct dmarc_id ids[DKIM_SIGS_MAX];
	struct dmarc_in in;
	size_t i, k = 0;

	memset(c, 0, sizeof *c);
	spf_both(c, me, dns);
	c->ndkim = dkim_verify(msg, n, dns, time(NULL), c->dkim,
	    DKIM_SIGS_MAX);
	c->from_ok = check_from(msg, n, c->from, sizeof c->from, c->fromwhy,
	    sizeof c->fromwhy);
	if (!c->from_ok)
		return;
	for (i = 0; i < c->ndkim; i++)
		if (c->dkim[i].res == DKIM_PASS && c->dkim[i].d[0]) {
			ids[k].pass = 1;
			ids[k++].domain = c->dkim[i].d;
		}
	/* a check that failed for now counts where its identity could
	 * align with From: (the same organizational domain); a forger's
	 * broken signature of another domain cannot turn a reject into a
	 * deferral */
	c->temp = c->spf.result == SPF_TEMPERROR &&
	    same_org(load, c->spfdomain, c->from);
	for (i = 0; i < c->ndkim; i++)
		c->temp |= c->dkim[i].res == DKIM_TEMPERROR &&
		    same_org(load, c->dkim[i].d, c->from);
	memset(&in, 0, sizeof in);
	in.from = c->from;
	in.spf.pass = c->spf.result == SPF_PASS;
	in.spf.domain = c->spfdomain;
	in.dkim = ids;
	in.ndkim = k;
	dmarc_check_lazy(&in, load, NULL, dns, &c->dmarc);
	c->dmarc_checked = 1;
}

/* A method's result: "; method=result" on a new folded line. */
static int
start(struct buf *b, const char *method, const char *result)
{
	return buf_cats(b, ";\n\t") | buf_cats(b, method) |
	    buf_catc(b, '=') | buf_cats(b, result);
}

/* " (text)": a comment of printable ASCII, parentheses and backslashes
 * escaped (RFC 5322 3.2.2). */
static int
comment(struct buf *b, const char *s)
{
	int r = 0;

	if (*s == '\0')
		return 0;
	r |= buf_cats(b, " (");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 32 || ch > 126)
			ch = '?';
		if (ch == '(' || ch == ')' || ch == '\\')
			r |= buf_catc(b, '\\');
		r |= buf_catc(b, (char)ch);
	}
	return r | buf_catc(b, ')');
}

/* " prop=value": the value bare when it is an RFC 2045 token or an
 * address or domain made of atext, else a quoted-string. */
static int
prop(struct buf *b, const char *name, const char *v)
{
	static const char special[] = "()<>,;:\\\"[]?=/ ";
	const char *p;
	int r, bare = *v != '\0';

	for (p = v; *p; p++)
		if ((unsigned char)*p <= 32 || (unsigned char)*p >= 127 ||
		    (strchr(special, *p) && *p != '\0'))
			bare = 0;
	r = buf_catc(b, ' ') | buf_cats(b, name) | buf_catc(b, '=');
	if (bare)
		return r | buf_cats(b, v);
	r |= buf_catc(b, '"');
	for (p = v; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch < 32 || ch > 126)
			ch = '?';
		if (ch == '"' || ch == '\\')
			r |= buf_catc(b, '\\');
		r |= buf_catc(b, (char)ch);
	}
	return r | buf_catc(b, '"');
}

int
check_authres(const struct checks *c, const char *me, struct buf *b)
{
	char why[200];
	size_t i;
	int r;

	r = buf_cats(b, "Authentication-Results: ") | buf_cats(b, me);
	if (c->have_ip) {
		r |= start(b, "spf", spf_result_name(c->spf.result));
		r |= comment(b, c->spf.why);
		if (c->mailfrom[0])
			r |= prop(b, "smtp.mailfrom", c->mailfrom);
		if (c->helo_checked) {
			r |= start(b, "spf", spf_result_name(c->helo.result));
			r |= comment(b, c->helo.why);
			r |= prop(b, "smtp.helo", c->heloname);
		}
	}
	if (c->ndkim == 0)
		r |= start(b, "dkim", "none");
	for (i = 0; i < c->ndkim; i++) {
		const struct dkim_result *d = &c->dkim[i];
		r |= start(b, "dkim", dkim_result_name(d->res));
		r |= comment(b, d->why);
		if (d->d[0])
			r |= prop(b, "header.d", d->d);
		if (d->s[0])
			r |= prop(b, "header.s", d->s);
		if (d->b[0])
			r |= prop(b, "header.b", d->b);
	}
	if (c->dmarc_checked) {
		const struct dmarc_out *o = &c->dmarc;
		r |= start(b, "dmarc", dmarc_result_name(o->result));
		if (o->result == DMARC_PASS || o->result == DMARC_FAIL)
			fmt_s(why, sizeof why, "p=%s%s%s", dmarc_policy_name(
			    o->policy), o->why[0] ? "; " : "", o->why);
		else
			fmt_s(why, sizeof why, "%s", o->why);
		r |= comment(b, why);
		r |= prop(b, "header.from", c->from);
	} else if (!c->from_ok) {
		r |= start(b, "dmarc", "permerror");
		r |= comment(b, c->fromwhy);
	}
	return r | buf_catc(b, '\n');
}

void
check_summary(const struct checks *c, char *dst, size_t size)
{
	char dk[120];
	size_t i, off = 0;

	dk[0] = '\0';
	if (c->ndkim == 0)
		fmt_s(dk, sizeof dk, "none");
	for (i = 0; i < c->ndkim && off + 1 < sizeof dk; i++) {
		if (fmt_s(dk + off, sizeof dk - off, "%s%s", i ? "," : "",
		    dkim_result_name(c->dkim[i].res)) < 0)
			break;
		off += strlen(dk + off);
	}
	fmt_s(dst, size, "spf=%s helo=%s dkim=%s dmarc=%s from=%s",
	    c->have_ip ? spf_result_name(c->spf.result) : "none",
	    c->helo_checked ? spf_result_name(c->helo.result) : "none", dk,
	    c->dmarc_checked ? dmarc_result_name(c->dmarc.result) :
	    c->from_ok ? "none" : "permerror",
	    c->from_ok ? c->from : "-");
}
