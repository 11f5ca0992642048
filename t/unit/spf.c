/* unit tests for lib/spf.c: RFC 7208 check_host() over an in-memory DNS */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "spf.h"
#include "../tap.h"

/* The zone: "T" TXT, "A", "AAAA", "MX" ("host"), "PTR" (name is the
 * address), "TEMP" (every query of the name fails). A name without any
 * record is NXDOMAIN; with others only, NODATA. */
static const struct rr {
	const char *name, *type, *data;
} zone[] = {
	{ "pass.test", "T", "v=spf1 +all" },
	{ "fail.test", "T", "v=spf1 -all" },
	{ "soft.test", "T", "v=spf1 ~all" },
	{ "neutral.test", "T", "v=spf1 ?all" },
	{ "empty.test", "T", "v=SPF1" },
	{ "other.test", "T", "v=spf10 +all" },
	{ "other.test", "T", "some text" },
	{ "two.test", "T", "v=spf1 +all" },
	{ "two.test", "T", "v=spf1 -all" },
	{ "temp.test", "TEMP", "" },
	{ "ip4.test", "T", "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.7 -all" },
	{ "ip6.test", "T", "v=spf1 ip6:2001:db8::/32 -all" },
	{ "a.test", "T", "v=spf1 a -all" },
	{ "a.test", "A", "192.0.2.10" },
	{ "a24.test", "T", "v=spf1 a:a.test/24 -all" },
	{ "adual.test", "T", "v=spf1 a:host6.test/24//64 -all" },
	{ "host6.test", "AAAA", "2001:db8:1:2::1" },
	{ "host6.test", "A", "203.0.113.1" },
	{ "mx.test", "T", "v=spf1 mx -all" },
	{ "mx.test", "MX", "mx1.test" },
	{ "mx.test", "MX", "mx2.test" },
	{ "mx1.test", "A", "192.0.2.31" },
	{ "mx2.test", "A", "192.0.2.32" },
	{ "mx2.test", "AAAA", "2001:db8::32" },
	{ "mx24.test", "T", "v=spf1 mx:mx.test/24 -all" },
	{ "manymx.test", "T", "v=spf1 mx -all" },
	{ "ptr.test", "T", "v=spf1 ptr -all" },
	{ "ptr2.test", "T", "v=spf1 ptr:ptr.test -all" },
	{ "192.0.2.20", "PTR", "host.ptr.test" },
	{ "host.ptr.test", "A", "192.0.2.20" },
	{ "192.0.2.21", "PTR", "liar.ptr.test" },
	{ "liar.ptr.test", "A", "192.0.2.99" },
	{ "exists.test", "T", "v=spf1 exists:%{i}.ex.test -all" },
	{ "192.0.2.1.ex.test", "A", "127.0.0.2" },
	{ "inc.test", "T", "v=spf1 include:ip4.test ~all" },
	{ "incfail.test", "T", "v=spf1 include:fail.test ?all" },
	{ "incnone.test", "T", "v=spf1 include:nothing.test +all" },
	{ "inctemp.test", "T", "v=spf1 include:temp.test +all" },
	{ "incperm.test", "T", "v=spf1 include:two.test +all" },
	{ "minusinc.test", "T", "v=spf1 -include:pass.test +all" },
	{ "redir.test", "T", "v=spf1 redirect=ip4.test" },
	{ "redirnone.test", "T", "v=spf1 redirect=nothing.test" },
	{ "redirlate.test", "T", "v=spf1 +all redirect=fail.test" },
	{ "redirtwice.test", "T", "v=spf1 redirect=a.test redirect=b.test" },
	{ "exptwice.test", "T", "v=spf1 -all exp=a.test exp=b.test" },
	{ "unknownmod.test", "T", "v=spf1 foo=%{d}bar -all x.y-z=1" },
	{ "badafter.test", "T", "v=spf1 +all moo" },
	{ "badip.test", "T", "v=spf1 ip4:192.0.2.04 +all" },
	{ "badcidr.test", "T", "v=spf1 a/33 +all" },
	{ "notop.test", "T", "v=spf1 a:foo +all" },
	{ "badmacro.test", "T", "v=spf1 exists:%{x}.test +all" },
	{ "crt.test", "T", "v=spf1 exists:%{c}.test +all" },
	{ "exp.test", "T", "v=spf1 -ip4:192.0.2.0/24 ?all exp=e.%{d}" },
	{ "e.exp.test", "T", "%{l} at %{i} (%{c}) may not send for %{d}%_%%" },
	{ "expbad.test", "T", "v=spf1 -all exp=e.expbad.test" },
	{ "e.expbad.test", "T", "bad %{q}" },
	{ "exptemp.test", "T", "v=spf1 -all exp=temp.test" },
	{ "redirexp.test", "T", "v=spf1 exp=e.exp.test redirect=fail.test" },
	{ "void2.test", "T", "v=spf1 a:n1.test a:n2.test +all" },
	{ "void3.test", "T", "v=spf1 a:n1.test a:n2.test mx:n3.test +all" },
	{ "loop1.test", "T", "v=spf1 include:loop2.test -all" },
	{ "loop2.test", "T", "v=spf1 include:loop1.test -all" },
	{ "rloop1.test", "T", "v=spf1 redirect=rloop2.test" },
	{ "rloop2.test", "T", "v=spf1 redirect=rloop1.test" },
	{ "atemp.test", "T", "v=spf1 a:temp.test +all" },
	{ "mxtemp.test", "T", "v=spf1 mx:mxt.test +all" },
	{ "mxt.test", "MX", "temp.test" },
	{ "ptrtemp.test", "T", "v=spf1 ptr +all" },
	{ "192.0.2.22", "PTR", "temp.test" },
	{ "192.0.2.22", "PTR", "ok.ptrtemp.test" },
	{ "ok.ptrtemp.test", "A", "192.0.2.22" },
	{ "mapped.test", "T",
	    "v=spf1 ip6:::ffff:192.0.2.0/120 ip4:192.0.2.5 -all" },
	{ "macro.test", "T",
	    "v=spf1 exists:%{ir}.%{v}._spf.%{d2} exists:%{l1r-}.lp.%{d} -all" },
	{ "1.2.0.192.in-addr._spf.macro.test", "A", "127.0.0.2" },
	{ "strong.lp.macro.test", "A", "127.0.0.2" },
	{ "p.test", "T", "v=spf1 exists:%{p}.pp.test -all" },
	{ "host.ptr.test.pp.test", "A", "127.0.0.2" },
	{ "pmany.test", "T", "v=spf1 a:%{p}.pp.test a:%{p}.pp.test "
	    "a:%{p}.pp.test ip4:192.0.2.20 -all" },
	{ "h.test", "T", "v=spf1 a:h1.test a:h2.test a:h3.test a:h4.test "
	    "a:h5.test a:h6.test a:h7.test a:h8.test a:h9.test a:h10.test "
	    "ip4:192.0.2.1 -all" },
	{ "h11.test", "T", "v=spf1 a:h1.test a:h2.test a:h3.test a:h4.test "
	    "a:h5.test a:h6.test a:h7.test a:h8.test a:h9.test a:h10.test "
	    "a:h11.test ip4:192.0.2.1 -all" },
	{ "h1.test", "A", "203.0.113.1" }, { "h2.test", "A", "203.0.113.1" },
	{ "h3.test", "A", "203.0.113.1" }, { "h4.test", "A", "203.0.113.1" },
	{ "h5.test", "A", "203.0.113.1" }, { "h6.test", "A", "203.0.113.1" },
	{ "h7.test", "A", "203.0.113.1" }, { "h8.test", "A", "203.0.113.1" },
	{ "h9.test", "A", "203.0.113.1" }, { "h10.test", "A", "203.0.113.1" },
	{ "h11.test", "A", "203.0.113.1" },
	{ "afteronly.test", "T", "v=spf1 ip4:192.0.2.1 a:h1.test a:h2.test "
	    "a:h3.test a:h4.test a:h5.test a:h6.test a:h7.test a:h8.test "
	    "a:h9.test a:h10.test a:h11.test -all" },
	{ "case.test", "T", "V=SpF1 IP4:192.0.2.1 -ALL" },
	{ "long.test", "T",
	    "v=spf1 exists:%{l}.%{l}.%{l}.%{l}.%{l}.long.test -all" },
	{ "tab.test", "T", "v=spf1 +all\t-all" },
	{ "tab2.test", "T", "v=spf1\t+all" },
	{ "pvoid.test", "T", "v=spf1 a:%{p}.pv.test a:%{p}.pv.test "
	    "a:%{p}.pv.test +all" },
	{ "unknown.pv.test", "A", "203.0.113.1" },
};
#define NZONE (sizeof zone / sizeof zone[0])

