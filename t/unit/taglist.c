/* unit tests for lib/taglist.c: RFC 6376 3.2 tag=value lists */
#include <string.h>

#include "taglist.h"
#include "../tap.h"

static struct taglist l;

static const char *
P(const char *s)
{
	return taglist_parse(&l, s, strlen(s));
}

/* The value of name as a C string, "(none)" if absent. */
static const char *
V(const char *name)
{
	static char v[256];
	const struct tag *t = taglist_get(&l, name);

	if (t == NULL)
		return "(none)";
	memcpy(v, t->val, t->vlen);
	v[t->vlen] = '\0';
	return v;
}

int
main(void)
{
	char many[400];
	size_t i;

	plan(24);
	ok(P("v=1; a=rsa-sha256; d=example.net") == NULL && l.n == 3,
	    "three tags");
	is_str(V("a"), "rsa-sha256", "a value");
	is_str(V("d"), "example.net", "the last value, no ';' after it");
	ok(P(" v = 1 ;\r\n\tb = ab cd\r\n ef ; ") == NULL,
	    "white space and folding around names, '=' and ';'");
	is_str(V("b"), "ab cd\r\n ef", "FWS inside a value is kept, around "
	    "it dropped");
	is_str(V("v"), "1", "first value");
	ok(P("k=;p=") == NULL, "empty values");
	is_str(V("p"), "", "an empty value is empty");
	ok(P("a=1;") == NULL && l.n == 1, "a trailing ';'");
	ok(P("") != NULL, "an empty list is invalid");
	ok(P("a=1; a=2") != NULL, "a tag twice makes the list invalid");
	ok(P("A=1; a=2") == NULL, "names are case-sensitive");
	ok(P("1a=x") != NULL, "a name starts with a letter");
	ok(P("a=1;;b=2") != NULL, "an empty tag-spec");
	ok(P("a 1") != NULL, "no '='");
	ok(P("a=x\r\ny=1") != NULL, "a CRLF that does not fold");
	ok(P("a=\x01") != NULL, "a control character in a value");
	for (i = 0; i < 33; i++)
		memcpy(many + i * 6, "t00=1;", 6), many[i * 6 + 1] =
		    (char)('a' + i / 10), many[i * 6 + 2] = (char)('0' + i % 10);
	many[33 * 6] = '\0';
	ok(P(many) != NULL, "33 tags: too many");
	many[32 * 6] = '\0';
	ok(P(many) == NULL && l.n == 32, "32 tags");
	{
		unsigned char b[8];
		size_t bl;
		ok(P("h = From : to:Subject ; q=dns/txt") == NULL &&
		    taglist_item(taglist_get(&l, "h"), "from", 1) &&
		    !taglist_item(taglist_get(&l, "h"), "from", 0) &&
		    taglist_item(taglist_get(&l, "h"), "Subject", 0),
		    "taglist_item: items of a ':' list, in any case if asked");
		ok(taglist_is(taglist_get(&l, "q"), "dns/txt") &&
		    !taglist_is(taglist_get(&l, "q"), "dns"),
		    "taglist_is: the whole value");
		ok(P("p=QU\r\n JD;e=") == NULL &&
		    taglist_b64(taglist_get(&l, "p"), b, sizeof b, &bl) == 0 &&
		    bl == 3 && memcmp(b, "ABC", 3) == 0,
		    "taglist_b64: base64 across a fold");
		ok(taglist_b64(taglist_get(&l, "e"), b, sizeof b, &bl) == 0 &&
		    bl == 0, "taglist_b64: an empty value is 0 octets");
		ok(P("p=QUJD!") == NULL &&
		    taglist_b64(taglist_get(&l, "p"), b, sizeof b, &bl) == -1,
		    "taglist_b64: not base64");
	}
	return done();
}
