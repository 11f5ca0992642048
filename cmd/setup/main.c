/*
 * setup: create or complete an instance directory (postel-setup(8)):
 * conf/, the queue with its FIFO, accepted domains and virtual users with
 * their Maildirs. Running it twice is harmless: it only adds what is
 * missing. With --system (as root) it also makes the queue and smtpd users
 * and sets owners and modes as postel-security(7) describes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "addr.h"
#include "aliases.h"
#include "conf.h"
#include "die.h"
#include "fmt.h"
#include "queue.h"
#include "user.h"

static const char *root;
static const char *confdir;     /* --conf-dir: ROOT/conf is a link to it */

static void
mkdir_p(const char *rel, mode_t mode)
{
	char path[PATH_MAX];

	if (fmt_s(path, sizeof path, "%s/%s", root, rel) < 0)
		die(EXIT_PERM, "path too long: %s/%s", root, rel);
	if (mkdir(path, mode) == -1 && errno != EEXIST)
		die_sys(EXIT_TEMP, "unable to create %s", path);
}

/* Append line to conf/<file> unless a line with the same first word is
 * there already. */
static void
add_line(const char *file, const char *key, const char *line)
{
	char path[PATH_MAX], buf[1100];
	size_t klen = strlen(key);
	FILE *f;

	if (fmt_s(path, sizeof path, "%s/conf/%s", root, file) < 0)
		die(EXIT_PERM, "path too long");
	if ((f = fopen(path, "re")) != NULL) {
		while (fgets(buf, sizeof buf, f) != NULL)
			if (strncasecmp(buf, key, klen) == 0 &&
			    (buf[klen] == ' ' || buf[klen] == '\t' ||
			    buf[klen] == '\n' || buf[klen] == '\0')) {
				fclose(f);
				return;
			}
		fclose(f);
	} else if (errno != ENOENT)
		die_sys(EXIT_TEMP, "unable to read %s", path);
	if ((f = fopen(path, "ae")) == NULL)
		die_sys(EXIT_TEMP, "unable to open %s", path);
	if (fprintf(f, "%s\n", line) < 0 || fflush(f) == EOF ||
	    fsync(fileno(f)) == -1 || fclose(f) == EOF)
		die_sys(EXIT_TEMP, "unable to write %s", path);
}

/* The value of key in conf/postel.conf into val, "" if none. */
static void
get_key(const char *key, char *val, size_t size)
{
	char path[PATH_MAX], buf[1100], *p;
	size_t klen = strlen(key);
	FILE *f;

	val[0] = '\0';
	if (fmt_s(path, sizeof path, "%s/conf/postel.conf", root) < 0)
		die(EXIT_PERM, "path too long");
	if ((f = fopen(path, "re")) == NULL) {
		if (errno != ENOENT)
			die_sys(EXIT_TEMP, "unable to read %s", path);
		return;
	}
	while (fgets(buf, sizeof buf, f) != NULL) {
		p = buf + strspn(buf, " \t");
		if (strncmp(p, key, klen) != 0 || (p[klen] != ' ' &&
		    p[klen] != '\t'))
			continue;
		p += klen + strspn(p + klen, " \t");
		p[strcspn(p, "\r\n")] = '\0';
		while (*p && (p[strlen(p) - 1] == ' ' ||
		    p[strlen(p) - 1] == '\t'))
			p[strlen(p) - 1] = '\0';
		fmt_s(val, size, "%s", p);
	}
	if (ferror(f))
		die_sys(EXIT_TEMP, "unable to read %s", path);
	fclose(f);
}

static void
add_domain(const char *d)
{
	if (*d && addr_domain_check(d, strlen(d), 0) == 0)
		add_line("domains", d, d);
}

/* Mail a host's own programs send must stay on it (postel-setup(8)):
 * me, localhost and the host's name and full name are local domains. */
static void
host_domains(char *me, size_t size)
{
	char host[256];
	struct addrinfo hints, *res;

	if (gethostname(host, sizeof host) == -1)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	get_key("me", me, size);
	if (*me == '\0')
		fmt_s(me, size, "%s", *host ? host : "localhost");
	add_domain(me);
	add_domain("localhost");
	add_domain(host);
	if (*host == '\0' || strchr(host, '.'))
		return;
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_CANONNAME;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return;         /* no full name known */
	if (res->ai_canonname && strchr(res->ai_canonname, '.'))
		add_domain(res->ai_canonname);
	freeaddrinfo(res);
}

