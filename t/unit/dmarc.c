/* unit tests for lib/dmarc.c: RFC 7489 records, discovery, alignment */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dmarc.h"
#include "psl.h"
#include "../tap.h"

/* The zone: TXT records by name; "TEMP" answers DNS_TEMP, a name not
 * listed NXDOMAIN. Two entries with one name are two records. */
static const struct { const char *name, *txt; } zone[] = {
	{ "_dmarc.reject.test", "v=DMARC1; p=reject" },
	{ "_dmarc.quar.test", "v=DMARC1; p=quarantine; rua=mailto:a@quar.test" },
	{ "_dmarc.none.test", "v=DMARC1; p=none" },
	{ "_dmarc.sub.test", "v=DMARC1; p=reject; sp=quarantine" },
	{ "_dmarc.own.sub.test", "v=DMARC1; p=none" },
	{ "_dmarc.strict.test", "v=DMARC1; p=reject; adkim=s; aspf=s" },
	{ "_dmarc.two.test", "v=DMARC1; p=reject" },
	{ "_dmarc.two.test", "v=DMARC1; p=none" },
	{ "_dmarc.other.test", "v=spf1 -all" },
	{ "_dmarc.other.test", "v=DMARC1;p=reject" },
	{ "_dmarc.temp.test", "TEMP" },
	{ "_dmarc.x.tempsub.test", "TEMP" },
	{ "_dmarc.pct0.test", "v=DMARC1; p=reject; pct=0" },
	{ "_dmarc.bad.test", "v=DMARC1; p=bogus" },
	{ "_dmarc.badrua.test", "v=DMARC1; p=bogus; rua=mailto:r@badrua.test" },
	{ "_dmarc.v2.test", "v=DMARC2; p=reject" },
	{ "_dmarc.example.co.uk", "v=DMARC1; p=reject; sp=none" },
	{ "_dmarc.nomail.test", "" },
};

static int lookups;

static int
txt(void *ctx, const char *name, struct dns_txt *t)
{
	size_t i, found = 0, off = 0;

	(void)ctx;
	lookups++;
	memset(t, 0, sizeof *t);
	for (i = 0; i < sizeof zone / sizeof zone[0]; i++) {
		size_t l;
		if (strcasecmp(zone[i].name, name) != 0)
			continue;
		found = 1;
		if (strcmp(zone[i].txt, "TEMP") == 0)
			return DNS_TEMP;
		l = strlen(zone[i].txt);
		memcpy(t->buf + off, zone[i].txt, l + 1);
		t->rec[t->n] = t->buf + off;
		t->len[t->n++] = l;
		off += l + 1;
	}
	return found ? DNS_OK : DNS_NXDOMAIN;
}

static const struct dns_ops dns = { .txt = txt };
static struct psl *psl;
static struct dmarc_out o;

static int lazy, loads;

static const struct psl *
load(void *ctx)
{
	(void)ctx;
	loads++;
	return psl;
}

/* dmarc_check (dmarc_check_lazy when lazy) for From: domain from, an SPF pass for spf (NULL: none),
 * DKIM passes for the d= in dkim (comma-separated, NULL: none; a d=
 * starting with '-' failed). */
static int
C(const char *from, const char *spf, const char *dkim)
{
	static char buf[512];
	struct dmarc_id d[8];
	struct dmarc_in in = { .from = from };
	char *s, *save = NULL;

	if (spf)
		in.spf.pass = 1, in.spf.domain = spf;
	if (dkim) {
		snprintf(buf, sizeof buf, "%s", dkim);
		for (s = strtok_r(buf, ",", &save); s && in.ndkim < 8;
		    s = strtok_r(NULL, ",", &save)) {
			d[in.ndkim].pass = *s != '-';
			d[in.ndkim++].domain = s + (*s == '-');
		}
		in.dkim = d;
	}
	lookups = 0;
	if (lazy)
		return dmarc_check_lazy(&in, load, NULL, &dns, &o);
	return dmarc_check(&in, psl, &dns, &o);
}

static const char *
P(struct dmarc_rec *r, const char *s)
{
	return dmarc_parse(r, s, strlen(s));
}

