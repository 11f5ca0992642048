/* unit tests for lib/maildir.c: base names, S= and W= fields, CRLF count */
#include <string.h>

#include "maildir.h"
#include "../tap.h"

int
main(void)
{
	struct maildir_crlf w = { 0, 0 };
	unsigned long long v = 0;

	plan(14);
	is_int((long long)maildir_baselen("1.M2P3.h,S=5:2,S"), 12,
	    "base ends at ':'");
	is_int((long long)maildir_baselen("1.M2P3.h"), 8, "no info: all base");
	ok(maildir_field("1.M2P3.h,S=57,W=60:2,", 'S', &v) == 0 && v == 57,
	    "S= read");
	ok(maildir_field("1.M2P3.h,S=57,W=60:2,", 'W', &v) == 0 && v == 60,
	    "W= read before the info");
	ok(maildir_field("1.M2P3.h,S=57:2,W=60", 'W', &v) == -1,
	    "W= in the info is not a field");
	ok(maildir_field("1.M2P3.h,S=5x", 'S', &v) == -1, "S=5x refused");
	ok(maildir_field("1.M2P3.h,S=", 'S', &v) == -1, "empty S= refused");
	ok(maildir_field("1.M2P3.h,S=99999999999999999999999", 'S', &v) == -1,
	    "overflowing S= refused");
	ok(maildir_field("1.M2P3.h", 'W', &v) == -1, "absent W=");
	maildir_crlf_count(&w, "a\nb\r\nc\n", 7);
	is_int((long long)w.added, 2, "bare LFs count, CRLF does not");
	maildir_crlf_count(&w, "x\r", 2);
	maildir_crlf_count(&w, "\ny\n", 3);
	is_int((long long)w.added, 3, "a CRLF split across chunks counts once");
	maildir_crlf_count(&w, "\n", 1);
	is_int((long long)w.added, 4, "LF at a chunk's start after LF counts");
	memset(&w, 0, sizeof w);
	maildir_crlf_count(&w, "\n\n", 2);
	is_int((long long)w.added, 2, "empty lines count");
	maildir_crlf_count(&w, "", 0);
	is_int((long long)w.added, 2, "nothing adds nothing");
	return done();
}
