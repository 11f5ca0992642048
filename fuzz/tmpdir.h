/*
 * tmpdir: the scratch queue directory a fuzz target writes its input to
 * (a message, a state file) so that the code under test reads it as it
 * reads the queue. Made once per process with one subdirectory; left
 * behind in /tmp when the fuzzer stops.
 */
#ifndef POSTEL_FUZZ_TMPDIR_H
#define POSTEL_FUZZ_TMPDIR_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* The directory /tmp/postel-fuzz-NAME.XXXXXX with sub in it, open. */
static int
fuzz_tmpdir(const char *name, const char *sub)
{
	static char dir[128];
	int fd;

	snprintf(dir, sizeof dir, "/tmp/postel-fuzz-%s.XXXXXX", name);
	if (mkdtemp(dir) == NULL ||
	    (fd = open(dir, O_RDONLY | O_DIRECTORY)) == -1 ||
	    mkdirat(fd, sub, 0700) == -1)
		abort();
	return fd;
}

#endif