static int mxcount;

static int
has(const char *name)
{
	size_t i;

	for (i = 0; i < NZONE; i++)
		if (strcasecmp(zone[i].name, name) == 0)
			return 1;
	return 0;
}

static int
temp(const char *name)
{
	size_t i;

	for (i = 0; i < NZONE; i++)
		if (strcasecmp(zone[i].name, name) == 0 &&
		    strcmp(zone[i].type, "TEMP") == 0)
			return 1;
	return 0;
}

static int
m_txt(void *ctx, const char *name, struct dns_txt *t)
{
	size_t i, used = 0, len;

	(void)ctx;
	t->n = t->skipped = 0;
	if (temp(name))
		return DNS_TEMP;
	for (i = 0; i < NZONE; i++) {
		if (strcasecmp(zone[i].name, name) || strcmp(zone[i].type, "T"))
			continue;
		len = strlen(zone[i].data);
		memcpy(t->buf + used, zone[i].data, len + 1);
		t->rec[t->n] = t->buf + used;
		t->len[t->n++] = len;
		used += len + 1;
	}
	return t->n ? DNS_OK : has(name) ? DNS_NONE : DNS_NXDOMAIN;
}

static int
m_addr(void *ctx, const char *host, int family, struct dns_ip *ip,
    size_t max, size_t *n)
{
	size_t i;

	(void)ctx;
	*n = 0;
	if (temp(host))
		return DNS_TEMP;
	for (i = 0; i < NZONE && *n < max; i++) {
		if (strcasecmp(zone[i].name, host))
			continue;
		if (family == AF_INET && strcmp(zone[i].type, "A") == 0) {
			ip[*n].family = AF_INET;
			inet_pton(AF_INET, zone[i].data, ip[*n].a);
			++*n;
		}
		if (family == AF_INET6 && strcmp(zone[i].type, "AAAA") == 0) {
			ip[*n].family = AF_INET6;
			inet_pton(AF_INET6, zone[i].data, ip[*n].a);
			++*n;
		}
	}
	return *n ? DNS_OK : has(host) ? DNS_NONE : DNS_NXDOMAIN;
}

