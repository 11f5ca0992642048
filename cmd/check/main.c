/*
 * check: validate every file of $POSTEL_ROOT/conf at once, before it goes
 * live. Each problem is one "file:line: problem" line on stderr (all of
 * them, not just the first); then the effective postel.conf, every key
 * with its value, goes to stdout, defaults marked. Exit 0 when clean,
 * 111 on any problem. The parsers are the ones the programs use (lib/conf,
 * lib/addr, lib/route, lib/filter, lib/tls_server), so what check accepts
 * is what they accept. postel-check(8) is the contract.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "die.h"
#include "dkim.h"
#include "dkimconf.h"
#include "filter.h"
#include "fmt.h"
#include "route.h"
#include "tls_server.h"
#include "user.h"

static unsigned long problems;
static char confdir[PATH_MAX];

/* One problem: "file:line: text", or "file: text" for line 0. */
static void __attribute__((format(printf, 3, 4)))
problem(const char *file, unsigned line, const char *fmt, ...)
{
	char text[CONF_LINE_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(text, sizeof text, fmt, ap) < 0)
		text[0] = '\0';
	va_end(ap);
	if (line)
		fprintf(stderr, "%s:%u: %s\n", file, line, text);
	else
		fprintf(stderr, "%s: %s\n", file, text);
	problems++;
}

/* conf_report's reporter: the readers' own problems. */
static void
report(const char *file, unsigned line, const char *text)
{
	problem(file, line, "%s", text);
}

/* For a second reading of a file whose problems were reported. */
static void
quiet(const char *file, unsigned line, const char *text)
{
	(void)file;
	(void)line;
	(void)text;
}

/* "$POSTEL_ROOT/conf/name", as the readers name the file. */
static const char *
cpath(const char *name)
{
	static char p[4096 + 64];

	if (fmt_s(p, sizeof p, "%s/%s", confdir, name) < 0)
		return name;
	return p;
}

/* A path from postel.conf: absolute, or relative to conf/ (as smtpd
 * takes tls-cert, tls-key and auth-users). */
static int
confpath(char *dst, size_t size, const char *v)
{
	if (v[0] == '/')
		return fmt_s(dst, size, "%s", v) < 0 ? -1 : 0;
	return fmt_s(dst, size, "%s/%s", confdir, v) < 0 ? -1 : 0;
}

