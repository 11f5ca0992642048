/* addr: RFC 5321 mailboxes and paths, with the tricks that must not pass
 * for something they are not. */
#include <string.h>

#include "addr.h"
#include "../tap.h"

static const char *
P(const char *s, unsigned fl)
{
	static struct addr a;
	return addr_parse(&a, s, strlen(s), fl);
}

int
main(void)
{
	struct addr a;
	char loc[80];
	size_t used;
	const char *good[] = { "a@example.org", "a.b+c@x.y", "\"a b\"@x.y",
	    "\"a@b\"@x.y", "u@[192.0.2.1]", "u@[IPv6:2001:db8::1]",
	    "a%b@example.test", "a!b@example.test", "x@localhost",
	    "o'brien@example.org" };
	const char *bad[] = { "a", "@x", "a@", "a@@x", "a..b@x", ".a@x",
	    "a.@x", "a@x.", "a@.x", "a@-x.y", "a@x-.y", "a@x..y", "a b@x",
	    "a@[300.1.1.1]", "a@[IPv6:zz]", "\"a@x", "a@x_y.z", "a\x01@x" };
	size_t i;
	int g = 1, b = 1;
	char long_local[70], long_dom[300];

	plan(25);
	for (i = 0; i < sizeof good / sizeof *good; i++)
		if (P(good[i], 0) != NULL) {
			g = 0;
			printf("# refused %s: %s\n", good[i], P(good[i], 0));
		}
	ok(g, "accepts valid mailboxes");
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		if (P(bad[i], 0) == NULL) {
			b = 0;
			printf("# accepted %s\n", bad[i]);
		}
	ok(b, "refuses invalid mailboxes");
	ok(addr_parse(&a, "\"a@b\"@example.test", 18, 0) == NULL &&
	    strcmp(addr_domain(&a), "example.test") == 0,
	    "quoted @ does not move the domain");
	ok(addr_local(&a, loc, sizeof loc) == 0 && strcmp(loc, "a@b") == 0,
	    "unquoted local part");
	ok(addr_parse(&a, "u%relay.example@example.test", 28, 0) == NULL &&
	    strcmp(addr_domain(&a), "example.test") == 0,
	    "percent hack stays local");
	ok(P("j\xc3\xb6rg@example.org", 0) != NULL, "UTF-8 needs SMTPUTF8");
	ok(P("j\xc3\xb6rg@b\xc3\xbc\x63her.example", ADDR_UTF8) == NULL,
	    "UTF-8 accepted with SMTPUTF8");
	ok(P("j\xc0\xafrg@example.org", ADDR_UTF8) != NULL, "overlong UTF-8 refused");
	ok(P("j\xed\xa0\x80@example.org", ADDR_UTF8) != NULL, "surrogate refused");
	memset(long_local, 'a', 65);
	memcpy(long_local + 65, "@x.y", 5);
	ok(P(long_local, 0) != NULL, "local part over 64 refused");
	memset(long_dom, 'a', sizeof long_dom);
	memcpy(long_dom, "a@", 2);
	long_dom[sizeof long_dom - 1] = '\0';
	ok(P(long_dom, 0) != NULL, "overlong address refused");
	ok(addr_path(&a, "<a@x.y> SIZE=10", 15, 0, &used) == NULL && used == 7,
	    "path and the rest");
	ok(addr_path(&a, "<>", 2, ADDR_NULL_OK, &used) == NULL && a.s[0] == 0,
	    "null path when allowed");
	ok(addr_path(&a, "<>", 2, 0, &used) != NULL, "null path refused otherwise");
	ok(addr_path(&a, "<@a.example,@b.example:u@c.example>", 35, 0, &used) == NULL &&
	    strcmp(a.s, "u@c.example") == 0 && (a.flags & ADDR_ROUTE),
	    "source route stripped");
	ok(addr_path(&a, "<@a.example:u@c.example", 23, 0, &used) != NULL,
	    "unterminated route refused");
	ok(addr_path(&a, "<@:u@c>", 7, 0, &used) != NULL, "empty route refused");
	ok(addr_path(&a, "a@x.y", 5, 0, &used) != NULL, "path needs <>");
	ok(addr_path(&a, "<\"a>b\"@x.y>", 11, 0, &used) == NULL && used == 11,
	    "> inside quotes");
	ok(addr_domain_check("Example.TEST", 12, 0) == NULL, "mixed case domain");
	ok(addr_domain_eq("Example.TEST", "example.test"), "domain compare folds case");
	ok(addr_parse(&a, "u@[127.0.0.1]", 13, 0) == NULL && (a.flags & ADDR_LITERAL),
	    "literal flagged");
	ok(P("a@x.y", 0) == NULL && P("a@b@x.y", 0) != NULL, "bare second @ refused");
	ok(P("", ADDR_NULL_OK) == NULL && P("", 0) != NULL, "empty address");
	/* found by fuzz/addr: a NUL inside a literal ended inet_pton's text */
	ok(addr_parse(&a, "\"va@b\"@[IPv6:::\0\0]",
	    sizeof "\"va@b\"@[IPv6:::\0\0]" - 1, 0) != NULL,
	    "NUL in an address literal refused");
	return done();
}
