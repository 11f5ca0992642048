/* unit tests for local's instr.c: instruction lines and alias targets */
#include <stdlib.h>
#include <string.h>

#include "local/instr.h"
#include "../tap.h"

int
main(void)
{
	char s[] = "# mine\n  ./Maildir/ \t\r\n\n|rcvstore +in\nbob@x.net\n";
	char many[2 * INSTR_DEST_MAX + 3], buf[512], *d[INSTR_DEST_MAX];
	size_t n, i;

	plan(9);
	n = instr_split(s, "\n", d);
	ok(n == 3 && strcmp(d[0], "./Maildir/") == 0 &&
	    strcmp(d[1], "|rcvstore +in") == 0, "lines trimmed, comments out");
	for (i = 0; i <= INSTR_DEST_MAX; i++)
		memcpy(many + 2 * i, "a\n", 2);
	many[2 * i] = '\0';
	is_int(instr_split(many, "\n", d) == INSTR_TOO_MANY, 1,
	    "one destination too many");

	ok(instr_alias("bob, carol@example.net", "example.test", buf,
	    sizeof buf, d, &n) == 0 && n == 2, "two targets");
	is_str(d[0], "bob@example.test", "a bare name gains the domain");
	is_str(d[1], "carol@example.net", "an address stays");
	free(d[0]);
	ok(instr_alias("|prog -a b", "example.test", buf, sizeof buf, d,
	    &n) == 0 && n == 1, "a lone command keeps its blanks");
	is_str(d[0], "|prog -a b", "the whole command");
	ok(instr_alias("/var/mail/x ./Maildir/", "example.test", buf,
	    sizeof buf, d, &n) == 0 && n == 2, "blanks split without a comma");
	is_str(d[1], "./Maildir/", "a path stays");
	return done();
}