static int
m_mx(void *ctx, const char *domain, struct dns_mx *mx, size_t max,
    size_t *n)
{
	size_t i;

	(void)ctx;
	*n = 0;
	if (temp(domain))
		return DNS_TEMP;
	if (strcmp(domain, "manymx.test") == 0) {
		for (i = 0; i < 11 && *n < max; i++) {
			mx[*n].pref = 10;
			snprintf(mx[*n].host, sizeof mx[*n].host, "m%zu.test",
			    i);
			++*n;
		}
		return DNS_OK;
	}
	for (i = 0; i < NZONE && *n < max; i++)
		if (strcasecmp(zone[i].name, domain) == 0 &&
		    strcmp(zone[i].type, "MX") == 0) {
			mx[*n].pref = 10;
			snprintf(mx[*n].host, sizeof mx[*n].host, "%s",
			    zone[i].data);
			++*n;
		}
	mxcount++;
	return *n ? DNS_OK : has(domain) ? DNS_NONE : DNS_NXDOMAIN;
}

static unsigned ptr_queries;

static int
m_ptr(void *ctx, const struct dns_ip *ip, char (*name)[DNS_NAME_MAX + 1],
    size_t max, size_t *n)
{
	char a[64];
	size_t i;

	(void)ctx;
	*n = 0;
	ptr_queries++;
	inet_ntop(ip->family, ip->a, a, sizeof a);
	for (i = 0; i < NZONE && *n < max; i++)
		if (strcmp(zone[i].name, a) == 0 &&
		    strcmp(zone[i].type, "PTR") == 0)
			snprintf(name[(*n)++], DNS_NAME_MAX + 1, "%s",
			    zone[i].data);
	return *n ? DNS_OK : DNS_NXDOMAIN;
}

