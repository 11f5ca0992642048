/* result: the grammar of postel-result(5) lines, as qrun reads them. */
#include <stdio.h>
#include <string.h>

#include "result.h"
#include "../tap.h"

static int
P(const char *s, struct result *r)
{
	static char line[1024];

	snprintf(line, sizeof line, "%s", s);
	return result_parse(line, r);
}

int
main(void)
{
	struct result r;
	const char *bad[] = { "", "rcpt", "rcpt 1", "rcpt 1 ok", "rcpt 0 ok 2.0.0",
	    "rcpt x ok 2.0.0", "rcpt -1 ok 2.0.0", "rcpt 1 fine 2.0.0",
	    "rcpt 1 ok 5.0.0", "rcpt 1 perm 2.0.0", "rcpt 1 temp 5.1.1",
	    "rcpt 1 ok 2.0", "rcpt 1 ok 2.0.0.0", "rcpt 1 ok 9.9.9",
	    "rcpt 1 ok 2.1234.0", "rcpt  1 ok 2.0.0", "msg ok", "msg ok x",
	    "hello there", "RCPT 1 ok 2.0.0", "rcpt 100001 ok 2.0.0" };
	size_t i;
	int b = 1;

	plan(14);
	ok(P("rcpt 2 perm 5.1.1 mx said: 550 5.1.1 no such user", &r) == 0,
	    "a rcpt line parses");
	is_int(r.rcpt, 2, "recipient number");
	is_int(r.status, RESULT_PERM, "status perm");
	is_str(r.dsn, "5.1.1", "dsn");
	is_str(r.text, "mx said: 550 5.1.1 no such user", "text is the rest");
	ok(P("msg temp 4.4.2 connection lost", &r) == 0 && r.rcpt == 0 &&
	    r.status == RESULT_TEMP, "a msg line parses, rcpt 0");
	ok(P("rcpt 1 ok 2.0.0", &r) == 0 && strcmp(r.text, "") == 0,
	    "text may be empty");
	ok(P("msg ok 2.0.0 x", &r) == 0 && r.status == RESULT_OK, "msg ok");
	ok(P("rcpt 100000 temp 4.123.456 t", &r) == 0, "three-digit parts");
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		if (P(bad[i], &r) == 0) {
			b = 0;
			printf("# accepted \"%s\"\n", bad[i]);
		}
	ok(b, "refuses malformed lines and mismatched classes");
	ok(result_dsn_ok("2.0.0") && result_dsn_ok("5.7.1") &&
	    result_dsn_ok("4.999.999"), "dsn_ok accepts codes");
	ok(!result_dsn_ok("3.0.0") && !result_dsn_ok("2.0.") &&
	    !result_dsn_ok("2..0") && !result_dsn_ok(""), "dsn_ok refuses others");
	ok(P("rcpt 1 ok 2.0.0 a  b", &r) == 0 && strcmp(r.text, "a  b") == 0,
	    "text keeps inner blanks");
	ok(P("msg perm 5.0.0 \x01", &r) == 0, "text is not filtered here "
	    "(qrun filters before logging)");
	return done();
}
