/* result: the grammar of postel-result(5) lines, as local and remote
 * write them and qrun reads them. */
#include <stdio.h>
#include <string.h>

#include "result.h"
#include "../tap.h"

static size_t n;

static int
P(const char *s, struct result *r)
{
	return result_parse(s, &n, r);
}

int
main(void)
{
	struct result r, back;
	char line[RESULT_LINE_MAX + 64], big[2000];
	const char *bad[] = { "", "rcpt", "rcpt 1", "rcpt 1 ok", "rcpt 0 ok 2.0.0",
	    "rcpt x ok 2.0.0", "rcpt -1 ok 2.0.0", "rcpt 1 fine 2.0.0",
	    "rcpt 1 ok 5.0.0", "rcpt 1 perm 2.0.0", "rcpt 1 temp 5.1.1",
	    "rcpt 1 ok 2.0", "rcpt 1 ok 2.0.0.0", "rcpt 1 ok 9.9.9",
	    "rcpt 1 ok 2.1234.0", "rcpt  1 ok 2.0.0", "msg ok", "msg ok x",
	    "hello there", "RCPT 1 ok 2.0.0", "rcpt 100001 ok 2.0.0",
	    "rcpt 1 none 2.0.0", "rcpt 000000000000000000000 ok 2.0.0" };
	size_t i;
	int b = 1, len;

	plan(29);
	ok(P("rcpt 2 perm 5.1.1 mx said: 550 5.1.1 no such user", &r) == 0,
	    "a rcpt line parses");
	is_int(n, 2, "recipient number");
	is_int(r.status, OUTCOME_PERM, "status perm");
	is_str(r.dsn, "5.1.1", "dsn");
	is_str(r.text, "mx said: 550 5.1.1 no such user", "text is the rest");
	ok(P("msg temp 4.4.2 connection lost", &r) == 0 && n == 0 &&
	    r.status == OUTCOME_TEMP, "a msg line parses, rcpt 0");
	ok(P("rcpt 1 ok 2.0.0", &r) == 0 && strcmp(r.text, "") == 0,
	    "text may be empty");
	ok(P("msg ok 2.0.0 x", &r) == 0 && r.status == OUTCOME_OK, "msg ok");
	ok(P("rcpt 100000 temp 4.123.456 t", &r) == 0, "three-digit parts");
	ok(P("rcpt 00000000000000000003 ok 2.0.0", &r) == 0 && n == 3,
	    "leading zeros in the number, as before");
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
	ok(P("msg perm 5.0.0 a\x01z", &r) == 0 && strcmp(r.text, "a?z") == 0,
	    "a control character in the text becomes ?");

	/* the writer */
	result_set(&r, OUTCOME_TEMP, "4.2.2", "mailbox %s full\r\n", "bob");
	is_str(r.text, "mailbox bob full??", "result_set filters the text");
	len = result_fmt(line, sizeof line, 3, &r);
	is_str(line, "rcpt 3 temp 4.2.2 mailbox bob full??\n", "result_fmt");
	ok(len == (int)strlen(line), "result_fmt returns the length");
	line[len - 1] = '\0';
	ok(P(line, &back) == 0 && n == 3 && back.status == r.status &&
	    strcmp(back.dsn, r.dsn) == 0 && strcmp(back.text, r.text) == 0,
	    "what the writer writes, the reader reads");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	result_set(&r, OUTCOME_OK, "2.0.0", "%s", big);
	len = result_fmt(line, sizeof line, 0, &r);
	ok(len > 0 && len <= RESULT_LINE_MAX && line[len - 1] == '\n' &&
	    strncmp(line, "msg ok 2.0.0 xxx", 16) == 0,
	    "a long text is cut to the line limit");
	result_set(&r, OUTCOME_OK, "5.0.0", "x");
	ok(result_fmt(line, sizeof line, 1, &r) == -1,
	    "a DSN of the wrong class is not written");
	r.status = OUTCOME_NONE;
	ok(result_fmt(line, sizeof line, 1, &r) == -1,
	    "no outcome, no line");

	/* the action line after an ok result */
	{
		enum action a = ACTION_NONE;
		static const char *const bad_action[] = {
			"action 1", "action 0 delivered", "action 1 failed",
			"action 1 delivered x", "action 1  delivered",
			"action x relayed", "actions 1 passed", "action 1 ",
			"action 100001 passed", "",
		};
		len = result_action_fmt(line, sizeof line, 7, ACTION_RELAYED);
		is_str(line, "action 7 relayed\n", "result_action_fmt");
		line[len - 1] = '\0';
		ok(result_action_parse(line, &n, &a) == 0 && n == 7 &&
		    a == ACTION_RELAYED, "the action line reads back");
		ok(result_action_parse("action 002 passed", &n, &a) == 0 &&
		    n == 2 && a == ACTION_PASSED &&
		    result_action_parse("action 1 expanded", &n, &a) == 0 &&
		    a == ACTION_EXPANDED &&
		    result_action_parse("action 1 delivered", &n, &a) == 0 &&
		    a == ACTION_DELIVERED, "every action word reads");
		b = 1;
		for (i = 0; i < sizeof bad_action / sizeof *bad_action; i++)
			if (result_action_parse(bad_action[i], &n, &a) == 0) {
				b = 0;
				printf("# accepted \"%s\"\n", bad_action[i]);
			}
		ok(b, "refuses malformed action lines");
		ok(result_action_fmt(line, sizeof line, 1, ACTION_NONE) == -1 &&
		    result_action_fmt(line, sizeof line, 0, ACTION_PASSED) == -1,
		    "no action line for no action or no recipient");
		ok(P("action 1 passed", &r) == -1,
		    "an action line is not a result line");
		is_str(action_word(ACTION_EXPANDED), "expanded", "action_word");
	}
	return done();
}