static const struct dns_ops mem = { m_txt, m_addr, m_mx, m_ptr, NULL };
static struct spf_out o;

/* check_host() for the MAIL FROM identity of sender from ip */
static const char *
R(const char *ip, const char *sender)
{
	struct spf_req r;
	const char *at = strrchr(sender, '@');

	memset(&r, 0, sizeof r);
	if (dns_ip_parse(ip, &r.ip) == -1)
		return "bad ip";
	r.sender = sender;
	r.helo = "helo.test";
	r.domain = at ? at + 1 : sender;
	r.receiver = "mx.receiver.test";
	r.now = 1700000000;
	return spf_result_name(spf_check(&r, &mem, &o));
}

static const char *
M(const char *in, const char *ip, int exp)
{
	static char out[300];
	struct spf_req r;
	const char *why;

	memset(&r, 0, sizeof r);
	dns_ip_parse(ip, &r.ip);
	r.sender = "strong-bad@email.example.com";
	r.helo = "mx.example.org";
	r.receiver = "example.net";
	r.now = 1234;
	if (spf_macro(in, strlen(in), &r, "email.example.com", exp, out,
	    sizeof out, &why) == -1)
		return why;
	return out;
}

static const char *
C(const char *rec)
{
	const char *why = spf_record_check(rec, strlen(rec));
	return why ? "bad" : "ok";
}

