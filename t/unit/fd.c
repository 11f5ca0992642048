/* fd: close-on-exec pipes, whole writes, copies, a child's first words,
 * and buf_catfd (lib/buf over a descriptor). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
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

	plan(14);
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
	{
		char dir[] = "/tmp/postel-fd.XXXXXX", head[8];
		struct buf b = BUF_INIT(sizeof big), small = BUF_INIT(10);
		int in, out;

		if (mkdtemp(dir) == NULL || (in = fd_tmpfile(dir)) == -1 ||
		    (out = fd_tmpfile(dir)) == -1)
			return 1;
		ok(fd_write_all(in, big, sizeof big) == 0 &&
		    lseek(in, 0, SEEK_SET) == 0 && fd_copy(in, out) == 0 &&
		    lseek(out, 0, SEEK_SET) == 0 && buf_catfd(&b, out) == 0 &&
		    b.len == sizeof big && memcmp(b.p, big, b.len) == 0,
		    "fd_copy and buf_catfd move every byte");
		ok(lseek(out, 0, SEEK_SET) == 0 && buf_catfd(&small, out) ==
		    -1 && errno == EMSGSIZE && small.len == 10,
		    "buf_catfd stops at the maximum with EMSGSIZE");
		small.len = 0;
		ok(lseek(out, (off_t)(sizeof big - 10), SEEK_SET) != -1 &&
		    buf_catfd(&small, out) == 0 && small.len == 10,
		    "exactly the maximum fits");
		ok(fd_copy(-1, out) == -1 && errno == EBADF,
		    "fd_copy reports a read error");
		ok(lseek(out, 0, SEEK_SET) == 0 &&
		    fd_read_head(out, head, sizeof head) == 0 &&
		    strcmp(head, "xxxxxxx") == 0 && lseek(out, 0, SEEK_CUR) ==
		    (off_t)sizeof big, "fd_read_head keeps size-1 bytes and "
		    "reads to the end");
		ok(fd_read_head(-1, head, sizeof head) == -1 && head[0] == '\0',
		    "and says when it could not read");
		ok(fd_pread(out, head, 1, (off_t)(sizeof big - 1)) == 1 &&
		    head[0] == 'y', "fd_pread reads at an offset");
		buf_free(&b);
		buf_free(&small);
		close(in);
		close(out);
		rmdir(dir);
	}
	ok(fd_syncdir(AT_FDCWD, ".") == 0, "fd_syncdir syncs a directory");
	ok(fd_syncdir(AT_FDCWD, "no/such/dir") == -1 && errno == ENOENT,
	    "fd_syncdir says why it could not");
	return done();
}
