/* mailbox: see mailbox.h. */
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>

#include "addr.h"
#include "auth.h"
#include "conf.h"
#include "fmt.h"
#include "mailbox.h"
#include "sasl.h"

/* "home/Maildir/", or default-delivery when it names a Maildir. */
static int
maildir_of(struct mailbox *m)
{
	const char *d = conf_s("default-delivery");
	size_t n = strlen(d);

	if (n == 0 || d[n - 1] != '/' || d[0] == '|' || d[0] == '&')
		d = "./Maildir/";
	if (d[0] == '/')
		return fmt_s(m->maildir, sizeof m->maildir, "%s", d);
	if (d[0] == '.' && d[1] == '/')
		d += 2;
	return fmt_s(m->maildir, sizeof m->maildir, "%s%s%s", m->home,
	    m->home[strlen(m->home) - 1] == '/' ? "" : "/", d);
}

static int
system_user(const char *login, struct mailbox *m)
{
	struct passwd *pw;

	if (!conf_u("system-users"))
		return 0;
	errno = 0;
	if ((pw = getpwnam(login)) == NULL)
		return errno == 0 || errno == ENOENT || errno == ESRCH ||
		    errno == EBADF || errno == EPERM ? 0 : -1;
	if (pw->pw_uid == 0 || pw->pw_gid == 0 || user_sysacct_pw(pw) ||
	    pw->pw_dir == NULL || pw->pw_dir[0] != '/')
		return 0;
	m->kind = USER_SYSTEM;
	m->uid = pw->pw_uid;
	m->gid = pw->pw_gid;
	return fmt_s(m->home, sizeof m->home, "%s", pw->pw_dir) < 0 ? 0 : 1;
}

static int
virtual_user(const char *login, struct mailbox *m)
{
	struct user u;
	int r;

	if ((r = user_lookup(login, &u)) != 1)
		return r == -1 && errno == EINVAL ? 0 : r;
	if (u.kind != USER_VIRTUAL || u.ext[0] || !u.has_ids ||
	    u.uid == 0 || u.gid == 0)
		return 0;
	m->kind = USER_VIRTUAL;
	m->uid = u.uid;
	m->gid = u.gid;
	return fmt_s(m->home, sizeof m->home, "%s", u.home) < 0 ? 0 : 1;
}

int
mailbox_find(const char *login, struct mailbox *m)
{
	size_t n = strlen(login);
	int r;

	memset(m, 0, sizeof *m);
	if (n == 0 || n >= sizeof m->login || n > ADDR_MAX)
		return 0;
	memcpy(m->login, login, n + 1);
	r = strchr(login, '@') ? virtual_user(login, m) :
	    system_user(login, m);
	if (r != 1)
		return r;
	if (maildir_of(m) < 0)
		return 0;
	return 1;
}

int
mailbox_auth(const struct mailbox *m, const struct sasl_cred *c,
    const char *stamp, long long deadline)
{
	const char *prog = conf_s("auth-checkpassword");
	const char *file = conf_s("auth-users");
	char users[PATH_MAX] = "";

	if (*file && conf_file(users, sizeof users, file) == -1)
		return -1;
	if (m->kind == USER_VIRTUAL && users[0])
		return auth_check(c, NULL, users, stamp, deadline);
	if (*prog)
		return auth_check(c, prog, NULL, stamp, deadline);
	if (users[0])
		return auth_check(c, NULL, users, stamp, deadline);
	errno = ENOENT;
	return -1;
}
