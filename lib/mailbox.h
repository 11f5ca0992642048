/*
 * mailbox: whose mailbox a login names, where its Maildir is and how its
 * password is checked, for pop3d and checkpassword (postel-pop3d(8),
 * "Logins and mailboxes"). One answer for both, so that POP3 through
 * pop3d and IMAP through Dovecot see the same users.
 *
 *   name@domain   a virtual user of conf/users (lib/user.h); owner: the
 *                 line's account, else the home's owner; password:
 *                 auth-users, else auth-checkpassword
 *   name          a system user (getpwnam, not root, not a system
 *                 account, system-users yes); password:
 *                 auth-checkpassword, else auth-users
 * The Maildir is default-delivery when that ends in '/', else
 * ./Maildir/, relative to the home. Needs conf_load and user_init
 * first. Nothing is logged; no I/O but the lookups and the check.
 */
#ifndef POSTEL_MAILBOX_H
#define POSTEL_MAILBOX_H

#include <limits.h>
#include <sys/types.h>

#include "user.h"

struct mailbox {
	int kind;                       /* USER_VIRTUAL or USER_SYSTEM */
	char login[256];                /* as given, for logs and USER= */
	char home[PATH_MAX];
	char maildir[PATH_MAX];         /* absolute, ends in '/' */
	uid_t uid;                      /* never 0 */
	gid_t gid;                      /* never 0 */
};

/* 1 found (m filled), 0 no such mailbox (unknown, an alias, a system
 * account, root, an extension), -1 with errno when the tables cannot
 * say (temporary). */
int mailbox_find(const char *login, struct mailbox *m);

struct sasl_cred;
/* Check c (whose user is m->login) the way m's kind asks; stamp and
 * deadline as for auth_check. 1 good, 0 bad, -1 temporary (errno;
 * ENOENT when neither auth-users nor auth-checkpassword is set). */
int mailbox_auth(const struct mailbox *m, const struct sasl_cred *c,
    const char *stamp, long long deadline);

#endif
