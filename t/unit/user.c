/* user: the recipient lookup that smtpd (RCPT) and local share. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "user.h"
#include "../tap.h"

static char dir[] = "/tmp/postel-user.XXXXXX";

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
	struct user u;
	char p[512];
	int r;

	plan(21);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(p, sizeof p, "%s/conf", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/alice", dir);
	mkdir(p, 0700);
	setenv("POSTEL_ROOT", dir, 1);
	put("domains", "Example.TEST\n");
	snprintf(p, sizeof p, "alice@example.test %s/alice\n", dir);
	put("users", p);
	put("aliases", "abuse alice@example.test\nsales@example.test |cat\n");
	put("postel.conf", "system-users no\nextension-separator +-\n");
	ok(conf_load() == 0 && user_init() == 0, "loads the tables");
	ok(user_local_domain("example.test") && user_local_domain("EXAMPLE.test") &&
	    !user_local_domain("example.net"), "local domains, any case");
	r = user_lookup("alice@example.test", &u);
	ok(r == 1 && u.kind == USER_VIRTUAL && strstr(u.home, "/alice") &&
	    u.has_ids, "virtual user with home and ids");
	r = user_lookup("Alice@Example.Test", &u);
	ok(r == 1 && strcmp(u.name, "alice") == 0, "case folded");
	r = user_lookup("alice+lists@example.test", &u);
	ok(r == 1 && strcmp(u.name, "alice") == 0 && strcmp(u.ext, "lists") == 0,
	    "extension after +");
	r = user_lookup("alice-x@example.test", &u);
	ok(r == 1 && strcmp(u.ext, "x") == 0, "second separator character");
	ok(user_lookup("bob@example.test", &u) == 0, "unknown user: 0");
	ok(user_lookup("root@example.test", &u) == 0,
	    "system users off: root unknown");
	r = user_lookup("abuse@example.test", &u);
	ok(r == 1 && u.kind == USER_ALIAS && strcmp(u.alias, "alice@example.test") == 0,
	    "alias by local part");
	r = user_lookup("sales@example.test", &u);
	ok(r == 1 && u.kind == USER_ALIAS && strcmp(u.alias, "|cat") == 0,
	    "alias by whole address");
	ok(user_lookup("alice@example.net", &u) == -1 && errno == EINVAL,
	    "not a local domain: -1 EINVAL");
	ok(user_lookup("\"alice@example.test\"@example.test", &u) == 0,
	    "a quoted @ is not a way to another user");
	user_free();

	/* system accounts: the admin's, never the admin itself */
	ok(user_sysacct("root") && user_sysacct("daemon") &&
	    !user_sysacct("no-such-account-here"), "root and daemon are "
	    "system accounts");
	put("postel.conf", "system-users no\nadmin ops@example.test\n");
	ok(conf_load() == 0 && user_init() == 0 &&
	    user_lookup("daemon@example.test", &u) == 1 &&
	    u.kind == USER_ALIAS && u.sysacct &&
	    strcmp(u.alias, "ops@example.test") == 0,
	    "a system account is an alias of admin, sysacct set");
	ok(user_lookup("abuse@example.test", &u) == 1 && !u.sysacct,
	    "an alias is no system account");
	ok(strcmp(u.alias, "alice@example.test") == 0,
	    "a role conf/aliases names is that alias, not the admin's");
	ok(user_lookup("root@example.test", &u) == 1 &&
	    u.kind == USER_ALIAS && !u.sysacct &&
	    strcmp(u.alias, "ops@example.test") == 0 &&
	    strstr(u.aliasfile, "/conf/aliases") != NULL,
	    "root is a role: the admin's, no sysacct (smtpd takes it)");
	ok(user_lookup("postmaster@example.test", &u) == 1 &&
	    user_lookup("mailer-daemon+x@example.test", &u) == 1 &&
	    !u.sysacct && strcmp(u.alias, "ops@example.test") == 0,
	    "postmaster and mailer-daemon too");
	user_free();
	snprintf(p, sizeof p, "system-users no\nadmin ops@example.test\n"
	    "aliases-system %s/conf/etc-aliases\n", dir);
	put("postel.conf", p);
	put("etc-aliases", "root: alice@example.test\n");
	ok(conf_load() == 0 && user_init() == 0 &&
	    user_lookup("root@example.test", &u) == 1 &&
	    strcmp(u.alias, "alice@example.test") == 0 &&
	    strstr(u.aliasfile, "etc-aliases") != NULL,
	    "a role aliases-system names is that alias, not the admin's");
	user_free();
	put("postel.conf", "system-users no\nadmin root@example.test\n");
	ok(conf_load() == 0 && user_init() == 0 &&
	    user_lookup("root@example.test", &u) == 0,
	    "the admin address itself is no alias of itself");
	user_free();
	put("postel.conf", "system-users no\nadmin root\n");
	ok(conf_load() == 0 && user_init() == 0 &&
	    user_lookup("root@example.test", &u) == 0 &&
	    user_lookup("postmaster@example.test", &u) == 1 &&
	    strcmp(u.alias, "root") == 0,
	    "nor is a bare admin name at the recipient's domain");
	user_free();
	snprintf(p, sizeof p, "rm -rf %s", dir);
	if (system(p) != 0)
		return 1;
	return done();
}
