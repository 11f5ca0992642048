/*
 * child: the state every program postel starts is given
 * (postel-security(7), PROGRAMS POSTEL STARTS). Called in the child between
 * fork and exec, after the descriptors it passes are in place.
 * Nothing is allocated; no error is fatal, so nothing is returned: a
 * descriptor that cannot be closed is already gone, a signal that cannot
 * be reset (SIGKILL, SIGSTOP) was never ours.
 */
#ifndef POSTEL_CHILD_H
#define POSTEL_CHILD_H

/* Close every descriptor above keep (2 to pass stdin, stdout and stderr,
 * 3 where a contract names fd 3), set every signal to its default action
 * and empty the signal mask. Ignored signals and the mask survive exec,
 * open descriptors too unless close-on-exec: without this, a user's
 * program would inherit what root's qrun happened to hold open. */
void child_reset(int keep);

#endif