int
main(void)
{
	static const char *const rfc[][2] = {   /* RFC 7208 7.4 */
		{ "%{s}", "strong-bad@email.example.com" },
		{ "%{o}", "email.example.com" },
		{ "%{d}", "email.example.com" },
		{ "%{d4}", "email.example.com" },
		{ "%{d3}", "email.example.com" },
		{ "%{d2}", "example.com" },
		{ "%{d1}", "com" },
		{ "%{dr}", "com.example.email" },
		{ "%{d2r}", "example.email" },
		{ "%{l}", "strong-bad" },
		{ "%{l-}", "strong.bad" },
		{ "%{lr}", "strong-bad" },
		{ "%{lr-}", "bad.strong" },
		{ "%{l1r-}", "strong" },
		{ "%{ir}.%{v}._spf.%{d2}",
		    "3.2.0.192.in-addr._spf.example.com" },
		{ "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com" },
		{ "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
		    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
		{ "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
		    "3.2.0.192.in-addr.strong.lp._spf.example.com" },
		{ "%{d2}.trusted-domains.example.net",
		    "example.com.trusted-domains.example.net" },
	};
	char big[610];
	size_t i;

	plan(138);
	for (i = 0; i < sizeof rfc / sizeof rfc[0]; i++)
		is_str(M(rfc[i][0], "192.0.2.3", 0), rfc[i][1], rfc[i][0]);
	is_str(M("%{ir}.%{v}._spf.%{d2}", "2001:db8::cb01", 0),
	    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
	    ".ip6._spf.example.com", "7.4: IPv6 %{ir}");
	is_str(M("%{c} %{r} %{t} %%%_%-", "2001:db8::cb01", 1),
	    "2001:db8::cb01 example.net 1234 % %20", "%{c} %{r} %{t} in exp");
	is_str(M("%{c}.example.com", "192.0.2.3", 0),
	    "macro c, r or t outside an explanation", "%{c} only in exp");
	is_str(M("%{L}.x.test", "192.0.2.3", 0), "strong-bad.x.test",
	    "upper case: unreserved characters stay");
	is_str(M("%{S}", "192.0.2.3", 1), "strong-bad%40email.example.com",
	    "upper case: '@' is URL-escaped");
	is_str(M("%{d0}", "192.0.2.3", 0), "macro transformer 0",
	    "transformer 0 is an error");
	is_str(M("%{d;}", "192.0.2.3", 0), "bad macro", "bad delimiter");
	is_str(M("%{d", "192.0.2.3", 0), "unterminated macro",
	    "unterminated");
	is_str(M("a%b.test", "192.0.2.3", 0), "bad macro", "'%' then 'b'");
	is_str(M("%{p}.test", "192.0.2.3", 0), "unknown.test",
	    "%{p} without DNS is unknown");
	is_str(M("%{o-}", "192.0.2.3", 0), "email.example.com",
	    "parts joined with '.'");
	is_str(M("%{i}", "::ffff:192.0.2.3", 0), "192.0.2.3",
	    "an IPv4-mapped address is IPv4");
	is_str(M("x.test.", "192.0.2.3", 0), "x.test", "trailing dot dropped");
	memset(big, 'a', sizeof big);
	for (i = 60; i < 590; i += 61)
		big[i] = '.';
	memcpy(big + 590, ".long.test", 11);
	ok(strlen(M(big, "192.0.2.3", 0)) <= 253 &&
	    strcmp(M(big, "192.0.2.3", 0) + strlen(M(big, "192.0.2.3", 0)) -
	    10, ".long.test") == 0, "over 253 octets: labels cut on the left");
	ok(M(big, "192.0.2.3", 0)[0] != '.' &&
	    strlen(M(big, "192.0.2.3", 0)) > 200, "whole labels kept");

	is_str(C("v=spf1"), "ok", "record: version only");
	is_str(C("v=spf1 a/24//64 mx:%{d}/0 ptr ip6:::1/128 -all"), "ok",
	    "record: cidrs");
	is_str(C("v=spf1 ip4:1.2.3.4//24"), "bad", "record: ip4 dual cidr");
	is_str(C("v=spf1 ip6:1:2::/129"), "bad", "record: ip6 /129");
	is_str(C("v=spf1 a:example.com:8080"), "bad", "record: port");
	is_str(C("v=spf1 -all:x"), "bad", "record: all with argument");
	is_str(C("v=spf1 include"), "bad", "record: include without domain");
	is_str(C("v=spf1 exists:1.2.3.4"), "bad", "record: numeric top label");
	is_str(C("v=spf1 a:x.1-2"), "ok", "record: top label with '-'");
	is_str(C("v=spf1 =a"), "bad", "record: bad qualifier");
	is_str(C("v=spf1 redirect=%{d}.x.test exp=%{d2}"), "ok",
	    "record: modifiers with macros");
	is_str(C("v=spf1 mx:a.test/24/"), "bad", "record: trailing '/'");
	is_str(C("v=spf1 ip4:300.1.1.1"), "bad", "record: octet over 255");

	is_str(R("192.0.2.1", "x@pass.test"), "pass", "+all");
	is_str(R("192.0.2.1", "x@fail.test"), "fail", "-all");
	is_str(R("192.0.2.1", "x@soft.test"), "softfail", "~all");
	is_str(R("192.0.2.1", "x@neutral.test"), "neutral", "?all");
	is_str(R("192.0.2.1", "x@empty.test"), "neutral",
	    "no mechanism: neutral, version case-insensitive");
	is_str(o.why, "empty.test: no mechanism matched", "why: default");
	is_str(R("192.0.2.1", "x@other.test"), "none", "v=spf10 is no record");
	is_str(R("192.0.2.1", "x@two.test"), "permerror", "two records");
	is_str(R("192.0.2.1", "x@nothing.test"), "none", "NXDOMAIN: none");
	is_str(R("192.0.2.1", "x@h1.test"), "none", "no TXT: none");
	is_str(R("192.0.2.1", "x@temp.test"), "temperror", "TXT failure");
	is_str(R("192.0.2.1", "x@single"), "none", "a single label: none");
	is_str(R("192.0.2.1", "x@tab.test"), "permerror",
	    "a tab is no separator");
	is_str(R("192.0.2.1", "x@tab2.test"), "none",
	    "v=spf1 and a tab: no record");
	is_str(R("192.0.2.1", "x@case.test"), "pass", "names in any case");

	is_str(R("192.0.2.99", "x@ip4.test"), "pass", "ip4 /24");
	is_str(o.why, "ip4.test: mechanism ip4:192.0.2.0/24 matched",
	    "why: the mechanism");
	is_str(R("198.51.100.7", "x@ip4.test"), "pass", "ip4 /32");
	is_str(R("198.51.100.8", "x@ip4.test"), "fail", "ip4 no match");
	is_str(R("2001:db8::1", "x@ip4.test"), "fail", "ip4 and IPv6 client");
	is_str(R("::ffff:192.0.2.7", "x@ip4.test"), "pass",
	    "IPv4-mapped client matches ip4");
	is_str(R("2001:db8:ff::1", "x@ip6.test"), "pass", "ip6 /32");
	is_str(R("2001:db9::1", "x@ip6.test"), "fail", "ip6 no match");
	is_str(R("::ffff:192.0.2.9", "x@mapped.test"), "fail",
	    "IPv4-mapped client does not match ip6");
	is_str(R("192.0.2.5", "x@mapped.test"), "pass",
	    "IPv4 client, ip4 after ip6");

	is_str(R("192.0.2.10", "x@a.test"), "pass", "a");
	is_str(R("192.0.2.11", "x@a.test"), "fail", "a no match");
	is_str(R("192.0.2.200", "x@a24.test"), "pass", "a:domain/24");
	is_str(R("2001:db8:1:2::99", "x@adual.test"), "pass",
	    "a dual cidr: //64 for IPv6");
	is_str(R("203.0.113.200", "x@adual.test"), "pass",
	    "a dual cidr: /24 for IPv4");
	is_str(R("2001:db8:1:3::1", "x@adual.test"), "fail",
	    "a dual cidr: outside the /64");

	is_str(R("192.0.2.32", "x@mx.test"), "pass", "mx");
	is_str(R("2001:db8::32", "x@mx.test"), "pass", "mx, IPv6");
	is_str(R("192.0.2.33", "x@mx.test"), "fail", "mx no match");
	is_str(R("192.0.2.250", "x@mx24.test"), "pass", "mx:domain/24");
	is_str(R("192.0.2.250", "x@manymx.test"), "permerror",
	    "more than 10 MX names");

	ptr_queries = 0;
	is_str(R("192.0.2.20", "x@pmany.test"), "pass", "%{p} in many terms");
	is_int((int)ptr_queries, 1, "asks for the client's names once");
	is_str(R("192.0.2.20", "x@ptr.test"), "pass", "ptr");
	is_str(R("192.0.2.20", "x@ptr2.test"), "pass", "ptr:domain");
	is_str(R("192.0.2.21", "x@ptr.test"), "fail",
	    "ptr whose name does not lead back");
	is_str(R("192.0.2.23", "x@ptr.test"), "fail", "no PTR record");
	is_str(R("192.0.2.22", "x@ptrtemp.test"), "pass",
	    "ptr: a failing address lookup skips that name (5.5)");

	is_str(R("192.0.2.1", "x@exists.test"), "pass", "exists with %{i}");
	is_str(R("192.0.2.2", "x@exists.test"), "fail", "exists no match");
	is_str(R("192.0.2.1", "strong-bad@macro.test"), "pass",
	    "exists with %{ir}.%{v}._spf.%{d2}");
	is_str(R("192.0.2.9", "strong-bad@macro.test"), "pass",
	    "exists with %{l1r-}");
	is_str(R("192.0.2.20", "x@p.test"), "pass", "%{p} validated name");
	is_str(R("192.0.2.21", "x@p.test"), "fail", "%{p} unknown");

	is_str(R("192.0.2.1", "x@inc.test"), "pass", "include pass");
	is_str(R("203.0.113.1", "x@inc.test"), "softfail",
	    "include fail: no match");
	is_str(R("192.0.2.1", "x@incfail.test"), "neutral",
	    "include of -all: no match");
	is_str(R("192.0.2.1", "x@incnone.test"), "permerror",
	    "include without record");
	is_str(R("192.0.2.1", "x@inctemp.test"), "temperror",
	    "include temperror");
	is_str(R("192.0.2.1", "x@incperm.test"), "permerror",
	    "include permerror");
	is_str(R("192.0.2.1", "x@minusinc.test"), "fail",
	    "qualifier on include");
	is_str(R("192.0.2.1", "x@loop1.test"), "permerror", "include loop");

	is_str(R("192.0.2.1", "x@redir.test"), "pass", "redirect");
	is_str(R("203.0.113.1", "x@redir.test"), "fail", "redirect fail");
	is_str(R("192.0.2.1", "x@redirnone.test"), "permerror",
	    "redirect without record");
	is_str(R("192.0.2.1", "x@redirlate.test"), "pass",
	    "redirect after a match is not used");
	is_str(R("192.0.2.1", "x@redirtwice.test"), "permerror",
	    "redirect twice");
	is_str(R("192.0.2.1", "x@rloop1.test"), "permerror", "redirect loop");
	is_str(R("192.0.2.1", "x@exptwice.test"), "permerror", "exp twice");
	is_str(R("192.0.2.1", "x@unknownmod.test"), "fail",
	    "unknown modifiers ignored");

	is_str(R("192.0.2.1", "x@badafter.test"), "permerror",
	    "syntax error after the match");
	is_str(R("192.0.2.1", "x@badip.test"), "permerror", "ip4 leading 0");
	is_str(R("192.0.2.1", "x@badcidr.test"), "permerror", "a/33");
	is_str(R("192.0.2.1", "x@notop.test"), "permerror", "a:foo");
	is_str(R("192.0.2.1", "x@badmacro.test"), "permerror", "%{x}");
	is_str(R("192.0.2.1", "x@crt.test"), "permerror", "%{c} outside exp");

	is_str(R("192.0.2.7", "jo@exp.test"), "fail", "exp: fail");
	is_str(o.exp, "jo at 192.0.2.7 (192.0.2.7) may not send for "
	    "exp.test %", "exp: expanded");
	is_str(R("203.0.113.1", "jo@exp.test"), "neutral", "exp: neutral");
	is_str(o.exp, "", "exp: none unless fail");
	is_str(R("192.0.2.1", "x@expbad.test"), "fail", "exp: bad macro");
	is_str(o.exp, "", "exp: bad macro gives no explanation");
	is_str(R("192.0.2.1", "x@exptemp.test"), "fail", "exp: DNS failure");
	is_str(R("192.0.2.1", "x@redirexp.test"), "fail", "redirect, exp");
	is_str(o.exp, "", "exp of the original domain not used on redirect");

	is_str(R("192.0.2.1", "x@void2.test"), "pass", "2 void lookups");
	is_str(R("192.0.2.1", "x@void3.test"), "permerror", "3 void lookups");
	is_str(R("192.0.2.23", "x@pvoid.test"), "pass",
	    "%{p} in three terms: the client's names asked once");
	is_int(o.voids, 1, "one void lookup counted for them");
	is_str(R("192.0.2.1", "x@h.test"), "pass", "10 lookups");
	is_int(o.lookups, 10, "lookups counted");
	is_str(R("192.0.2.1", "x@h11.test"), "permerror", "11th lookup");
	is_str(R("192.0.2.1", "x@afteronly.test"), "pass",
	    "terms after the match are not counted");
	is_str(R("192.0.2.1", "x@atemp.test"), "temperror", "a temperror");
	is_str(R("192.0.2.1", "x@mxtemp.test"), "temperror",
	    "temperror on an MX name's address");
	is_str(R("192.0.2.1", "strong-bad@long.test"), "fail",
	    "a long expansion is cut, not an error");
	return done();
}
