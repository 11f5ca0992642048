/*
 * local mbox delivery: an fcntl lock on the mbox, then a dotlock
 * (path.lock, created with O_EXCL) where the directory lets the recipient
 * make one, in that order as Debian policy asks of every program that
 * locks a mailbox; a "From " separator line, mboxrd quoting (">From " gets
 * one more '>'), a blank line after the message. On any write failure the
 * file is truncated back to its old size, so the mbox is never left with
 * half a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "bio.h"
#include "fd.h"
#include "fmt.h"
#include "local.h"

#define LOCK_WAIT 30            /* s for both locks, at most the timeout */
#define LOCK_NAP 500            /* ms between tries of the dotlock */
#define STALE_LOCK 300          /* a dotlock older than this is stale */

/* Make the dotlock lock, trying until deadline (bio_now() ms): 1 made;
 * 0 the directory does not let us make it (EACCES, EPERM: a spool like
 * Debian's /var/mail, root:mail 2775, where only the mail group may);
 * -1 with errno otherwise (EAGAIN: held until the deadline). A lock that
 * exists is waited for even where we could not have made it. */
static int
dotlock(const char *lock, long long deadline)
{
	struct stat sb;
	long long left;
	int fd;

	for (;;) {
		fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd != -1)
			return close(fd) == -1 ? -1 : 1;
		if (errno == EACCES || errno == EPERM)
			return 0;
		if (errno != EEXIST)
			return -1;
		if (stat(lock, &sb) == 0 && time(NULL) - sb.st_mtime > STALE_LOCK)
			unlink(lock);
		if ((left = deadline - bio_now()) <= 0)
			break;
		usleep((useconds_t)(left < LOCK_NAP ? left : LOCK_NAP) * 1000);
	}
	errno = EAGAIN;
	return -1;
}

static void
on_alarm(int sig)
{
	(void)sig;              /* only to end the wait in F_SETLKW */
}

/* A write lock on all of fd, waited for (F_SETLKW, so a reader that
 * keeps taking it cannot starve us) until deadline; EAGAIN if it is
 * still held then. The timer repeats every 100 ms after it first fires,
 * so a tick that falls just before the wait begins cannot leave us
 * blocked for ever. */
static int
fcntl_lock(int fd, long long deadline)
{
	struct sigaction sa, old;
	struct itimerval it, off;
	struct flock fl;
	long long left;
	int r, e;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return 0;
	if (errno != EAGAIN && errno != EACCES)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;       /* no SA_RESTART: EINTR ends it */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, &old) == -1)
		return -1;
	memset(&off, 0, sizeof off);
	for (;;) {
		if ((left = deadline - bio_now()) <= 0) {
			r = -1;
			e = EAGAIN;
			break;
		}
		it.it_value.tv_sec = left / 1000;
		it.it_value.tv_usec = (left % 1000) * 1000;
		it.it_interval.tv_sec = 0;
		it.it_interval.tv_usec = 100000;
		if (setitimer(ITIMER_REAL, &it, NULL) == -1) {
			r = -1;
			e = errno;
			break;
		}
		r = fcntl(fd, F_SETLKW, &fl);
		e = errno;
		if (r == 0 || e != EINTR)
			break;
	}
	/* Disarmed, the old handler comes back. Should the timer stay
	 * armed, ours stays, which does nothing (no other code of local
	 * uses SIGALRM), where the default action would kill local. */
	if (setitimer(ITIMER_REAL, &off, NULL) == 0)
		(void)sigaction(SIGALRM, &old, NULL);   /* ours is harmless */
	errno = e;
	return r;
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
	char lock[PATH_MAX], ob[65536];
	struct stat sb;
	const char *why;
	struct bio o;
	long long deadline;
	volatile int dot = 0;       /* read after a SIGBUS longjmp */
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
		/* No mbox yet in a directory the recipient may not write,
		 * such as Debian's /var/mail: making it is the admin's job. */
		if (e == EACCES && lstat(path, &sb) == -1 && errno == ENOENT)
			return local_fail(f, EAGAIN, "4.2.0", "unable to create "
			    "%s: %s (in a mail spool the administrator makes "
			    "each user's mbox, owned by the user)", path,
			    strerror(e));
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
	/* Both locks are waited for within one bound, short of the time
	 * qrun gives the delivery, so that a held lock is a result and not
	 * a killed local. The fcntl lock is taken first and always: mutt,
	 * mailx and other readers that follow Debian policy take it too,
	 * so it alone keeps them out where the dotlock cannot be made. */
	deadline = bio_now() + (long long)(md->timeout < LOCK_WAIT ?
	    md->timeout : LOCK_WAIT) * 1000;
	if (fcntl_lock(fd, deadline) == -1) {
		r = local_fail(f, errno, "4.2.1", "unable to lock %s", path);
		close(fd);
		return r;
	}
	if ((dot = dotlock(lock, deadline)) == -1) {
		r = local_fail(f, errno, "4.2.1", "unable to lock %s", lock);
		close(fd);
		return r;
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
	/* the dotlock goes first, then the fcntl lock with the close */
	if (dot == 1)
		unlink(lock);
	if (close(fd) == -1 && r == 0)
		r = local_fail(f, errno, NULL, "unable to write %s", path);
	return r;
}
