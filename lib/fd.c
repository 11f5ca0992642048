/* fd: see fd.h. */
#define _GNU_SOURCE     /* O_TMPFILE, mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "fd.h"
#include "fmt.h"

int
fd_pipe(int p[2])
{
	if (pipe(p) == -1)
		return -1;
	if (fcntl(p[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(p[1], F_SETFD, FD_CLOEXEC) == -1) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	return 0;
}

ssize_t
fd_read(int fd, void *p, size_t n)
{
	ssize_t r;

	while ((r = read(fd, p, n)) == -1 && errno == EINTR)
		;
	return r;
}

ssize_t
fd_pread(int fd, void *p, size_t n, off_t off)
{
	ssize_t r;

	while ((r = pread(fd, p, n, off)) == -1 && errno == EINTR)
		;
	return r;
}

int
fd_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n) {
		ssize_t w = write(fd, s, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;    /* no progress: never loop */
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int
fd_copy(int from, int to)
{
	char b[65536];
	ssize_t r;

	while ((r = fd_read(from, b, sizeof b)) > 0)
		if (fd_write_all(to, b, (size_t)r) == -1)
			return -1;
	return r == 0 ? 0 : -1;
}

int
fd_read_head(int fd, char *p, size_t size)
{
	char drain[512];
	size_t got = 0;
	ssize_t r;

	for (;;) {
		if (got + 1 < size)
			r = fd_read(fd, p + got, size - 1 - got);
		else
			r = fd_read(fd, drain, sizeof drain);
		if (r <= 0)
			break;
		if (got + 1 < size)
			got += (size_t)r;
	}
	if (size)
		p[got] = '\0';
	return r == 0 ? 0 : -1;
}

int
fd_tmpfile(const char *dir)
{
	char path[PATH_MAX];
	int fd;

#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd != -1 || (errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL))
		return fd;
#endif
	if (fmt_s(path, sizeof path, "%s/postel.XXXXXX", dir) == -1)
		return -1;
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return -1;
	if (unlink(path) == -1) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
fd_syncdir(int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e;

	if (fd == -1)
		return -1;
	if (fsync(fd) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}
