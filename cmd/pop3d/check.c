/*
 * pop3d: checking a login (postel-pop3d(8), "Who runs what", "Logins
 * and mailboxes"). In split mode the checker runs as root and reads
 * from the front only one record per attempt: a user name and a
 * password, each ended by a NUL, at most 514 octets. It parses nothing
 * else and never opens the mailbox; the session it starts runs as the
 * mailbox's owner. In single mode the same checks run in the one
 * process.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "conf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "log.h"
#include "pop3d.h"
#include "sasl.h"
#include "tls_server.h"

#define REC_MAX (2 * (SASL_NAME_MAX + 1))

static struct mailbox mbox;
static unsigned long fails;

const struct mailbox *
pop3_mailbox(void)
{
	return &mbox;
}

static void
loglogin(const char *user, const char *result, const char *reason)
{
	struct logl l;

	log_start(&l, "login");
	log_kv(&l, "sid", pop3.sid);
	log_kv(&l, "ip", pop3.ip);
	log_kv(&l, "user", user);
	log_kv(&l, "result", result);
	if (reason)
		log_kv(&l, "reason", reason);
	log_end(&l);
}

/* Failures wait auth-fail-delay ms, doubling with each (at most 32
 * times), as smtpd's AUTH does. */
static void
delay(void)
{
	unsigned long long ms = conf_u("auth-fail-delay");
	unsigned long k = fails > 6 ? 5 : fails - 1;

	bio_wait(-1, 0, bio_now() + (long long)(ms << k));
}

/* The answer for user and pass, logged; mbox is filled for 'y'. */
static int
verify(const char *user, const char *pass)
{
	struct sasl_cred c;
	char stamp[128];
	long long dl = bio_now() + (long long)pop3.timeout;
	int r, a = 't';

	memset(&c, 0, sizeof c);
	c.ulen = strlen(user);
	c.plen = strlen(pass);
	if (c.ulen > SASL_NAME_MAX || c.plen > SASL_NAME_MAX)
		return 'n';
	memcpy(c.user, user, c.ulen);
	memcpy(c.pass, pass, c.plen);
	fmt_s(stamp, sizeof stamp, "<%s@%s>", pop3.sid, pop3.me);
	r = mailbox_find(user, &mbox);
	if (r == 0) {
		/* the check a known login of this shape gets, its answer
		 * unused: an unknown login takes as long as a wrong
		 * password (a users file or a checkpassword program) */
		struct mailbox none;
		memset(&none, 0, sizeof none);
		none.kind = strchr(user, '@') ? USER_VIRTUAL : USER_SYSTEM;
		(void)mailbox_auth(&none, &c, stamp, dl);
		loglogin(user, "failed", "no such mailbox");
		a = 'n';
	} else if (r == -1) {
		loglogin(user, "temp", strerror(errno));
	} else if ((r = mailbox_auth(&mbox, &c, stamp, dl)) == 1) {
		if (!pop3.split && mbox.uid != geteuid()) {
			loglogin(user, "failed", "mailbox of another owner: "
			    "pop3d must start as root to serve it");
			a = 'p';
		} else {
			loglogin(user, "ok", NULL);
			a = 'y';
		}
	} else if (r == 0) {
		loglogin(user, "failed", "bad password");
		a = 'n';
	} else {
		loglogin(user, "temp", !*conf_s("auth-users") &&
		    !*conf_s("auth-checkpassword") ? "neither auth-users nor "
		    "auth-checkpassword is set" : strerror(errno));
	}
	sasl_wipe(&c);
	if (a == 'n') {
		fails++;
		delay();
	}
	return a;
}

