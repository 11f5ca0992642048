/* hdr: address lists as -t reads them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static const char *
Q(const char *s)
{
	static struct buf b = BUF_INIT(4096);

	b.len = 0;
	if (hdr_qualify(s, strlen(s), "me.example", &b) == -1 || buf_0(&b) == -1)
		return "ERR";
	return b.p;
}

/* hdr_qualify_copy from a file holding in: out is what it wrote */
static int
copy(const char *in, const char *want)
{
	char out[4096];
	FILE *a = tmpfile(), *b = tmpfile();
	size_t n;
	int r;

	if (a == NULL || b == NULL || fputs(in, a) == EOF || fflush(a) == EOF)
		return 0;
	r = hdr_qualify_copy(fileno(a), fileno(b), "h.example");
	if (lseek(fileno(b), 0, SEEK_SET) == -1)
		return 0;
	n = (size_t)read(fileno(b), out, sizeof out - 1);
	out[n < sizeof out ? n : 0] = '\0';
	fclose(a);
	fclose(b);
	return r == 0 && strcmp(out, want) == 0;
}

int
main(void)
{
	plan(43);
	is_str(Q(" root (Cron Daemon)\n"), " root@me.example (Cron Daemon)\n",
	    "bare name before a comment, comment kept");
	is_str(Q(" root\n"), " root@me.example\n", "bare name");
	is_str(Q(" Ann <ann>, b@x.y"), " Ann <ann@me.example>, b@x.y",
	    "angle-addr completed, a whole one kept");
	is_str(Q(" \"Smith, J\" <js >,bob"), " \"Smith, J\" <js@me.example >,bob@me.example",
	    "comma in a quoted name, blank in <>");
	is_str(Q(" a@x.y (root)"), " a@x.y (root)", "an address with a domain stays");
	is_str(Q(" undisclosed-recipients:;"), " undisclosed-recipients:;",
	    "an empty group stays");
	is_str(Q(" grp: a, b@x.y;, c"), " grp: a@me.example, b@x.y;, c@me.example",
	    "group members, not the group's name");
	is_str(Q(" <>"), " <>", "null path stays");
	is_str(Q(" <@r.example:a@x.y>"), " <@r.example:a@x.y>", "route kept");
	is_str(Q(" John Smith"), " John Smith", "two words are no address");
	is_str(Q(" Ann <ann"), " Ann <ann", "unterminated < copied as is");
	is_str(Q(" a,\n\tb (c, d)\n"), " a@me.example,\n\tb@me.example (c, d)\n",
	    "folded list, comma in a comment");
	is_str(Q(" \"a b\"\n"), " \"a b\"@me.example\n", "quoted local part");
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
	ok(copy("From: root (Cron)\r\nX: y\r\n\r\nTo: root\r\n",
	    "From: root@h.example (Cron)\r\nX: y\r\n\r\nTo: root\r\n"),
	    "copy: CRLF lines kept, the body untouched");
	ok(copy("To: a,\n b\nSubject: s", "To: a@h.example,\n b@h.example\nSubject: s"),
	    "copy: a header without a body, folded field");
	ok(copy("\nTo: root\n", "\nTo: root\n"), "copy: no header section at all");
	ok(hdr_address_field("reply-to: x", 11) && !hdr_address_field("Subject: x", 10),
	    "address fields by name, any case");
	{
		static const char m[] = "A: 1\nB: 2\n  more\n\tmore\nC:3\n"
		    "\nbody: x\n";
		size_t off = 0, len = 0;
		ok(hdr_field_next(m, sizeof m - 1, off, &len) && len == 5,
		    "first field with its LF");
		off += len;
		ok(hdr_field_next(m, sizeof m - 1, off, &len) && len == 18,
		    "a folded field with its continuation lines");
		off += len;
		ok(hdr_field_next(m, sizeof m - 1, off, &len) && len == 4,
		    "the last field");
		off += len;
		ok(!hdr_field_next(m, sizeof m - 1, off, &len),
		    "the empty line ends the header section");
		ok(hdr_field_next("X: no lf", 8, 0, &len) && len == 8,
		    "a field at the end without LF");
		ok(hdr_field_next("not a field\nA: b\n", 17, 0, &len) &&
		    len == 12, "a line that starts no field does not end it");
		ok(hdr_name_is("From : x", 8, "From") &&
		    !hdr_name_is("From x: y", 9, "From"),
		    "white space before the colon (RFC 5322 4.5)");
		ok(hdr_name_is("Authentication-Results\n : x", 27,
		    "Authentication-Results"), "a folded line before the colon");
	}
	{
		char d[256];
		const char *w;
		w = hdr_from_domain("X: 1\nFrom: Ann <a@Ex.ORG.>\n\nFrom: b@c\n",
		    39, d, sizeof d);
		ok(w == NULL && strcmp(d, "ex.org") == 0,
		    "From: domain, lower case, no final dot");
		ok(hdr_from_domain("X-Foo : bar\nFrom : a@b.test\n\n", 30, d,
		    sizeof d) == NULL && strcmp(d, "b.test") == 0,
		    "obsolete white space before colons");
		ok(hdr_from_domain("x\nFrom: a@b.test\n", 18, d, sizeof d)
		    != NULL, "a line that is not a field hides nothing");
		ok(hdr_from_domain("From: a@b.test\nFrom: a@b.test\n", 30, d,
		    sizeof d) != NULL, "two From: fields");
		ok(hdr_from_domain("From: a@b.test, c@d.test\n", 25, d,
		    sizeof d) != NULL, "two addresses");
		ok(hdr_from_domain("Subject: x\n\nFrom: a@b.test\n", 27, d,
		    sizeof d) != NULL, "a From: in the body is none");
	}
	return done();
}
