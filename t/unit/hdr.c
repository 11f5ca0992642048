/* hdr: address lists as -t reads them. */
#include <string.h>

#include "hdr.h"
#include "../tap.h"

static char got[1024];

static int
cat(void *arg, const char *s, size_t n)
{
	(void)arg;
	strncat(got, s, n);
	strcat(got, "|");
	return 0;
}

static const char *
L(const char *s)
{
	const char *why;
	got[0] = '\0';
	if (hdr_addrlist(s, strlen(s), cat, NULL, &why) == -1)
		return "ERR";
	return got;
}

int
main(void)
{
	plan(12);
	is_str(L(" a@x.y"), "a@x.y|", "bare address");
	is_str(L(" A B <a@x.y>, c@x.y"), "a@x.y|c@x.y|", "display name dropped");
	is_str(L(" \"Smith, J\" <a@x.y>"), "a@x.y|", "comma in quoted name");
	is_str(L(" a@x.y (Al, B)"), "a@x.y|", "comment dropped");
	is_str(L(" grp: a@x.y, b@x.y;, c@x.y"), "a@x.y|b@x.y|c@x.y|", "group");
	is_str(L(" undisclosed-recipients:;"), "", "empty group");
	is_str(L(" <@r.example:a@x.y>"), "a@x.y|", "obsolete route");
	is_str(L(" a@x.y,\n\tb@x.y"), "a@x.y|b@x.y|", "folded");
	is_str(L(" John a@x.y"), "John a@x.y|", "words kept apart, so refused later");
	is_str(L(" <a@x.y"), "ERR", "unterminated <");
	ok(hdr_is_field("Subject: x", 10) && !hdr_is_field("Sub ject: x", 11) &&
	    !hdr_is_field(": x", 3) && !hdr_is_field("hello", 5), "field names");
	ok(hdr_name_is("bcc: x", 6, "Bcc") && !hdr_name_is("Bccx: x", 7, "Bcc"),
	    "name compare");
	return done();
}
