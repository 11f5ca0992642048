/* buf: limits, growth and the NUL helper. */
#include <errno.h>
#include <string.h>

#include "buf.h"
#include "../tap.h"

int
main(void)
{
	struct buf b = BUF_INIT(4), c = BUF_INIT(1 << 20);
	size_t i;
	int r = 0;

	plan(10);
	ok(buf_catb(&b, "abcd", 4) == 0, "fills to the limit");
	ok(buf_catb(&b, "e", 1) == -1 && errno == EMSGSIZE, "refuses one byte more");
	is_int(b.len, 4, "length unchanged by the refusal");
	ok(buf_0(&b) == 0 && strcmp(b.p, "abcd") == 0, "NUL fits at the limit");
	ok(buf_catb(&b, "", (size_t)-1) == -1 && errno == EMSGSIZE,
	    "size overflow is refused");
	buf_free(&b);
	buf_free(&b);
	is_int(b.max, 4, "free keeps max and is safe twice");
	for (i = 0; i < 100000; i++)
		r |= buf_catc(&c, (char)('a' + i % 26));
	ok(r == 0 && c.len == 100000 && c.p[99999] == 'a' + 99999 % 26,
	    "grows to many bytes");
	c.len = 0;
	ok(buf_catu(&c, 0) == 0 && buf_catu(&c, 18446744073709551615ULL) == 0 &&
	    buf_0(&c) == 0 && strcmp(c.p, "018446744073709551615") == 0,
	    "decimal formatting");
	ok(buf_cpys(&c, "xy") == 0 && c.len == 2, "copy replaces");
	ok(buf_cats(&c, "z") == 0 && buf_0(&c) == 0 && strcmp(c.p, "xyz") == 0,
	    "cats appends");
	buf_free(&c);
	return done();
}
