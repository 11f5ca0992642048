/* child: see child.h. */
#define _GNU_SOURCE     /* syscall */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child.h"

/* The fallback when close_range(2) is missing (kernels before 5.9, or a
 * libc that does not know its number): the open descriptors are listed in
 * /proc/self/fd; without /proc, every number up to the limit is tried. */
static void
close_from(int low)
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

	close_from(keep + 1);
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
