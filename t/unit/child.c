/* child: a started program gets fds 0..keep, default signals, no mask. */
#define _GNU_SOURCE     /* syscall */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdio.h>
#include <unistd.h>

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

int
main(void)
{
	sigset_t set;
	int fd;

	plan(3);
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
	return done();
}
