/* user: see user.h and postel-local(8). */
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fmt.h"
#include "user.h"

static struct conf_table domains, users, aliases;
static int ready;

int
user_init(void)
{
	if (ready)
		return 0;
	if (conf_table_load(&domains, "domains", 1) == -1)
		return -1;
	if (conf_table_load(&users, "users", 1) == -1 ||
	    conf_table_load(&aliases, "aliases", 1) == -1) {
		conf_table_free(&domains);
		conf_table_free(&users);
		return -1;
	}
	ready = 1;
	return 0;
}

void
user_free(void)
{
	conf_table_free(&domains);
	conf_table_free(&users);
	conf_table_free(&aliases);
	ready = 0;
}

static void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

int
user_local_domain(const char *domain)
{
	char d[ADDR_DOMAIN_MAX + 1];

	if (fmt_s(d, sizeof d, "%s", domain) < 0)
		return 0;
	lower(d);
	return conf_table_get(&domains, d) != NULL;
}

/* Try name@domain in users, aliases, then system accounts. */
static int
find(struct user *u)
{
	char key[ADDR_MAX + 2];
	const struct conf_ent *e;
	struct passwd *pw;
	struct stat sb;

	if (fmt_s(key, sizeof key, "%s@%s", u->name, u->domain) < 0)
		return 0;
	if ((e = conf_table_get(&users, key)) != NULL) {
		char *sp;
		u->kind = USER_VIRTUAL;
		fmt_s(u->home, sizeof u->home, "%s", e->val);
		sp = u->home + strcspn(u->home, " \t");
		if (*sp) {
			*sp++ = '\0';
			sp += strspn(sp, " \t");
			fmt_s(u->account, sizeof u->account, "%s", sp);
		}
		if (u->home[0] != '/') {
			errno = EINVAL;
			return -1;
		}
		if (u->account[0]) {
			if ((pw = getpwnam(u->account)) == NULL) {
				errno = ENOENT;
				return -1;
			}
			u->uid = pw->pw_uid;
			u->gid = pw->pw_gid;
			u->has_ids = 1;
		} else if (stat(u->home, &sb) == 0) {
			u->uid = sb.st_uid;
			u->gid = sb.st_gid;
			u->has_ids = 1;
		}
		return 1;
	}
	if ((e = conf_table_get(&aliases, key)) != NULL ||
	    (e = conf_table_get(&aliases, u->name)) != NULL) {
		u->kind = USER_ALIAS;
		u->alias = e->val;
		return 1;
	}
	if (conf_u("system-users") && (pw = getpwnam(u->name)) != NULL &&
	    pw->pw_uid != 0) {
		u->kind = USER_SYSTEM;
		fmt_s(u->home, sizeof u->home, "%s", pw->pw_dir);
		fmt_s(u->account, sizeof u->account, "%s", pw->pw_name);
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
		u->has_ids = 1;
		return 1;
	}
	return 0;
}

int
user_postmaster(void)
{
	const char *pm = conf_s("postmaster");
	struct user t;
	struct addr a;

	/* an address, never a |program, a file or a list of targets */
	if (pm[strcspn(pm, " \t,\"")] != '\0' || strchr("|/.&", pm[0]) ||
	    addr_parse(&a, pm, strlen(pm), ADDR_UTF8) != NULL)
		return 0;
	if (user_local_domain(addr_domain(&a)))
		return user_lookup(pm, &t);
	/* me that is not local goes out through remote, back to itself */
	return strcasecmp(addr_domain(&a), conf_s("me")) != 0;
}

/* RFC 5321 4.5.1: postmaster must be accepted at every domain the host
 * takes mail for. Where no user or alias answers for it, it is an alias
 * of the configured postmaster address, if that reaches someone and is
 * not the very address looked up (which would loop). */
static int
postmaster(struct user *u)
{
	const char *pm = conf_s("postmaster");
	char key[ADDR_MAX + 2];
	int r;

	if (strcmp(u->name, "postmaster") != 0 ||
	    fmt_s(key, sizeof key, "%s@%s", u->name, u->domain) < 0 ||
	    strcasecmp(key, pm) == 0)
		return 0;
	if ((r = user_postmaster()) != 1)
		return r;
	u->kind = USER_ALIAS;
	u->alias = pm;
	return 1;
}

int
user_lookup(const char *address, struct user *u)
{
	struct addr a;
	const char *sep = conf_s("extension-separator");
	size_t i;
	int r;

	memset(u, 0, sizeof *u);
	if (addr_parse(&a, address, strlen(address), ADDR_UTF8) != NULL ||
	    !user_local_domain(addr_domain(&a))) {
		errno = EINVAL;
		return -1;
	}
	if (addr_local(&a, u->name, sizeof u->name) == -1) {
		errno = EINVAL;
		return -1;
	}
	fmt_s(u->domain, sizeof u->domain, "%s", addr_domain(&a));
	lower(u->name);
	lower(u->domain);
	if ((r = find(u)) != 0)
		return r;
	for (i = 1; u->name[i]; i++) {
		char c = u->name[i];
		if (!strchr(sep, c))
			continue;
		fmt_s(u->ext, sizeof u->ext, "%s", u->name + i + 1);
		u->name[i] = '\0';
		if ((r = find(u)) != 0)
			return r;
		u->name[i] = c;
		break;
	}
	u->ext[0] = '\0';
	return postmaster(u);
}

/* Stub until the local branch's validator is merged: conf/aliases only,
 * an entry without a target or with an :include: is a problem. */
int
user_aliases_check(void (*report)(const char *file, unsigned line,
    const char *problem))
{
	struct conf_table t;
	size_t i;
	int n = 0;

	if (conf_table_load(&t, "aliases", 1) == -1) {
		report("conf/aliases", 0, conf_error());
		return 1;
	}
	for (i = 0; i < t.n; i++) {
		if (t.e[i].val[0] == '\0') {
			report("conf/aliases", (unsigned)t.e[i].line,
			    "no target");
			n++;
		} else if (strstr(t.e[i].val, ":include:") != NULL) {
			report("conf/aliases", (unsigned)t.e[i].line,
			    ":include: is not supported");
			n++;
		}
	}
	conf_table_free(&t);
	return n;
}
