/*
 * child: starting the programs postel runs, in one place, with the state
 * postel-security(7) (PROGRAMS POSTEL STARTS) gives each: the descriptors
 * named, nothing else open, default signals, an empty mask.
 * child_spawn forks and returns; the caller owns the pid and waits for it
 * (child_wait). Nothing is allocated. A child that cannot be started
 * (a descriptor, the setup hook or exec failed) exits CHILD_EXEC_FAILED.
 */
#ifndef POSTEL_CHILD_H
#define POSTEL_CHILD_H

#include <sys/types.h>

/* The exit code of a child that never ran its program: 127, as sh(1)
 * exits for a command it cannot run. It is none of postel's own codes
 * (0, 100, 111), so a starter can tell it from the program's temporary
 * failure, and every reader of those codes (postel-result(5),
 * postel-filter(8), checkpassword) takes it for a temporary failure. */
#define CHILD_EXEC_FAILED 127

/* what a descriptor slot of struct child may hold besides an fd */
#define CHILD_KEEP (-1)         /* the starter's own fd of that number */
#define CHILD_NULL (-2)         /* /dev/null, read-write */
/* 0-2, then up to 64 messages of a batch from 3 (postel-result(5)) */
#define CHILD_FD_MAX 68

struct child {
	const char *path;       /* without a '/', looked up in PATH */
	char *const *argv;
	char *const *envp;      /* NULL: the starter's environment */
	/* fd[i] becomes the child's fd i, for i < nfd (3, or more where a
	 * contract names fd 3 and up); every other descriptor is closed */
	int fd[CHILD_FD_MAX];
	int nfd;
	int pgrp;               /* 1: a process group of its own, to kill */
	/* In the child, after the descriptors are in place, before exec
	 * (setuid, chdir, setenv, wiping a secret): -1 with errno fails. */
	int (*setup)(const struct child *c);
	/* In the child that could not be started, with the errno of the
	 * step that failed, before it exits: to tell whoever reads its
	 * output why (child_warn, or a result line). */
	void (*failed)(const struct child *c, int err);
	void *arg;              /* for the hooks */
};

/* Fork and start c: the child's pid, or -1 with errno (fork failed). */
pid_t child_spawn(const struct child *c);
/* Close every descriptor from low up (what child_spawn does between
 * fork and exec), for a forked process that runs no program. */
void child_close_from(int low);
/* waitpid(pid, status, 0), EINTR retried: 0, or -1 with errno. */
int child_wait(pid_t pid, int *status);
/* A failed hook: "PROG: warning: unable to run PATH: REASON" on the
 * child's stderr (lib/die's shape). */
void child_warn(const struct child *c, int err);

/* What child_spawn does in the child once the descriptors are in place.
 * Nothing is allocated; no error is fatal, so nothing is returned: a
 * descriptor that cannot be closed is already gone, a signal that cannot
 * be reset (SIGKILL, SIGSTOP) was never ours.
 * Close every descriptor above keep (2 to pass stdin, stdout and stderr,
 * 3 where a contract names fd 3), set every signal to its default action
 * and empty the signal mask. Ignored signals and the mask survive exec,
 * open descriptors too unless close-on-exec: without this, a user's
 * program would inherit what root's qrun happened to hold open. */
void child_reset(int keep);

#endif
