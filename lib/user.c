/* user: see user.h and postel-local(8). */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliases.h"
#include "bio.h"
#include "fmt.h"
#include "scan.h"
#include "user.h"

static struct conf_table domains, users, aliases, sysaliases;
static char aliasespath[PATH_MAX];      /* conf/aliases */
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
	if (conf_path(aliasespath, sizeof aliasespath, "conf/aliases") == -1)
		aliasespath[0] = '\0';
	/* An entry with a problem stays in the table as a temporary failure
	 * of its name (lib/aliases.h); only an unreadable file stops here. */
	if (*conf_s("aliases-system") && aliases_load(&sysaliases,
	    conf_s("aliases-system"), ALIASES_ETC, NULL) == -1) {
		conf_fail("%s: %s", conf_s("aliases-system"), strerror(errno));
		user_free();
		return -1;
	}
	ready = 1;
	return 0;
}

int
user_reload(void)
{
	struct conf_table d = domains, u = users, a = aliases, s = sysaliases;

	/* user_init loads into fresh tables; the old ones stay aside */
	memset(&sysaliases, 0, sizeof sysaliases);
	ready = 0;
	if (user_init() == -1) {
		domains = d;
		users = u;
		aliases = a;
		sysaliases = s;
		ready = 1;
		return -1;
	}
	conf_table_free(&d);
	conf_table_free(&u);
	conf_table_free(&a);
	conf_table_free(&s);
	return 0;
}

void
user_free(void)
{
	conf_table_free(&domains);
	conf_table_free(&users);
	conf_table_free(&aliases);
	conf_table_free(&sysaliases);
	ready = 0;
}

/* UID_MIN of /etc/login.defs, where shadow's useradd starts ordinary
 * users; 1000 (Debian's) when the file or the line is missing. */
static unsigned long long
uid_min(void)
{
	static unsigned long long min;
	char buf[1024], line[256], *p;
	unsigned long long v;
	struct bio b;
	size_t n;
	int fd, g;

	if (min)
		return min;
	min = 1000;
	if ((fd = open("/etc/login.defs", O_RDONLY | O_CLOEXEC)) == -1)
		return min;
	bio_init(&b, fd, bio_fdread, buf, sizeof buf);
	while ((g = bio_getline(&b, line, sizeof line - 1, &n)) > 0) {
		line[n] = '\0';
		if (g != 1 || strncmp(line, "UID_MIN", 7) != 0 ||
		    (line[7] != ' ' && line[7] != '\t'))
			continue;
		p = line + 7 + strspn(line + 7, " \t");
		p[strcspn(p, " \t\r\n")] = '\0';
		if (scan_ulong(p, 1, 0xffffffffULL, &v) == 0)
			min = v;
	}
	close(fd);
	return min;
}

int
user_sysacct_pw(const struct passwd *pw)
{
	const char *sh = pw->pw_shell ? pw->pw_shell : "";
	const char *base = strrchr(sh, '/');

	base = base ? base + 1 : sh;
	return pw->pw_uid == 0 || pw->pw_uid < uid_min() ||
	    strcmp(base, "nologin") == 0 || strcmp(base, "false") == 0;
}

int
user_sysacct(const char *name)
{
	struct passwd *pw;

	return (pw = getpwnam(name)) != NULL && user_sysacct_pw(pw);
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

/* Make u an alias of admin, unless there is none or it is the address
 * looked up, key (which would loop); a bare admin name is at the
 * recipient's domain (postel-conf(5)). 1 done, 0 not. */
static int
to_admin(struct user *u, const char *key)
{
	const char *admin = conf_s("admin");

	if (*admin == '\0' || strcasecmp(admin, strchr(admin, '@') ? key :
	    u->name) == 0)
		return 0;
	u->kind = USER_ALIAS;
	u->alias = admin;
	u->aliasfile = aliasespath;
	return 1;
}

/* The role addresses of RFC 2142 and RFC 5321 4.5.1 a host must answer
 * for; built in rather than written to conf/aliases, so that an alias
 * file naming one (root: alice in /etc/aliases) is not hidden. */
static int
role(const char *name)
{
	static const char *const roles[] = { "root", "postmaster",
	    "mailer-daemon", "abuse" };
	size_t i;

	for (i = 0; i < sizeof roles / sizeof *roles; i++)
		if (strcmp(name, roles[i]) == 0)
			return 1;
	return 0;
}

/* Try name@domain in users, conf/aliases, aliases-system, the roles,
 * then system accounts (user.h). */
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
		u->aliasfile = aliasespath;
		return 1;
	}
	if ((e = conf_table_get(&sysaliases, u->name)) != NULL) {
		if (e->val == NULL) {   /* an entry with a problem: wait */
			errno = ENOTSUP;
			return -1;
		}
		u->kind = USER_ALIAS;
		u->alias = e->val;
		u->aliasfile = conf_s("aliases-system");
		return 1;
	}
	/* a role is a recipient smtpd takes, so no sysacct (root is
	 * one only when it falls through: no admin, or the admin itself) */
	if (role(u->name) && to_admin(u, key))
		return 1;
	if ((pw = getpwnam(u->name)) == NULL)
		return 0;
	/* daemon, www-data...: their mail is the admin's too, but smtpd
	 * refuses them from the network. A person's account (uid from
	 * UID_MIN on) with a nologin shell is refused from the network as
	 * well, but its mail is its own: a mail-only user reads it
	 * through IMAP or POP3, never the admin. */
	if (user_sysacct_pw(pw)) {
		u->sysacct = 1;
		if ((pw->pw_uid < uid_min() || pw->pw_uid == 65534) &&
		    to_admin(u, key))
			return 1;
	}
	if (conf_u("system-users") && pw->pw_uid != 0) {
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
	u->aliasfile = aliasespath;
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

static int
check_file(const char *path, int syntax,
    void (*report)(const char *, unsigned, const char *))
{
	struct conf_table t = { NULL, 0, "", 0, 0 };
	int r;

	if ((r = aliases_load(&t, path, syntax, report)) == -1) {
		report(path, 0, strerror(errno));
		return 1;
	}
	conf_table_free(&t);
	return r;
}

int
user_aliases_check(void (*report)(const char *file, unsigned line,
    const char *problem))
{
	char path[PATH_MAX];
	int n = 0;

	if (conf_path(path, sizeof path, "conf/aliases") == -1) {
		report("conf/aliases", 0, strerror(errno));
		n++;
	} else
		n += check_file(path, ALIASES_CONF, report);
	if (*conf_s("aliases-system"))
		n += check_file(conf_s("aliases-system"), ALIASES_ETC, report);
	return n;
}
