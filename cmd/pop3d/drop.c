/*
 * pop3d: the maildrop (postel-pop3d(8), "Maildir"). One Maildir, locked
 * with flock on its directory for the session, new/ moved to cur/ once,
 * cur/ listed once into an array and a packed arena of names, both
 * bounded by DROP_MAX. Other readers (Dovecot, mutt) may rename a
 * message to change its flags: its base name (lib/maildir.h) finds it
 * again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bearssl.h>

#include "array.h"
#include "fd.h"
#include "fmt.h"
#include "maildir.h"
#include "pop3d.h"

#define NAME_MAX_ 255           /* a file name (NAME_MAX on Linux) */

static int
add_name(struct drop *d, const char *name, size_t *off)
{
	size_t n = strlen(name) + 1;

	char *p;

	if ((p = array_grow(d->names, &d->ncap, d->nlen + n, 1)) == NULL)
		return -1;
	d->names = p;
	memcpy(d->names + d->nlen, name, n);
	*off = d->nlen;
	d->nlen += n;
	return 0;
}

/* The size a client sees, counted from the file: for a name without W=
 * (a message another program delivered). */
static int
count_size(int curfd, const char *name, unsigned long long *size)
{
	struct maildir_crlf w = { 0, 0 };
	char b[16384];
	unsigned long long n = 0;
	ssize_t r;
	int fd;

	if ((fd = openat(curfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW))
	    == -1)
		return -1;
	while ((r = fd_read(fd, b, sizeof b)) > 0) {
		maildir_crlf_count(&w, b, (size_t)r);
		n += (unsigned long long)r;
	}
	close(fd);
	if (r == -1)
		return -1;
	*size = n + w.added;
	return 0;
}