/* The first account of a person: uid from UID_MIN on, a login shell. */
static const char *
first_person(void)
{
	static char name[64];
	struct passwd *pw;

	name[0] = '\0';
	setpwent();
	while ((pw = getpwent()) != NULL)
		if (!user_sysacct_pw(pw) &&
		    fmt_s(name, sizeof name, "%s", pw->pw_name) == 0)
			break;
	endpwent();
	return *name ? name : NULL;
}

/* admin: where the role addresses' (root, postmaster, mailer-daemon,
 * abuse) and the system accounts' mail goes (postel-conf(5)); the one in
 * postel.conf stays, else --admin, else the first --user, else for
 * --system the sudo caller or the first person. The roles are built in
 * (lib/user.h), not written to conf/aliases: that file is read before
 * /etc/aliases and would hide a root: alice there. */
static void
admin_key(const char *opt, const char *user, const char *me, int sys)
{
	char admin[600], old[600], line[700];
	const char *who = opt, *sudo = getenv("SUDO_USER");
	struct addr a;

	get_key("admin", old, sizeof old);
	if (!who && !*old && !user && sys) {
		if (sudo && *sudo && strcmp(sudo, "root") != 0 &&
		    getpwnam(sudo) != NULL)
			who = sudo;
		else
			who = first_person();
	}
	if (*old) {
		if (opt && strcasecmp(opt, old) != 0)
			warn("admin is %s in conf/postel.conf already: not "
			    "changed", old);
	} else if (who || user) {
		if (fmt_s(admin, sizeof admin, "%s%s%s", who ? who : user,
		    strchr(who ? who : user, '@') ? "" : "@",
		    strchr(who ? who : user, '@') ? "" : me) < 0 ||
		    addr_parse(&a, admin, strlen(admin), ADDR_UTF8) != NULL)
			die(EXIT_PERM, "bad admin address %s", who ? who : user);
		fmt_s(line, sizeof line, "admin %s", admin);
		add_line("postel.conf", "admin", line);
	} else
		warn("no admin address (--admin): mail to root and system "
		    "accounts has no one to go to");
}

/* Whether the host's /etc/aliases, which --system makes aliases-system,
 * has an entry for name. */
static int
etc_alias(const char *name)
{
	struct conf_table t = { NULL, 0, "", 0, 0 };
	int r;

	if (aliases_load(&t, "/etc/aliases", ALIASES_ETC, NULL) == -1)
		die_sys(EXIT_TEMP, "unable to read /etc/aliases");
	r = conf_table_get(&t, name) != NULL;
	conf_table_free(&t);
	return r;
}

/* --conf-dir: make DIR if missing and ROOT/conf a symbolic link to it,
 * or find that link there already; anything else at ROOT/conf stops us
 * (its files would be hidden, or go to the wrong place). The link is
 * followed by the setgid enqueue only in a root that belongs to root
 * (postel-security(7)). */
static void
conf_link(void)
{
	char path[PATH_MAX], to[PATH_MAX];
	struct stat sb;
	ssize_t n;

	if (mkdir(confdir, 0755) == -1 && errno != EEXIST)
		die_sys(EXIT_TEMP, "unable to create %s", confdir);
	if (stat(confdir, &sb) == -1)
		die_sys(EXIT_TEMP, "unable to stat %s", confdir);
	if (!S_ISDIR(sb.st_mode))
		die(EXIT_TEMP, "%s is not a directory", confdir);
	if (fmt_s(path, sizeof path, "%s/conf", root) < 0)
		die(EXIT_PERM, "path too long: %s/conf", root);
	if (symlink(confdir, path) == 0)
		return;
	if (errno != EEXIST)
		die_sys(EXIT_TEMP, "unable to link %s to %s", path, confdir);
	if ((n = readlink(path, to, sizeof to - 1)) == -1) {
		if (errno == EINVAL)
			die(EXIT_TEMP, "%s exists and is not a link to %s: move "
			    "its files there and remove it", path, confdir);
		die_sys(EXIT_TEMP, "unable to read link %s", path);
	}
	to[n] = '\0';
	if (strcmp(to, confdir) != 0)
		die(EXIT_TEMP, "%s links to %s, not to %s", path, to, confdir);
}