static int
byline(const void *a, const void *b)
{
	const struct conf_ent *x = a, *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

/* conf/name as a table, in file order, so that problems come out in the
 * order of the lines. The readers' problems are reported on the way. */
static void
table(struct conf_table *t, const char *name)
{
	if (conf_table_load(t, name, 1) == -1)
		die(EXIT_TEMP, "unable to read %s: %s", cpath(name),
		    conf_error());
	if (t->n)
		qsort(t->e, t->n, sizeof *t->e, byline);
}

/* postel.conf ------------------------------------------------------- */

#define PC "postel.conf"

static void
check_tls(void)
{
	const char *cert = conf_s("tls-cert"), *key = conf_s("tls-key");
	const char *why = NULL;
	char cp[PATH_MAX], kp[PATH_MAX];
	struct tls_server_cred cred;
	unsigned line = conf_line(*cert ? "tls-cert" : "tls-key");

	if (*cert == '\0' && *key == '\0')
		return;
	if (*cert == '\0' || *key == '\0') {
		problem(cpath(PC), line, "tls-cert and tls-key must both be "
		    "set");
		return;
	}
	if (confpath(cp, sizeof cp, cert) == -1 ||
	    confpath(kp, sizeof kp, key) == -1) {
		problem(cpath(PC), line, "tls-cert or tls-key: path too long");
		return;
	}
	memset(&cred, 0, sizeof cred);
	if (tls_server_load(&cred, cp, kp, &why) == -1) {
		problem(cpath(PC), line, "tls-cert %s, tls-key %s: %s%s%s", cp,
		    kp, why ? why : "unusable", errno ? ": " : "",
		    errno ? strerror(errno) : "");
		return;
	}
	tls_server_free(&cred);
}

/* auth-users: "user:crypt-hash" lines, as smtpd's sasl.c reads them. */
static void
check_auth_users(void)
{
	const char *v = conf_s("auth-users");
	char path[PATH_MAX], line[1024];
	unsigned n = 0;
	FILE *f;

	if (*v == '\0')
		return;
	if (confpath(path, sizeof path, v) == -1) {
		problem(cpath(PC), conf_line("auth-users"), "auth-users: path "
		    "too long");
		return;
	}
	if ((f = fopen(path, "re")) == NULL) {
		problem(cpath(PC), conf_line("auth-users"), "auth-users %s: %s",
		    path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof line, f)) {
		char *nl = strchr(line, '\n'), *colon;
		n++;
		if (nl == NULL && !feof(f)) {
			int ch;
			while ((ch = getc(f)) != EOF && ch != '\n')
				;
			problem(path, n, "line too long");
			continue;
		}
		if (nl)
			*nl = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((colon = strchr(line, ':')) == NULL || colon == line)
			problem(path, n, "not user:crypt-hash");
		else if (colon[1] != '$')
			problem(path, n, "the password is not a crypt(3) hash "
			    "($id$...)");
	}
	if (ferror(f))
		problem(path, 0, "%s", strerror(EIO));
	explicit_bzero(line, sizeof line);
	fclose(f);
}

static void
check_account(const char *key, int rootok)
{
	const char *v = conf_s(key);
	struct passwd *pw;

	if (*v == '\0')
		return;
	errno = 0;
	if ((pw = getpwnam(v)) == NULL)
		problem(cpath(PC), conf_line(key), "%s %s: no such account", key,
		    v);
	else if (!rootok && pw->pw_uid == 0)
		problem(cpath(PC), conf_line(key), "%s %s is root: name the "
		    "queue user", key, v);
}

static void
check_scalars(void)
{
	static const char *chains[] = { "filters", "filters-local" };
	long long tab[64];
	struct route r;
	const char *v, *why;
	size_t i, n;
	int t;

	v = conf_s("me");
	if (conf_line("me") &&
	    (why = addr_domain_check(v, strlen(v), 0)) != NULL)
		problem(cpath(PC), conf_line("me"), "me %s: %s", v, why);
	if ((t = route_tls_policy(conf_s("remote-tls"))) == -1)
		problem(cpath(PC), conf_line("remote-tls"), "remote-tls must be "
		    "none, opportunistic, require, verify, dane or sts");
	v = conf_s("smarthost");
	memset(&r, 0, sizeof r);
	r.tls = t == -1 ? POL_OPPORTUNISTIC : t;
	if (*v && (why = route_parse(&r, v, (unsigned)conf_u("remote-port")))
	    != NULL)
		problem(cpath(PC), conf_line("smarthost"), "smarthost: %s", why);
	explicit_bzero(&r, sizeof r);
	if (conf_schedule(tab, sizeof tab / sizeof tab[0], &n) == -1)
		problem(cpath(PC), conf_line("retry-schedule"), "retry-schedule "
		    "must be waits in seconds, each 1 to 31536000");
	for (i = 0; i < 2; i++)
		if (*(v = conf_s(chains[i])) &&
		    (why = filter_check(v)) != NULL)
			problem(cpath(PC), conf_line(chains[i]), "%s: %s",
			    chains[i], why);
	v = conf_s("auth-checkpassword");
	if (*v) {
		char prog[PATH_MAX];
		size_t l = strcspn(v, " \t");
		if (fmt_s(prog, sizeof prog, "%.*s", (int)l, v) < 0 ||
		    prog[0] != '/' || access(prog, X_OK) == -1)
			problem(cpath(PC), conf_line("auth-checkpassword"),
			    "auth-checkpassword %s: %s", prog, prog[0] != '/' ?
			    "not an absolute path" : strerror(errno));
	}
	v = conf_s("remote-ca-file");
	if (conf_line("remote-ca-file") && access(v, R_OK) == -1)
		problem(cpath(PC), conf_line("remote-ca-file"),
		    "remote-ca-file %s: %s", v, strerror(errno));
	check_account("qrun-user", 0);
	check_account("alias-user", 1);
	check_tls();
	check_auth_users();
}

/* The tables ----------------------------------------------------------- */

static void
check_domains(const struct conf_table *t)
{
	const char *why;
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct conf_ent *e = &t->e[i];
		if ((why = addr_domain_check(e->key, strlen(e->key), 0)))
			problem(cpath("domains"), (unsigned)e->line,
			    "%.255s: %s", e->key, why);
		else if (*e->val)
			problem(cpath("domains"), (unsigned)e->line,
			    "one domain per line (%.64s after %s)", e->val,
			    e->key);
	}
}

