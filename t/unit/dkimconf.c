/* unit tests for lib/dkimconf: conf/dkim-sign lines, which remote signs
 * by and check validates, and the exact domain before "*" */
#include <stdlib.h>
#include <string.h>

#include "dkimconf.h"
#include "../tap.h"

static const char *
parse(struct dkimconf *c, const char *key, const char *val)
{
	struct conf_ent e = { (char *)key, (char *)val, 1 };

	return dkimconf_parse(c, &e);
}

int
main(void)
{
	struct conf_ent ents[] = {      /* sorted by key, as conf leaves it */
		{ "*", "star k1", 2 },
		{ "example.org", "own k2", 1 },
	};
	struct conf_table t = { ents, 2, "dkim-sign", 1, 2 };
	struct conf_table none = { ents, 1, "dkim-sign", 1, 1 };
	struct dkimconf c;

	setenv("POSTEL_ROOT", "/r", 1);
	plan(13);
	ok(parse(&c, "example.org", "sel1 dkim/k.key") == NULL &&
	    strcmp(c.sel, "sel1") == 0 &&
	    strcmp(c.key, "/r/conf/dkim/k.key") == 0 && c.d[0] == '\0',
	    "selector and key file, relative to conf/");
	ok(parse(&c, "*", "s2026\t/etc/k.key  example.org") == NULL &&
	    strcmp(c.key, "/etc/k.key") == 0 &&
	    strcmp(c.d, "example.org") == 0,
	    "* with an absolute key and a signing domain");
	ok(parse(&c, "example.org", "a.b /k") == NULL, "a selector with dots");
	is_str(parse(&c, "example.org", ""), "no selector and key file",
	    "nothing after the domain");
	is_str(parse(&c, "example.org", "sel1"), "no key file", "no key file");
	ok(parse(&c, "bad..org", "s /k") != NULL, "a bad domain");
	ok(parse(&c, "[192.0.2.1]", "s /k") != NULL, "an address literal");
	ok(parse(&c, "example.org", "s_1 /k") != NULL, "a bad selector");
	ok(parse(&c, "example.org", "s /k bad..org") != NULL,
	    "a bad signing domain");
	is_str(parse(&c, "example.org", "s /k d.org x"),
	    "junk after the signing domain", "junk at the end");
	ok(dkimconf_find(&t, "Example.ORG") == &ents[1],
	    "the domain's own line, in any case, before *");
	ok(dkimconf_find(&t, "other.org") == &ents[0], "else *");
	ok(dkimconf_find(&none, "other.org") == &ents[0] &&
	    dkimconf_find(&(struct conf_table){ ents + 1, 1, "dkim-sign", 1,
	    1 }, "other.org") == NULL, "no line and no *: none");
	return done();
}
