/*
 * user: who a local address is. One lookup shared by smtpd (refuse unknown
 * users at RCPT time, so postel never backscatters) and local (deliver).
 *
 * conf/domains   local domains, one per line (accepted and delivered here)
 * conf/users     virtual users: "address home [account]"; the account
 *                (a system user name) gives uid/gid, else the home's owner
 * conf/aliases   "name target..." where name is a local part (any local
 *                domain) or a whole address; targets are for local(8)
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
};

int user_init(void);                  /* -1: conf_error() says why */
void user_free(void);
int user_local_domain(const char *domain);   /* 1 if in conf/domains */
/* 1 found, 0 no such local user, -1 error (errno; EINVAL = not local) */
int user_lookup(const char *address, struct user *u);
/* Whether the postmaster key of postel.conf reaches someone: 1 yes; 0
 * no (not a plain address, unknown at a local domain, or at a me that is
 * not local); -1 the lookup failed (errno). */
int user_postmaster(void);
/* Check the alias files; report(file, line, problem) for each problem.
 * Returns the number of problems, or -1 on a system error (errno). */
int user_aliases_check(void (*report)(const char *file, unsigned line,
    const char *problem));

#endif