/* conf/users: "address home [account]", the address at a local domain. */
static void
check_users(const struct conf_table *t, const struct conf_table *dom)
{
	const char *f = cpath("users"), *why;
	char home[PATH_MAX], account[256], more[8];
	struct addr a;
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct conf_ent *e = &t->e[i];
		unsigned line = (unsigned)e->line;
		int k;
		if ((why = addr_parse(&a, e->key, strlen(e->key), ADDR_UTF8))) {
			problem(f, line, "%.255s: %s", e->key, why);
			continue;
		}
		if (conf_table_get(dom, addr_domain(&a)) == NULL)
			problem(f, line, "%s: %s is not in conf/domains",
			    e->key, addr_domain(&a));
		home[0] = account[0] = '\0';
		k = sscanf(e->val, "%4095s %255s %7s", home, account, more);
		if (k < 1)
			problem(f, line, "%s: no home directory", e->key);
		else if (home[0] != '/')
			problem(f, line, "%s: home %s is not absolute", e->key,
			    home);
		if (k >= 2 && getpwnam(account) == NULL)
			problem(f, line, "%s: no such account %s", e->key,
			    account);
		if (k >= 3)
			problem(f, line, "%s: junk after the account", e->key);
	}
}

/* conf/routes: "domain relay options" (postel-routes(5)). */
static void
check_routes(const struct conf_table *t)
{
	const char *f = cpath("routes"), *why, *d;
	struct route r;
	int pol = route_tls_policy(conf_s("remote-tls"));
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct conf_ent *e = &t->e[i];
		unsigned line = (unsigned)e->line;
		d = e->key[0] == '.' ? e->key + 1 : e->key;
		if (strcmp(e->key, "*") != 0 &&
		    (why = addr_domain_check(d, strlen(d), 0)) != NULL)
			problem(f, line, "%.255s: %s (a domain, .domain or *)",
			    e->key, why);
		memset(&r, 0, sizeof r);
		r.tls = pol == -1 ? POL_OPPORTUNISTIC : pol;
		if (*e->val == '\0')
			problem(f, line, "%.255s: no relay", e->key);
		else if ((why = route_parse(&r, e->val,
		    (unsigned)conf_u("remote-port"))) != NULL)
			problem(f, line, "%.255s: %s", e->key, why);
		explicit_bzero(&r, sizeof r);
	}
}

/* conf/filters: "address-or-domain chain", "-" for none. */
static void
check_filters(const struct conf_table *t)
{
	const char *f = cpath("filters"), *why;
	struct addr a;
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct conf_ent *e = &t->e[i];
		unsigned line = (unsigned)e->line;
		if (strchr(e->key, '@') ? (why = addr_parse(&a, e->key,
		    strlen(e->key), ADDR_UTF8)) != NULL :
		    (why = addr_domain_check(e->key, strlen(e->key), 0)) != NULL)
			problem(f, line, "%.255s: %s", e->key, why);
		if (*e->val == '\0')
			problem(f, line, "%.255s: no chain (- for none)", e->key);
		else if (strcmp(e->val, "-") != 0 &&
		    (why = filter_check(e->val)) != NULL)
			problem(f, line, "%.255s: %s", e->key, why);
	}
}

/* conf/dkim-sign: "from-domain selector keyfile [signing-domain]", and
 * each key loads as remote loads it (remote runs as the queue user: check
 * run as another may not read the keys). */
