/*
 * fd: plain descriptor I/O without a struct bio: reading and writing
 * whole, copying, pipes and anonymous files. These retry EINTR, as lib/bio
 * does for its own I/O and child_wait for waitpid: a caller never sees it.
 * Errors: -1 with errno set.
 */
#ifndef POSTEL_FD_H
#define POSTEL_FD_H

#include <stddef.h>
#include <sys/types.h>

/* pipe(2) with both ends close-on-exec (pipe2 is not POSIX). */
int fd_pipe(int p[2]);
/* read(2) and pread(2), EINTR retried: bytes read, 0 at the end, -1. */
ssize_t fd_read(int fd, void *p, size_t n);
ssize_t fd_pread(int fd, void *p, size_t n, off_t off);
/* Write all n bytes, retrying short writes: 0, or -1. */
int fd_write_all(int fd, const void *p, size_t n);
/* Everything from "from" to its end onto "to": 0, or -1. */
int fd_copy(int from, int to);
/* Read fd to its end, keeping the first size-1 bytes in p as a string
 * (what a child said, for a message): 0, or -1 on a read error, p then
 * holding what came before it. */
int fd_read_head(int fd, char *p, size_t size);
/* An anonymous read-write file in dir, close-on-exec: O_TMPFILE where the
 * file system has it, else a unique name unlinked at once. Nothing is
 * left in dir whatever happens to the process. */
int fd_tmpfile(const char *dir);
/* fsync the directory path (relative to dirfd, or AT_FDCWD), so that
 * the entries made in it so far are durable: 0, or -1 with the errno of
 * the step that failed. */
int fd_syncdir(int dirfd, const char *path);

#endif
