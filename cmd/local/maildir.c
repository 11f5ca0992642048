/*
 * local Maildir delivery, as the Maildir specification asks: a unique
 * name (time, microseconds, pid, counter, host), written under tmp/,
 * fsync'd, linked into new/, new/ fsync'd; a reader never sees a partial
 * file in new/.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "fmt.h"
#include "local.h"

static void
hostpart(char *dst, size_t size)
{
	char h[256];
	size_t i, k = 0;

	if (gethostname(h, sizeof h) == -1)
		fmt_s(h, sizeof h, "localhost");
	h[sizeof h - 1] = '\0';
	/* '/' and ':' may not appear in a Maildir name: encode them */
	for (i = 0; h[i] && k + 5 < size; i++) {
		if (h[i] == '/')
			k += (size_t)snprintf(dst + k, size - k, "\\057");
		else if (h[i] == ':')
			k += (size_t)snprintf(dst + k, size - k, "\\072");
		else
			dst[k++] = h[i];
	}
	dst[k] = '\0';
}

int
maildir_deliver(const struct msgdata *md, const char *dir, struct fail *f,
    char *name, size_t namesize)
{
	static unsigned counter;
	char host[300], tmp[4096], fin[4096], nd[4096];
	struct timeval tv;
	size_t dl = strlen(dir);
	const char *sl = dl && dir[dl - 1] == '/' ? "" : "/";
	int fd, e;

	hostpart(host, sizeof host);
	gettimeofday(&tv, NULL);
	if (fmt_s(name, namesize, "%lld.M%06ldP%ldQ%u.%s,S=%zu",
	    (long long)tv.tv_sec, (long)tv.tv_usec, (long)getpid(),
	    ++counter, host, md->prefixlen + md->bodylen) < 0 ||
	    fmt_s(tmp, sizeof tmp, "%s%stmp/%s", dir, sl, name) < 0 ||
	    fmt_s(fin, sizeof fin, "%s%snew/%s", dir, sl, name) < 0 ||
	    fmt_s(nd, sizeof nd, "%s%snew", dir, sl) < 0)
		return local_fail(f, ENAMETOOLONG, "5.3.5",
		    "Maildir path too long: %s", dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return local_fail(f, errno, NULL, "unable to create %s", tmp);
	if (write_all(fd, md->prefix, md->prefixlen) == -1 ||
	    write_all(fd, md->body, md->bodylen) == -1 || fsync(fd) == -1) {
		e = errno;
		close(fd);
		unlink(tmp);
		return local_fail(f, e, NULL, "unable to write %s", tmp);
	}
	if (close(fd) == -1) {
		e = errno;
		unlink(tmp);
		return local_fail(f, e, NULL, "unable to write %s", tmp);
	}
	/* link, not rename: it never replaces an existing message */
	if (link(tmp, fin) == -1) {
		e = errno;
		unlink(tmp);
		return local_fail(f, e == EEXIST ? EAGAIN : e, NULL,
		    "unable to link %s into new/", name);
	}
	unlink(tmp);
	if ((fd = open(nd, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(fd) == -1) {
		e = errno;
		if (fd != -1)
			close(fd);
		/* not known to be durable: say temporary, keep the file
		 * (a duplicate beats a loss) */
		return local_fail(f, e, "4.3.0", "unable to sync %s", nd);
	}
	close(fd);
	return 0;
}
