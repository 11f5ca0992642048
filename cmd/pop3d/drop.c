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
		    strchr(e->d_name, ':') ? "" : ":2,") < 0)
			continue;
		if (renameat(newfd, e->d_name, d->curfd, to) == 0)
			d->moved++;
		else if (errno != ENOENT)       /* ENOENT: another reader */
			break;
	}
	if (errno) {
		int e2 = errno;
		closedir(dir);
		errno = e2;
		return -1;
	}
	closedir(dir);
	return 0;
}

static long long
lead_time(const char *name)
{
	long long t = 0;

	for (; *name >= '0' && *name <= '9' && t < 1000000000000LL; name++)
		t = t * 10 + (*name - '0');
	return t;
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
			if (errno == ENOENT)    /* gone meanwhile */
				continue;
			break;
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
	if (errno) {
		int e2 = errno;
		closedir(dir);
		errno = e2;
		return -1;
	}
	closedir(dir);
	sort_names = d->names;
	if (d->n)
		qsort(d->m, d->n, sizeof *d->m, cmp);
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

/* Find message i's file again by its base name, after another reader
 * renamed it; the new name joins the arena. 0, or -1 (ENOENT: gone). */
static int
refind(struct drop *d, size_t i)
{
	const char *old = drop_name(d, i);
	size_t bl = maildir_baselen(old), off;
	char base[NAME_MAX_ + 1];
	DIR *dir;
	struct dirent *e;
	int fd, found = 0;

	if (bl > NAME_MAX_)
		return errno = ENOENT, -1;
	memcpy(base, old, bl);
	base[bl] = '\0';
	if ((fd = dup(d->curfd)) == -1)
		return -1;
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	rewinddir(dir);
	while ((errno = 0, e = readdir(dir)) != NULL)
		if (maildir_baselen(e->d_name) == bl &&
		    memcmp(e->d_name, base, bl) == 0) {
			found = add_name(d, e->d_name, &off) == 0;
			break;
		}
	closedir(dir);
	if (!found)
		return errno = ENOENT, -1;
	d->m[i].name = off;
	return 0;
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
	int bol, cr, body;
	long long lines;                /* body lines still to send; <0 all */
};

/* Send p[0..n) of the message, converting as drop_send says; 1 when TOP
 * has sent all it should. */
static int
put_chunk(struct bio *out, struct sendst *s, const char *p, size_t n,
    int *done)
{
	const char *e = p + n;

	*done = 0;
	while (p < e) {
		const char *lf = memchr(p, '\n', (size_t)(e - p));
		const char *end = lf ? lf : e;

		if (s->bol) {
			if (s->body && s->lines == 0) {
				*done = 1;
				return 0;
			}
			/* the empty line ends the header (LF or CRLF) */
			if (!s->body && (*p == '\n' || (*p == '\r' &&
			    p + 1 < e && p[1] == '\n')))
				s->body = -1;
			if (*p == '.' && bio_put(out, ".", 1) == -1)
				return -1;
			s->bol = 0;
		}
		if (lf == NULL) {
			if (bio_put(out, p, (size_t)(e - p)) == -1)
				return -1;
			s->cr = e[-1] == '\r';
			return 0;
		}
		/* a line end: a bare LF goes out as CRLF */
		if (lf > p) {
			if (bio_put(out, p, (size_t)(lf - p)) == -1)
				return -1;
			s->cr = lf[-1] == '\r';
		}
		if (bio_put(out, s->cr ? "\n" : "\r\n", s->cr ? 1 : 2) == -1)
			return -1;
		s->cr = 0;
		s->bol = 1;
		if (s->body == -1)
			s->body = 1;    /* the blank line itself is sent */
		else if (s->body && s->lines > 0)
			s->lines--;
		p = end + 1;
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
	struct sendst s = { 1, 0, 0, lines };
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
