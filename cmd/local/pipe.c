/*
 * local pipe and forward deliveries.
 * |command runs under /bin/sh -c in the recipient's home with a clean
 * environment (SENDER, RECIPIENT, LOCAL, EXT, DOMAIN, HOME, USER, QID,
 * PATH); its exit code decides: 0 delivered, 100 and the permanent
 * sysexits codes bounce, anything else (111, a signal, the timeout) is
 * temporary. &address re-queues the message, with the original sender
 * and the recipient's DSN requests, through enqueue. What either program
 * writes (stdout and stderr) is read back: never into qrun's log as it
 * is, where a user's program could forge lines, but its start, made
 * printable, ends a failure's text, so that a bounce tells why.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "bio.h"
#include "conf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "instr.h"
#include "local.h"
#include "queue.h"

extern char **environ;

/* What a program wrote, kept for the result text: the first OUT_KEEP
 * bytes as one line of printable ASCII (the result grammar,
 * postel-result(5)), every run of blanks and controls one space. The
 * rest is read and dropped, so that the program never blocks on it. */
#define OUT_KEEP 160

struct out {
	char text[OUT_KEEP + 1];
	size_t len;
};

/* "; it said: TEXT" for a result text, or nothing: two %s arguments */
#define SAID(o) ((o).len ? "; it said: " : ""), (o).text

static void
out_add(struct out *o, const char *p, size_t n)
{
	for (size_t i = 0; i < n && o->len < OUT_KEEP; i++) {
		char c = p[i] >= 0x21 && p[i] <= 0x7e ? p[i] : ' ';
		if (c == ' ' && (o->len == 0 || o->text[o->len - 1] == ' '))
			continue;
		o->text[o->len++] = c;
	}
	o->text[o->len] = '\0';
}

static void
out_end(struct out *o)
{
	while (o->len > 0 && o->text[o->len - 1] == ' ')
		o->len--;
	o->text[o->len] = '\0';
}

static void
stop_group(pid_t pid, int *status)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	child_wait(pid, status);
}

/* stdout is our result channel to qrun, and stderr goes to qrun's log:
 * the program gets neither, but a pipe read by feed(); a group of its
 * own, killed with the delivery */
static pid_t
spawn(int in, int out, const char *path, char *const argv[],
    char *const envp[])
{
	struct child c = { .path = path, .argv = argv, .envp = envp,
	    .fd = { in, out, out }, .nfd = 3, .pgrp = 1 };

	return child_spawn(&c);
}

/* One step of writing the message: -1 once nothing more is to be
 * written (all of it, or the program stopped reading: its exit code
 * decides then). */
static int
feed_write(int fd, const char *seg[2], size_t left[2])
{
	int k = left[0] ? 0 : 1;
	ssize_t r = write(fd, seg[k], left[k]);

	if (r == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	seg[k] += r;
	left[k] -= (size_t)r;
	return left[0] + left[1] ? 0 : -1;
}

/* 1 after reading some of the program's output, 0 when none is there
 * yet, -1 at its end or on an error */
static int
feed_read(int fd, struct out *o)
{
	char b[4096];
	ssize_t r = read(fd, b, sizeof b);

	if (r > 0)
		out_add(o, b, (size_t)r);
	if (r == 0 || (r == -1 && errno != EAGAIN && errno != EINTR))
		return -1;
	return r > 0;
}

/* Wait for pid until the deadline, then kill its process group. */
static int
wait_until(pid_t pid, long long deadline, int *status)
{
	useconds_t nap = 1000;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r == -1 && errno != EINTR)
			return -1;
		if (bio_now() >= deadline) {
			stop_group(pid, status);
			errno = ETIMEDOUT;
			return -1;
		}
		usleep(nap);
		if (nap < 20000)
			nap *= 2;
	}
}

/* Run path with the message on its stdin (prefix lines first where
 * withrp) and its stdout and stderr into o, until it exits or the
 * deadline; 0 with *status, or -1 with errno (ETIMEDOUT once killed). */
