/*
 * spawn: the one privileged step (postel-security(7)). When qrun starts as
 * root and qrun-user names the queue user, qrun forks this spawner, which
 * stays root, and then becomes the queue user itself. The spawner does one
 * thing: start local for a local delivery (local switches to the
 * recipient's uid and gid before it reads anything, and refuses uid 0),
 * report when it exits, and kill it on request. It reads no mail and no
 * network input: requests come over a socketpair only qrun holds.
 *
 * qrun -> spawner: 'R' token argv... with descriptors attached (the
 * result pipe, then the queue file of each message: postel-result(5));
 * 'K' token (kill it).
 * spawner -> qrun: 'E' token status (a wait(2) status).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "conf.h"
#include "die.h"
#include "fmt.h"
#include "log.h"
#include "qrun.h"

#define SPAWN_MSG_MAX 8192
#define SPAWN_ARGS_MAX (16 + QRUN_BATCH_MAX)
#define SPAWN_FDS_MAX (1 + QRUN_BATCH_MAX)     /* result pipe, messages */

static int sp = -1;             /* qrun's end of the socketpair */
static unsigned next_token = 1;

struct kid {
	unsigned token;
	pid_t pid;
};

int
spawn_on(void)
{
	return sp != -1;
}

int
spawn_fd(void)
{
	return sp;
}

/* One message over the socketpair: a buffer and room for the
 * descriptors a request passes. */
struct fdmsg {
	struct msghdr mh;
	struct iovec iov;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(SPAWN_FDS_MAX * sizeof(int))];
	} cm;
};

static void
fdmsg_init(struct fdmsg *m, void *p, size_t n)
{
	memset(m, 0, sizeof *m);
	m->iov.iov_base = p;
	m->iov.iov_len = n;
	m->mh.msg_iov = &m->iov;
	m->mh.msg_iovlen = 1;
}

static int
send_fds(int s, const void *p, size_t n, const int *fds, int nfds)
{
	struct fdmsg m;
	ssize_t w;

	fdmsg_init(&m, (void *)p, n);
	if (nfds) {
		struct cmsghdr *c;
		m.mh.msg_control = m.cm.b;
		m.mh.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&m.mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)nfds * sizeof(int));
	}
	do
		w = sendmsg(s, &m.mh, MSG_NOSIGNAL);
	while (w == -1 && errno == EINTR);
	return w == (ssize_t)n ? 0 : -1;
}

/* Receive one message; up to SPAWN_FDS_MAX descriptors into fds, their
 * number into *nfds. Its length, 0 at the end, -1 on error, or -2 if
 * descriptors were lost on the way (then fds holds those that came). */
