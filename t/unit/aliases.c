/* aliases: the /etc/aliases syntax, and user_aliases_check's reports. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aliases.h"
#include "conf.h"
#include "user.h"
#include "../tap.h"

static char dir[] = "/tmp/postel-aliases.XXXXXX";
static char reports[4096];

static void
put(const char *name, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

/* "base:line: problem\n" for each report, the directory cut off */
static void
report(const char *file, unsigned line, const char *problem)
{
	const char *base = strrchr(file, '/');
	size_t n = strlen(reports);

	snprintf(reports + n, sizeof reports - n, "%s:%u: %s\n",
	    base ? base + 1 : file, line, problem);
}

static const char *
get(const struct conf_table *t, const char *key)
{
	const struct conf_ent *e = conf_table_get(t, key);

	return e == NULL ? "(none)" : e->val ? e->val : "(bad)";
}

int
main(void)
{
	char s[256], val[128], *name, p[512];
	struct conf_table t;
	struct user u;
	const char *why;
	int n;

	plan(17);
	strcpy(s, "Root:  alice,  \"|/usr/bin/x -a b\" , /var/mail/x,");
	why = aliases_parse(s, ALIASES_ETC, &name, val, sizeof val);
	ok(why == NULL && strcmp(name, "Root") == 0 &&
	    strcmp(val, "alice,|/usr/bin/x -a b,/var/mail/x") == 0,
	    "etc: name, targets joined by commas, quotes gone");
	strcpy(s, "list: a, :include:/etc/list");
	why = aliases_parse(s, ALIASES_ETC, &name, val, sizeof val);
	ok(why && strstr(why, ":include:") && strcmp(name, "list") == 0,
	    "etc: :include: is a problem, the name is known");
	strcpy(s, "nocolon alice");
	ok(aliases_parse(s, ALIASES_ETC, &name, val, sizeof val) != NULL &&
	    *name == '\0', "etc: no colon, no name");
	strcpy(s, "x: \"a, b\"");
	ok(aliases_parse(s, ALIASES_ETC, &name, val, sizeof val) != NULL,
	    "etc: a comma inside quotes is refused");
	strcpy(s, "x: \"|cmd");
	ok(aliases_parse(s, ALIASES_ETC, &name, val, sizeof val) != NULL,
	    "etc: an open quote is refused");
	strcpy(s, "x:  , ");
	ok(aliases_parse(s, ALIASES_ETC, &name, val, sizeof val) != NULL,
	    "etc: no target");
	strcpy(s, "x: a b");
	ok(aliases_parse(s, ALIASES_ETC, &name, val, sizeof val) != NULL,
	    "etc: a blank in an address target");
	strcpy(s, "x: aaaaaaaaaaaaaaaaaaaaaaaa");
	ok(aliases_parse(s, ALIASES_ETC, &name, val, 8) != NULL,
	    "etc: targets longer than the room: refused, not cut");
	strcpy(s, "root alice bob");
	ok(aliases_parse(s, ALIASES_CONF, &name, val, sizeof val) == NULL &&
	    strcmp(name, "root") == 0 && strcmp(val, "alice bob") == 0,
	    "conf: name and the rest of the line");

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(p, sizeof p, "%s/conf", dir);
	mkdir(p, 0755);
	put("etc", "# comment\n"
	    "postmaster: root\n"
	    "ops: alice,\n"
	    "\tbob,\n"
	    "\n"
	    "  carol\n"
	    "list: :include:/etc/list\n"
	    "broken line\n"
	    "Ops: dave\n");
	snprintf(p, sizeof p, "%s/etc", dir);
	reports[0] = '\0';
	n = aliases_load(&t, p, ALIASES_ETC, report);
	is_int(n, 3, "three problems in the file");
	is_str(reports, "etc:7: :include: is not supported: list the targets here\n"
	    "etc:8: no colon after the name\n"
	    "etc:9: ops is already an alias on line 3\n", "each as file:line: problem");
	is_str(get(&t, "ops"), "alice,bob,carol", "continuation lines, the first entry wins");
	is_str(get(&t, "postmaster"), "root", "the rest of the file works");
	is_str(get(&t, "list"), "(bad)", "the :include: entry is kept as bad");
	conf_table_free(&t);

	put("conf/aliases", "root alice\nabuse\nlist :include:/x\n");
	snprintf(p, sizeof p, "aliases-system %s/etc\n", dir);
	put("conf/postel.conf", p);
	put("conf/domains", "example.test\n");
	setenv("POSTEL_ROOT", dir, 1);
	reports[0] = '\0';
	ok(conf_load() == 0 && user_aliases_check(report) == 5 &&
	    strncmp(reports, "aliases:2: no target after the name\n"
	    "aliases:3: :include:", 36 + 20) == 0,
	    "user_aliases_check: conf/aliases, then aliases-system");
	ok(user_init() == 0 && user_lookup("list@example.test", &u) == 1 &&
	    u.kind == USER_ALIAS, "conf/aliases wins, even over a bad entry");
	ok(user_lookup("ops@example.test", &u) == 1 &&
	    strcmp(u.alias, "alice,bob,carol") == 0 &&
	    strstr(u.aliasfile, "/etc") != NULL,
	    "aliases-system: the alias and its file");
	user_free();
	snprintf(p, sizeof p, "rm -rf %s", dir);
	if (system(p) != 0)
		return 1;
	return done();
}
