/*
 * checkpassword: postel's mailboxes for Dovecot's checkpassword passdb
 * and userdb (postel-checkpassword(8) is the contract). It reads
 * "user\0password\0[timestamp\0]" (at most 512 octets) on descriptor 3,
 * finds the mailbox and checks the password as pop3d does (lib/mailbox),
 * then sets USER, HOME and the userdb fields in its environment and
 * execs its arguments, Dovecot's checkpassword-reply. With AUTHORIZED=1
 * Dovecot asks only whether the user exists (a userdb lookup): no
 * password is checked and AUTHORIZED=2 says yes. Exit codes are the
 * interface's: 1 bad login, 3 no such user (lookups), 2 misuse, 111
 * temporary. One stderr line on failure, never the password.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bio.h"
#include "conf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "mailbox.h"
#include "sasl.h"
#include "user.h"

#define CP_IN_MAX 512                   /* the interface's limit */
#define CP_TIMEOUT_MS 60000             /* for auth-checkpassword */

enum { CP_BAD = 1, CP_MISUSE = 2, CP_NOUSER = 3 };

static char in[CP_IN_MAX + 1];
static struct sasl_cred cred;
static char who[80];                    /* the login, safe to print */

static void
wipe(void)
{
	explicit_bzero(in, sizeof in);
	sasl_wipe(&cred);
}

/* Read fd 3 to its end into in, then split it into cred and *stamp.
 * Dovecot sends "user\0password\0\0"; qmail's callers add a timestamp. */
static void
readin(const char **stamp)
{
	size_t n = 0, u, p;
	ssize_t r;

	while ((r = fd_read(3, in + n, sizeof in - n)) > 0)
		n += (size_t)r;
	if (r == -1) {
		wipe();
		die_sys(CP_MISUSE, "unable to read descriptor 3");
	}
	if (n > CP_IN_MAX || (u = strnlen(in, n)) == n ||
	    (p = strnlen(in + u + 1, n - u - 1)) == n - u - 1 ||
	    u > SASL_NAME_MAX || p > SASL_NAME_MAX) {
		wipe();
		die(CP_MISUSE, "malformed input on descriptor 3");
	}
	memcpy(cred.user, in, u + 1);
	cred.ulen = u;
	memcpy(cred.pass, in + u + 1, p + 1);
	cred.plen = p;
	/* in[n] is 0 (in is one larger than it can be filled) */
	*stamp = u + p + 2 < n ? in + u + p + 2 : "";
	fmt_safe(who, sizeof who, cred.user, cred.ulen);
}

static void
env(const char *key, const char *val)
{
	if (setenv(key, val, 1) == -1)
		die_sys(EXIT_TEMP, "unable to set %s", key);
}

static int
has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 32 || *s == 127)
			return 1;
	return 0;
}

/* What checkpassword-reply turns into Dovecot's passdb and userdb fields:
 * user= from USER, userdb_home= from HOME, and each variable EXTRA names,
 * in lower case. Dovecot refuses a TAB or LF in any of them. */
static void
reply(const struct mailbox *m, int lookup)
{
	char uid[FMT_U_MAX + 1], gid[FMT_U_MAX + 1], mail[PATH_MAX + 16];
	size_t n = strlen(m->maildir);

	if (has_ctl(m->home) || has_ctl(m->maildir))
		die(EXIT_TEMP, "control character in the home of %s", who);
	uid[fmt_u(uid, m->uid)] = '\0';
	gid[fmt_u(gid, m->gid)] = '\0';
	/* "maildir:DIR" without the trailing '/' of struct mailbox */
	if (fmt_s(mail, sizeof mail, "maildir:%.*s", (int)(n - 1),
	    m->maildir) == -1)
		die_sys(EXIT_TEMP, "unable to name the Maildir of %s", who);
	env("USER", m->login);
	env("HOME", m->home);
	env("userdb_uid", uid);
	env("userdb_gid", gid);
	env("userdb_mail", mail);
	env("EXTRA", "userdb_uid userdb_gid userdb_mail");
	if (lookup)
		env("AUTHORIZED", "2");
}

int
main(int argc, char **argv)
{
	const char *stamp, *a = getenv("AUTHORIZED");
	int lookup = a && strcmp(a, "1") == 0, r;
	struct mailbox m;

	die_init("checkpassword");
	if (argc < 2)
		die(CP_MISUSE, "usage: checkpassword program [args]");
	readin(&stamp);
	if (lookup && getenv("CREDENTIALS_LOOKUP")) {
		wipe();
		die(EXIT_TEMP, "no passwords to give for %s: use "
		    "auth_mechanisms plain login", who);
	}
	if (conf_load() == -1 || user_init() == -1) {
		wipe();
		die(EXIT_TEMP, "%s", conf_error());
	}
	if ((r = mailbox_find(cred.user, &m)) != 1) {
		wipe();
		if (r == -1)
			die_sys(EXIT_TEMP, "unable to look up %s", who);
		die(lookup ? CP_NOUSER : CP_BAD, "no mailbox %s", who);
	}
	if (!lookup) {
		r = mailbox_auth(&m, &cred, stamp, bio_now() + CP_TIMEOUT_MS);
		wipe();
		if (r == 0)
			die(CP_BAD, "wrong password for %s", who);
		if (r == -1 && !*conf_s("auth-users") &&
		    !*conf_s("auth-checkpassword"))
			die(EXIT_TEMP, "neither auth-users nor "
			    "auth-checkpassword is set");
		if (r == -1)
			die_sys(EXIT_TEMP, "unable to check the password of %s",
			    who);
	}
	wipe();
	reply(&m, lookup);
	execvp(argv[1], argv + 1);
	die_sys(EXIT_TEMP, "unable to run %s", argv[1]);
}
