/* filter: see filter.h and postel-filter(8). */
#define _GNU_SOURCE             /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "conf.h"
#include "fd.h"
#include "filter.h"
#include "fmt.h"

/* Output check ------------------------------------------------------- */

enum { V_NAME, V_REST, V_BAD };

void
filter_vinit(struct filter_val *v)
{
	memset(v, 0, sizeof *v);
	v->state = V_NAME;
}

void
filter_vfeed(struct filter_val *v, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\0' || c == '\r')
			v->bad = 1;
		if (c > 127)
			v->eightbit = 1;
		if (v->state == V_NAME) {
			/* RFC 5322 2.2: printable ASCII but ':' names a field */
			if (c == ':' && v->namelen > 0)
				v->state = V_REST;
			else if (c > 32 && c < 127 && c != ':')
				v->namelen++;
			else
				v->state = V_BAD;
		}
	}
	if (n > 0)
		v->last = p[n - 1];
}

const char *
filter_vend(struct filter_val *v)
{
	if (v->state == V_NAME && v->namelen == 0)
		return "no message";
	if (v->state != V_REST)
		return "output does not begin with a header field";
	if (v->bad)
		return "output holds NUL or CR";
	if (v->last != '\n')
		return "output does not end in a newline";
	return NULL;
}

/* Chain syntax ------------------------------------------------------- */

