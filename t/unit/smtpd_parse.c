/* unit tests for cmd/smtpd/parse.c: BDAT's argument (RFC 3030 2) */
#include <string.h>

#include "smtpd/smtpd.h"
#include "../tap.h"

static int
bdat(const char *s, struct bdat *b)
{
	return parse_bdat(b, s, strlen(s));
}

int
main(void)
{
	struct bdat b;

	plan(14);
	ok(bdat("1000", &b) == 0 && b.size == 1000 && !b.last, "a size");
	ok(bdat("0 LAST", &b) == 0 && b.size == 0 && b.last, "0 LAST");
	ok(bdat("42   last", &b) == 0 && b.size == 42 && b.last,
	    "LAST in any case, after several spaces");
	ok(bdat("00000000000000000000042", &b) == 0 && b.size == 42,
	    "23 digits with leading zeros");
	ok(bdat("000000000000000000000042", &b) == -1, "24 digits are not");
	ok(bdat("4611686018427387904", &b) == 0 &&
	    b.size == SMTP_CHUNK_MAX, "2^62 is the largest");
	ok(bdat("4611686018427387905", &b) == -1, "2^62 + 1 is too big");
	ok(bdat("99999999999999999999999", &b) == -1, "overflow is too big");
	ok(bdat("", &b) == -1, "no size");
	ok(bdat("LAST", &b) == -1, "LAST without a size");
	ok(bdat("+5", &b) == -1, "a sign is not a digit");
	ok(bdat("5 LASTX", &b) == -1, "only LAST may follow");
	ok(bdat("5\tLAST", &b) == -1, "a tab is not a space");
	ok(bdat(" 5", &b) == -1, "nothing before the size");
	return done();
}
