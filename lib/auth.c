/* auth: see auth.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "bio.h"
#include "child.h"
#include "fd.h"
#include "fmt.h"
#include "sasl.h"

#define CP_ARGS 8
#define CP_DATA_MAX (2 * SASL_NAME_MAX + 128)

/* In the checker's child, before exec: its copy of the password goes. */
static int
wipe(const struct child *c)
{
	explicit_bzero(c->arg, CP_DATA_MAX);
	return 0;
}

/* Run "prog [args]" with user\0password\0timestamp\0 on fd 3 (the
 * checkpassword interface). stdin and stdout are /dev/null: the checker
 * never sees the client. Its exit: 0 good, 1 bad, else temporary. */
static int
checkpassword(const char *cmd, const struct sasl_cred *c, const char *stamp,
    long long deadline)
{
	char words[1024], *argv[CP_ARGS + 1], *w;
	char data[CP_DATA_MAX];
	struct child ch;
	size_t n = 0, dl;
	int pfd[2], st;
	pid_t pid, r;

	if (fmt_s(words, sizeof words, "%s", cmd) == -1)
		return -1;
	for (w = strtok(words, " \t"); w && n < CP_ARGS; w = strtok(NULL, " \t"))
		argv[n++] = w;
	argv[n] = NULL;
	if (n == 0)
		return -1;
	dl = c->ulen + 1 + c->plen + 1;
	if (dl + strlen(stamp) + 1 > sizeof data)
		return -1;
	memcpy(data, c->user, c->ulen + 1);
	memcpy(data + c->ulen + 1, c->pass, c->plen + 1);
	memcpy(data + dl, stamp, strlen(stamp) + 1);
	dl += strlen(stamp) + 1;
	if (fd_pipe(pfd) == -1) {
		explicit_bzero(data, sizeof data);
		return -1;
	}
	memset(&ch, 0, sizeof ch);
	ch.path = argv[0];
	ch.argv = argv;
	ch.fd[0] = ch.fd[1] = CHILD_NULL;
	ch.fd[2] = CHILD_KEEP;
	ch.fd[3] = pfd[0];
	ch.nfd = 4;
	ch.setup = wipe;
	ch.arg = data;
	if ((pid = child_spawn(&ch)) == -1) {
		explicit_bzero(data, sizeof data);
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	close(pfd[0]);
	/* a few hundred octets into an empty pipe: never blocks */
	if (write(pfd[1], data, dl) != (ssize_t)dl) {
		explicit_bzero(data, sizeof data);
		close(pfd[1]);
		kill(pid, SIGKILL);
		child_wait(pid, &st);
		return -1;
	}
	explicit_bzero(data, sizeof data);
	close(pfd[1]);
	/* bounded wait: poll the child until the deadline, then kill it */
	for (;;) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		/* WNOHANG: never blocks, so never meets EINTR */
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r == -1)
			return -1;
		if (bio_now() >= deadline) {
			kill(pid, SIGKILL);
			child_wait(pid, &st);
			errno = ETIMEDOUT;
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 1)
		return 0;
	errno = EAGAIN;
	return -1;
}

int
auth_check(const struct sasl_cred *c, const char *prog, const char *users,
    const char *stamp, long long deadline)
{
	if (prog && *prog)
		return checkpassword(prog, c, stamp, deadline);
	if (users && *users)
		return sasl_users_check(users, c);
	errno = ENOENT;
	return -1;
}
