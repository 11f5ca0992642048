/* unit tests for lib/authres.c: whose Authentication-Results a field is */
#include <string.h>

#include "authres.h"
#include "../tap.h"

static int
A(const char *v)
{
	return authres_is_ours(v, strlen(v), "mx.example.org");
}

int
main(void)
{
	plan(26);
	is_int(A(" mx.example.org; spf=pass smtp.mailfrom=a@b.test"), 1,
	    "ours");
	is_int(A("MX.Example.ORG; none"), 1, "case does not matter");
	is_int(A("mx.example.org 1; spf=pass"), 1, "with a version");
	is_int(A("mx.example.org;"), 1, "followed by ';' at once");
	is_int(A("mx.example.org"), 1, "the whole value");
	is_int(A("\r\n\tmx.example.org\r\n ; dkim=pass"), 1,
	    "folded before and after");
	is_int(A("(comment) mx.example.org; none"), 1, "a comment first");
	is_int(A("(a (nested) comment \\) with \\( pairs)mx.example.org(x);"),
	    1, "nested comments and quoted pairs");
	is_int(A("\"mx.example.org\"; none"), 1, "a quoted string");
	is_int(A("\"mx.exa\\mple.org\"; none"), 1,
	    "a quoted pair in a quoted string");
	is_int(A("mx.example.org\n\t; none"), 1, "a bare LF that folds");
	is_int(A(" mx.example.net; spf=pass"), 0, "another id");
	is_int(A("mx.example.org.evil.test; spf=pass"), 0, "a longer id");
	is_int(A("mx.example.or; spf=pass"), 0, "a shorter id");
	is_int(A("example.org; spf=pass"), 0, "a suffix of ours is not ours");
	is_int(A("\"mx.example.org \"; none"), 0,
	    "a quoted id with a space is another id");
	is_int(A("(mx.example.org) other.test; none"), 0,
	    "ours in a comment only");
	is_int(A(""), -1, "empty");
	is_int(A("  (only a comment)  "), -1, "no id");
	is_int(A("(unclosed mx.example.org; none"), -1,
	    "a comment that does not end");
	is_int(A("mx.example.org (unclosed; none"), -1,
	    "one that does not end after the id");
	is_int(A("\"mx.example.org; none"), -1, "a quote that does not end");
	is_int(A("mx.example.org@x; none"), -1, "a special after the id");
	is_int(A("\r\nmx.example.org; none"), -1,
	    "a line break that does not fold");
	is_int(A("; spf=pass"), -1, "no id before ';'");
	is_int(authres_is_ours("mx.example.org\0x", 16, "mx.example.org"),
	    -1, "a NUL after the id");
	return done();
}
