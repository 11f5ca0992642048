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

/* conf_report's reporter for the tests: the lines of the problems */
static unsigned nprob, problines[8];

static void
collect(const char *file, unsigned line, const char *problem)
{
	(void)file;
	(void)problem;
	if (nprob < 8)
		problines[nprob] = line;
	nprob++;
}

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

	plan(31);
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

	/* every problem, for check and smtpd */
	put("postel.conf", "max-sise 1\nmax-size 2048\nmax-errors x\n"
	    "smtpd-timeout 5\nretry-schedule 60, 300 x\n");
	conf_report(collect);
	ok(conf_load() == 0, "with a reporter, conf_load goes on");
	ok(nprob == 2 && problines[0] == 1 && problines[1] == 3,
	    "and reports each bad line");
	ok(conf_u("max-size") == 2048 && conf_u("smtpd-timeout") == 5 &&
	    conf_u("max-errors") == 10, "good lines count, a bad one is the "
	    "default");
	{
		struct conf_key k;
		char buf[32];
		size_t i, found = 0;
		for (i = 0; conf_key(i, &k, buf, sizeof buf) == 0; i++) {
			if (strcmp(k.name, "max-size") == 0)
				found += k.line == 2 && !strcmp(k.value, "2048");
			if (strcmp(k.name, "max-errors") == 0)
				found += k.line == 0 && !strcmp(k.value, "10");
			if (strcmp(k.name, "tls-require") == 0)
				found += !strcmp(k.value, "no");
		}
		ok(found == 3 && i > 40, "conf_key lists every key, value and "
		    "line");
	}
	ok(conf_line("smtpd-timeout") == 4 && conf_line("me") == 0,
	    "conf_line");
	{
		long long tab[4];
		size_t n;
		ok(conf_schedule(tab, 4, &n) == -1 && errno == EINVAL,
		    "a bad retry-schedule word");
	}
	nprob = 0;
	ok(conf_table_load(&t, "users", 1) == 0 && t.n == 0 && nprob == 1 &&
	    problines[0] == 1, "an overlong table line is reported, not fatal");
	conf_table_free(&t);
	put("users", "a@x /h\n");
	{
		char big[3000];
		memset(big, 'a', sizeof big - 2);
		big[sizeof big - 2] = '\n';
		big[sizeof big - 1] = '\0';
		put("domains", big);
		snprintf(p, sizeof p, "%s/conf/domains", dir);
		FILE *f = fopen(p, "a");
		fputs("ok.test\n", f);
		fclose(f);
	}
	nprob = 0;
	ok(conf_table_load(&t, "domains", 1) == 0 && t.n == 1 && nprob == 1 &&
	    conf_table_get(&t, "ok.test"), "the lines after it are read");
	conf_table_free(&t);
	conf_report(NULL);
	ok(conf_load() == -1, "without a reporter, the first problem stops");
	put("postel.conf", "retry-schedule 60,300 900\n");
	{
		long long tab[4];
		size_t n;
		ok(conf_load() == 0 && conf_schedule(tab, 4, &n) == 0 && n == 3 &&
		    tab[0] == 60 && tab[2] == 900, "retry-schedule parsed");
	}
	put("postel.conf", "");
	put("domains", "");

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
