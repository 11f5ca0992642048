/*
 * fd: small descriptor helpers: a close-on-exec pipe, a whole write, an
 * anonymous file. Each returns -1 with errno set on failure.
 */
#ifndef POSTEL_FD_H
#define POSTEL_FD_H

#include <stddef.h>

/* pipe(2) with both ends close-on-exec (pipe2 is not POSIX). */
int fd_pipe(int p[2]);
/* write all n bytes, retrying short writes and EINTR */
int fd_write_all(int fd, const void *p, size_t n);
/* An anonymous read-write file in dir, close-on-exec: O_TMPFILE where the
 * file system has it, else a unique name unlinked at once. Nothing is
 * left in dir whatever happens to the process. */
int fd_tmpfile(const char *dir);

#endif
