/* bio: see bio.h. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bio.h"

long long
bio_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
bio_init(struct bio *b, int fd, bio_op op, char *p, size_t cap)
{
	b->fd = fd;
	b->op = op;
	b->ctx = NULL;
	b->p = p;
	b->cap = cap;
	b->start = b->end = 0;
	b->deadline = 0;
	b->flush = NULL;
}

void
bio_timeout(struct bio *b, unsigned long long seconds)
{
	b->deadline = seconds ? bio_now() + (long long)seconds * 1000 : 0;
}

int
bio_wait(int fd, short events, long long deadline)
{
	struct pollfd pfd;
	long long left;
	int r;

	for (;;) {
		int ms = -1;
		if (deadline) {
			left = deadline - bio_now();
			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			ms = left > 86400000 ? 86400000 : (int)left;
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, ms);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r > 0)
			return 0;       /* ready, or HUP/ERR: the I/O call tells */
	}
}

ssize_t
bio_fdio(int fd, short events, void *p, size_t n, long long deadline)
{
	for (;;) {
		ssize_t r;

		if (deadline && bio_wait(fd, events, deadline) == -1)
			return -1;
		r = events == POLLOUT ? write(fd, p, n) : read(fd, p, n);
		if (r == -1 && errno == EINTR)
			continue;
		/* not ready after all, or a non-blocking fd: wait for it */
		if (r == -1 && errno == EAGAIN && (deadline ||
		    bio_wait(fd, events, 0) == 0))
			continue;
		return r;
	}
}

ssize_t
bio_fdread(struct bio *b, void *p, size_t n)
{
	return bio_fdio(b->fd, POLLIN, p, n, b->deadline);
}

ssize_t
bio_fdwrite(struct bio *b, void *p, size_t n)
{
	ssize_t r = bio_fdio(b->fd, POLLOUT, p, n, b->deadline);

	if (r == 0) {
		errno = EIO;
		return -1;
	}
	return r;
}

size_t
bio_buffered(const struct bio *b)
{
	return b->end - b->start;
}

ssize_t
bio_fill(struct bio *b)
{
	ssize_t r;

	if (b->start < b->end)
		return (ssize_t)(b->end - b->start);
	b->start = b->end = 0;
	if (b->flush && bio_flush(b->flush) == -1)
		return -1;
	r = b->op(b, b->p, b->cap);
	if (r > 0)
		b->end = (size_t)r;
	return r;
}

int
bio_getline(struct bio *b, char *line, size_t max, size_t *len)
{
	size_t n = 0;
	int over = 0;

	for (;;) {
		ssize_t r = bio_fill(b);
		char *s, *lf;
		size_t avail, take;

		if (r == -1)
			return -1;
		if (r == 0) {
			*len = n;
			if (over)
				return 2;
			return n ? 1 : 0;
		}
		s = b->p + b->start;
		avail = b->end - b->start;
		lf = memchr(s, '\n', avail);
		take = lf ? (size_t)(lf - s) + 1 : avail;
		if (!over) {
			size_t room = max - n, c = take < room ? take : room;
			memcpy(line + n, s, c);
			n += c;
			if (c < take)
				over = 1;
		}
		b->start += take;
		if (lf) {
			*len = n;
			return over ? 2 : 1;
		}
	}
}

ssize_t
bio_read(struct bio *b, void *p, size_t n)
{
	ssize_t r = bio_fill(b);
	size_t c;

	if (r <= 0)
		return r;
	c = b->end - b->start;
	if (c > n)
		c = n;
	memcpy(p, b->p + b->start, c);
	b->start += c;
	return (ssize_t)c;
}

const char *
bio_peek(const struct bio *b, size_t *n)
{
	*n = b->end - b->start;
	return b->p + b->start;
}

void
bio_skip(struct bio *b, size_t n)
{
	b->start += n < b->end - b->start ? n : b->end - b->start;
}

static int
writeall(struct bio *b, const char *p, size_t n)
{
	while (n) {
		ssize_t w = b->op(b, (void *)p, n);
		if (w == -1)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
bio_flush(struct bio *b)
{
	size_t n = b->end;

	b->end = 0;
	return n ? writeall(b, b->p, n) : 0;
}

int
bio_put(struct bio *b, const void *p, size_t n)
{
	if (b->end + n <= b->cap) {
		memcpy(b->p + b->end, p, n);
		b->end += n;
		return 0;
	}
	if (bio_flush(b) == -1)
		return -1;
	if (n >= b->cap)
		return writeall(b, p, n);
	memcpy(b->p, p, n);
	b->end = n;
	return 0;
}

int
bio_puts(struct bio *b, const char *s)
{
	return bio_put(b, s, strlen(s));
}