static int
feed(const struct msgdata *md, const char *path, char *const argv[],
    char *const envp[], int withrp, struct out *o, int *status)
{
	long long deadline = bio_now() + (long long)md->timeout * 1000;
	const char *seg[2] = { withrp ? md->prefix : md->dt, md->body };
	size_t left[2] = { withrp ? md->prefixlen : md->dtlen, md->bodylen };
	int in[2], out[2], e, done = 0;
	pid_t pid;

	o->len = 0;
	o->text[0] = '\0';
	if (fd_pipe(in) == -1)
		return -1;
	if (fd_pipe(out) == -1) {
		e = errno;
		close(in[0]);
		close(in[1]);
		errno = e;
		return -1;
	}
	pid = spawn(in[0], out[1], path, argv, envp);
	e = errno;
	close(in[0]);
	close(out[1]);
	if (pid == -1) {
		close(in[1]);
		close(out[0]);
		errno = e;
		return -1;
	}
	if (fcntl(in[1], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(out[0], F_SETFL, O_NONBLOCK) == -1) {
		e = errno;
		stop_group(pid, status);
		close(in[1]);
		close(out[0]);
		errno = e;
		return -1;
	}
	int wfd = left[0] + left[1] ? in[1] : -1, rfd = out[0];
	if (wfd == -1)
		close(in[1]);
	/* Until the message is written and the program has exited. Its
	 * output is read until the exit, not to its end: a child it left
	 * in the background may hold the pipe open for ever (and gets
	 * EPIPE or SIGPIPE if it writes after that). The message goes on
	 * being written after the exit: such a child may be reading it. */
	while (wfd != -1 || !done) {
		struct pollfd pf[2];
		nfds_t n = 0;
		long long left_ms = deadline - bio_now();

		if (left_ms <= 0)
			break;
		if (wfd != -1)
			pf[n++] = (struct pollfd){ .fd = wfd, .events = POLLOUT };
		if (rfd != -1)
			pf[n++] = (struct pollfd){ .fd = rfd, .events = POLLIN };
		if (n == 0)
			break;          /* nothing but the exit to wait for */
		if (poll(pf, n, left_ms < 50 ? (int)left_ms : 50) == -1 &&
		    errno != EINTR)
			break;
		if (wfd != -1 && feed_write(wfd, seg, left) == -1) {
			close(wfd);
			wfd = -1;
		}
		if (rfd != -1 && feed_read(rfd, o) == -1) {
			close(rfd);
			rfd = -1;
		}
		if (!done && waitpid(pid, status, WNOHANG) == pid) {
			/* all it wrote before exiting is in the pipe now */
			while (rfd != -1 && bio_now() < deadline &&
			    feed_read(rfd, o) == 1)
				;
			if (rfd != -1)
				close(rfd);
			rfd = -1;
			done = 1;
		}
	}
	if (wfd != -1)
		close(wfd);
	if (rfd != -1)
		close(rfd);
	out_end(o);
	return done ? 0 : wait_until(pid, deadline, status);
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

int
pipe_deliver(const struct msgdata *md, const char *cmd, struct fail *f)
{
	char env[10][600];
	char *envp[11];
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	struct out o;
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
	if (feed(md, "/bin/sh", argv, envp, 1, &o, &st) == -1) {
		if (errno == ETIMEDOUT)
			return local_fail(f, EAGAIN, "4.3.0", "program timed "
			    "out after %llu s: %.100s%s%s", md->timeout, cmd,
			    SAID(o));
		return local_fail(f, errno, NULL, "unable to run %.100s", cmd);
	}
	if (WIFSIGNALED(st))
		return local_fail(f, EAGAIN, "4.3.0", "program died by signal "
		    "%d: %.100s%s%s", WTERMSIG(st), cmd, SAID(o));
	if ((code = WEXITSTATUS(st)) == 0)
		return 0;
	if (sysexit_temp(code))
		return local_fail(f, EAGAIN, "4.3.0", "program exited %d: "
		    "%.100s%s%s", code, cmd, SAID(o));
	return local_fail(f, EINVAL, "5.3.0", "program exited %d: %.100s%s%s",
	    code, cmd, SAID(o));
}

/* The enqueue options that carry md's DSN requests on (RFC 3461
 * 5.2.7, postel-local(8)): -R and -V as they came, and a -d for each of
 * the n new recipients, its value in d[i]. *k counts argv. */
static void
forward_dsn(const struct msgdata *md, size_t n, int several, char **argv,
    size_t *k, char (*d)[QUEUE_ORCPT_MAX + 96])
{
	struct qrdsn r;
	size_t i;

	if (md->dsn.ret != QR_UNSET) {
		argv[(*k)++] = "-R";
		argv[(*k)++] = md->dsn.ret == QR_HDRS ? "hdrs" : "full";
	}
	if (md->dsn.envid[0]) {
		argv[(*k)++] = "-V";
		argv[(*k)++] = (char *)md->dsn.envid;
	}
	dsn_next(&md->dsn, md->rcpt, several, &r);
	for (i = 0; i < n; i++) {
		/* nothing to carry (no NOTIFY, no ORCPT to add): no -d */
		if (qrdsn_fmt(d[i], sizeof d[i], i + 1, &r) < 0)
			continue;
		argv[(*k)++] = "-d";
		argv[(*k)++] = d[i];
	}
}

int
forward_deliver(const struct msgdata *md, char *const *to, size_t n,
    int several, struct fail *f)
{
	static char dargs[INSTR_DEST_MAX][QUEUE_ORCPT_MAX + 96];
	char prog[PATH_MAX], origin[600];
	/* 10 options, -R and -V, and a -d and an address per recipient */
	char *argv[16 + 3 * INSTR_DEST_MAX];
	struct out o;
	size_t k = 0, i;
	int st;

	if (n > INSTR_DEST_MAX)         /* deliver() never asks for more */
		return local_fail(f, E2BIG, "4.3.5", "more than %d "
		    "destinations", INSTR_DEST_MAX);
	if (conf_prog(prog, sizeof prog, "enqueue") == -1)
		return local_fail(f, ENAMETOOLONG, "4.3.5", "bad POSTEL_LIBEXEC");
	fmt_s(origin, sizeof origin, "local forward %s for %s", md->qid,
	    md->rcpt);
	argv[k++] = "enqueue";
	/* the message keeps what it needs on the way out (SMTPUTF8,
	 * 8BITMIME) through every re-queue */
	if (md->flags & LOCAL_UTF8)
		argv[k++] = "-u";
	if (md->flags & LOCAL_8BIT)
		argv[k++] = "-8";
	/* RFC 8689 4.1: the requirement stays with the message on every
	 * hop, this one too */
	if (md->dsn.requiretls)
		argv[k++] = "-T";
	argv[k++] = "-f";
	argv[k++] = (char *)md->sender;
	argv[k++] = "-o";
	argv[k++] = origin;
	forward_dsn(md, n, several, argv, &k, dargs);
	argv[k++] = "--";
	for (i = 0; i < n; i++)
		argv[k++] = to[i];
	argv[k] = NULL;
	/* The Delivered-To: line goes with it: a forwarding loop then ends
	 * at the next delivery here (5.4.6) instead of circling. */
	if (feed(md, prog, argv, environ, 0, &o, &st) == -1)
		return local_fail(f, errno, NULL, "unable to run enqueue");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_PERM)
		return local_fail(f, EINVAL, "5.1.3", "enqueue refused the "
		    "forward to %.100s%s%s", to[0], SAID(o));
	return local_fail(f, EAGAIN, "4.3.0", "enqueue failed for the "
	    "forward to %.100s%s%s", to[0], SAID(o));
}
