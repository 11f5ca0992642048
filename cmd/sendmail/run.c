/*
 * run: the programs sendmail starts for a mode (smtpd -l for -bs, enqueue
 * -F and qrun -1 -F for -q), waited for, their exit codes turned into
 * sysexits.h ones, as sendmail's callers expect.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "conf.h"
#include "die.h"
#include "fd.h"
#include "sendmail.h"

/* Run program name; with err, its stderr is kept there instead of
 * shown. Returns its exit code, 256 + the signal that ended it, or -1
 * (a line printed) if it could not be run. */
static int
run(const char *name, char *const av[], char *err, size_t size)
{
	struct child c = { .fd = { CHILD_KEEP, CHILD_KEEP, CHILD_KEEP },
	    .nfd = 3, .failed = child_warn };
	char prog[PATH_MAX];
	int p[2] = { -1, -1 }, st;
	pid_t pid;

	if (conf_prog(prog, sizeof prog, name) == -1) {
		warn("unable to find %s: path too long", name);
		return -1;
	}
	if (err != NULL && fd_pipe(p) == -1) {
		warn_sys("unable to make a pipe");
		return -1;
	}
	c.path = prog;
	c.argv = av;
	if (err != NULL)
		c.fd[2] = p[1];
	if ((pid = child_spawn(&c)) == -1) {
		warn_sys("unable to fork");
		if (err != NULL) {
			close(p[0]);
			close(p[1]);
		}
		return -1;
	}
	if (err != NULL) {
		close(p[1]);
		(void)fd_read_head(p[0], err, size);
		close(p[0]);
	}
	if (child_wait(pid, &st) == -1) {
		warn_sys("unable to wait for %s", name);
		return -1;
	}
	if (WIFSIGNALED(st))
		return 256 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* postel's 0/100/111 as sysexits; unsure is temporary. */
static int
sysexit(int st)
{
	if (st == 0)
		return EX_OK;
	if (st == CHILD_EXEC_FAILED || st == -1)
		return EX_UNAVAILABLE;
	if (st == EXIT_PERM)
		return EX_UNAVAILABLE;
	return EX_TEMPFAIL;
}

int
run_mode(const char *name, char *const av[])
{
	return sysexit(run(name, av, NULL, 0));
}

/* Root and the queue's owner may run a pass themselves. */
static int
may_run_queue(void)
{
	char path[PATH_MAX];
	struct stat sb;

	if (geteuid() == 0)
		return 1;
	return conf_path(path, sizeof path, "queue") == 0 &&
	    stat(path, &sb) == 0 && sb.st_uid == geteuid();
}

int
queue_flush(const struct args *a)
{
	char *av[] = { "enqueue", "-F", NULL, NULL }, err[1024];
	char *qv[] = { "qrun", "-1", "-F", NULL, NULL };
	int st;

	if (a->qsel[0] == '\0') {
		fprintf(stderr, "%s: -q%s: the interval is ignored: qrun runs "
		    "as a daemon and retries on its own schedule\n",
		    die_prog(), a->qarg);
		return EX_OK;
	}
	av[2] = qv[3] = (char *)a->qsel;
	/* enqueue, setgid to the queue group, may write the FIFO when the
	 * caller may not */
	if ((st = run("enqueue", av, err, sizeof err)) == 0) {
		if (a->verbose)
			printf("flush %s: requested from the queue runner\n",
			    a->qsel);
		return EX_OK;
	}
	if (st == EXIT_TEMP && may_run_queue())
		return run_mode("qrun", qv);
	fputs(err, stderr);
	return sysexit(st);
}