static void
usage(void)
{
	die(EXIT_PERM, "usage: setup ROOT [--me HOST] [--domain DOMAIN]... "
	    "[--user NAME]... [--admin ADDRESS] [--conf-dir DIR] [--system [--queue-user U] "
	    "[--smtpd-user U] [--pop3d-user U] [--libexec DIR]]");
}

/* Run a command (useradd, groupadd) and require exit 0. */
static void
run(char *const *av)
{
	struct child c = { .path = av[0], .argv = av,
	    .fd = { CHILD_KEEP, CHILD_KEEP, CHILD_KEEP }, .nfd = 3,
	    .failed = child_warn };
	pid_t pid;
	int st;

	if ((pid = child_spawn(&c)) == -1)
		die_sys(EXIT_TEMP, "unable to fork");
	if (child_wait(pid, &st) == -1)
		die_sys(EXIT_TEMP, "unable to wait for %s", av[0]);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die(EXIT_TEMP, "%s failed", av[0]);
}

/* The account name, made as a system user with primary group gname
 * (made too, if missing) when it does not exist. */
static struct passwd
account(const char *name, const char *gname, const char *home)
{
	struct passwd *pw;

	if (name == NULL || gname == NULL || *name == '\0')
		die(EXIT_PERM, "an account name is missing");
	if ((pw = getpwnam(name)) == NULL) {
		if (getgrnam(gname) == NULL) {
			char *ga[] = { "groupadd", "--system", (char *)gname,
			    NULL };
			run(ga);
		}
		char *ua[] = { "useradd", "--system", "-g", (char *)gname,
		    "-d", (char *)home, "-M", "-s", "/usr/sbin/nologin",
		    (char *)name, NULL };
		run(ua);
		if ((pw = getpwnam(name)) == NULL)
			die(EXIT_TEMP, "useradd made no user %s", name);
	}
	return *pw;
}

/* The queue's layout, as lib/queue names it (postel-queue(5)); a system
 * instance then gets the owners and modes system_modes gives it. */
static void
make_queue(void)
{
	const struct qlayout *ql;
	char rel[64], path[PATH_MAX];
	int fd;

	mkdir_p("queue", 0750);
	for (ql = queue_layout; ql->name; ql++) {
		if (fmt_s(rel, sizeof rel, "queue/%s", ql->name) < 0 ||
		    fmt_s(path, sizeof path, "%s/%s", root, rel) < 0)
			die(EXIT_PERM, "path too long: %s/queue/%s", root,
			    ql->name);
		if (ql->type == 'd')
			mkdir_p(rel, 0750);
		else if (ql->type == 'p') {
			if (mkfifo(path, 0620) == -1 && errno != EEXIST)
				die_sys(EXIT_TEMP, "unable to create %s", path);
		} else if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC,
		    0640)) == -1 || close(fd) == -1)
			die_sys(EXIT_TEMP, "unable to create %s", path);
	}
}

/* Owner and mode of ROOT/rel (or of rel itself when absolute), which
 * must be a directory or a FIFO or a plain file we made (never follow a
 * symlink). */
static void
own(const char *rel, uid_t u, gid_t g, mode_t mode)
{
	char path[PATH_MAX];
	struct stat sb;

	if (rel[0] == '/') {
		if (fmt_s(path, sizeof path, "%s", rel) < 0)
			die(EXIT_PERM, "path too long: %s", rel);
	} else if (fmt_s(path, sizeof path, "%s%s%s", root, *rel ? "/" : "",
	    rel) < 0)
		die(EXIT_PERM, "path too long: %s/%s", root, rel);
	if (lstat(path, &sb) == -1) {
		if (errno == ENOENT && strncmp(rel, "conf/", 5) == 0)
			return;         /* a conf file not written yet */
		die_sys(EXIT_TEMP, "unable to stat %s", path);
	}
	if (S_ISLNK(sb.st_mode))
		die(EXIT_TEMP, "%s is a symbolic link: not touching it", path);
	if (lchown(path, u, g) == -1 || chmod(path, mode) == -1)
		die_sys(EXIT_TEMP, "unable to set owner and mode of %s", path);
}