static ssize_t
recv_fds(int s, void *p, size_t n, int fds[SPAWN_FDS_MAX], size_t *nfds)
{
	struct fdmsg m;
	struct cmsghdr *c;
	ssize_t r;

	*nfds = 0;
	fdmsg_init(&m, p, n);
	m.mh.msg_control = m.cm.b;
	m.mh.msg_controllen = sizeof m.cm.b;
	do
		r = recvmsg(s, &m.mh, MSG_CMSG_CLOEXEC);
	while (r == -1 && errno == EINTR);
	if (r <= 0)
		return r;
	if (m.mh.msg_flags & MSG_CTRUNC)
		r = -2;         /* descriptors lost (a limit): refuse it */
	for (c = CMSG_FIRSTHDR(&m.mh); c; c = CMSG_NXTHDR(&m.mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			if (k > SPAWN_FDS_MAX - *nfds)
				k = SPAWN_FDS_MAX - *nfds;     /* cannot be */
			memcpy(fds + *nfds, CMSG_DATA(c), k * sizeof(int));
			*nfds += k;
		}
	return r;
}

static void
start_local(const char *prog, char *msg, size_t n, const int *fds,
    size_t nfds, struct kid *k)
{
	char *argv[SPAWN_ARGS_MAX + 1];
	size_t i = 1 + sizeof(uint32_t), a = 0;
	uint32_t token;
	struct child c;
	pid_t pid;

	memcpy(&token, msg + 1, sizeof token);
	while (i < n && a < SPAWN_ARGS_MAX) {
		size_t l = strnlen(msg + i, n - i);
		if (i + l >= n)
			break;
		argv[a++] = msg + i;
		i += l + 1;
	}
	argv[a] = NULL;
	k->token = token;
	k->pid = -1;
	/* the result pipe and at least one message */
	if (a < 2 || nfds < 2)
		return;                 /* reported as a failed start */
	memset(&c, 0, sizeof c);
	/* argv[0] is always "local": nothing else is ever run */
	argv[0] = "local";
	c.path = prog;
	c.argv = argv;
	c.fd[0] = fds[1];
	c.fd[1] = fds[0];
	c.fd[2] = CHILD_KEEP;
	for (i = 2; i < nfds; i++)
		c.fd[i + 1] = fds[i];
	c.nfd = nfds == 2 ? 3 : (int)nfds + 1;
	c.pgrp = 1;
	c.setup = job_child_setup;
	c.failed = job_child_failed;
	for (i = 1; argv[i] && argv[i + 1] && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-q") == 0)
			c.arg = argv[i + 1];
	/* one message names its queue ID; a batch (-m) has none */
	if (c.arg == NULL && (nfds == 2 || strcmp(argv[1], "-m") != 0))
		return;                 /* reported as a failed start */
	pid = child_spawn(&c);
	k->pid = pid;
}

static void
report(int s, unsigned token, int status)
{
	char m[1 + sizeof(uint32_t) + sizeof(int32_t)];
	uint32_t t = token;
	int32_t st = status;

	m[0] = 'E';
	memcpy(m + 1, &t, sizeof t);
	memcpy(m + 1 + sizeof t, &st, sizeof st);
	if (send_fds(s, m, sizeof m, NULL, 0) == -1) {
		/* qrun is gone; the delivery's result is in the pipe anyway */
	}
}

_Noreturn static void
spawner(int s, const char *prog, size_t maxkids)
{
	struct kid *kids = calloc(maxkids, sizeof *kids);
	size_t nk = 0, i;
	char msg[SPAWN_MSG_MAX];
	int open = 1, fds[SPAWN_FDS_MAX];
	size_t nfds;

	if (kids == NULL)
		_exit(EXIT_TEMP);
	signal(SIGTERM, SIG_IGN);       /* qrun ends us by closing the socket */
	signal(SIGINT, SIG_IGN);
	while (open || nk) {
		struct pollfd pf = { s, POLLIN, 0 };
		int st;
		pid_t pid;

		if (open && poll(&pf, 1, 200) > 0) {
			ssize_t r = recv_fds(s, msg, sizeof msg, fds, &nfds);
			if (r == -2 && msg[0] == 'R') {
				uint32_t t;
				memcpy(&t, msg + 1, sizeof t);
				report(s, t, EXIT_TEMP << 8);
			} else if (r <= 0) {
				open = 0;       /* qrun has gone: finish, exit */
			} else if (msg[0] == 'R' && (size_t)r > 5 && nk < maxkids) {
				start_local(prog, msg, (size_t)r, fds, nfds,
				    &kids[nk]);
				if (kids[nk].pid == -1)
					report(s, kids[nk].token, EXIT_TEMP << 8);
				else
					nk++;
			} else if (msg[0] == 'R' && (size_t)r > 5) {
				uint32_t t;
				memcpy(&t, msg + 1, sizeof t);
				report(s, t, EXIT_TEMP << 8);
			} else if (msg[0] == 'K' && (size_t)r >= 5) {
				uint32_t t;
				memcpy(&t, msg + 1, sizeof t);
				for (i = 0; i < nk; i++)
					if (kids[i].token == t) {
						kill(-kids[i].pid, SIGKILL);
						kill(kids[i].pid, SIGKILL);
					}
			}
			for (i = 0; i < nfds; i++)
				close(fds[i]);
		} else if (!open)
			usleep(50000);
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			for (i = 0; i < nk; i++)
				if (kids[i].pid == pid) {
					report(s, kids[i].token, st);
					kids[i] = kids[--nk];
					break;
				}
	}
	_exit(0);
}

void
spawn_init(int spawner_too, size_t maxkids)
{
	const char *user = conf_s("qrun-user");
	char prog[PATH_MAX];
	struct passwd *pw;
	struct logl l;
	int s[2];
	pid_t pid;
	gid_t gid;

	if (*user == '\0' || geteuid() != 0)
		return;
	if ((pw = getpwnam(user)) == NULL)
		die(EXIT_TEMP, "unable to find qrun-user %s", user);
	if (pw->pw_uid == 0)
		die(EXIT_TEMP, "qrun-user %s is root; name the queue user", user);
	if (!spawner_too)
		pid = 0;
	else {
		if (conf_prog(prog, sizeof prog, "local") == -1)
			die(EXIT_TEMP, "path of local too long");
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s)
		    == -1)
			die_sys(EXIT_TEMP, "unable to make a socketpair");
		if ((pid = fork()) == -1)
			die_sys(EXIT_TEMP, "unable to fork the spawner");
		if (pid == 0) {
			close(s[0]);
			spawner(s[1], prog, maxkids);
		}
		close(s[1]);
		sp = s[0];
	}
	gid = pw->pw_gid;
	if (setgroups(1, &gid) == -1 || setgid(pw->pw_gid) == -1 ||
	    setuid(pw->pw_uid) == -1)
		die_sys(EXIT_TEMP, "unable to become %s", user);
	if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid ||
	    setuid(0) != -1)
		die(EXIT_TEMP, "still root after becoming %s", user);
	if (!spawner_too)
		return;
	log_start(&l, "privsep");
	log_kv(&l, "user", user);
	log_kvu(&l, "uid", (unsigned long long)pw->pw_uid);
	log_kvu(&l, "spawner", (unsigned long long)pid);
	log_end(&l);
}

