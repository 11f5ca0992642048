/* unit tests for lib/dkimsig.c: DKIM-Signature values (RFC 6376 3.5) */
#include <stdio.h>
#include <string.h>

#include "dkimsig.h"
#include "../tap.h"

static struct dkimsig g;

static const char *
P(const char *s)
{
	return dkimsig_parse(&g, s, strlen(s));
}

/* RFC 6376 A.2's signature, folded as in a header field */
static const char rfc[] =
    "v=1; a=rsa-sha256; s=brisbane; d=example.com;\r\n"
    "      c=simple/simple; q=dns/txt; i=joe@football.example.com;\r\n"
    "      h=Received : From : To : Subject : Date : Message-ID;\r\n"
    "      bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    "      b=AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB\r\n"
    "        4nujc7YopdG5dWLSdNg6xNAZpOPr+kHxt1IrE+NahM6L/LbvaHut\r\n"
    "        KVdkLLkpVaVVQPzeRDI009SO2Il5Lu7rDNH6mZckBdrIx0orEtZV\r\n"
    "        4bmp/YzhwvcubU4=;";

/* rfc with one "tag=value" put in place of the one of that tag */
static const char *
with(const char *tv)
{
	static char s[2048];
	const char *eq = strchr(tv, '=');
	char key[16];
	const char *at;
	size_t kl = (size_t)(eq - tv);

	snprintf(key, sizeof key, " %.*s=", (int)kl, tv);
	if ((at = strstr(rfc, key)) == NULL) {
		snprintf(s, sizeof s, "%s %s", rfc, tv);
		return P(s);
	}
	snprintf(s, sizeof s, "%.*s %s%s", (int)(at - rfc), rfc, tv,
	    strchr(at, ';'));
	return P(s);
}

int
main(void)
{
	plan(19);
	ok(P(rfc) == NULL, "RFC 6376 A.2's signature parses");
	ok(g.alg == DKIM_RSA_SHA256 && g.hcanon == DKIM_SIMPLE &&
	    g.bcanon == DKIM_SIMPLE, "a= and c=");
	is_str(g.d, "example.com", "d=");
	is_str(g.s, "brisbane", "s=");
	is_str(g.i, "joe@football.example.com", "i=, a subdomain of d=");
	ok(g.bhlen == 32 && g.blen == 128, "bh= and b= decoded across folds");
	ok(g.l == -1 && g.t == -1 && g.x == -1, "no l=, t=, x=");
	ok(with("c=relaxed") == NULL && g.hcanon == DKIM_RELAXED &&
	    g.bcanon == DKIM_SIMPLE, "c=relaxed: the body's is simple");
	ok(with("d=Example.COM") == NULL && strcmp(g.d, "example.com") == 0,
	    "d= is lower-cased");
	ok(with("v=2") != NULL, "v= must be 1");
	ok(with("a=rsa-md5") != NULL, "an unknown algorithm");
	ok(with("h=To:Subject") != NULL, "From must be signed");
	ok(with("i=joe@evil.example.org") != NULL, "i= outside d=");
	ok(with("i=joe@notexample.com") != NULL, "i= only ending like d=");
	ok(with("q=http/well-known") != NULL, "no dns/txt in q=");
	ok(with("t=200; x=100") != NULL, "x= before t=");
	ok(with("l=12x") != NULL, "a bad l=");
	ok(P("v=1; a=rsa-sha256; d=example.com; s=s; h=from; b=AAAA") != NULL,
	    "bh= missing");
	ok(with("c=relaxed/fancy") != NULL, "an unknown canonicalization");
	return done();
}
