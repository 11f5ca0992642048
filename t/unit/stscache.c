/* stscache: a policy kept is read back until it expires; a damaged,
 * foreign or missing file reads as none; names are host names only. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stscache.h"
#include "../tap.h"

static char dir[] = "/tmp/postel-sts.XXXXXX";

static void
put_file(int d, const char *name, const char *s)
{
	int fd = openat(d, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		abort();
	close(fd);
}

int
main(void)
{
	static const char pol[] = "version: STSv1\nmode: enforce\n"
	    "mx: mx.example.org\nmax_age: 3600\n";
	static struct stscache c;
	struct mtasts_policy p;
	int d;

	plan(10);
	if (mkdtemp(dir) == NULL || (d = open(dir, O_RDONLY)) == -1)
		abort();
	is_int(stscache_get(d, "example.org", 1000, &c), 0, "nothing kept");
	if (mtasts_policy_parse(pol, strlen(pol), &p) != NULL)
		abort();
	is_int(stscache_put(d, "Example.ORG.", "id42", pol, strlen(pol), &p,
	    1000), 0, "a policy kept");
	ok(stscache_get(d, "example.org", 4599, &c) == 1 &&
	    strcmp(c.id, "id42") == 0 && c.fetched == 1000 &&
	    c.expires == 4600 && c.p.mode == MTASTS_ENFORCE &&
	    c.blen == strlen(pol) && memcmp(c.body, pol, c.blen) == 0,
	    "read back, any case, with its id, times, text and parse");
	is_int(stscache_get(d, "example.org", 4600, &c), 0,
	    "expired at fetched + max_age");
	is_int(stscache_put(d, "../x", "id", pol, strlen(pol), &p, 1), -1,
	    "a name that is not a host name is refused");
	is_int(stscache_put(d, "a.example", "i d", pol, strlen(pol), &p, 1),
	    -1, "an id with a blank is refused");
	put_file(d, "b.example", "postel-sts 1\ndomain b.example\nid x\n"
	    "fetched 1\nexpires 99999\n\nversion: STSv2\n");
	is_int(stscache_get(d, "b.example", 2, &c), 0,
	    "a kept text that does not parse reads as none");
	put_file(d, "c.example", "postel-sts 1\ndomain other.example\nid x\n"
	    "fetched 1\nexpires 99999\n\nversion: STSv1\nmode: none\n"
	    "max_age: 5\n");
	is_int(stscache_get(d, "c.example", 2, &c), 0,
	    "a file naming another domain reads as none");
	put_file(d, "e.example", "garbage");
	is_int(stscache_get(d, "e.example", 2, &c), 0, "a damaged file: none");
	ok(stscache_drop(d, "example.org") == 0 &&
	    stscache_get(d, "example.org", 1001, &c) == 0 &&
	    stscache_drop(d, "example.org") == 0, "dropped, twice");
	unlinkat(d, "b.example", 0);
	unlinkat(d, "c.example", 0);
	unlinkat(d, "e.example", 0);
	close(d);
	rmdir(dir);
	return done();
}
