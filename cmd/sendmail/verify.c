/*
 * verify: sendmail -bv and -bi, the checks that read the configuration
 * and queue nothing. -bv says where each address would go, at once,
 * from the same lookups smtpd and local use (lib/user) and the route
 * table remote uses (postel-routes(5)); -bi (newaliases) checks the alias
 * files, which are read at every lookup and need no rebuilding.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "addr.h"
#include "conf.h"
#include "die.h"
#include "fmt.h"
#include "sendmail.h"
#include "user.h"

enum { V_OK, V_NO, V_TEMP };

/* The delivery instruction local(8) would follow: the first of
 * .postel-EXT, .postel-default, .postel in the home (postel-dot-postel(5)),
 * else default-delivery. */
static void
instruction(const struct user *u, char *dst, size_t size)
{
	char f[ADDR_LOCAL_MAX + 16], path[PATH_MAX + 80];
	const char *tries[3];
	struct stat sb;
	size_t k, n = 0;

	if (u->ext[0]) {
		fmt_s(f, sizeof f, ".postel-%s", u->ext);
		tries[n++] = f;
		tries[n++] = ".postel-default";
	}
	tries[n++] = ".postel";
	for (k = 0; k < n; k++) {
		if (fmt_s(path, sizeof path, "%s/%s", u->home, tries[k]) < 0)
			continue;
		if (stat(path, &sb) == 0) {
			fmt_s(dst, size, "delivery by %.200s", path);
			return;
		}
		if (errno == EACCES) {
			fmt_s(dst, size, "delivery by instructions in %.200s "
			    "(not readable here)", u->home);
			return;
		}
	}
	fmt_s(dst, size, "delivery to %.200s in %.200s",
	    conf_s("default-delivery"), u->home);
}

/* The relay of conf/routes for domain: the domain, its parents'
 * ".parent" lines, "*"; only the first field, never auth= secrets. */
static int
route(const struct conf_table *rt, const char *domain, char *dst,
    size_t size)
{
	const struct conf_ent *e = conf_table_get(rt, domain);
	const char *d = domain;

	while (e == NULL && (d = strchr(d, '.')) != NULL)
		e = conf_table_get(rt, d++);
	if (e == NULL)
		e = conf_table_get(rt, "*");
	if (e == NULL)
		return 0;
	fmt_safe(dst, size, e->val, strcspn(e->val, " \t"));
	return 1;
}

static int
remote(const char *domain, const char *me, char *line, size_t size)
{
	struct conf_table rt;
	const char *sh = conf_s("smarthost");
	char relay[300], d[ADDR_DOMAIN_MAX + 1];
	size_t i;
	int n;

	/* the table's keys are lower case */
	for (i = 0; domain[i] && i + 1 < sizeof d; i++)
		d[i] = (domain[i] >= 'A' && domain[i] <= 'Z') ?
		    (char)(domain[i] - 'A' + 'a') : domain[i];
	d[i] = '\0';

	memset(&rt, 0, sizeof rt);
	if (conf_table_load(&rt, "routes", 1) == -1) {
		fmt_s(line, size, "undeliverable: unable to read "
		    "configuration: %.200s", conf_error());
		return V_TEMP;
	}
	if (route(&rt, d, relay, sizeof relay) && strcmp(relay, "mx"))
		n = fmt_s(line, size, "deliverable: remote delivery to %s "
		    "via %s (conf/routes)", domain, relay);
	else if (*sh && !route(&rt, d, relay, sizeof relay)) {
		fmt_safe(relay, sizeof relay, sh, strcspn(sh, " \t"));
		n = fmt_s(line, size, "deliverable: remote delivery to %s "
		    "via %s (smarthost)", domain, relay);
	} else
		n = fmt_s(line, size, "deliverable: remote delivery to %s "
		    "by MX", domain);
	conf_table_free(&rt);
	if (n >= 0 && addr_domain_eq(domain, me))
		fmt_s(line + n, size - (size_t)n, " (note: me is not a "
		    "local domain in conf/domains)");
	return V_OK;
}

static int
local(const char *address, const char *domain, char *line, size_t size)
{
	char how[600], what[300];
	struct user u;
	int r;

	errno = 0;
	if ((r = user_lookup(address, &u)) == 0) {
		fmt_s(line, size, "undeliverable: no such user at the local "
		    "domain %s", domain);
		return V_NO;
	}
	if (r == -1) {
		fmt_s(line, size, "undeliverable for now: lookup failed: %s",
		    strerror(errno));
		return V_TEMP;
	}
	if (u.kind == USER_ALIAS) {
		fmt_safe(what, sizeof what, u.alias, strlen(u.alias));
		fmt_s(line, size, "deliverable: alias of %s", what);
		return V_OK;
	}
	instruction(&u, how, sizeof how);
	fmt_s(line, size, "deliverable: %s user %s, home %.200s, %s",
	    u.kind == USER_VIRTUAL ? "virtual" : "system",
	    u.kind == USER_VIRTUAL ? u.name : u.account, u.home, how);
	return V_OK;
}

static int
one(const char *address, const char *me, char *line, size_t size)
{
	const char *why;
	struct addr a;

	if ((why = addr_parse(&a, address, strlen(address), ADDR_UTF8))) {
		fmt_s(line, size, "undeliverable: %s", why);
		return V_NO;
	}
	if (user_local_domain(addr_domain(&a)))
		return local(address, addr_domain(&a), line, size);
	return remote(addr_domain(&a), me, line, size);
}

int
verify(char **addr, int n, const char *me)
{
	char line[1200], safe[ADDR_MAX + 1];
	int i, r, code = EX_OK_;

	if (n == 0)
		usage("no addresses to verify", NULL);
	if (user_init() == -1) {
		warn("unable to read configuration: %s", conf_error());
		return EX_TEMPFAIL_;
	}
	for (i = 0; i < n; i++) {
		char *q = qualify(addr[i], me);
		if (q == NULL) {
			warn("out of memory");
			return EX_TEMPFAIL_;
		}
		r = one(q, me, line, sizeof line);
		fmt_safe(safe, sizeof safe, q, strlen(q));
		free(q);
		if (printf("%s... %s\n", safe, line) < 0)
			break;
		if (r == V_TEMP)
			code = EX_TEMPFAIL_;
		else if (r == V_NO && code == EX_OK_)
			code = EX_NOUSER_;
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		warn_sys("unable to write the answer");
		return EX_IOERR_;
	}
	return code;
}

static unsigned whole;          /* problems with a whole file */

static void
report(const char *file, unsigned line, const char *problem)
{
	char safe[300];

	if (line == 0)
		whole++;

	fmt_safe(safe, sizeof safe, problem, strlen(problem));
	if (line)
		fprintf(stderr, "%s:%u: %s\n", file, line, safe);
	else
		fprintf(stderr, "%s: %s\n", file, safe);
}

int
aliases_check(void)
{
	int n = user_aliases_check(report);

	if (n == -1) {
		warn_sys("unable to check the aliases");
		return EX_TEMPFAIL_;
	}
	/* As sendmail's and Postfix's newaliases: a bad entry is a
	 * warning (that name's mail waits, the rest works), so a package's
	 * maintainer script that runs newaliases does not fail over it;
	 * only a file that cannot be read is an error. */
	return whole ? EX_CONFIG_ : EX_OK_;
}