/* Split one stage into words in buf (NUL-separated); argc, or -1. */
static int
words(char *s, char **argv, size_t max)
{
	size_t n = 0;
	char *p = s;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (n + 1 >= max)
			return -1;
		argv[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	argv[n] = NULL;
	return (int)n;
}

const char *
filter_check(const char *chain)
{
	char copy[CONF_LINE_MAX], *argv[FILTER_ARGS], *st, *next;
	size_t n = 0;

	if (fmt_s(copy, sizeof copy, "%s", chain) == -1)
		return "filter chain too long";
	for (st = copy; st; st = next) {
		if ((next = strchr(st, '|')) != NULL)
			*next++ = '\0';
		switch (words(st, argv, FILTER_ARGS)) {
		case -1: return "too many words in one filter";
		case 0: return "empty filter in the chain";
		}
		if (++n > FILTER_MAX)
			return "too many filters in the chain";
	}
	return NULL;
}

/* Running one filter ------------------------------------------------- */

/* fd 3 for the filter: one recipient per line. */
static int
rcptfile(const struct filter_env *e, const char *dir)
{
	size_t i;
	int fd;

	if ((fd = fd_tmpfile(dir)) == -1)
		return -1;
	for (i = 0; i < e->nrcpt; i++)
		if (fd_write_all(fd, e->rcpt[i], strlen(e->rcpt[i])) == -1 ||
		    fd_write_all(fd, "\n", 1) == -1) {
			close(fd);
			return -1;
		}
	if (lseek(fd, 0, SEEK_SET) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
env1(const char *name, const char *val)
{
	if (val)
		setenv(name, val, 1);
	else
		unsetenv(name);
}

/* In the child: the envelope into the environment (postel-filter(8)). */
static void
setenv_all(const struct filter_env *e)
{
	char *list;
	size_t i, len = 1;

	env1("SENDER", e->sender);
	env1("RECIPIENT", e->nrcpt == 1 ? e->rcpt[0] : NULL);
	for (i = 0; i < e->nrcpt; i++)
		len += strlen(e->rcpt[i]) + 1;
	if ((list = malloc(len)) != NULL) {
		size_t off = 0;
		for (i = 0; i < e->nrcpt; i++) {
			size_t l = strlen(e->rcpt[i]);
			if (i > 0)
				list[off++] = ' ';
			memcpy(list + off, e->rcpt[i], l);
			off += l;
		}
		list[off] = '\0';
		setenv("RECIPIENTS", list, 1);
		free(list);             /* setenv made its own copy */
	}
	env1("CLIENT_IP", e->client_ip);
	env1("HELO", e->helo);
	env1("AUTH_USER", e->auth_user);
	env1("QID", e->qid);
	env1("TLS", e->tls);
	env1("RELAYCLIENT", e->relay ? "" : NULL);
}

/* The child's setup hook: the envelope into its environment. */
static int
child_env(const struct child *c)
{
	setenv_all(c->arg);
	return 0;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Keep the first line of the filter's stderr, printable ASCII only. */
static void
keep_reason(char *why, size_t *wlen, int *wdone, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && !*wdone; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\n') {
			*wdone = 1;
			break;
		}
		if (*wlen < FILTER_WHY_MAX)
			why[(*wlen)++] = (c >= 32 && c < 127) ? (char)c : '?';
	}
	why[*wlen] = '\0';
}

/* Wait for the child, reading its stderr, within the deadline and the
 * size limit; 0 and *st, or -1 and res->err says why (child killed). */
static int
supervise(pid_t pid, int errfd, int out, const struct filter_opt *o,
    struct filter_res *res, int *st)
{
	long long deadline = now_ms() + (long long)o->timeout * 1000;
	size_t wlen = 0;
	int wdone = 0, pidfd, erropen = 1;
	char b[512];

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		struct pollfd pf[2];
		struct stat sb;
		long long left = deadline - now_ms();
		nfds_t n = 0;
		siginfo_t si;
		int w, exited;

		/* WNOWAIT: the group is killed below before its leader's
		 * pid can be reused. */
		memset(&si, 0, sizeof si);
		exited = (w = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG |
		    WNOWAIT)) == 0 && si.si_pid == pid;
		if (w == -1 && errno != EINTR) {
			fmt_s(res->err, sizeof res->err, "unable to wait: %s",
			    strerror(errno));
			goto kill;
		}
		/* the size after the exit test: once it has exited, the size
		 * is final, and a quick filter is checked as well */
		if (fstat(out, &sb) == -1) {
			if (exited) {
				fmt_s(res->err, sizeof res->err, "unable to "
				    "stat the output: %s", strerror(errno));
				goto kill;
			}
		} else if ((unsigned long long)sb.st_size > o->max) {
			fmt_s(res->err, sizeof res->err, "output larger than "
			    "%llu octets", o->max);
			goto kill;
		}
		if (exited)
			break;
		if (left <= 0) {
			fmt_s(res->err, sizeof res->err, "timed out after %llu "
			    "seconds", o->timeout);
			goto kill;
		}
		if (erropen) {
			pf[n].fd = errfd;
			pf[n++].events = POLLIN;
		}
		if (pidfd != -1) {
			pf[n].fd = pidfd;
			pf[n++].events = POLLIN;
		}
		/* Without a pidfd, look again every 10 ms; the size check
		 * wants a look now and then in any case. */
		if (poll(pf, n, (int)(left < 100 ? left :
		    pidfd != -1 ? 100 : 10)) == -1 && errno != EINTR) {
			fmt_s(res->err, sizeof res->err, "unable to poll: %s",
			    strerror(errno));
			goto kill;
		}
		if (erropen && (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t r = read(errfd, b, sizeof b);
			if (r > 0)
				keep_reason(res->why, &wlen, &wdone, b,
				    (size_t)r);
			else if (r == 0 || errno != EINTR)
				erropen = 0;
		}
	}
	/* Exited: take what is left in the pipe without blocking. */
	if (erropen && fcntl(errfd, F_SETFL, O_NONBLOCK) != -1) {
		ssize_t r;
		while ((r = read(errfd, b, sizeof b)) > 0)
			keep_reason(res->why, &wlen, &wdone, b, (size_t)r);
	}
	kill(-pid, SIGKILL);            /* anything it left behind */
	if (child_wait(pid, st) == -1) {
		fmt_s(res->err, sizeof res->err, "unable to wait: %s",
		    strerror(errno));
		if (pidfd != -1)
			close(pidfd);
		return -1;
	}
	if (pidfd != -1)
		close(pidfd);
	return 0;
kill:
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	child_wait(pid, st);
	if (pidfd != -1)
		close(pidfd);
	return -1;
}

/* The output must be a message: read it through once. */
static const char *
check_output(int fd, int *eightbit)
{
	struct filter_val v;
	char b[16384];
	ssize_t r;

	if (lseek(fd, 0, SEEK_SET) == -1)
		return "unable to seek in the output";
	filter_vinit(&v);
	while ((r = fd_read(fd, b, sizeof b)) > 0)
		filter_vfeed(&v, b, (size_t)r);
	if (r == -1)
		return "unable to read the output";
	if (lseek(fd, 0, SEEK_SET) == -1)
		return "unable to seek in the output";
	*eightbit = v.eightbit;
	return filter_vend(&v);
}

static int
fail(struct filter_res *res, int status, const char *what)
{
	res->status = status;
	if (what)
		fmt_s(res->err, sizeof res->err, "%s: %s", what,
		    strerror(errno));
	return status;
}

int
filter_run(char *const argv[], int in, int *out, const struct filter_env *e,
    const struct filter_opt *o, struct filter_res *res)
{
	struct child c = { .nfd = 4, .pgrp = 1, .setup = child_env };
	int ofd, rfd, pfd[2], st;
	const char *bad;
	pid_t pid;

	res->why[0] = res->err[0] = '\0';
	fmt_safe(res->stage, sizeof res->stage, argv[0], strlen(argv[0]));
	if (lseek(in, 0, SEEK_SET) == -1)
		return fail(res, FILTER_DEFER, "unable to seek in the message");
	if ((ofd = fd_tmpfile(o->tmpdir)) == -1)
		return fail(res, FILTER_DEFER, "unable to create a file");
	if ((rfd = rcptfile(e, o->tmpdir)) == -1) {
		fail(res, FILTER_DEFER, "unable to create a file");
		close(ofd);
		return FILTER_DEFER;
	}
	if (pipe2(pfd, O_CLOEXEC) == -1) {
		fail(res, FILTER_DEFER, "unable to make a pipe");
		close(ofd);
		close(rfd);
		return FILTER_DEFER;
	}
	/* fd 2 is the reason text, fd 3 the recipients; a group of its
	 * own, so that a timeout kills all it started */
	c.path = argv[0];
	c.argv = argv;
	c.fd[0] = in;
	c.fd[1] = ofd;
	c.fd[2] = pfd[1];
	c.fd[3] = rfd;
	c.arg = (void *)e;
	if ((pid = child_spawn(&c)) == -1) {
		fail(res, FILTER_DEFER, "unable to fork");
		close(ofd);
		close(rfd);
		close(pfd[0]);
		close(pfd[1]);
		return FILTER_DEFER;
	}
	close(pfd[1]);
	close(rfd);
	if (supervise(pid, pfd[0], ofd, o, res, &st) == -1) {
		close(pfd[0]);
		close(ofd);
		res->why[0] = '\0';
		return res->status = FILTER_DEFER;
	}
	close(pfd[0]);
	if (WIFSIGNALED(st)) {
		fmt_s(res->err, sizeof res->err, "killed by signal %d",
		    WTERMSIG(st));
		res->why[0] = '\0';
		close(ofd);
		return res->status = FILTER_DEFER;
	}
	switch (WEXITSTATUS(st)) {
	case 0:
		break;
	case FILTER_REJECT:
	case FILTER_DEFER:
		fmt_s(res->err, sizeof res->err, "exit %d", WEXITSTATUS(st));
		close(ofd);
		return res->status = WEXITSTATUS(st);
	default:
		fmt_s(res->err, sizeof res->err, "exit %d%s: %s",
		    WEXITSTATUS(st), WEXITSTATUS(st) == CHILD_EXEC_FAILED ?
		    " (unable to run it?)" : "", res->why);
		res->why[0] = '\0';     /* not a verdict: keep it out */
		close(ofd);
		return res->status = FILTER_DEFER;
	}
	if ((bad = check_output(ofd, &res->eightbit)) != NULL) {
		fmt_s(res->err, sizeof res->err, "%s", bad);
		res->why[0] = '\0';
		close(ofd);
		return res->status = FILTER_DEFER;
	}
	*out = ofd;                     /* why: a passing filter's note */
	return res->status = FILTER_PASS;
}

/* The chain ---------------------------------------------------------- */

/* A passing stage's line goes into res->note as "prog: line", the
 * stages' notes joined with "; " while they fit. */
static void
note(struct filter_res *res, const char *prog)
{
	const char *base = strrchr(prog, '/');
	size_t n = strlen(res->note);

	if (res->why[0] && fmt_s(res->note + n, sizeof res->note - n,
	    "%s%s: %s", n ? "; " : "", base ? base + 1 : prog, res->why) < 0)
		res->note[n] = '\0';
	res->why[0] = '\0';
}

int
filter_chain(const char *chain, int *fd, const struct filter_env *e,
    const struct filter_opt *o, struct filter_res *res)
{
	char copy[CONF_LINE_MAX], *argv[FILTER_ARGS], *st, *next;
	char prog[PATH_MAX];
	const char *bad;
	int cur = *fd, out;

	memset(res, 0, sizeof *res);
	if ((bad = filter_check(chain)) != NULL) {
		fmt_s(res->err, sizeof res->err, "%s", bad);
		return res->status = FILTER_DEFER;
	}
	fmt_s(copy, sizeof copy, "%s", chain);
	for (st = copy; st; st = next) {
		if ((next = strchr(st, '|')) != NULL)
			*next++ = '\0';
		if (words(st, argv, FILTER_ARGS) <= 0) {
			/* filter_check refused these; never run argv[0] NULL */
			fmt_s(res->err, sizeof res->err, "empty filter stage");
			res->status = FILTER_DEFER;
			break;
		}
		if (strchr(argv[0], '/') == NULL) {
			if (conf_prog(prog, sizeof prog, argv[0]) == -1) {
				fmt_s(res->err, sizeof res->err, "program name "
				    "too long");
				res->status = FILTER_DEFER;
				break;
			}
			argv[0] = prog;
		}
		if (filter_run(argv, cur, &out, e, o, res) != FILTER_PASS)
			break;
		note(res, argv[0]);
		if (cur != *fd)
			close(cur);
		cur = out;
	}
	if (res->status != FILTER_PASS) {
		if (cur != *fd)
			close(cur);
		return res->status;
	}
	if (cur != *fd) {
		close(*fd);
		*fd = cur;
	}
	return FILTER_PASS;
}

/* "DDD D.D.D text": a reply code of class c ('4' or '5') and an enhanced
 * status code of the same class (RFC 3463 2: 1-3 digits per part), then
 * a blank and some text; the length of the codes, or 0. */
static size_t
coded(const char *s, char c)
{
	size_t i = 3, part, n;

	if (s[0] != c || s[1] < '0' || s[1] > '5' || s[2] < '0' ||
	    s[2] > '9' || s[3] != ' ' || s[4] != c || s[5] != '.')
		return 0;
	for (i = 6, part = 0; part < 2; part++) {
		for (n = 0; s[i] >= '0' && s[i] <= '9' && n < 3; i++)
			n++;
		if (n == 0 || s[i] != (part == 0 ? '.' : ' '))
			return 0;
		i++;
	}
	return s[i] > ' ' ? i : 0;
}

const char *
filter_reply(const struct filter_res *r, char *line, size_t size)
{
	int rej = r->status == FILTER_REJECT;

	if (r->why[0] && coded(r->why, rej ? '5' : '4'))
		fmt_s(line, size, "%s", r->why);
	else if (rej)
		fmt_s(line, size, "554 5.7.1 %s", r->why[0] ? r->why :
		    "Message rejected by a content filter");
	else
		fmt_s(line, size, "451 4.7.1 %s", r->why[0] ? r->why :
		    "Content filter failure, try again later");
	return line;
}
