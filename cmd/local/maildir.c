/*
 * local Maildir delivery, as the Maildir specification asks: a unique
 * name, written under tmp/, fsync'd, linked into new/, new/ fsync'd; a
 * reader never sees a partial file in new/. In a batch the sync of new/
 * is shared by the batch's messages (struct dirsync, local.h). The name in new/ is derived
 * from the queue ID, so a repeated delivery of the same message finds
 * its first copy (see final_name).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "fd.h"
#include "fmt.h"
#include "hdr.h"
#include "local.h"
#include "maildir.h"

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

/* FNV-1a, 32 bits: a short tag for the recipient and the Maildir. */
static unsigned long
tag(const char *a, const char *b)
{
	unsigned long h = 2166136261UL;

	for (; *a; a++)
		h = ((h ^ (unsigned char)*a) * 16777619UL) & 0xffffffffUL;
	h = ((h ^ 0) * 16777619UL) & 0xffffffffUL;
	for (; *b; b++)
		h = ((h ^ (unsigned char)*b) * 16777619UL) & 0xffffffffUL;
	return h;
}

/* The name in new/. Given a queue ID (seconds.microseconds.pid, unique
 * on this host), the name is made from it and a tag of the recipient and
 * the Maildir, so that delivering the same queued message to the same
 * recipient again, after a crash of qrun with this delivery in flight,
 * finds its first copy in new/ instead of making a second one. Without
 * a queue ID: the time, pid and a counter, as the Maildir spec has it. */
static int
final_name(const struct msgdata *md, const char *dir, char *name,
    size_t size, int *fixed)
{
	static unsigned counter;
	char host[300];
	long long sec;
	long usec, pid;
	struct timeval tv;
	size_t bytes = md->prefixlen + md->bodylen;
	struct maildir_crlf w = { 0, 0 };
	int used = 0;

	/* ,W= is the size a POP3 or IMAP client sees (lib/maildir.h), so
	 * that pop3d and Dovecot list a message without reading it */
	maildir_crlf_count(&w, md->prefix, md->prefixlen);
	maildir_crlf_count(&w, md->body, md->bodylen);

	hostpart(host, sizeof host);
	*fixed = sscanf(md->qid, "%lld.%ld.%ld%n", &sec, &usec, &pid, &used)
	    == 3 && md->qid[used] == '\0';
	if (*fixed)
		return fmt_s(name, size, "%lld.M%06ldP%ldR%08lx.%s,S=%zu,W=%llu",
		    sec, usec, pid, tag(md->rcpt, dir), host, bytes,
		    bytes + w.added);
	gettimeofday(&tv, NULL);
	return fmt_s(name, size, "%lld.M%06ldP%ldQ%u.%s,S=%zu,W=%llu",
	    (long long)tv.tv_sec, (long)tv.tv_usec, (long)getpid(),
	    ++counter, host, bytes, bytes + w.added);
}

/* Note that dir awaits its sync; -1 when the list is full. */
static int
dirsync_add(struct dirsync *ds, const char *dir)
{
	size_t i;

	for (i = 0; i < ds->n; i++)
		if (strcmp(ds->dir[i], dir) == 0)
			break;
	if (i == ds->n) {
		if (ds->n == DIRSYNC_MAX ||
		    fmt_s(ds->dir[i], sizeof ds->dir[i], "%s", dir) < 0)
			return -1;
		ds->n++;
	}
	ds->touched |= 1u << i;
	return 0;
}

unsigned
dirsync_run(struct dirsync *ds, struct fail *f)
{
	unsigned bad = 0;
	size_t i;
	int e;

	for (i = 0; i < ds->n; i++) {
		if (fd_syncdir(AT_FDCWD, ds->dir[i]) == 0)
			continue;
		e = errno;
		if (!bad)
			local_fail(f, e, "4.3.0", "unable to sync %s: %s",
			    ds->dir[i], strerror(e));
		bad |= 1u << i;
	}
	ds->n = 0;
	return bad;
}

/* A message filter-dmarc marked for quarantine goes to the Maildir's
 * .Junk folder (Maildir++, Dovecot's "Junk") when the user has one:
 * dir is then that folder. */
static const char *
junk(const struct msgdata *md, const char *dir, const char *sl, char *buf,
    size_t size)
{
	struct stat st;
	size_t off = 0, len;
	int marked = 0;

	while (!marked && hdr_field_next(md->body, md->bodylen, off, &len)) {
		marked = hdr_name_is(md->body + off, len, HDR_QUARANTINE);
		off += len;
	}
	if (!marked || fmt_s(buf, size, "%s%s.Junk/new", dir, sl) < 0 ||
	    stat(buf, &st) == -1 || !S_ISDIR(st.st_mode))
		return dir;
	buf[strlen(buf) - 3] = '\0';          /* ".../.Junk/" */
	return buf;
}

int
maildir_deliver(const struct msgdata *md, const char *dir, struct fail *f,
    char *name, size_t namesize)
{
	static unsigned counter;
	char tmp[PATH_MAX], fin[PATH_MAX], nd[PATH_MAX], jd[PATH_MAX];
	struct timeval tv;
	size_t dl = strlen(dir);
	const char *sl = dl && dir[dl - 1] == '/' ? "" : "/";
	int fd, e, fixed;

	if ((dir = junk(md, dir, sl, jd, sizeof jd)) == jd)
		sl = "";

	/* tmp/ gets a name of its own: one left by a killed delivery must
	 * not stop the next attempt */
	gettimeofday(&tv, NULL);
	if (final_name(md, dir, name, namesize, &fixed) < 0 ||
	    fmt_s(tmp, sizeof tmp, "%s%stmp/%lld.M%06ldP%ldQ%u.tmp", dir, sl,
	    (long long)tv.tv_sec, (long)tv.tv_usec, (long)getpid(),
	    ++counter) < 0 ||
	    fmt_s(fin, sizeof fin, "%s%snew/%s", dir, sl, name) < 0 ||
	    fmt_s(nd, sizeof nd, "%s%snew", dir, sl) < 0)
		return local_fail(f, ENAMETOOLONG, "5.3.5",
		    "Maildir path too long: %s", dir);
	if (fixed && access(fin, F_OK) == 0)
		goto sync;      /* an earlier attempt delivered it */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return local_fail(f, errno, NULL, "unable to create %s", tmp);
	if (fd_write_all(fd, md->prefix, md->prefixlen) == -1 ||
	    fd_write_all(fd, md->body, md->bodylen) == -1 || fsync(fd) == -1) {
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
		if (e != EEXIST || !fixed)
			return local_fail(f, e == EEXIST ? EAGAIN : e, NULL,
			    "unable to link %s into new/", name);
		/* delivered by an earlier attempt: make sure it is durable */
	} else
		unlink(tmp);
sync:
	if (md->ds != NULL && dirsync_add(md->ds, nd) == 0)
		return 0;       /* synced before its result is written */
	if (fd_syncdir(AT_FDCWD, nd) == -1)
		/* not known to be durable: say temporary, keep the file
		 * (a duplicate beats a loss) */
		return local_fail(f, errno, "4.3.0", "unable to sync %s", nd);
	return 0;
}
