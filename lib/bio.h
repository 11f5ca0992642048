/*
 * bio: buffered I/O on a file descriptor, with absolute deadlines.
 * A struct bio is one direction (input or output) over a caller-owned
 * buffer. The low-level operation is a function pointer, so TLS slots in
 * beneath (lib/tls) and tests can stub it. EINTR is retried in bio_fdio
 * and bio_wait for all I/O through a bio and TLS's records; lib/fd does
 * the same for plain descriptors and child_wait for waitpid, so callers
 * never see it (a poll() loop of their own takes it as a wake-up). Before
 * an input bio blocks, it flushes its linked output bio: pipelined
 * replies then need no special code (RFC 2920).
 * Errors: -1 with errno (ETIMEDOUT when the deadline passed).
 */
#ifndef POSTEL_BIO_H
#define POSTEL_BIO_H

#include <stddef.h>
#include <sys/types.h>

struct bio;
/* Read or write up to n bytes, waiting at most until b->deadline. Returns
 * bytes moved, 0 at end of input, -1 with errno. */
typedef ssize_t (*bio_op)(struct bio *b, void *p, size_t n);

struct bio {
	int fd;
	bio_op op;
	void *ctx;              /* for op (e.g. the TLS engine) */
	char *p;
	size_t cap, start, end; /* input: unread bytes p[start..end) */
	long long deadline;     /* monotonic ms; 0 = none */
	struct bio *flush;      /* output flushed before input blocks */
};

long long bio_now(void);                       /* monotonic ms */
void bio_init(struct bio *b, int fd, bio_op op, char *p, size_t cap);
ssize_t bio_fdread(struct bio *b, void *p, size_t n);   /* default ops */
ssize_t bio_fdwrite(struct bio *b, void *p, size_t n);
/* Wait for fd to be ready for events (POLLIN/POLLOUT) until deadline. */
int bio_wait(int fd, short events, long long deadline);
/* One read (events POLLIN) or write (POLLOUT) on fd, first waiting for
 * it until deadline (0: none), EINTR retried and EAGAIN waited out: what
 * read or write returned, -1 ETIMEDOUT past the deadline. The default ops
 * and lib/tls's record I/O go through it. */
ssize_t bio_fdio(int fd, short events, void *p, size_t n, long long deadline);
void bio_timeout(struct bio *b, unsigned long long seconds); /* 0 = none */

/* Input. bio_fill reads more if the buffer is empty: >0, 0 EOF, -1. */
ssize_t bio_fill(struct bio *b);
/* Octets in the buffer: unread (input) or not yet written (output). */
size_t bio_buffered(const struct bio *b);
/* Read one line ending in LF into line (at most max bytes, LF included).
 * Returns 1 with *len set; 0 at EOF with no bytes; -1 on error; 2 if the
 * line was longer than max: the rest up to LF was read and discarded and
 * *len is max. A final line without LF at EOF returns 1 (check the LF). */
int bio_getline(struct bio *b, char *line, size_t max, size_t *len);
ssize_t bio_read(struct bio *b, void *p, size_t n);
/* Input in place, for a parser that may stop early: bio_peek gives the
 * buffered octets (*n of them, 0 if none: bio_fill first) and bio_skip
 * marks the first n of them read (at most those buffered). */
const char *bio_peek(const struct bio *b, size_t *n);
void bio_skip(struct bio *b, size_t n);

/* Output. A put either fits in the buffer or flushes; -1 on error. */
int bio_put(struct bio *b, const void *p, size_t n);
int bio_puts(struct bio *b, const char *s);
int bio_flush(struct bio *b);

#endif
