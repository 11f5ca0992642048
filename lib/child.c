/* child: see child.h. */
#define _GNU_SOURCE     /* syscall */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "die.h"

extern char **environ;

/* The fallback when close_range(2) is missing (kernels before 5.9, or a
 * libc that does not know its number): the open descriptors are listed in
 * /proc/self/fd; without /proc, every number up to the limit is tried. */
void
child_close_from(int low)
{
	DIR *d;
	struct dirent *de;
	struct rlimit rl;
	long max = 1024, fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)low, ~0U, 0) == 0)
		return;
#endif
	if ((d = opendir("/proc/self/fd")) != NULL) {
		int self = dirfd(d);
		/* closing while reading the directory can skip entries:
		 * read it again until a pass closes nothing (bounded, as
		 * every pass closes one at least) */
		for (;;) {
			int closed = 0;
			rewinddir(d);
			while ((de = readdir(d)) != NULL) {
				char *end;
				fd = strtol(de->d_name, &end, 10);
				if (*end || end == de->d_name || fd < low ||
				    fd == self)
					continue;
				close((int)fd);
				closed = 1;
			}
			if (!closed)
				break;
		}
		closedir(d);
		return;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		max = rl.rlim_cur > 1048576 ? 1048576 : (long)rl.rlim_cur;
	for (fd = low; fd < max; fd++)
		close((int)fd);
}

void
child_reset(int keep)
{
	struct sigaction sa;
	sigset_t none;
	int sig, e = errno;

	child_close_from(keep + 1);
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, &sa, NULL) == 0)
			continue;
#ifdef SYS_rt_sigaction
		/* glibc refuses the signals it keeps for itself (32 and
		 * 33), yet they can arrive ignored from make, say, and stay
		 * so through exec. The kernel's own call takes them: a
		 * zeroed structure is SIG_DFL, no flags and an empty mask
		 * whatever the architecture's layout. */
		{
			static const unsigned long dfl[8];
			syscall(SYS_rt_sigaction, sig, dfl, NULL,
			    (size_t)(NSIG - 1) / 8);
		}
#endif
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	errno = e;
}

/* In the child: c->fd[i] onto fd i. Each is first copied above the
 * slots, so that no dup2 overwrites a descriptor a later slot names;
 * dup2 then leaves the result without close-on-exec. */
static int
place_fds(const struct child *c)
{
	int tmp[CHILD_FD_MAX], i;

	for (i = 0; i < c->nfd && i < CHILD_FD_MAX; i++) {
		int fd = c->fd[i];
		if (fd == CHILD_KEEP)
			continue;
		if (fd == CHILD_NULL &&
		    (fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
			return -1;
		if ((tmp[i] = fcntl(fd, F_DUPFD_CLOEXEC, CHILD_FD_MAX)) == -1)
			return -1;
	}
	for (i = 0; i < c->nfd && i < CHILD_FD_MAX; i++)
		if (c->fd[i] != CHILD_KEEP && dup2(tmp[i], i) == -1)
			return -1;
	return 0;
}

static _Noreturn void
start(const struct child *c)
{
	if (c->pgrp)
		setpgid(0, 0);
	if (place_fds(c) == 0 && (c->setup == NULL || c->setup(c) == 0)) {
		/* after the hook, which may have changed the environment */
		char *const *envp = c->envp ? c->envp : environ;

		child_reset(c->nfd - 1);
		if (strchr(c->path, '/'))
			execve(c->path, c->argv, envp);
		else
			execvpe(c->path, c->argv, envp);
	}
	if (c->failed)
		c->failed(c, errno);
	_exit(CHILD_EXEC_FAILED);
}

pid_t
child_spawn(const struct child *c)
{
	pid_t pid = fork();

	if (pid == 0)
		start(c);
	/* both sides set the group: a kill right after the fork finds it
	 * whichever ran first */
	if (pid > 0 && c->pgrp)
		setpgid(pid, pid);
	return pid;
}

int
child_wait(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

void
child_warn(const struct child *c, int err)
{
	errno = err;
	warn_sys("unable to run %s", c->path);
}
