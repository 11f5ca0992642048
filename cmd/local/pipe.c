/*
 * local pipe and forward deliveries.
 * |command runs under /bin/sh -c in the recipient's home with a clean
 * environment (SENDER, RECIPIENT, LOCAL, EXT, DOMAIN, HOME, USER, QID,
 * PATH); its exit code decides: 0 delivered, 100 and the permanent
 * sysexits codes bounce, anything else (111, a signal, the timeout) is
 * temporary. &address re-queues the message, with the original sender,
 * through enqueue.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bio.h"
#include "conf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "local.h"

extern char **environ;

/* Write all of p to a non-blocking fd by the deadline; -1 with errno. */
static int
write_until(int fd, const char *p, size_t n, long long deadline)
{
	while (n) {
		ssize_t r = write(fd, p, n);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -1;
			if (bio_wait(fd, POLLOUT, deadline) == -1)
				return -1;
			continue;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Wait for pid until deadline; kill its process group after that. */
static int
wait_until(pid_t pid, long long deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r == -1 && errno != EINTR)
			return -1;
		if (bio_now() >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) == -1 && errno == EINTR)
				;
			errno = ETIMEDOUT;
			return -1;
		}
		usleep(20000);
	}
}

static int
sysexit_temp(int code)
{
	switch (code) {
	case 64: case 65: case 66: case 67: case 68: case 69:
	case 73: case 76: case 77:
	case EXIT_PERM:
		return 0;           /* EX_USAGE .. EX_UNAVAILABLE, NOPERM ... */
	default:
		return 1;           /* 111, EX_TEMPFAIL 75 and the unknown */
	}
}

static pid_t
spawn(int in, const char *path, char *const argv[], char *const envp[],
    const char *dir)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in, 0) == -1)
		_exit(EXIT_TEMP);
	if (dir && chdir(dir) == -1)
		_exit(EXIT_TEMP);
	/* stdout is our result channel to qrun: the child must not use it */
	if (dup2(2, 1) == -1)
		_exit(EXIT_TEMP);
	execve(path, argv, envp);
	_exit(EXIT_TEMP);
}

static int
feed(const struct msgdata *md, const char *path, char *const argv[],
    char *const envp[], const char *dir, int withrp, int *status)
{
	long long deadline = bio_now() + (long long)md->timeout * 1000;
	int p[2], e;
	pid_t pid;

	if (fd_pipe(p) == -1)
		return -1;
	if ((pid = spawn(p[0], path, argv, envp, dir)) == -1) {
		e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	close(p[0]);
	if (fcntl(p[1], F_SETFL, O_NONBLOCK) == -1) {
		/* blocking writes still work, only the deadline is lost */
	}
	/* A program may stop reading early (EPIPE): its exit code decides. */
	if ((withrp ? write_until(p[1], md->prefix, md->prefixlen, deadline) :
	    write_until(p[1], md->dt, md->dtlen, deadline)) == 0)
		write_until(p[1], md->body, md->bodylen, deadline);
	close(p[1]);
	return wait_until(pid, deadline, status);
}

int
pipe_deliver(const struct msgdata *md, const char *cmd, struct fail *f)
{
	char env[10][600];
	char *envp[11];
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	int st, n = 0, code;

	fmt_s(env[n++], sizeof env[0], "PATH=/usr/local/bin:/usr/bin:/bin");
	fmt_s(env[n++], sizeof env[0], "SENDER=%s", md->sender);
	fmt_s(env[n++], sizeof env[0], "RECIPIENT=%s", md->rcpt);
	fmt_s(env[n++], sizeof env[0], "LOCAL=%s", md->local);
	fmt_s(env[n++], sizeof env[0], "EXT=%s", md->ext);
	fmt_s(env[n++], sizeof env[0], "DOMAIN=%s", md->domain);
	fmt_s(env[n++], sizeof env[0], "HOME=%s", md->home);
	fmt_s(env[n++], sizeof env[0], "USER=%s", md->user);
	fmt_s(env[n++], sizeof env[0], "QID=%s", md->qid);
	for (int i = 0; i < n; i++)
		envp[i] = env[i];
	envp[n] = NULL;
	/* the program starts in local's working directory: the home,
	 * entered through the descriptor checked as root (main.c) */
	if (feed(md, "/bin/sh", argv, envp, NULL, 1,
	    &st) == -1) {
		if (errno == ETIMEDOUT)
			return local_fail(f, EAGAIN, "4.3.0", "program timed "
			    "out after %llu s: %.100s", md->timeout, cmd);
		return local_fail(f, errno, NULL, "unable to run %.100s", cmd);
	}
	if (WIFSIGNALED(st))
		return local_fail(f, EAGAIN, "4.3.0", "program died by signal "
		    "%d: %.100s", WTERMSIG(st), cmd);
	if ((code = WEXITSTATUS(st)) == 0)
		return 0;
	if (sysexit_temp(code))
		return local_fail(f, EAGAIN, "4.3.0", "program exited %d: "
		    "%.100s", code, cmd);
	return local_fail(f, EINVAL, "5.3.0", "program exited %d: %.100s",
	    code, cmd);
}

int
forward_deliver(const struct msgdata *md, char *const *to, size_t n,
    struct fail *f)
{
	char prog[4096], origin[600];
	char *argv[8 + 256];
	size_t k = 0, i;
	int st;

	if (conf_prog(prog, sizeof prog, "enqueue") == -1)
		return local_fail(f, ENAMETOOLONG, "4.3.5", "bad POSTEL_LIBEXEC");
	fmt_s(origin, sizeof origin, "local forward %s for %s", md->qid,
	    md->rcpt);
	argv[k++] = "enqueue";
	argv[k++] = "-f";
	argv[k++] = (char *)md->sender;
	argv[k++] = "-o";
	argv[k++] = origin;
	argv[k++] = "--";
	for (i = 0; i < n && k < sizeof argv / sizeof argv[0] - 1; i++)
		argv[k++] = to[i];
	argv[k] = NULL;
	/* The Delivered-To: line goes with it: a forwarding loop then ends
	 * at the next delivery here (5.4.6) instead of circling. */
	if (feed(md, prog, argv, environ, NULL, 0, &st) == -1)
		return local_fail(f, errno, NULL, "unable to run enqueue");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_PERM)
		return local_fail(f, EINVAL, "5.1.3", "enqueue refused the "
		    "forward to %.200s", to[0]);
	return local_fail(f, EAGAIN, "4.3.0", "enqueue failed for the "
	    "forward to %.200s", to[0]);
}
