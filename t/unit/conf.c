/* conf: defaults, values, and the errors that must name file and line;
 * the instance root opened once, and conf/ read from that descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "queue.h"
#include "../tap.h"

static char dir[] = "/tmp/postel-conf.XXXXXX";

/* conf_root_open(1) with $POSTEL_ROOT set to dir + suffix */
static int
open_nofollow(const char *suffix)
{
	char p[300];
	int fd;

	snprintf(p, sizeof p, "%s%s", dir, suffix);
	setenv("POSTEL_ROOT", p, 1);
	fd = conf_root_open(1);
	setenv("POSTEL_ROOT", dir, 1);
	return fd;
}

static void
put(const char *name, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof p, "%s/conf/%s", dir, name);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

int
main(void)
{
	struct conf_table t;
	char p[300];
	int rc;

	int fd, e;

	plan(21);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(p, sizeof p, "%s/conf", dir);
	mkdir(p, 0755);
	setenv("POSTEL_ROOT", dir, 1);
	ok(conf_load() == 0, "missing file means defaults");
	is_int((long long)conf_u("max-size"), 35651584, "default max-size");
	put("postel.conf", "# comment\n\n  max-size 2048  \nme mx.example.test\n"
	    "tls-require yes\n");
	ok(conf_load() == 0, "reads a file");
	is_int((long long)conf_u("max-size"), 2048, "value read, blanks dropped");
	is_str(conf_s("me"), "mx.example.test", "string value");
	is_int((long long)conf_u("tls-require"), 1, "boolean yes");
	is_str(conf_s("postmaster"), "postmaster@mx.example.test",
	    "postmaster follows me");
	put("postel.conf", "max-size 2048\nno-such-key 1\n");
	ok(conf_load() == -1 && strstr(conf_error(), "postel.conf:2: unknown key"),
	    "unknown key names file:line");
	put("postel.conf", "max-size 12\n");
	ok(conf_load() == -1 && strstr(conf_error(), "max-size must be a number"),
	    "out of range refused");
	put("domains", "Example.TEST\n# x\nother.test  \n");
	rc = conf_table_load(&t, "domains", 1);
	ok(rc == 0 && t.n == 2 && conf_table_get(&t, "example.test") &&
	    conf_table_get(&t, "other.test") && !conf_table_get(&t, "x.test"),
	    "table folded, sorted, found");
	conf_table_free(&t);
	{
		char big[3000];
		memset(big, 'a', sizeof big - 2);
		big[sizeof big - 2] = '\n';
		big[sizeof big - 1] = '\0';
		put("users", big);
	}
	ok(conf_table_load(&t, "users", 1) == -1 &&
	    strstr(conf_error(), "users:1: line too long"), "overlong line refused");
	ok(conf_table_load(&t, "nonexistent", 0) == 0 && t.n == 0,
	    "missing table is empty");

	snprintf(p, sizeof p, "mkdir -p %s/root/conf %s/root/queue && "
	    "ln -s %s/root %s/link", dir, dir, dir, dir);
	if (system(p) != 0)
		return 1;
	fd = open_nofollow("/link");
	e = errno;
	ok(fd == -1 && (e == ELOOP || e == ENOTDIR), "a root that is a link fails");
	ok(open_nofollow("/link/") == -1, "... also with a trailing slash");
	fd = open_nofollow("/link/.");
	ok(fd == -1 && errno == EINVAL, "... and as link/.");
	ok(open_nofollow("/link/conf/..") == -1 && errno == EINVAL,
	    "a last component .. fails");
	fd = open_nofollow("/link/../root//");
	ok(fd != -1, "links among the parents are followed, slashes dropped");
	if (fd != -1)
		close(fd);
	fd = open_nofollow("/root");
	e = fd == -1 ? -1 : queue_dir_at(fd);
	ok(fd != -1 && e != -1, "the root and its queue open");
	if (e != -1)
		close(e);
	/* the descriptor, not the path: move the directory away, put
	 * another one in its place, and conf still comes from the first */
	put("../root/conf/postel.conf", "max-size 4096\n");
	snprintf(p, sizeof p, "mv %s/root %s/moved && mkdir -p %s/root/conf && "
	    "echo 'max-size 8192' >%s/root/conf/postel.conf", dir, dir, dir,
	    dir);
	if (system(p) != 0)
		return 1;
	snprintf(p, sizeof p, "%s/root", dir);
	setenv("POSTEL_ROOT", p, 1);
	ok(conf_load_at(fd) == 0 && conf_u("max-size") == 4096,
	    "conf/ is read from the descriptor");
	snprintf(p, sizeof p, "rm -rf %s/moved/conf && ln -s %s/root/conf "
	    "%s/moved/conf", dir, dir, dir);
	if (system(p) != 0)
		return 1;
	/* a link at conf/ could be the root's owner's: refused unless only
	 * root can write the root (postel-security(7)) */
	snprintf(p, sizeof p, "chmod 775 %s/moved", dir);
	if (system(p) != 0)
		return 1;
	ok(conf_load_at(fd) == -1 && strstr(conf_error(), "conf/postel.conf"),
	    "conf/ that is a link is refused in a root others may write");
	snprintf(p, sizeof p, "chmod 755 %s/moved", dir);
	if (system(p) != 0)
		return 1;
	if (geteuid() == 0)
		ok(conf_load_at(fd) == 0 && conf_u("max-size") == 8192,
		    "... and followed in a root of root's alone");
	else
		ok(conf_load_at(fd) == -1 &&
		    strstr(conf_error(), "conf/postel.conf"),
		    "... and refused in a root not root's");
	close(fd);
	snprintf(p, sizeof p, "rm -rf %s", dir);
	if (system(p) != 0)
		return 1;
	return done();
}