static void
check_dkim(const struct conf_table *t)
{
	const char *f = cpath(DKIMCONF_FILE), *why;
	struct dkimconf c;
	struct dkim_key *k;
	struct stat st;
	size_t i;

	if ((k = malloc(sizeof *k)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	for (i = 0; i < t->n; i++) {
		const struct conf_ent *e = &t->e[i];
		unsigned line = (unsigned)e->line;
		if ((why = dkimconf_parse(&c, e)) != NULL) {
			problem(f, line, "%.255s: %s", e->key, why);
			continue;
		}
		errno = 0;
		if (dkim_key_load(k, c.key, &why) == -1) {
			int err = errno;
			problem(f, line, "%.255s: key %s: %s%s%s", e->key, c.key,
			    why ? why : "unusable", err ? ": " : "",
			    err ? strerror(err) : "");
			continue;
		}
		dkim_key_free(k);
		/* a key others can read lets them sign as the domain */
		if (stat(c.key, &st) == 0 && (st.st_mode & 077))
			problem(f, line, "%.255s: key %s is readable by "
			    "others (mode %04o): chmod 600 it", e->key, c.key,
			    (unsigned)(st.st_mode & 07777));
	}
	free(k);
}

static void
check_tables(void)
{
	struct conf_table dom, users, routes, filters, dkim;

	table(&dom, "domains");
	table(&users, "users");
	table(&routes, "routes");
	table(&filters, "filters");
	table(&dkim, DKIMCONF_FILE);
	check_domains(&dom);
	/* lookups need the table sorted by key, as the reader leaves it;
	 * its problems were reported the first time */
	conf_table_free(&dom);
	conf_report(quiet);
	if (conf_table_load(&dom, "domains", 1) == -1)
		die(EXIT_TEMP, "unable to read %s: %s", cpath("domains"),
		    conf_error());
	conf_report(report);
	check_users(&users, &dom);
	/* conf/aliases and the aliases-system file: lib/user's reader,
	 * the one local and smtpd use */
	if (user_aliases_check(report) == -1)
		problem(cpath("aliases"), 0, "unable to check: %s",
		    strerror(errno));
	check_routes(&routes);
	check_filters(&filters);
	check_dkim(&dkim);
	conf_table_free(&dom);
	conf_table_free(&users);
	conf_table_free(&routes);
	conf_table_free(&filters);
	conf_table_free(&dkim);
}

/* The postmaster key must reach someone (smtpd answers 451 to RCPT
 * TO:<postmaster> otherwise); that takes lib/user's lookup. */
static void
check_postmaster(void)
{
	int r;

	conf_report(quiet);             /* its tables' problems are reported */
	r = user_init();
	conf_report(NULL);
	if (r == -1)
		die(EXIT_TEMP, "unable to read the user tables: %s",
		    conf_error());
	if ((r = user_postmaster()) == 0)
		problem(cpath(PC), conf_line("postmaster"), "postmaster %s "
		    "reaches no one: not a plain address, unknown at a local "
		    "domain, or at me when me is no local domain",
		    conf_s("postmaster"));
	else if (r == -1)
		problem(cpath(PC), conf_line("postmaster"), "postmaster %s: "
		    "unable to look it up: %s", conf_s("postmaster"),
		    strerror(errno));
	user_free();
}

/* The effective postel.conf on stdout. */
static void
print_conf(void)
{
	struct conf_key k;
	char buf[32];
	size_t i;

	for (i = 0; conf_key(i, &k, buf, sizeof buf) == 0; i++)
		printf("%s%s%s%s\n", k.name, *k.value ? " " : "", k.value,
		    k.line ? "" : "  # default");
	if (fflush(stdout) == EOF || ferror(stdout))
		die_sys(EXIT_TEMP, "unable to write the configuration");
}

int
main(int argc, char **argv)
{
	die_init(argv[0]);
	if (argc > 1)
		die(EXIT_PERM, "usage: check");
	if (fmt_s(confdir, sizeof confdir, "%s/conf", conf_root()) < 0)
		die(EXIT_TEMP, "unable to use POSTEL_ROOT: path too long");
	if (access(confdir, X_OK) == -1)
		problem(confdir, 0, "%s", strerror(errno));
	conf_report(report);
	if (conf_load() == -1)
		die(EXIT_TEMP, "unable to read %s: %s", cpath(PC),
		    conf_error());
	check_tables();
	conf_report(NULL);
	check_scalars();
	check_postmaster();
	print_conf();
	return problems ? EXIT_TEMP : 0;
}
