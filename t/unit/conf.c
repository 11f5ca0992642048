/* conf: defaults, values, and the errors that must name file and line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "../tap.h"

static char dir[] = "/tmp/postel-conf.XXXXXX";

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

	plan(12);
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
	snprintf(p, sizeof p, "rm -rf %s", dir);
	if (system(p) != 0)
		return 1;
	return done();
}