int
pop3_check(int creds, const char *user, const char *pass)
{
	char rec[REC_MAX];
	size_t ul = strlen(user), pl = strlen(pass);
	char a;
	ssize_t n;

	if (!pop3.split)
		return verify(user, pass);
	if (ul > SASL_NAME_MAX || pl > SASL_NAME_MAX)
		return 'n';
	memcpy(rec, user, ul + 1);
	memcpy(rec + ul + 1, pass, pl + 1);
	n = send(creds, rec, ul + pl + 2, MSG_NOSIGNAL);
	explicit_bzero(rec, sizeof rec);
	if (n != (ssize_t)(ul + pl + 2))
		return 't';
	/* the checker answers after its delay, within the check's time */
	if (bio_fdio(creds, POLLIN, &a, 1, 0) != 1)
		exit(EXIT_TEMP);
	return a;
}

/* The session's process: the mailbox's owner, never root, without the
 * connection or the TLS key. */
static _Noreturn void
session_child(int relay)
{
	static char ib[4096], ob[65536];
	struct bio in, out;

	tls_server_free((struct tls_server_cred *)pop3_tls());
	/* nothing of the checker's but the socket and the log: not what
	 * NSS (sssd, LDAP) or anything else left open */
	if (relay != 3) {
		if (dup2(relay, 3) == -1)
			die_sys(EXIT_TEMP, "unable to move the session's socket");
		relay = 3;
	}
	child_close_from(4);
	if (setgroups(1, &mbox.gid) == -1 || setgid(mbox.gid) == -1 ||
	    setuid(mbox.uid) == -1)
		die_sys(EXIT_TEMP, "unable to become uid %ld",
		    (long)mbox.uid);
	if (getuid() == 0 || geteuid() == 0 || getegid() == 0 ||
	    setuid(0) != -1)
		die(EXIT_TEMP, "refusing to serve a mailbox as root");
	if (pop3_counts_read(relay) == -1)
		die_sys(EXIT_TEMP, "unable to read the front's counts");
	bio_init(&in, relay, bio_fdread, ib, sizeof ib);
	bio_init(&out, relay, bio_fdwrite, ob, sizeof ob);
	in.flush = &out;
	/* a little less than the front's, so that the session ends first
	 * and says why */
	exit(session_run(&mbox, &in, &out));
}

int
pop3_checker(int creds, int relay, pid_t front)
{
	char rec[REC_MAX + 1];
	pid_t ses = -1;
	int st = 0, code = EXIT_TEMP, bad = 0;
	ssize_t n;

	for (;;) {
		const char *pass;
		char a;

		/* the end of the front's input, or of the session's time */
		if ((n = bio_fdio(creds, POLLIN, rec, sizeof rec,
		    pop3.deadline)) <= 0) {
			bad = n == -1;
			break;
		}
		/* two NUL-ended strings, filling the record exactly */
		if ((size_t)n > REC_MAX || rec[n - 1] != '\0' ||
		    (pass = memchr(rec, '\0', (size_t)n)) == NULL ||
		    pass + 1 == rec + n || memchr(pass + 1, '\0',
		    (size_t)(rec + n - pass - 1)) != rec + n - 1) {
			bad = 1;
			break;
		}
		/* past max-errors nothing is checked any more: the front
		 * says so to the client and ends the connection itself */
		if (fails >= pop3.max_errors) {
			fails++;
			delay();
			a = 'n';
		} else
			a = (char)verify(rec, pass + 1);
		explicit_bzero(rec, sizeof rec);
		if (a == 'y') {
			if ((ses = fork()) == -1) {
				a = 't';
			} else if (ses == 0) {
				close(creds);
				session_child(relay);
			}
		}
		if (fd_write_all(creds, &a, 1) == -1 || a == 'y')
			break;
	}
	explicit_bzero(rec, sizeof rec);
	close(creds);
	close(relay);
	if (ses > 0 && child_wait(ses, &st) == 0 && WIFEXITED(st))
		code = WEXITSTATUS(st);
	if (bad)                /* a front that broke the protocol, or late */
		kill(front, SIGKILL);
	child_wait(front, &st);
	return code;
}
