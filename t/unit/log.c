/* log: quoting keeps a line one line and machine-readable. */
#include <string.h>

#include "log.h"
#include "../tap.h"

static const char *
Q(const char *s, size_t n)
{
	static char out[256];
	size_t k = log_quote(out, sizeof out - 1, s, n);
	out[k] = '\0';
	return out;
}

int
main(void)
{
	char big[5000];
	struct logl l;

	plan(7);
	is_str(Q("<a@b.c>", 7), "<a@b.c>", "bare value");
	is_str(Q("two words", 9), "\"two words\"", "space quoted");
	is_str(Q("a\"b\\c", 5), "\"a\\\"b\\\\c\"", "quote and backslash escaped");
	is_str(Q("a\nb\r\x7f", 5), "\"a\\x0ab\\x0d\\x7f\"", "controls hex-escaped");
	is_str(Q("", 0), "\"\"", "empty value quoted");
	memset(big, 'x', sizeof big);
	log_start(&l, "test");
	log_kvb(&l, "k", big, sizeof big);
	ok(l.cut && l.len < LOG_LINE_MAX, "overlong line is cut");
	log_start(&l, "test");
	log_kvu(&l, "n", 42);
	ok(memcmp(l.s + l.len - 5, " n=42", 5) == 0, "number key");
	return done();
}
