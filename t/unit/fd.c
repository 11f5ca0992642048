/* fd: close-on-exec pipes and whole writes. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"
#include "../tap.h"

int
main(void)
{
	int p[2];
	char big[200000], got[200000];
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	plan(5);
	ok(fd_pipe(p) == 0 && (fcntl(p[0], F_GETFD) & FD_CLOEXEC) &&
	    (fcntl(p[1], F_GETFD) & FD_CLOEXEC), "both ends close-on-exec");
	memset(big, 'x', sizeof big);
	big[sizeof big - 1] = 'y';
	/* more than a pipe holds: the writer must loop over short writes */
	if ((pid = fork()) == 0) {
		close(p[0]);
		_exit(fd_write_all(p[1], big, sizeof big) == 0 ? 0 : 1);
	}
	close(p[1]);
	while ((r = read(p[0], got + n, sizeof got - n)) > 0)
		n += (size_t)r;
	ok(n == sizeof big && got[n - 1] == 'y', "every byte arrives");
	ok(fd_write_all(p[0], "x", 1) == -1, "a write error is reported");
	{
		char dir[] = "/tmp/postel-fd.XXXXXX", buf[4];
		DIR *d;
		struct dirent *de;
		int fd, entries = 0;

		if (mkdtemp(dir) == NULL)
			return 1;
		fd = fd_tmpfile(dir);
		ok(fd != -1 && fd_write_all(fd, "abc", 3) == 0 &&
		    lseek(fd, 0, SEEK_SET) == 0 && read(fd, buf, 3) == 3 &&
		    memcmp(buf, "abc", 3) == 0, "a temp file reads back");
		if ((d = opendir(dir)) != NULL) {
			while ((de = readdir(d)) != NULL)
				entries += de->d_name[0] != '.';
			closedir(d);
		}
		ok(entries == 0, "and has no name in its directory");
		close(fd);
		rmdir(dir);
	}
	return done();
}