int
spawn_start(unsigned *token, const int *msgfd, size_t nmsg, int outfd,
    const char *const *argv)
{
	char msg[SPAWN_MSG_MAX];
	size_t n = 1 + sizeof(uint32_t), i;
	uint32_t t = next_token++;
	int fds[SPAWN_FDS_MAX];

	if (nmsg < 1 || nmsg > QRUN_BATCH_MAX) {
		errno = EINVAL;
		return -1;
	}
	fds[0] = outfd;
	memcpy(fds + 1, msgfd, nmsg * sizeof *msgfd);
	if (next_token == 0)
		next_token = 1;
	msg[0] = 'R';
	memcpy(msg + 1, &t, sizeof t);
	for (i = 0; i < SPAWN_ARGS_MAX && argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;
		if (n + l > sizeof msg) {
			errno = E2BIG;
			return -1;
		}
		memcpy(msg + n, argv[i], l);
		n += l;
	}
	if (i == SPAWN_ARGS_MAX && argv[i]) {
		errno = E2BIG;
		return -1;
	}
	if (send_fds(sp, msg, n, fds, (int)nmsg + 1) == -1)
		return -1;
	*token = t;
	return 0;
}

void
spawn_kill(unsigned token)
{
	char msg[1 + sizeof(uint32_t)];
	uint32_t t = token;

	msg[0] = 'K';
	memcpy(msg + 1, &t, sizeof t);
	if (send_fds(sp, msg, sizeof msg, NULL, 0) == -1)
		warn_sys("unable to ask the spawner to kill a delivery");
}

int
spawn_event(unsigned *token, int *status)
{
	char msg[64];
	uint32_t t;
	int32_t st;
	ssize_t r;

	for (;;) {
		/* MSG_DONTWAIT: never blocks, so never meets EINTR */
		r = recv(sp, msg, sizeof msg, MSG_DONTWAIT);
		if (r == 0)
			die(EXIT_TEMP, "the privileged spawner has gone");
		if (r == -1)
			return 0;
		if (msg[0] == 'E' && (size_t)r >= 1 + sizeof t + sizeof st)
			break;
	}
	memcpy(&t, msg + 1, sizeof t);
	memcpy(&st, msg + 1 + sizeof t, sizeof st);
	*token = t;
	*status = st;
	return 1;
}