/* Close dir after its readdir loop: 0, or -1 with err, the loop's. */
static int
dir_done(DIR *dir, int err)
{
	closedir(dir);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* An error about one file (a name too long to take ":2,", a file that
 * cannot be read, one another reader removed): that file waits, the
 * others are served. Anything else (EIO, ENOSPC, ENOMEM...) is about
 * the whole mailbox and fails the login, temporarily. */
static int
one_file(int e)
{
	return e == ENOENT || e == ENAMETOOLONG || e == EACCES || e == EPERM ||
	    e == ELOOP || e == EISDIR || e == ENOTDIR || e == EINVAL ||
	    e == EEXIST || e == ENOTEMPTY;
}

/* Move each message of new/ to cur/, with the info ":2," (no flags). */
static int
take_new(struct drop *d, int newfd)
{
	DIR *dir;
	struct dirent *e;
	char to[NAME_MAX_ + 4];

	if ((dir = fdopendir(newfd)) == NULL) {
		close(newfd);
		return -1;
	}
	while ((errno = 0, e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (fmt_s(to, sizeof to, "%s%s", e->d_name,
		    strchr(e->d_name, ':') ? "" : ":2,") < 0) {
			d->skipped++;
			continue;
		}
		if (renameat(newfd, e->d_name, d->curfd, to) == 0)
			d->moved++;
		else if (!one_file(errno))
			break;
		else if (errno != ENOENT)       /* ENOENT: another reader */
			d->skipped++;
	}
	return dir_done(dir, errno);
}

static long long
lead_time(const char *name)
{
	long long t = 0;

	for (; *name >= '0' && *name <= '9' && t < 1000000000000LL; name++)
		t = t * 10 + (*name - '0');
	return t;
}

/* Base names in order, for dedupe and for the index rescan sorts and searches. */
static int
basecmp(const char *a, const char *b)
{
	size_t la = maildir_baselen(a), lb = maildir_baselen(b);
	int c = memcmp(a, b, la < lb ? la : lb);

	return c ? c : la < lb ? -1 : la > lb;
}

static const char *sort_names;

static int
cmp(const void *a, const void *b)
{
	const struct dmsg *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return strcmp(sort_names + x->name, sort_names + y->name);
}

/* Two files with one base name (a copy another program left, or a
 * rename seen twice by readdir) would give two messages one unique-id
 * (RFC 1939 7 forbids it): the first in order stays, the other waits.
 * Sorted by time and then name, such files are neighbours. */
static void
dedupe(struct drop *d)
{
	size_t i, k;

	for (i = k = 0; i < d->n; i++) {
		if (k && basecmp(drop_name(d, i), drop_name(d, k - 1)) == 0) {
			d->octets -= d->m[i].size;
			d->skipped++;
			continue;
		}
		d->m[k++] = d->m[i];
	}
	d->n = k;
}

static int
list_cur(struct drop *d)
{
	DIR *dir;
	struct dirent *e;
	int fd;

	if ((fd = dup(d->curfd)) == -1)
		return -1;
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((errno = 0, e = readdir(dir)) != NULL) {
		struct dmsg m, *np;
		struct stat sb;

		if (e->d_name[0] == '.')
			continue;
		if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN)
			continue;
		if (e->d_type == DT_UNKNOWN && (fstatat(d->curfd, e->d_name,
		    &sb, AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(sb.st_mode)))
			continue;
		if (d->n == DROP_MAX) {
			d->more++;
			continue;
		}
		memset(&m, 0, sizeof m);
		if (maildir_field(e->d_name, 'W', &m.size) == -1 &&
		    count_size(d->curfd, e->d_name, &m.size) == -1) {
			if (!one_file(errno))
				break;
			d->skipped += errno != ENOENT;
			continue;
		}
		m.t = lead_time(e->d_name);
		if (add_name(d, e->d_name, &m.name) == -1 ||
		    (np = array_grow(d->m, &d->cap, d->n + 1, sizeof *d->m))
		    == NULL)
			break;
		d->m = np;
		d->m[d->n++] = m;
		d->octets += m.size;
	}
	if (dir_done(dir, errno) == -1)
		return -1;
	sort_names = d->names;
	if (d->n)
		qsort(d->m, d->n, sizeof *d->m, cmp);
	dedupe(d);
	return 0;
}

int
drop_open(struct drop *d, const char *path)
{
	int newfd;

	memset(d, 0, sizeof *d);
	d->dirfd = d->curfd = -1;
	if ((d->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;        /* no mail yet */
	/* one POP3 session per mailbox (postel-pop3d(8)); the lock goes
	 * with the process, however it ends */
	if (flock(d->dirfd, LOCK_EX | LOCK_NB) == -1)
		goto fail;
	if ((d->curfd = openat(d->dirfd, "cur", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		goto fail;
	if ((newfd = openat(d->dirfd, "new", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			goto fail;
	} else if (take_new(d, newfd) == -1)    /* closes newfd */
		goto fail;
	if (list_cur(d) == -1)
		goto fail;
	return 0;
fail:
	{
		int e = errno;
		drop_close(d);
		errno = e;
	}
	return -1;
}

const char *
drop_name(const struct drop *d, size_t i)
{
	return d->names + d->m[i].name;
}

void
drop_uid(const struct drop *d, size_t i, char *uid)
{
	static const char hex[] = "0123456789abcdef";
	const char *name = drop_name(d, i);
	size_t n = maildir_baselen(name), k;
	unsigned char h[32];
	br_sha256_context sc;

	for (k = 0; k < n && name[k] > 32 && name[k] < 127; k++)
		;
	if (n > 0 && n <= 70 && k == n) {       /* RFC 1939 7, UIDL */
		memcpy(uid, name, n);
		uid[n] = '\0';
		return;
	}
	br_sha256_init(&sc);
	br_sha256_update(&sc, name, n);
	br_sha256_out(&sc, h);
	uid[0] = 'x';
	for (k = 0; k < 16; k++) {
		uid[1 + 2 * k] = hex[h[k] >> 4];
		uid[2 + 2 * k] = hex[h[k] & 15];
	}
	uid[33] = '\0';
}

static const struct drop *idx_drop;

static int
idxcmp(const void *a, const void *b)
{
	return basecmp(drop_name(idx_drop, *(const size_t *)a),
	    drop_name(idx_drop, *(const size_t *)b));
}

/* Another reader renamed files (Dovecot does, to change flags): read
 * cur/ once and give every listed message whose file has a new name
 * that name, found by its base name through an index sorted by it.
 * A message whose file is not there any more is gone. 0 or -1. */
static int
rescan(struct drop *d)
{
	size_t *ix, i, lo, hi, off;
	DIR *dir;
	struct dirent *e;
	int fd, err = 0;

	if ((ix = calloc(d->n ? d->n : 1, sizeof *ix)) == NULL)
		return -1;
	for (i = 0; i < d->n; i++) {
		ix[i] = i;
		d->m[i].seen = 0;
	}
	idx_drop = d;
	qsort(ix, d->n, sizeof *ix, idxcmp);
	if ((fd = dup(d->curfd)) == -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		free(ix);
		return -1;
	}
	rewinddir(dir);
	while ((errno = 0, e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		for (lo = 0, hi = d->n; lo < hi; ) {
			size_t mid = lo + (hi - lo) / 2;
			int c = basecmp(e->d_name, drop_name(d, ix[mid]));
			if (c == 0) {
				struct dmsg *m = &d->m[ix[mid]];
				m->seen = 1;
				if (strcmp(drop_name(d, ix[mid]), e->d_name) &&
				    add_name(d, e->d_name, &off) == 0)
					m->name = off;
				break;
			}
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
	}
	err = errno;
	free(ix);
	if (dir_done(dir, err) == -1)
		return -1;
	for (i = 0; i < d->n; i++)
		if (!d->m[i].seen)
			d->m[i].gone = 1;
	return 0;
}

/* Message i's file, under the name it has now: 0, or -1 (ENOENT when
 * another reader removed it). */
static int
refind(struct drop *d, size_t i)
{
	if (d->m[i].gone || rescan(d) == -1)
		return d->m[i].gone ? (errno = ENOENT, -1) : -1;
	return d->m[i].gone ? (errno = ENOENT, -1) : 0;
}

int
drop_msgfd(struct drop *d, size_t i)
{
	int fd;

	if (d->curfd == -1)
		return errno = ENOENT, -1;
	fd = openat(d->curfd, drop_name(d, i), O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW);
	if (fd == -1 && errno == ENOENT && refind(d, i) == 0)
		fd = openat(d->curfd, drop_name(d, i), O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW);
	return fd;
}

/* Where drop_send is: at the start of a line, in the header or body. */
struct sendst {
	int bol, cr, body;              /* body: past the header's end */
	unsigned long long col;         /* octets of this line so far */
	long long lines;                /* body lines still to send; <0 all */
};

/* Send p[0..n) of the message, converting as drop_send says; *done
 * when TOP has sent all it should. */
static int
put_chunk(struct bio *out, struct sendst *s, const char *p, size_t n,
    int *done)
{
	const char *e = p + n;

	*done = 0;
	while (p < e) {
		const char *lf = memchr(p, '\n', (size_t)(e - p));

		if (s->bol) {
			if (s->body && s->lines == 0) {
				*done = 1;
				return 0;
			}
			if (*p == '.' && bio_put(out, ".", 1) == -1)
				return -1;
			s->bol = 0;
		}
		if (lf == NULL) {
			if (bio_put(out, p, (size_t)(e - p)) == -1)
				return -1;
			s->cr = e[-1] == '\r';
			s->col += (size_t)(e - p);
			return 0;
		}
		/* a line end: a bare LF goes out as CRLF */
		if (lf > p) {
			if (bio_put(out, p, (size_t)(lf - p)) == -1)
				return -1;
			s->cr = lf[-1] == '\r';
			s->col += (size_t)(lf - p);
		}
		if (bio_put(out, s->cr ? "\n" : "\r\n", s->cr ? 1 : 2) == -1)
			return -1;
		/* an empty line (LF or CRLF, however the reads cut it) ends
		 * the header; it is sent, the body's lines are counted */
		if (!s->body && (s->col == 0 || (s->col == 1 && s->cr)))
			s->body = 1;
		else if (s->body && s->lines > 0)
			s->lines--;
		s->cr = 0;
		s->col = 0;
		s->bol = 1;
		p = lf + 1;
	}
	return 0;
}

/* small reads under the fuzzer, so that lines cross chunks */
#ifdef FUZZING
#define SEND_CHUNK 7
#else
#define SEND_CHUNK 65536
#endif

int
drop_send(struct bio *out, int fd, long long lines)
{
	struct sendst s = { 1, 0, 0, 0, lines };
	char b[SEND_CHUNK];
	ssize_t r = 0;
	int done = 0;

	while (!done && (r = fd_read(fd, b, sizeof b)) > 0)
		if (put_chunk(out, &s, b, (size_t)r, &done) == -1)
			return -1;
	if (!done && r == -1)
		return -1;
	/* a last line without its line end gets one (not counted) */
	if (!s.bol && bio_put(out, "\r\n", 2) == -1)
		return -1;
	return bio_put(out, ".\r\n", 3);
}

size_t
drop_commit(struct drop *d)
{
	size_t i, bad = 0, gone = 0;

	for (i = 0; i < d->n; i++) {
		if (!d->m[i].dele)
			continue;
		if (unlinkat(d->curfd, drop_name(d, i), 0) == 0)
			gone++;
		else if (errno != ENOENT)
			bad++;
		else if (refind(d, i) == -1)    /* another reader removed it */
			bad += errno != ENOENT;
		else if (unlinkat(d->curfd, drop_name(d, i), 0) == 0)
			gone++;
		else
			bad += errno != ENOENT;
	}
	if (gone && fd_syncdir(d->curfd, ".") == -1)
		bad += gone;
	return bad;
}

void
drop_close(struct drop *d)
{
	if (d->curfd != -1)
		close(d->curfd);
	if (d->dirfd != -1)
		close(d->dirfd);
	free(d->m);
	free(d->names);
	memset(d, 0, sizeof *d);
	d->dirfd = d->curfd = -1;
}
