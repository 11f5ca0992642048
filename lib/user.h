/*
 * user: who a local address is. One lookup shared by smtpd (refuse unknown
 * users at RCPT time, so postel never backscatters) and local (deliver).
 *
 * conf/domains   local domains, one per line (accepted and delivered here)
 * conf/users     virtual users: "address home [account]"; the account
 *                (a system user name) gives uid/gid, else the home's owner
 * conf/aliases   "name target..." where name is a local part (any local
 *                domain) or a whole address; targets are for local(8)
 * aliases-system a file in the /etc/aliases syntax (lib/aliases.h), read
 *                after conf/aliases: a name in both is conf/aliases's
 * roles          root, postmaster, mailer-daemon, abuse that no file above
 *                names: an alias of the admin address when postel.conf
 *                has one and it is not the address itself (RFC 2142);
 *                without admin, postmaster is one of the postmaster key
 *                when that reaches someone (RFC 5321 4.5.1)
 * system accounts getpwnam(local part) with a uid below UID_MIN of
 *                /etc/login.defs (default 1000), or a nologin or false
 *                shell; root too. An alias of the admin address when
 *                postel.conf has one, with sysacct set; without admin,
 *                a system user as below (root: unknown)
 * system users   getpwnam(local part), uid != 0, when system-users is yes
 * An address "name<sep>ext@domain" with sep from extension-separator falls
 * back to "name@domain" with extension "ext" if the whole is not found.
 * Tables are loaded once by user_init (after conf_load).
 */
#ifndef POSTEL_USER_H
#define POSTEL_USER_H

#include <limits.h>
#include <sys/types.h>

#include "addr.h"
#include "conf.h"

enum { USER_VIRTUAL = 1, USER_SYSTEM, USER_ALIAS };

struct user {
	int kind;
	char name[ADDR_LOCAL_MAX + 1];    /* local part without extension */
	char ext[ADDR_LOCAL_MAX + 1];     /* extension, "" if none */
	char domain[ADDR_DOMAIN_MAX + 1];
	char home[PATH_MAX];              /* virtual and system users */
	char account[64];                 /* conf/users third field */
	uid_t uid;
	gid_t gid;
	int has_ids;
	const char *alias;                /* USER_ALIAS: the targets */
	const char *aliasfile;            /* USER_ALIAS: the file whose owner
	                                   * the delivery runs as (the path of
	                                   * conf/aliases for admin and
	                                   * postmaster) */
	int sysacct;                      /* a system account: smtpd refuses
	                                   * it at RCPT (never for a name in
	                                   * users or an alias file) */
};

int user_init(void);                  /* -1: conf_error() says why */
void user_free(void);
/* Read the tables again (after user_init); on error the old ones stay in
 * force and -1 is returned, conf_error() saying why. */
int user_reload(void);
int user_local_domain(const char *domain);   /* 1 if in conf/domains */
/* 1 found, 0 no such local user, -1 error (errno; EINVAL = not local) */
int user_lookup(const char *address, struct user *u);
/* Whether the postmaster key of postel.conf reaches someone: 1 yes; 0
 * no (not a plain address, unknown at a local domain, or at a me that is
 * not local); -1 the lookup failed (errno). */
int user_postmaster(void);
/* 1 if getpwnam finds name and it is a system account (see above), 0 if
 * not or no such account. */
int user_sysacct(const char *name);
struct passwd;
int user_sysacct_pw(const struct passwd *pw);    /* the same for pw */
/* Check conf/aliases and the aliases-system file, after conf_load (no
 * user_init needed): report(file, line, problem) is called for each
 * problem (line 0: the file as a whole, e.g. unreadable). Returns the
 * number of problems, 0 when both files are fine or absent. */
int user_aliases_check(void (*report)(const char *file, unsigned line,
    const char *problem));

#endif