/* postel-security(7): who owns what in a system instance. */
static void
system_modes(const char *quser, const char *suser, const char *puser,
    const char *libexec, const char **users, size_t nu)
{
	const struct qlayout *ql;
	struct passwd q, sm;
	char path[PATH_MAX], qhome[PATH_MAX];
	size_t j;

	if (geteuid() != 0)
		die(EXIT_PERM, "--system needs root");
	fmt_s(qhome, sizeof qhome, "%s", root);
	q = account(quser, quser, qhome);
	sm = account(suser, quser, "/nonexistent");
	/* pop3d's front owns nothing: a group of its own, not the queue's */
	(void)account(puser, puser, "/nonexistent");
	if (sm.pw_gid != q.pw_gid)
		warn("%s's primary group is not %s's: start smtpd with the "
		    "queue group (tcpserver -g %lu, Group= in the unit)", suser,
		    quser, (unsigned long)q.pw_gid);
	own("", 0, 0, 0755);
	own(confdir ? confdir : "conf", 0, 0, 0755);
	/* smtpd and qrun read these; secrets (auth-users, the TLS key)
	 * are the admin's to make readable by the smtpd user alone */
	own("conf/postel.conf", 0, 0, 0644);
	own("conf/domains", 0, 0, 0644);
	own("conf/users", 0, 0, 0644);
	/* root's aliases run as alias-user, not root (postel-local(8)) */
	own("conf/aliases", 0, 0, 0644);
	if (nu)
		own("mail", 0, 0, 0755);
	own("queue", q.pw_uid, q.pw_gid, 0750);
	for (ql = queue_layout; ql->name; ql++) {
		if (fmt_s(path, sizeof path, "queue/%s", ql->name) < 0)
			die(EXIT_PERM, "path too long: queue/%s", ql->name);
		own(path, q.pw_uid, q.pw_gid, ql->mode);
	}
	/* virtual users' Maildirs: local runs as their owner, the queue
	 * user, so qrun needs no root for them */
	for (j = 0; j < nu; j++) {
		static const char *sub[] = { "", "/Maildir", "/Maildir/tmp",
		    "/Maildir/new", "/Maildir/cur" };
		size_t k;
		for (k = 0; k < sizeof sub / sizeof *sub; k++) {
			fmt_s(path, sizeof path, "mail/%s%s", users[j], sub[k]);
			own(path, q.pw_uid, q.pw_gid, 0700);
		}
	}
	if (libexec) {
		fmt_s(path, sizeof path, "%s/enqueue", libexec);
		if (lchown(path, 0, q.pw_gid) == -1 || chmod(path, 02755) == -1)
			die_sys(EXIT_TEMP, "unable to make %s setgid %s", path,
			    quser);
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "me", required_argument, NULL, 'm' },
		{ "system", no_argument, NULL, 's' },
		{ "queue-user", required_argument, NULL, 'Q' },
		{ "smtpd-user", required_argument, NULL, 'S' },
		{ "pop3d-user", required_argument, NULL, 'P' },
		{ "libexec", required_argument, NULL, 'L' },
		{ "admin", required_argument, NULL, 'A' },
		{ "conf-dir", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	const char *domains[64], *users[256], *me = NULL;
	const char *quser = "postel", *suser = "postel-smtpd", *libexec = NULL;
	const char *admin = NULL, *puser = "postel-pop3d";
	int sys = 0;
	size_t nd = 0, nu = 0, i, j;
	char path[PATH_MAX], line[4200], key[600], mename[300];
	int c;

	die_init(argv[0]);
	umask(027);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (nd == 64)
				die(EXIT_PERM, "too many domains");
			if (addr_domain_check(optarg, strlen(optarg), 0))
				die(EXIT_PERM, "bad domain %s", optarg);
			domains[nd++] = optarg;
			break;
		case 'u':
			if (nu == 256)
				die(EXIT_PERM, "too many users");
			users[nu++] = optarg;
			break;
		case 'm':
			me = optarg;
			break;
		case 's':
			sys = 1;
			break;
		case 'Q':
			quser = optarg;
			break;
		case 'S':
			suser = optarg;
			break;
		case 'P':
			puser = optarg;
			break;
		case 'L':
			libexec = optarg;
			break;
		case 'A':
			admin = optarg;
			break;
		case 'C':
			confdir = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	root = argv[optind];
	if (root[0] != '/')
		die(EXIT_PERM, "ROOT must be an absolute path: %s", root);
	if (nu && nd == 0)
		die(EXIT_PERM, "--user needs a --domain");
	if (confdir && confdir[0] != '/')
		die(EXIT_PERM, "--conf-dir must be an absolute path: %s",
		    confdir);
	if (mkdir(root, 0755) == -1 && errno != EEXIST)
		die_sys(EXIT_TEMP, "unable to create %s", root);
	if (confdir)
		conf_link();
	mkdir_p("conf", 0755);
	make_queue();
	if (me) {
		fmt_s(line, sizeof line, "me %s", me);
		add_line("postel.conf", "me", line);
	}
	for (i = 0; i < nd; i++)
		add_line("domains", domains[i], domains[i]);
	host_domains(mename, sizeof mename);
	/* RFC 5321 4.5.1: a postmaster that mail can reach, the role at the
	 * first domain, read by the first user; the default, postmaster@me,
	 * is not local unless me is one of the domains */
	if (nu && nd) {
		if (fmt_s(line, sizeof line, "postmaster postmaster@%s",
		    domains[0]) < 0)
			die(EXIT_PERM, "domain too long");
		add_line("postel.conf", "postmaster", line);
		/* conf/aliases is read first: a postmaster the host's
		 * /etc/aliases names stays in force */
		if (fmt_s(line, sizeof line, "postmaster %s@%s", users[0],
		    domains[0]) < 0)
			die(EXIT_PERM, "user name too long");
		if (!sys || !etc_alias("postmaster"))
			add_line("aliases", "postmaster", line);
	}
	if (nu)
		mkdir_p("mail", 0755);
	for (j = 0; j < nu; j++) {
		struct addr a;
		for (i = 0; i < nd; i++) {
			if (fmt_s(key, sizeof key, "%s@%s", users[j], domains[i]) < 0 ||
			    addr_parse(&a, key, strlen(key), 0) != NULL)
				die(EXIT_PERM, "bad user name %s", users[j]);
			fmt_s(path, sizeof path, "mail/%s", users[j]);
			mkdir_p(path, 0700);
			fmt_s(path, sizeof path, "mail/%s/Maildir", users[j]);
			mkdir_p(path, 0700);
			fmt_s(path, sizeof path, "mail/%s/Maildir/tmp", users[j]);
			mkdir_p(path, 0700);
			fmt_s(path, sizeof path, "mail/%s/Maildir/new", users[j]);
			mkdir_p(path, 0700);
			fmt_s(path, sizeof path, "mail/%s/Maildir/cur", users[j]);
			mkdir_p(path, 0700);
			if (fmt_s(line, sizeof line, "%s %s/mail/%s", key, root,
			    users[j]) < 0)
				die(EXIT_PERM, "path too long");
			add_line("users", key, line);
		}
	}
	if (nu && fmt_s(key, sizeof key, "%s@%s", users[0], domains[0]) < 0)
		die(EXIT_PERM, "user name too long");
	admin_key(admin, nu ? key : NULL, mename, sys);
	/* --system: the host's own aliases, read after conf/aliases */
	if (sys && access("/etc/aliases", F_OK) == 0)
		add_line("postel.conf", "aliases-system",
		    "aliases-system /etc/aliases");
	if (sys) {
		/* qrun started as root becomes the queue user and keeps a
		 * spawner for local (postel-security(7)) */
		if (fmt_s(line, sizeof line, "qrun-user %s", quser) < 0)
			die(EXIT_PERM, "queue user name too long");
		add_line("postel.conf", "qrun-user", line);
		/* the account pop3d's network side runs as */
		if (fmt_s(line, sizeof line, "pop3d-user %s", puser) < 0)
			die(EXIT_PERM, "pop3d user name too long");
		add_line("postel.conf", "pop3d-user", line);
		system_modes(quser, suser, puser, libexec, users, nu);
	}
	return 0;
}
