/* fmt and scan: truncation is an error, never a silent cut; echo filter;
 * numbers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "scan.h"
#include "../tap.h"

int
main(void)
{
	char s[8];
	unsigned long long v = 0;

	plan(14);
	ok(fmt_s(s, sizeof s, "%s", "1234567") == 7 && strcmp(s, "1234567") == 0,
	    "fits exactly");
	ok(fmt_s(s, sizeof s, "%s", "12345678") == -1 && errno == ENAMETOOLONG &&
	    s[0] == '\0', "one byte too many fails and leaves an empty string");
	fmt_safe(s, sizeof s, "a\r\nb\x80z", 6);
	is_str(s, "a??b?z", "controls and high bytes become ?");
	fmt_safe(s, sizeof s, "abcdefghij", 10);
	is_str(s, "abcdefg", "cut at the size");
	ok(scan_ulong("42", 0, 100, &v) == 0 && v == 42, "number in range");
	ok(scan_ulong("101", 0, 100, &v) == -1, "above max refused");
	ok(scan_ulong("18446744073709551616", 0, ~0ULL, &v) == -1,
	    "overflow refused");
	ok(scan_ulong("4x", 0, 100, &v) == -1 && scan_ulong("", 0, 100, &v) == -1,
	    "junk and empty refused");
	ok(scan_ulong("-1", 0, 100, &v) == -1, "sign refused");
	{
		char d[FMT_DATE_MAX];
		setenv("TZ", "UTC", 1);
		tzset();
		fmt_date(d, sizeof d, 1796264100LL);
		is_str(d, "Thu, 03 Dec 2026 02:15:00 +0000", "RFC 5322 date");
		setenv("TZ", "EST5", 1);
		tzset();
		fmt_date(d, sizeof d, 0);
		is_str(d, "Wed, 31 Dec 1969 19:00:00 -0500", "local zone offset");
	}
	{
		char u[FMT_U_MAX + 1];
		size_t n;

		n = fmt_u(u, 0);
		u[n] = '\0';
		is_str(u, "0", "fmt_u: zero");
		n = fmt_u(u, 1234567);
		u[n] = '\0';
		is_str(u, "1234567", "fmt_u: digits in order");
		n = fmt_u(u, 18446744073709551615ULL);
		ok(n == FMT_U_MAX && memcmp(u, "18446744073709551615", n) == 0,
		    "fmt_u: the largest fills FMT_U_MAX");
	}
	return done();
}
