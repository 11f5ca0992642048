/* bio: lines with a cap, deadlines, and flush-before-read. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bio.h"
#include "../tap.h"

int
main(void)
{
	int in[2], out[2];
	char ib[16], ob[64], line[8], got[64];
	struct bio bi, bo;
	size_t len;
	ssize_t n;

	plan(9);
	if (pipe(in) == -1 || pipe(out) == -1)
		return 1;
	bio_init(&bi, in[0], bio_fdread, ib, sizeof ib);
	bio_init(&bo, out[1], bio_fdwrite, ob, sizeof ob);
	bi.flush = &bo;
	if (write(in[1], "abc\r\ntoolongline\nx", 18) != 18)
		return 1;
	ok(bio_getline(&bi, line, sizeof line, &len) == 1 && len == 5 &&
	    memcmp(line, "abc\r\n", 5) == 0, "reads a line");
	ok(bio_getline(&bi, line, sizeof line, &len) == 2 && len == 8,
	    "overlong line reported and drained");
	ok(bio_buffered(&bi) == 1, "next line left in the buffer");
	ok(bio_put(&bo, "250 ok\r\n", 8) == 0, "buffered reply");
	close(in[1]);
	ok(bio_getline(&bi, line, sizeof line, &len) == 1 && len == 1,
	    "last line without LF");
	ok(bio_getline(&bi, line, sizeof line, &len) == 0, "EOF");
	n = read(out[0], got, sizeof got);
	ok(n == 8 && memcmp(got, "250 ok\r\n", 8) == 0,
	    "output flushed before blocking on input");
	/* deadline */
	if (pipe(in) == -1)
		return 1;
	bio_init(&bi, in[0], bio_fdread, ib, sizeof ib);
	bi.deadline = bio_now() + 50;
	ok(bio_fill(&bi) == -1 && errno == ETIMEDOUT, "deadline gives ETIMEDOUT");
	close(in[1]);
	bi.deadline = 0;
	ok(bio_fill(&bi) == 0, "EOF after the writer closes");
	return done();
}
