/*
 * local mbox delivery: a dotlock (path.lock, created with O_EXCL) and a
 * fcntl lock, a "From " separator line, mboxrd quoting (">From " gets one
 * more '>'), a blank line after the message. On any write failure the
 * file is truncated back to its old size, so the mbox is never left with
 * half a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bio.h"
#include "fd.h"
#include "fmt.h"
#include "local.h"

#define LOCK_TRIES 60           /* about 30 s, in steps of 0.5 s */
#define STALE_LOCK 300          /* a dotlock older than this is stale */

static int
dotlock(const char *lock)
{
	struct stat sb;
	int i, fd;

	for (i = 0; i < LOCK_TRIES; i++) {
		fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd != -1)
			return close(fd);
		if (errno != EEXIST)
			return -1;
		if (stat(lock, &sb) == 0 && time(NULL) - sb.st_mtime > STALE_LOCK)
			unlink(lock);
		usleep(500000);
	}
	errno = EAGAIN;
	return -1;
}

static int
fcntl_lock(int fd)
{
	struct flock fl;
	int i;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	for (i = 0; i < LOCK_TRIES; i++) {
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return -1;
		usleep(500000);
	}
	errno = EAGAIN;
	return -1;
}

/* The message is mapped (local reads it so from the queue file): a read
 * error of the disk under it is a SIGBUS in the middle of quoted(), which
 * must still roll the mbox back. */
static sigjmp_buf bus;

static void
on_bus(int sig)
{
	(void)sig;
	siglongjmp(bus, 1);
}

/* The message in mbox form, written through o: the From_ line, quoted
 * From lines, a blank line at the end. Streamed, so that a big message
 * costs no copy of itself in memory. */
static int
quoted(const struct msgdata *md, struct bio *o)
{
	time_t t = time(NULL);
	struct tm tm;
	char date[64];
	const char *p, *end;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm) == 0)
		fmt_s(date, sizeof date, "Thu Jan  1 00:00:00 1970");
	if (bio_puts(o, "From ") == -1 ||
	    bio_puts(o, md->sender[0] ? md->sender : "MAILER-DAEMON") == -1 ||
	    bio_puts(o, " ") == -1 || bio_puts(o, date) == -1 ||
	    bio_puts(o, "\n") == -1 ||
	    bio_put(o, md->prefix, md->prefixlen) == -1)
		return -1;
	p = md->body;
	end = p + md->bodylen;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *q = p;
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		while (q < p + len && *q == '>')
			q++;
		if ((size_t)(p + len - q) >= 5 && memcmp(q, "From ", 5) == 0 &&
		    bio_puts(o, ">") == -1)
			return -1;
		if (bio_put(o, p, len) == -1)
			return -1;
		p += len;
	}
	if (md->bodylen && md->body[md->bodylen - 1] != '\n' &&
	    bio_puts(o, "\n") == -1)
		return -1;
	if (bio_puts(o, "\n") == -1)
		return -1;
	return bio_flush(o);
}

/* NULL if fd is a plain file of ours with one name, now in blocking
 * mode (sb filled); else why not. */
static const char *
not_ours(int fd, struct stat *sb)
{
	if (fstat(fd, sb) == -1)
		return strerror(errno);
	if (!S_ISREG(sb->st_mode))
		return "not a regular file";
	if (sb->st_uid != geteuid())
		return "owned by another user";
	if (sb->st_nlink != 1)
		return "more than one link";
	if (fcntl(fd, F_SETFL, O_APPEND) == -1)
		return strerror(errno);
	return NULL;
}

/* The mbox ends where it ended before. */
static void
rollback(int fd, off_t size)
{
	if (ftruncate(fd, size) == -1 || fsync(fd) == -1) {
		/* nothing better to do; the caller says temporary */
	}
}

int
mbox_deliver(const struct msgdata *md, const char *path, struct fail *f)
{
	char lock[4096], ob[65536];
	struct stat sb;
	const char *why;
	struct bio o;
	int fd, e, r = -1;

	if (fmt_s(lock, sizeof lock, "%s.lock", path) < 0)
		return local_fail(f, ENAMETOOLONG, "5.3.5", "mbox path too "
		    "long: %s", path);
	/* O_NONBLOCK: a FIFO planted in a shared spool must not hang us */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK, 0600);
	if (fd == -1) {
		e = errno;
		/* a symlink is refused (O_NOFOLLOW); the user can fix it,
		 * so the mail waits rather than bounces */
		if (e == ELOOP)
			return local_fail(f, e, "4.2.0", "refusing to open %s: "
			    "a symbolic link", path);
		if (e == ENXIO)         /* a FIFO or socket, no reader */
			return local_fail(f, EAGAIN, "4.2.0", "refusing %s: "
			    "not a regular file", path);
		return local_fail(f, e, NULL, "unable to open %s", path);
	}
	/* In a shared spool (/var/mail, sticky) another user can create
	 * the file first, or link one of theirs there: only a plain file of
	 * the recipient's own, with one name, is written. */
	if ((why = not_ours(fd, &sb)) != NULL) {
		r = local_fail(f, EAGAIN, "4.2.0", "refusing %s: %s", path,
		    why);
		close(fd);
		return r;
	}
	if (dotlock(lock) == -1) {
		e = errno;
		close(fd);
		return local_fail(f, e == EACCES ? EAGAIN : e, "4.2.1",
		    "unable to lock %s", lock);
	}
	if (fcntl_lock(fd) == -1) {
		r = local_fail(f, errno, "4.2.1", "unable to lock %s", path);
		goto out;
	}
	if (fstat(fd, &sb) == -1) {
		r = local_fail(f, errno, NULL, "unable to stat %s", path);
		goto out;
	}
	bio_init(&o, fd, bio_fdwrite, ob, sizeof ob);
	if (sigsetjmp(bus, 1) != 0) {
		signal(SIGBUS, SIG_DFL);
		rollback(fd, sb.st_size);
		r = local_fail(f, EIO, "4.3.0", "unable to read the message");
		goto out;
	}
	signal(SIGBUS, on_bus);
	if (quoted(md, &o) == -1 || fsync(fd) == -1) {
		e = errno;
		signal(SIGBUS, SIG_DFL);
		rollback(fd, sb.st_size);
		r = local_fail(f, e, NULL, "unable to write %s", path);
		goto out;
	}
	signal(SIGBUS, SIG_DFL);
	r = 0;
out:
	if (close(fd) == -1 && r == 0)
		r = local_fail(f, errno, NULL, "unable to write %s", path);
	unlink(lock);
	return r;
}