int
main(void)
{
	char path[] = "/tmp/dmarc-unit.XXXXXX";
	const char *why;
	struct dmarc_rec r;
	FILE *f;
	int fd, i, out;

	plan(86);
	/* a list with co.uk, so that example.co.uk is an org domain */
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL ||
	    fputs("test\nuk\nco.uk\n", f) == EOF || fclose(f) == EOF ||
	    psl_load(&psl, path, &why) == -1)
		return 1;
	unlink(path);

	/* dmarc_parse */
	ok(P(&r, "v=DMARC1; p=reject") == NULL && r.p == DMARC_P_REJECT &&
	    r.sp == DMARC_P_REJECT && !r.adkim_strict && !r.aspf_strict &&
	    r.pct == 100, "p=reject, defaults: sp=p, relaxed, pct=100");
	ok(P(&r, "v=DMARC1;p=Quarantine;sp=NONE;adkim=S;aspf=s;pct=25") ==
	    NULL && r.p == DMARC_P_QUARANTINE && r.sp == DMARC_P_NONE &&
	    r.adkim_strict && r.aspf_strict && r.pct == 25,
	    "every tag; values without regard to case");
	ok(P(&r, "v = DMARC1 ; p = none ;") == NULL && r.p == DMARC_P_NONE,
	    "white space around '=' and ';'");
	ok(P(&r, "p=reject; v=DMARC1") != NULL, "v= must come first");
	ok(P(&r, "v=dmarc1; p=reject") != NULL, "the version is exact");
	ok(P(&r, "v=DMARC10; p=reject") != NULL, "DMARC10 is not DMARC1");
	ok(P(&r, "v=DMARC1") != NULL, "no p=");
	ok(P(&r, "v=DMARC1; p=rej") != NULL, "p= invalid");
	ok(P(&r, "v=DMARC1; p=reject; sp=bogus") != NULL, "sp= invalid");
	ok(P(&r, "v=DMARC1; p=bogus; rua=mailto:d@example.org") == NULL &&
	    r.p == DMARC_P_NONE && r.sp == DMARC_P_NONE,
	    "an invalid p= with a valid rua= is p=none (6.6.3)");
	ok(P(&r, "v=DMARC1; rua=mailto:d@example.org!10m, x") == NULL &&
	    r.p == DMARC_P_NONE, "no p= with a valid rua= too");
	ok(P(&r, "v=DMARC1; p=reject; sp=x; rua=mailto:d@example.org") ==
	    NULL && r.p == DMARC_P_NONE && r.sp == DMARC_P_NONE,
	    "an invalid sp= with a valid rua=: p=none");
	ok(P(&r, "v=DMARC1; p=bogus; rua=not a uri") != NULL &&
	    P(&r, "v=DMARC1; p=bogus; rua=1x:y") != NULL &&
	    P(&r, "v=DMARC1; p=bogus; rua=mailto:") != NULL,
	    "an invalid p= with an invalid rua=");
	ok(P(&r, "v=DMARC1; p=reject; pct=101") == NULL && r.pct == 100,
	    "pct=101 is ignored (default 100)");
	ok(P(&r, "v=DMARC1; p=reject; pct=0") == NULL && r.pct == 0,
	    "pct=0");
	ok(P(&r, "v=DMARC1; p=reject; pct=-5") == NULL && r.pct == 100 &&
	    P(&r, "v=DMARC1; p=reject; pct=5x") == NULL && r.pct == 100,
	    "pct= not a number is ignored");
	ok(P(&r, "v=DMARC1; p=reject; adkim=x; aspf=strict") == NULL &&
	    !r.adkim_strict && !r.aspf_strict,
	    "invalid adkim=, aspf= take the default");
	ok(P(&r, "v=DMARC1; p=reject; fo=1:d; rf=afrf; ri=3600; "
	    "ruf=mailto:f@x.test; x=unknown") == NULL && r.p == DMARC_P_REJECT,
	    "other and unknown tags are ignored");
	ok(P(&r, "v=DMARC1; p=reject; p=none") != NULL, "a tag twice");
	ok(P(&r, "V=DMARC1; P=reject; ADKIM=s; Pct=5") == NULL &&
	    r.p == DMARC_P_REJECT && r.adkim_strict && r.pct == 5,
	    "tag names in any case (ABNF strings)");
	ok(P(&r, "v=DMARC1; p=reject; P=none") != NULL,
	    "p= and P= are a tag twice");
	ok(P(&r, "v=DMARC1; p=reject\r\n\tsp=none") != NULL,
	    "no ';' between tags");
	ok(P(&r, "") != NULL, "empty");
	ok(dmarc_is_record("v=DMARC1", 8) && dmarc_is_record("v =\tDMARC1;",
	    11) && !dmarc_is_record(" v=DMARC1", 9) &&
	    !dmarc_is_record("v=DMARC1x", 9) && !dmarc_is_record("v=DMARC", 7),
	    "dmarc_is_record");

	/* dmarc_check: results and policies */
	is_int(C("reject.test", "reject.test", NULL), DMARC_PASS,
	    "SPF pass of the same domain: pass");
	is_str(o.why, "spf aligned", "why: spf");
	is_int(C("reject.test", NULL, "reject.test"), DMARC_PASS,
	    "DKIM pass of the same domain: pass");
	is_str(o.why, "dkim d=reject.test aligned", "why: dkim");
	is_int(C("reject.test", "reject.test", "other.test,reject.test"),
	    DMARC_PASS, "both");
	is_str(o.why, "spf and dkim d=reject.test aligned", "why: both");
	is_int(C("reject.test", "other.test", "other.test"), DMARC_FAIL,
	    "passes of other domains: fail");
	ok(o.policy == DMARC_P_REJECT && !o.sampled_out && !o.at_org,
	    "policy reject, found at the From: domain");
	is_str(o.why, "no aligned pass", "why: no aligned pass");
	is_str(o.record, "v=DMARC1; p=reject", "the record's text");
	is_str(o.org, "reject.test", "the org domain");
	is_int(C("reject.test", NULL, "-reject.test"), DMARC_FAIL,
	    "a failed DKIM signature of the domain does not pass");
	is_int(C("quar.test", NULL, NULL), DMARC_FAIL, "no passes: fail");
	ok(o.policy == DMARC_P_QUARANTINE, "p=quarantine");
	is_int(C("none.test", NULL, NULL), DMARC_FAIL, "p=none: fail too");
	ok(o.policy == DMARC_P_NONE && !o.sampled_out, "policy none");

	/* subdomains: sp= and the organizational domain */
	is_int(C("a.b.sub.test", NULL, NULL), DMARC_FAIL,
	    "a subdomain without a record of its own");
	ok(o.at_org && o.policy == DMARC_P_QUARANTINE &&
	    o.rec.p == DMARC_P_REJECT && lookups == 2,
	    "found at the org domain in a second lookup: sp= applies");
	is_str(o.org, "sub.test", "its org domain");
	is_int(C("own.sub.test", NULL, NULL), DMARC_FAIL,
	    "a subdomain with a record of its own");
	ok(!o.at_org && o.policy == DMARC_P_NONE && lookups == 1,
	    "its own p= applies, one lookup");
	is_int(C("sub.test", NULL, NULL), DMARC_FAIL, "the org domain");
	ok(o.policy == DMARC_P_REJECT && !o.at_org, "p=, not sp=");
	is_int(C("mail.example.co.uk", NULL, NULL), DMARC_FAIL,
	    "under a two-label public suffix");
	ok(o.at_org && o.policy == DMARC_P_NONE, "sp=none of example.co.uk");
	is_str(o.org, "example.co.uk", "org domain example.co.uk");

	/* relaxed and strict alignment, for both identifiers */
	is_int(C("a.sub.test", "bounce.sub.test", NULL), DMARC_PASS,
	    "relaxed SPF: another name in the same org domain");
	is_int(C("sub.test", NULL, "x.y.sub.test"), DMARC_PASS,
	    "relaxed DKIM: d= below the From: domain");
	is_int(C("x.y.sub.test", NULL, "SUB.test"), DMARC_PASS,
	    "relaxed DKIM: d= above it, case ignored");
	is_int(C("strict.test", "mail.strict.test", NULL), DMARC_FAIL,
	    "strict SPF: a subdomain does not align");
	is_int(C("strict.test", NULL, "mail.strict.test"), DMARC_FAIL,
	    "strict DKIM: a subdomain does not align");
	is_int(C("strict.test", "Strict.Test", NULL), DMARC_PASS,
	    "strict SPF: the same name (case ignored)");
	is_int(C("strict.test", NULL, "strict.test"), DMARC_PASS,
	    "strict DKIM: the same name");
	is_int(C("reject.test", "test", "test"), DMARC_FAIL,
	    "a public suffix never aligns in relaxed mode");
	is_int(C("example.co.uk", "other.co.uk", NULL), DMARC_FAIL,
	    "nor do two names under one public suffix");

	/* discovery's corner cases */
	is_int(C("nothing.test", "nothing.test", NULL), DMARC_NONE,
	    "no record: none");
	ok(o.policy == DMARC_P_NONE && strcmp(o.why, "no DMARC record") == 0
	    && lookups == 1, "policy none; an org domain is looked up once");
	is_int(C("a.nothing.test", NULL, NULL), DMARC_NONE,
	    "no record at either name");
	is_int(lookups, 2, "two lookups");
	is_int(C("two.test", "two.test", NULL), DMARC_NONE,
	    "two records: no policy (6.6.3 step 5)");
	is_str(o.why, "more than one DMARC record at _dmarc.two.test",
	    "why: two");
	is_int(C("other.test", NULL, NULL), DMARC_FAIL,
	    "a TXT record that is not DMARC is skipped");
	is_int(C("v2.test", NULL, NULL), DMARC_NONE,
	    "a record of another version is no record");
	is_int(C("temp.test", "temp.test", NULL), DMARC_TEMPERROR,
	    "a temporary DNS failure: temperror, not pass");
	is_int(C("x.tempsub.test", NULL, NULL), DMARC_TEMPERROR,
	    "at the subdomain too");
	is_int(C("bad.test", "bad.test", NULL), DMARC_PERMERROR,
	    "a record that does not parse: permerror");
	ok(o.policy == DMARC_P_NONE && strstr(o.why, "p=") != NULL,
	    "no policy, why says so");
	is_int(C("badrua.test", NULL, NULL), DMARC_FAIL,
	    "an invalid p= with rua=: p=none applies");
	is_int(C("bad..test", NULL, NULL), DMARC_PERMERROR,
	    "a From: domain that is not a name");
	is_int(C("nomail.test", NULL, NULL), DMARC_NONE,
	    "an empty TXT record");

	/* pct */
	for (i = 0, out = 0; i < 20; i++) {
		C("pct0.test", NULL, NULL);
		out += o.result == DMARC_FAIL && o.sampled_out &&
		    o.policy == DMARC_P_REJECT;
	}
	is_int(out, 20, "pct=0: every failure is sampled out");
	for (i = 0, out = 0; i < 20; i++) {
		C("reject.test", NULL, NULL);
		out += o.sampled_out;
	}
	is_int(out, 0, "pct=100: none is");
	C("pct0.test", "pct0.test", NULL);
	ok(o.result == DMARC_PASS && !o.sampled_out, "a pass is never");

	ok(strcmp(dmarc_policy_name(DMARC_P_QUARANTINE), "quarantine") == 0
	    && strcmp(dmarc_result_name(DMARC_TEMPERROR), "temperror") == 0
	    && strcmp(dmarc_result_name(DMARC_PERMERROR), "permerror") == 0,
	    "names");
	/* the list is loaded only when an organizational domain is needed */
	lazy = 1;
	loads = 0;
	is_int(C("reject.test", "reject.test", NULL), DMARC_PASS,
	    "lazy: SPF of the From: domain itself passes");
	is_int(loads, 0, "without loading the list");
	is_int(C("reject.test", "mail.reject.test", NULL), DMARC_PASS,
	    "lazy: relaxed SPF alignment of a subdomain");
	is_int(loads, 1, "loads the list once");
	loads = 0;
	is_int(C("x.sub.test", NULL, "x.sub.test"), DMARC_PASS,
	    "lazy: a record found at the organizational domain");
	ok(loads == 1 && o.policy == DMARC_P_QUARANTINE, "with the list, sp=");
	is_int(C("reject.test", "evil.test", "other.test"), DMARC_FAIL,
	    "lazy: no aligned pass fails as before");
	is_int(C("bad..test", NULL, NULL), DMARC_PERMERROR,
	    "lazy: a From: domain that is no name");
	lazy = 0;
	psl_free(psl);
	return done();
}
