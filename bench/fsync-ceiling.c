/*
 * fsync-ceiling: the disk's own limit for durable queue writes. Each round
 * does what lib/queue must do for one message (postel-queue(5)): create
 * an unnamed file in tmp/ (O_TMPFILE), write SIZE bytes, fsync, link it
 * into new/ by its /proc/self/fd name, close, fsync new/; with one or
 * more writers in parallel. Where O_TMPFILE is refused it does the
 * fallback: create tmp/NAME, write, fsync, close, link, fsync new/, unlink.
 * usage: fsync-ceiling DIR N SIZE [WRITERS]; prints "ceiling: X ops/s".
 */
#define _GNU_SOURCE             /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
fail(const char *what)
{
	fprintf(stderr, "fsync-ceiling: %s: %s\n", what, strerror(errno));
	exit(111);
}

static void
writer(const char *dir, int w, long n, size_t size)
{
	char a[4096], b[4096], d1[4096], d2[4096], proc[64];
	char *data = calloc(1, size ? size : 1);
	int dfd, fd;
	long i;

	if (data == NULL)
		fail("calloc");
	snprintf(d2, sizeof d2, "%s/new", dir);
	if ((dfd = open(d2, O_RDONLY | O_DIRECTORY)) == -1)
		fail(d2);
	snprintf(d1, sizeof d1, "%s/tmp", dir);
	for (i = 0; i < n; i++) {
		snprintf(a, sizeof a, "%s/tmp/%d.%ld", dir, w, i);
		snprintf(b, sizeof b, "%s/new/%d.%ld", dir, w, i);
		fd = open(d1, O_TMPFILE | O_WRONLY, 0640);
		if (fd == -1 && errno != EOPNOTSUPP && errno != EISDIR &&
		    errno != EINVAL)
			fail(d1);
		if (fd == -1 &&
		    (fd = open(a, O_WRONLY | O_CREAT | O_EXCL, 0640)) == -1)
			fail(a);
		else if (fd != -1)
			a[0] = '\0';   /* unnamed */
		if (write(fd, data, size) != (ssize_t)size)
			fail("write");
		if (fsync(fd) == -1)
			fail("fsync");
		if (a[0] == '\0') {
			snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
			if (linkat(AT_FDCWD, proc, AT_FDCWD, b,
			    AT_SYMLINK_FOLLOW) == -1)
				fail("linkat");
		} else if (link(a, b) == -1)
			fail("link");
		if (close(fd) == -1 || fsync(dfd) == -1)
			fail("fsync new/");
		if (a[0] != '\0' && unlink(a) == -1)
			fail("unlink");
	}
	free(data);
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	char p[4096];
	long n, per;
	int w, writers, st;
	double secs;

	if (argc < 4) {
		fprintf(stderr, "usage: fsync-ceiling DIR N SIZE [WRITERS]\n");
		return 100;
	}
	n = atol(argv[2]);
	writers = argc > 4 ? atoi(argv[4]) : 1;
	if (n <= 0 || writers <= 0 || writers > 256)
		return 100;
	per = n / writers;
	snprintf(p, sizeof p, "%s/tmp", argv[1]);
	if (mkdir(p, 0750) == -1 && errno != EEXIST)
		fail(p);
	snprintf(p, sizeof p, "%s/new", argv[1]);
	if (mkdir(p, 0750) == -1 && errno != EEXIST)
		fail(p);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (w = 0; w < writers; w++) {
		pid_t pid = fork();
		if (pid == -1)
			fail("fork");
		if (pid == 0) {
			writer(argv[1], w, per, (size_t)atol(argv[3]));
			_exit(0);
		}
	}
	for (w = 0; w < writers; w++)
		if (wait(&st) == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fail("writer");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("ceiling: %.1f ops/s (%ld ops, %d writers, %.3f s)\n",
	    (double)(per * writers) / secs, per * writers, writers, secs);
	return 0;
}
