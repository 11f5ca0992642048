/* mtasts: the _mta-sts TXT record, the policy text and the mx patterns
 * of RFC 8461, with the examples of its sections 3.1, 3.2 and 4.1. */
#include <stdio.h>
#include <string.h>

#include "mtasts.h"
#include "../tap.h"

#define TXT(s, id) mtasts_txt_parse(s, strlen(s), id)
#define POL(s, p) mtasts_policy_parse(s, strlen(s), p)

int
main(void)
{
	static const char *const badtxt[] = {
		"v=STSv2; id=1", "V=STSv1; id=1", " v=STSv1; id=1",
		"v=STSv1", "v=STSv1;", "v=STSv1; id=", "v=STSv1; id=a-b",
		"v=STSv1; id=123456789012345678901234567890123",
		"v=STSv1; id=1; id=2", "v=STSv1 id=1", "v=STSv1; id=1 x",
		"v=STSv1; =x; id=1", "v=STSv1; x; id=1",
	};
	static const char *const badpol[] = {
		"mode: enforce\nmx: a.example\nmax_age: 5\n",
		"version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 5\n",
		"version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 5\n",
		"version: STSv1\nmode: enforce\nmax_age: 5\n",
		"version: STSv1\nmode: enforce\nmx: a.example\n",
		"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n",
		"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -5\n",
		"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 5\nmax_age: 6\n",
		"version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 5\n",
		"version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 5\n",
		"version: STSv1\nmode: enforce\nmx: a.example-\nmax_age: 5\n",
		"version: STSv1\nmode: enforce\nmx a.example\nmax_age: 5\n",
		"version: STSv1\nmode: enforce\nmx: a.ex\x01mple\nmax_age: 5\n",
		"version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 5\n",
		"",
	};
	char id[MTASTS_ID_MAX + 1], big[MTASTS_POLICY_MAX + 64];
	struct mtasts_policy p;
	const char *why;
	size_t i;
	int good;

	plan(17);
	ok(TXT("v=STSv1; id=20160831085700Z;", id) == NULL &&
	    strcmp(id, "20160831085700Z") == 0, "3.1's example record");
	ok(TXT("v=STSv1 ;id=abc  ;  ext-1.x=q:r/s", id) == NULL &&
	    strcmp(id, "abc") == 0, "blanks around ';', an extension field");
	good = 1;
	for (i = 0; i < sizeof badtxt / sizeof *badtxt; i++)
		if (TXT(badtxt[i], id) == NULL) {
			good = 0;
			printf("# took \"%s\"\n", badtxt[i]);
		}
	ok(good, "records that are not valid STSv1 are refused");

	why = POL("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
	    "mx: *.example.net\r\nmx: backupmx.example.com\r\n"
	    "max_age: 604800\r\n", &p);
	ok(why == NULL && p.mode == MTASTS_ENFORCE && p.max_age == 604800 &&
	    p.nmx == 3 && strcmp(p.mx[1], "*.example.net") == 0,
	    "3.2's example policy, CRLF");
	ok(POL("version: STSv1\nmode: testing\nmx: MX.Example.ORG\t \n"
	    "max_age:86400\nfuture_field: a: b\n\n", &p) == NULL &&
	    p.mode == MTASTS_TESTING && p.max_age == 86400 &&
	    strcmp(p.mx[0], "mx.example.org") == 0,
	    "LF, no blank after ':', trailing blanks, an unknown field, "
	    "a blank line");
	ok(POL("version: STSv1\nmode: none\nmax_age: 0", &p) == NULL &&
	    p.mode == MTASTS_NONE && p.nmx == 0,
	    "mode none needs no mx; no final line end");
	good = 1;
	for (i = 0; i < sizeof badpol / sizeof *badpol; i++)
		if ((why = POL(badpol[i], &p)) == NULL) {
			good = 0;
			printf("# took policy %zu\n", i);
		}
	ok(good, "policies that are not valid are refused with a reason");
	is_str(POL("version: STSv1\nmode: enforce\nmax_age: 5\n", &p),
	    "no mx field", "the reason names what is missing");
	memset(big, '\n', sizeof big);
	ok(mtasts_policy_parse(big, sizeof big, &p) != NULL,
	    "a body over 64 KiB is refused");
	{
		char many[40 * 32];
		size_t k = 0;
		k += (size_t)snprintf(many, sizeof many,
		    "version: STSv1\nmode: enforce\nmax_age: 5\n");
		for (i = 0; i < 33; i++)
			k += (size_t)snprintf(many + k, sizeof many - k,
			    "mx: m%zu.example\n", i);
		ok(mtasts_policy_parse(many, k, &p) != NULL,
		    "33 mx fields are refused");
	}

	POL("version: STSv1\nmode: enforce\nmx: mail.example.com\n"
	    "mx: *.example.net\nmax_age: 5\n", &p);
	ok(mtasts_mx_match(&p, "mail.example.com") &&
	    mtasts_mx_match(&p, "MAIL.example.com.") , "an exact name, any "
	    "case, a final dot");
	ok(mtasts_mx_match(&p, "mx1.example.net"), "*. matches one label");
	ok(!mtasts_mx_match(&p, "example.net"), "*. needs a label (4.1)");
	ok(!mtasts_mx_match(&p, "a.b.example.net"),
	    "*. matches only one label (4.1)");
	ok(!mtasts_mx_match(&p, "xmail.example.com") &&
	    !mtasts_mx_match(&p, "mail.example.com.evil"),
	    "no partial matches");
	ok(!mtasts_mx_match(&p, "") && !mtasts_mx_match(&p, "."),
	    "an empty name matches nothing");
	ok(!mtasts_mx_match(&p, ".example.net"), "an empty leftmost label "
	    "is not a label");
	return done();
}
