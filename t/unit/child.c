/* child: a started program gets fds 0..keep, default signals, no mask;
 * child_spawn puts the named descriptors in place, runs the hooks and
 * exits CHILD_EXEC_FAILED when the program cannot run. */
#define _GNU_SOURCE     /* syscall */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdio.h>
#include <unistd.h>

#include "fd.h"

#include "child.h"
#include "../tap.h"

/* 1 if signal 32, which glibc keeps to itself, is ignored: read from
 * /proc, as glibc's sigaction will not tell */
static int
ign32(void)
{
	char line[256];
	int r = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "SigIgn:", 7) == 0)
			r = (strtoull(line + 7, NULL, 16) >> 31) & 1;
	fclose(f);
	return r;
}

/* In a child: child_reset(keep), then exit with a bit set for each
 * thing that survived it. */
static int
probe(int keep, int extra)
{
	struct sigaction sa;
	sigset_t set;
	int bad = 0, st;
	pid_t pid = fork();

	if (pid == 0) {
		child_reset(keep);
		if (fcntl(extra, F_GETFD) != -1)
			bad |= 1;
		if (fcntl(3, F_GETFD) != -1 && keep < 3)
			bad |= 2;
		if (sigaction(SIGTERM, NULL, &sa) == -1 ||
		    sa.sa_handler != SIG_DFL)
			bad |= 4;
		if (sigaction(SIGHUP, NULL, &sa) == -1 ||
		    sa.sa_handler != SIG_DFL)
			bad |= 8;
		if (sigprocmask(SIG_SETMASK, NULL, &set) == -1 ||
		    sigismember(&set, SIGCHLD) || sigismember(&set, SIGUSR1))
			bad |= 16;
		if (keep >= 3 && fcntl(3, F_GETFD) == -1)
			bad |= 32;
		if (ign32())
			bad |= 64;
		_exit(bad);
	}
	if (pid == -1 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* All a pipe holds until its writers are gone, as a string. */
static const char *
drain(int fd)
{
	static char b[4][256];
	static int k;
	char *p = b[k++ % 4];
	size_t got = 0;
	ssize_t r;

	while (got < 255 && (r = read(fd, p + got, 255 - got)) > 0)
		got += (size_t)r;
	p[got] = '\0';
	close(fd);
	return p;
}

static int
set_v(const struct child *c)
{
	return setenv("V", c->arg, 1);
}

static int
refuse(const struct child *c)
{
	(void)c;
	errno = EPERM;
	return -1;
}

static void
say_errno(const struct child *c, int err)
{
	char m[32];

	(void)c;
	snprintf(m, sizeof m, "failed %d", err);
	fd_write_all(1, m, strlen(m));
}

/* The program's stdin from a pipe, its stdout into one, a variable set by
 * the setup hook, a group of its own, nothing else open: it says what it
 * read, the variable, its process group and whether fd 77 is open. */
static void
spawn_basic(void)
{
	char *argv[] = { "sh", "-c", "read l; read -r _ _ _ _ pg _ "
	    "</proc/$$/stat; [ -e /proc/$$/fd/77 ] && o=open || o=closed; "
	    "echo \"$l $V $pg $o\"", NULL };
	struct child c = { .path = "sh", .argv = argv, .nfd = 3, .pgrp = 1,
	    .setup = set_v, .arg = "set" };
	char want[128];
	int in[2], out[2], st = -1;
	pid_t pid;

	if (pipe(in) == -1 || pipe(out) == -1)
		return;
	c.fd[0] = in[0];
	c.fd[1] = out[1];
	c.fd[2] = CHILD_KEEP;
	pid = child_spawn(&c);
	close(in[0]);
	close(out[1]);
	fd_write_all(in[1], "hello\n", 6);
	close(in[1]);
	snprintf(want, sizeof want, "hello set %ld closed\n", (long)pid);
	is_str(drain(out[0]), want, "fds in place, setup hook run, own "
	    "group, PATH searched, others closed");
	ok(child_wait(pid, &st) == 0 && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "child_wait gives its status");
}

/* fd[3] names the starter's fd 1 while fd[1] names another: placing
 * them one by one would hand fd 3 the new fd 1. Run in a process of its
 * own, whose fd 1 may be a pipe. */
static void
spawn_crossed(void)
{
	char *argv[] = { "/bin/sh", "-c", "echo one; echo three >&3; "
	    "cat; echo $?", NULL };
	struct child c = { .path = "/bin/sh", .argv = argv, .nfd = 4 };
	int a[2], b[2], st;
	pid_t sub;

	if (pipe(a) == -1 || pipe(b) == -1)
		return;
	if ((sub = fork()) == 0) {
		pid_t pid;
		if (dup2(a[1], 1) == -1)
			_exit(1);
		c.fd[0] = CHILD_NULL;
		c.fd[1] = b[1];
		c.fd[2] = CHILD_KEEP;
		c.fd[3] = 1;
		if ((pid = child_spawn(&c)) == -1 || child_wait(pid, &st))
			_exit(1);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 2);
	}
	close(a[1]);
	close(b[1]);
	is_str(drain(b[0]), "one\n0\n", "fd 1 is the pipe named for it, "
	    "fd 0 /dev/null");
	is_str(drain(a[0]), "three\n", "fd 3 is the starter's fd 1");
	ok(child_wait(sub, &st) == 0 && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "the crossed child exited 0");
}

/* A program that is not there, and a setup hook that refuses: the
 * failed hook hears why, the exit code is CHILD_EXEC_FAILED. */
static void
spawn_failed(int (*setup)(const struct child *), const char *path,
    const char *want, const char *name)
{
	char *argv[] = { "x", NULL };
	struct child c = { .path = path, .argv = argv, .nfd = 3,
	    .setup = setup, .failed = say_errno };
	int out[2], st = -1;
	pid_t pid;

	if (pipe(out) == -1)
		return;
	c.fd[0] = CHILD_NULL;
	c.fd[1] = out[1];
	c.fd[2] = CHILD_KEEP;
	pid = child_spawn(&c);
	close(out[1]);
	is_str(drain(out[0]), want, name);
	ok(child_wait(pid, &st) == 0 && WIFEXITED(st) &&
	    WEXITSTATUS(st) == CHILD_EXEC_FAILED, "exits CHILD_EXEC_FAILED");
}

int
main(void)
{
	char noent[32], perm[32];

	sigset_t set;
	int fd;

	plan(12);
	/* what root's qrun might hold: a file on a high descriptor, fd 3,
	 * ignored and blocked signals */
	if (dup2(0, 3) == -1 || (fd = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(fd, 77) == -1)
		return 1;
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	{
		/* signal 32 ignored, as make can pass it: glibc's sigaction
		 * refuses it, so the kernel's call (handler 1 = SIG_IGN) */
		unsigned long ign[8] = { 1 };
		syscall(SYS_rt_sigaction, 32, ign, NULL, (size_t)8);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	is_int(probe(2, 77), 0, "keep 2: fds 3 and 77 closed, signals default, "
	    "mask empty");
	is_int(probe(3, 77), 0, "keep 3: fd 3 kept, fd 77 closed");
	ok(fcntl(77, F_GETFD) != -1, "the parent's descriptors are untouched");
	spawn_basic();
	spawn_crossed();
	snprintf(noent, sizeof noent, "failed %d", ENOENT);
	snprintf(perm, sizeof perm, "failed %d", EPERM);
	spawn_failed(NULL, "/nonexistent/program", noent, "no program: the "
	    "failed hook hears ENOENT");
	spawn_failed(refuse, "/bin/true", perm, "a refusing setup hook: "
	    "the failed hook hears its errno");
	return done();
}
