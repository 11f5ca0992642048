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
#include "route.h"
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

/* Where remote would send mail for domain: its own lookup (lib/route),
 * told without auth= secrets. */
static int
remote(const char *domain, const char *me, char *line, size_t size)
{
	struct route r;
	const char *why, *from;
	char relay[ADDR_DOMAIN_MAX + 16], port[8] = "";
	int n;

	if ((why = route_find(&r, domain)) != NULL) {
		fmt_s(line, size, "undeliverable for now: %.200s", why);
		return V_TEMP;
	}
	if (r.kind == ROUTE_MX)
		n = fmt_s(line, size, "deliverable: remote delivery to %s "
		    "by MX", domain);
	else {
		if (r.port != conf_u("remote-port"))
			fmt_s(port, sizeof port, ":%u", r.port);
		if (r.kind == ROUTE_IP)
			fmt_s(relay, sizeof relay, "[%s]%s", r.host, port);
		else
			fmt_s(relay, sizeof relay, "%s%s", r.host, port);
		from = strcmp(r.from, "smarthost") == 0 ? "smarthost" :
		    "conf/routes";
		n = fmt_s(line, size, "deliverable: remote delivery to %s "
		    "via %s (%s)", domain, relay, from);
	}
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
	int i, r, code = EX_OK;

	if (n == 0)
		usage("no addresses to verify", NULL);
	if (user_init() == -1) {
		warn("unable to read configuration: %s", conf_error());
		return EX_TEMPFAIL;
	}
	for (i = 0; i < n; i++) {
		char *q = qualify(addr[i], me);
		if (q == NULL) {
			warn("out of memory");
			return EX_TEMPFAIL;
		}
		r = one(q, me, line, sizeof line);
		fmt_safe(safe, sizeof safe, q, strlen(q));
		free(q);
		if (printf("%s... %s\n", safe, line) < 0)
			break;
		if (r == V_TEMP)
			code = EX_TEMPFAIL;
		else if (r == V_NO && code == EX_OK)
			code = EX_NOUSER;
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		warn_sys("unable to write the answer");
		return EX_IOERR;
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
		return EX_TEMPFAIL;
	}
	/* As sendmail's and Postfix's newaliases: a bad entry is a
	 * warning (that name's mail waits, the rest works), so a package's
	 * maintainer script that runs newaliases does not fail over it;
	 * only a file that cannot be read is an error. */
	return whole ? EX_CONFIG : EX_OK;
}
