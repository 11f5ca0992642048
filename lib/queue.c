/* queue: see queue.h and postel-queue(5). */
#define _GNU_SOURCE             /* O_TMPFILE, syscall */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "conf.h"
#include "fd.h"
#include "fmt.h"
#include "queue.h"
#include "result.h"

int
queue_dir(void)
{
	char path[PATH_MAX];

	if (conf_path(path, sizeof path, "queue") == -1)
		return -1;
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int
queue_dir_at(int rootfd)
{
	return openat(rootfd, "queue", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
}

static const char *const dirnames[QDIR_N] = {
	"tmp", "new", "cur", "state", "hold"
};

const char *
queue_dirname(enum qdir d)
{
	return (unsigned)d < QDIR_N ? dirnames[d] : "";
}

/* What setup makes, with the modes of a system instance (postel-queue(5),
 * postel-security(7)): the queue group writes tmp/ and new/ (enqueue is
 * setgid to it) and the trigger; cur/ and state/ are the runner's. */
const struct qlayout queue_layout[] = {
	{ "tmp", 0770, 'd' },
	{ "new", 0770, 'd' },
	{ "cur", 0700, 'd' },
	{ "state", 0700, 'd' },
	{ "hold", 0750, 'd' },
	{ "trigger", 0620, 'p' },
	{ "lock", 0600, 'f' },
	{ NULL, 0, 0 }
};

/* "sub/id" into dst */
static int
qpath(char *dst, size_t size, enum qdir d, const char *id)
{
	return fmt_s(dst, size, "%s/%s", queue_dirname(d), id) < 0 ? -1 : 0;
}

int
queue_syncdir(int qd, enum qdir d)
{
	return fd_syncdir(qd, queue_dirname(d));
}

int
queue_tmppath(char *dst, size_t size)
{
	return conf_path(dst, size, "queue/tmp");
}

int
queue_tmpfile(void)
{
	char dir[PATH_MAX];

	if (queue_tmppath(dir, sizeof dir) == -1)
		return -1;
	return fd_tmpfile(dir);
}

int
qscan_open(struct qscan *s, int qd, enum qdir d)
{
	DIR *dir;

	memset(s, 0, sizeof *s);
	s->dots = d != QDIR_NEW && d != QDIR_CUR;
	if ((s->fd = openat(qd, queue_dirname(d), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return -1;
	if ((dir = fdopendir(s->fd)) == NULL) {
		int e = errno;
		close(s->fd);
		errno = e;
		return -1;
	}
	s->dir = dir;
	return 0;
}

const char *
qscan_next(struct qscan *s)
{
	struct dirent *de;

	for (;;) {
		errno = 0;
		if ((de = readdir((DIR *)s->dir)) == NULL) {
			s->err = errno;
			return NULL;
		}
		if (de->d_name[0] != '.')
			return de->d_name;
		if (s->dots && de->d_name[1] != '\0' &&
		    strcmp(de->d_name, "..") != 0)
			return de->d_name;
	}
}

int
qscan_close(struct qscan *s)
{
	int e = s->err;

	if (s->dir != NULL)
		closedir((DIR *)s->dir);
	s->dir = NULL;
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

int
queue_open(int qd, enum qdir d, const char *id)
{
	char path[QUEUE_ID_MAX + 8];

	if (qpath(path, sizeof path, d, id) == -1)
		return -1;
	return openat(qd, path, O_RDONLY | O_CLOEXEC);
}

int
queue_open_body(int qd, const char *id, off_t body)
{
	int fd = queue_open(qd, QDIR_CUR, id), e;

	if (fd == -1)
		return -1;
	if (lseek(fd, body, SEEK_SET) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* 1 if d/id exists, 0 if not, -1 on another error */
static int
there(int qd, enum qdir d, const char *id)
{
	char path[QUEUE_ID_MAX + 8];

	if (qpath(path, sizeof path, d, id) == -1)
		return -1;
	if (faccessat(qd, path, F_OK, 0) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

int
queue_has(int qd, const char *id)
{
	return there(qd, QDIR_CUR, id);
}

int
queue_where(int qd, const char *id)
{
	static const enum qdir look[] = { QDIR_CUR, QDIR_NEW, QDIR_CUR };
	size_t i;

	for (i = 0; i < sizeof look / sizeof *look; i++)
		if (there(qd, look[i], id) == 1)
			return (int)look[i];
	errno = ENOENT;
	return -1;
}

/* renameat2(RENAME_NOREPLACE) through syscall(2): musl's libc (smtpd and
 * enqueue are built with it, and link this file) has no wrapper. */
static int
rename_noreplace(int qd, const char *from, const char *to)
{
#ifdef SYS_renameat2
	return (int)syscall(SYS_renameat2, qd, from, qd, to, 1U /* NOREPLACE */);
#else
	(void)qd, (void)from, (void)to;
	errno = ENOSYS;
	return -1;
#endif
}

int
queue_find(int qd, const char *id, enum qdir *where)
{
	static const enum qdir look[] = { QDIR_CUR, QDIR_NEW, QDIR_CUR };
	size_t i;
	int fd;

	for (i = 0; i < sizeof look / sizeof *look; i++) {
		if ((fd = queue_open(qd, look[i], id)) != -1) {
			if (where)
				*where = look[i];
			return fd;
		}
		if (errno != ENOENT)
			return -1;
	}
	errno = ENOENT;
	return -1;
}

int
queue_take(int qd, const char *id)
{
	char from[QUEUE_ID_MAX + 8], to[QUEUE_ID_MAX + 8];

	if (qpath(from, sizeof from, QDIR_NEW, id) == -1 ||
	    qpath(to, sizeof to, QDIR_CUR, id) == -1)
		return -1;
	if (rename_noreplace(qd, from, to) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* a file system without RENAME_NOREPLACE: look first */
	if (faccessat(qd, to, F_OK, 0) == 0) {
		errno = EEXIST;
		return -1;
	}
	return renameat(qd, from, qd, to);
}

int
queue_commit(int qd)
{
	/* cur/ first: a message taken is never durably in neither */
	if (queue_syncdir(qd, QDIR_CUR) == -1)
		return -1;
	return queue_syncdir(qd, QDIR_NEW);
}

/* unlink d/id: 1 done, 0 not there, -1 error */
static int
drop(int qd, enum qdir d, const char *id)
{
	char path[QUEUE_ID_MAX + 8];

	if (qpath(path, sizeof path, d, id) == -1)
		return -1;
	if (unlinkat(qd, path, 0) == 0)
		return 1;
	/* ENOTDIR: a queue from before hold/ */
	return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
}

int
queue_drop(int qd, const char *id)
{
	if (strchr(id, '/') != NULL || id[0] == '.' || id[0] == '\0') {
		errno = EINVAL;
		return -1;
	}
	return drop(qd, QDIR_CUR, id);
}

int
queue_forget(int qd, const char *id)
{
	int a = drop(qd, QDIR_STATE, id), e = errno;

	if (drop(qd, QDIR_HOLD, id) == -1)
		return -1;
	errno = e;
	return a == -1 ? -1 : 0;
}

int
queue_remove(int qd, const char *id)
{
	int r = 0, i;

	/* qrun -d takes what an admin typed: an ID, nothing else */
	if (!queue_id_ok(id)) {
		errno = EINVAL;
		return -1;
	}
	/* cur/ twice: a runner may move it from new/ in between */
	for (i = 0; i < 3 && r == 0; i++)
		if ((r = drop(qd, i == 1 ? QDIR_NEW : QDIR_CUR, id)) == -1)
			return -1;
	if (r == 0) {
		errno = ENOENT;
		return -1;
	}
	/* The message is gone: what follows can only leave orphans. */
	if (queue_commit(qd) == -1)
		return 1;
	return queue_forget(qd, id) == -1 ? 1 : 0;
}

int
queue_lockfile(int qd)
{
	return openat(qd, "lock", O_RDWR | O_CLOEXEC);
}

int
queue_fifo(int qd, int flags)
{
	return openat(qd, "trigger", flags | O_NONBLOCK | O_CLOEXEC);
}

void
queue_trigger(int qd)
{
	int e = errno;
	int fd = queue_fifo(qd, O_WRONLY);

	/* ENXIO: nobody reads the FIFO, so no qrun runs; nothing to wake. */
	if (fd != -1) {
		if (write(fd, "", 1) == -1) {
			/* EAGAIN: the FIFO is full, qrun is awake anyway */
		}
		close(fd);
	}
	errno = e;
}

int
queue_id_make(char *dst, size_t size)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return fmt_s(dst, size, "%lld.%06ld.%ld", (long long)tv.tv_sec,
	    (long)tv.tv_usec, (long)getpid()) < 0 ? -1 : 0;
}

int
queue_id_ok(const char *id)
{
	size_t i, dots = 0;

	for (i = 0; id[i]; i++) {
		if (id[i] == '.') {
			if (i == 0 || id[i - 1] == '.')
				return 0;
			dots++;
		} else if (id[i] < '0' || id[i] > '9')
			return 0;
	}
	return i > 0 && i < QUEUE_ID_MAX && dots == 2 && id[i - 1] != '.';
}

/* 1 if an O_TMPFILE file can be linked by its /proc/self/fd name */
static int
proc_fd(void)
{
	static int ok = -1;

	if (ok == -1)
		ok = access("/proc/self/fd", X_OK) == 0;
	return ok;
}

/* The file is unnamed (O_TMPFILE) where the file system and /proc allow:
 * then a writer killed at any moment leaves nothing behind. Elsewhere it
 * is tmp/ID, which queue_clean removes once stale. */
static int
begin(struct qw *w, int qd, unsigned long long max)
{
	w->qd = qd;
	w->fd = -1;
	w->anon = 0;
	w->flagoff = 0;
	w->flags = w->wrote = 0;
	w->size = 0;
	w->max = max;
	w->tmp[0] = '\0';
#ifdef O_TMPFILE
	if (proc_fd()) {
		w->fd = openat(qd, "tmp", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0640);
		if (w->fd == -1 && errno != EOPNOTSUPP && errno != EISDIR &&
		    errno != EINVAL)
			return -1;
		w->anon = w->fd != -1;
	}
#endif
	if (w->fd == -1) {
		if (fmt_s(w->tmp, sizeof w->tmp, "tmp/%s", w->id) < 0)
			return -1;
		w->fd = openat(qd, w->tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC, 0640);
		if (w->fd == -1) {
			w->tmp[0] = '\0';
			return -1;
		}
	}
	bio_init(&w->out, w->fd, bio_fdwrite, w->buf, sizeof w->buf);
	return 0;
}

int
qw_begin_id(struct qw *w, int qd, unsigned long long max, const char *id)
{
	if (!queue_id_ok(id)) {
		errno = EINVAL;
		return -1;
	}
	if (fmt_s(w->id, sizeof w->id, "%s", id) < 0)
		return -1;
	return begin(w, qd, max);
}

int
qw_begin(struct qw *w, int qd, unsigned long long max)
{
	int tries;

	for (tries = 0; tries < 5; tries++) {
		if (queue_id_make(w->id, sizeof w->id) == -1)
			return -1;
		if (begin(w, qd, max) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
		usleep(1000);
	}
	return -1;
}

/* The value of a flags line; with width, padded with spaces to it. The
 * reserved width grows with requiretls, which is known before the message
 * is written, so a file without it keeps its old shape. */
#define FLAGS_WIDTH 9           /* "utf8,8bit" */
#define FLAGS_WIDTH_RT 20       /* "utf8,8bit,requiretls" */
static int
flags_value(char *dst, size_t size, unsigned flags, int width)
{
	char list[FLAGS_WIDTH_RT + 1];

	if (fmt_s(list, sizeof list, "%s%s%s", (flags & QF_UTF8) ?
	    ((flags & QF_8BIT) ? "utf8,8bit" : "utf8") :
	    ((flags & QF_8BIT) ? "8bit" : ""),
	    (flags & QF_REQUIRETLS) && (flags & (QF_UTF8 | QF_8BIT)) ?
	    "," : "", (flags & QF_REQUIRETLS) ? "requiretls" : "") < 0)
		return -1;
	return fmt_s(dst, size, "%-*s", width, list);
}

/* The width a writer reserves for its flags line. */
static int
flags_width(unsigned flags)
{
	return (flags & QF_REQUIRETLS) ? FLAGS_WIDTH_RT : FLAGS_WIDTH;
}

static const struct {
	const char *name;
	unsigned bit;
} notify_words[] = {
	{ "success", QN_SUCCESS }, { "failure", QN_FAILURE },
	{ "delay", QN_DELAY },
};

int
qdsn_notify_parse(const char *s, unsigned *notify)
{
	unsigned v = 0;
	size_t i, n;

	if (strcasecmp(s, "never") == 0) {
		*notify = QN_NEVER;
		return 0;
	}
	for (;;) {
		n = strcspn(s, ",");
		for (i = 0; i < 3; i++)
			if (n == strlen(notify_words[i].name) &&
			    strncasecmp(s, notify_words[i].name, n) == 0)
				break;
		if (i == 3)
			return -1;
		v |= notify_words[i].bit;
		if (s[n] == '\0')
			break;
		s += n + 1;
	}
	*notify = v;
	return 0;
}

unsigned
qdsn_no_success(unsigned notify)
{
	if (!(notify & QN_SUCCESS))
		return notify;
	notify &= ~(unsigned)QN_SUCCESS;
	return notify ? notify : QN_NEVER;
}

int
qdsn_notify_fmt(char *dst, size_t size, unsigned notify)
{
	size_t i, k = 0;
	int n;

	if (notify & QN_NEVER)
		return fmt_s(dst, size, "never") < 0 ? -1 : 0;
	dst[0] = '\0';
	for (i = 0; i < 3; i++)
		if (notify & notify_words[i].bit) {
			if ((n = fmt_s(dst + k, size - k, "%s%s", k ? "," : "",
			    notify_words[i].name)) < 0)
				return -1;
			k += (size_t)n;
		}
	return k ? 0 : -1;
}

int
qdsn_ret_parse(const char *s, int *ret)
{
	if (strcasecmp(s, "full") == 0)
		*ret = QR_FULL;
	else if (strcasecmp(s, "hdrs") == 0)
		*ret = QR_HDRS;
	else
		return -1;
	return 0;
}

static int
hexdig(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* The code point of the well-formed UTF-8 sequence at *p, stepped
 * past. */
static unsigned long
utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	unsigned long c = s[0];
	size_t len = 1, i;

	if (c >= 0xF0) {
		c &= 0x07;
		len = 4;
	} else if (c >= 0xE0) {
		c &= 0x0F;
		len = 3;
	} else if (c >= 0xC0) {
		c &= 0x1F;
		len = 2;
	}
	for (i = 1; i < len; i++)
		c = c << 6 | (s[i] & 0x3F);
	*p = s + len;
	return c;
}

int
qdsn_utf8_xtext(char *dst, size_t size, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k = 0;
	unsigned long c;
	int n;

	if (size == 0)
		return -1;
	dst[0] = '\0';
	if (*s == '\0' || !addr_utf8_ok(p, strlen(s)))
		return -1;
	while (*p) {
		c = utf8_next(&p);
		if (c < ' ' || c == 0x7f || (c >= 0x80 && c < 0xA0))
			return -1;
		if (c > ' ' && c <= '~' && c != '\\' && c != '+' && c != '=')
			n = fmt_s(dst + k, size - k, "%c", (int)c);
		else
			n = fmt_s(dst + k, size - k, "\\x{%02lX}", c);
		if (n < 0)
			return -1;
		k += (size_t)n;
	}
	return 0;
}

static int
hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'A' + 10;
}

/* RFC 3461 4: xtext = *( xchar / "+" 2HEXCHAR ), xchar = "!".."~"
 * but "+" and "=" (HEXCHAR upper case); with printable, what it encodes
 * must be printable ASCII too (4.2, 4.4: so that a report can show it). */
static int
xtext(const char *s, size_t max, int printable)
{
	size_t i;
	int c;

	for (i = 0; s[i]; i++) {
		if (s[i] == '+') {
			if (!hexdig(s[i + 1]) || !hexdig(s[i + 2]))
				return 0;
			c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
			if (printable && (c < ' ' || c > '~'))
				return 0;
			i += 2;
		} else if (s[i] < '!' || s[i] > '~' || s[i] == '=')
			return 0;
	}
	return i > 0 && i <= max;
}

int
qdsn_xtext_ok(const char *s, size_t max)
{
	return xtext(s, max, 0);
}

int
qdsn_envid_ok(const char *s)
{
	return xtext(s, QUEUE_ENVID_MAX, 1);
}

/* RFC 5322 3.2.3 atext */
static int
atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

int
qdsn_orcpt_ok(const char *s)
{
	size_t i = 0;

	while (atext((unsigned char)s[i]))
		i++;
	if (i == 0 || s[i] != ';' || strlen(s) > QUEUE_ORCPT_MAX)
		return 0;
	return xtext(s + i + 1, QUEUE_ORCPT_MAX, 1);
}

int
qdsn_xtext_encode(char *dst, size_t size, const char *s)
{
	size_t k = 0;
	int n;

	if (size == 0)
		return -1;
	dst[0] = '\0';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < ' ' || c > '~')
			return -1;
		if (c == ' ' || c == '+' || c == '=')
			n = fmt_s(dst + k, size - k, "+%02X", c);
		else
			n = fmt_s(dst + k, size - k, "%c", c);
		if (n < 0)
			return -1;
		k += (size_t)n;
	}
	return 0;
}

int
qdsn_envid_encode(char *dst, size_t size, const char *s)
{
	if (qdsn_xtext_encode(dst, size, s) == -1)
		return -1;
	return dst[0] && strlen(dst) <= QUEUE_ENVID_MAX ? 0 : -1;
}

int
qdsn_xtext_decode(char *dst, size_t size, const char *s)
{
	size_t k = 0;

	if (!qdsn_xtext_ok(s, (size_t)-1) && *s)
		return -1;
	for (; *s; s++) {
		int c = (unsigned char)*s;
		if (c == '+') {
			c = hexval(s[1]) * 16 + hexval(s[2]);
			s += 2;
			if (c < ' ' || c > '~')
				return -1;
		}
		if (k + 1 >= size)
			return -1;
		dst[k++] = (char)c;
	}
	if (size == 0)
		return -1;
	dst[k] = '\0';
	return 0;
}

int
qw_envelope(struct qw *w, const char *from, char *const *rcpt, size_t nrcpt,
    unsigned flags, const char *origin)
{
	return qw_envelope_dsn(w, from, rcpt, nrcpt, flags, origin, NULL);
}

/* The notify, ret and envid lines (postel-queue(5)); only valid values
 * reach here, so a line is written whole or not at all. */
static int
dsn_lines(struct qw *w, const struct qdsn *dsn)
{
	char line[QUEUE_ENVID_MAX + 16], v[64];
	int n;

	if (dsn->notify) {
		if (qdsn_notify_fmt(v, sizeof v, dsn->notify) < 0 ||
		    (n = fmt_s(line, sizeof line, "notify %s\n", v)) < 0 ||
		    bio_put(&w->out, line, (size_t)n) == -1)
			return -1;
	}
	if (dsn->ret != QR_UNSET) {
		n = fmt_s(line, sizeof line, "ret %s\n",
		    dsn->ret == QR_FULL ? "full" : "hdrs");
		if (n < 0 || bio_put(&w->out, line, (size_t)n) == -1)
			return -1;
	}
	if (dsn->envid[0]) {
		if (!qdsn_envid_ok(dsn->envid)) {
			errno = EINVAL;
			return -1;
		}
		if ((n = fmt_s(line, sizeof line, "envid %s\n",
		    dsn->envid)) < 0 ||
		    bio_put(&w->out, line, (size_t)n) == -1)
			return -1;
	}
	return 0;
}

int
qrdsn_fmt(char *dst, size_t size, size_t n, const struct qrdsn *d)
{
	char v[64];
	int k, m;

	if ((d->notify == 0 && d->orcpt[0] == '\0') || n == 0 ||
	    (d->orcpt[0] && !qdsn_orcpt_ok(d->orcpt)))
		return -1;
	if ((k = fmt_s(dst, size, "%zu", n)) < 0)
		return -1;
	if (d->notify) {
		if (qdsn_notify_fmt(v, sizeof v, d->notify) < 0 ||
		    (m = fmt_s(dst + k, size - (size_t)k, " notify=%s", v)) < 0)
			return -1;
		k += m;
	}
	if (d->orcpt[0]) {
		if ((m = fmt_s(dst + k, size - (size_t)k, " orcpt=%s",
		    d->orcpt)) < 0)
			return -1;
		k += m;
	}
	return k;
}

int
qrdsn_parse(const char *s, size_t *n, struct qrdsn *d)
{
	char buf[QUEUE_ORCPT_MAX + 96], *w, *next, *end;
	unsigned long long v;

	memset(d, 0, sizeof *d);
	if (fmt_s(buf, sizeof buf, "%s", s) < 0 || buf[0] < '1' ||
	    buf[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (*end != ' ' || errno || v == 0 || v > 1000000)
		return -1;
	for (w = end + 1; w; w = next) {
		if ((next = strchr(w, ' ')) != NULL)
			*next++ = '\0';
		if (strncmp(w, "notify=", 7) == 0 && d->notify == 0) {
			if (qdsn_notify_parse(w + 7, &d->notify) == -1)
				return -1;
		} else if (strncmp(w, "orcpt=", 6) == 0 && !d->orcpt[0] &&
		    qdsn_orcpt_ok(w + 6))
			fmt_s(d->orcpt, sizeof d->orcpt, "%s", w + 6);
		else
			return -1;
	}
	if (d->notify == 0 && d->orcpt[0] == '\0')
		return -1;
	*n = (size_t)v;
	return 0;
}

/* The dsn N lines (postel-queue(5)), one per recipient that has a
 * request; only valid values reach here. */
static int
rdsn_lines(struct qw *w, const struct qrdsn *rdsn, size_t nrcpt)
{
	char line[QUEUE_ORCPT_MAX + 128];
	size_t i;
	int n;

	for (i = 0; i < nrcpt; i++) {
		const struct qrdsn *d = &rdsn[i];
		if (d->notify == 0 && d->orcpt[0] == '\0')
			continue;
		memcpy(line, "dsn ", 4);
		if ((n = qrdsn_fmt(line + 4, sizeof line - 5, i + 1, d)) < 0) {
			errno = EINVAL;
			return -1;
		}
		line[4 + n] = '\n';
		if (bio_put(&w->out, line, (size_t)n + 5) == -1)
			return -1;
	}
	return 0;
}

/* The auth line (postel-queue(5)): the value is one word of printable
 * ASCII, so that a reader takes the whole line as it was written. */
static int
auth_line(struct qw *w, const char *auth)
{
	char line[QUEUE_AUTH_MAX + 8];
	size_t i, n = strlen(auth);
	int k;

	if (n > QUEUE_AUTH_MAX)
		n = QUEUE_AUTH_MAX;
	if ((k = fmt_s(line, sizeof line, "auth %.*s\n", (int)n, auth)) < 0)
		return -1;
	for (i = 5; i < 5 + n; i++)
		if ((unsigned char)line[i] <= ' ' || (unsigned char)line[i] >= 0x7f)
			line[i] = '?';
	return bio_put(&w->out, line, (size_t)k);
}

static int
envelope(struct qw *w, const char *from, char *const *rcpt, size_t nrcpt,
    unsigned flags, const char *origin, const struct qextra *x)
{
	const struct qdsn *dsn = x->dsn;
	const char *auth = x->auth;
	char line[ADDR_MAX + 64], v[32];
	off_t off = 0;
	size_t i;
	int n;

	if ((n = fmt_s(line, sizeof line, "postel 1\narrival %lld\nfrom <%s>\n",
	    (long long)time(NULL), from)) < 0 ||
	    bio_put(&w->out, line, (size_t)n) == -1)
		return -1;
	off += n;
	for (i = 0; i < nrcpt; i++) {
		if ((n = fmt_s(line, sizeof line, "rcpt <%s>\n", rcpt[i])) < 0 ||
		    bio_put(&w->out, line, (size_t)n) == -1)
			return -1;
		off += n;
	}
	if (flags & (QF_UTF8 | QF_8BIT | QF_REQUIRETLS | QF_LATER)) {
		if (flags & QF_LATER) {
			w->flagoff = off + 6;           /* after "flags " */
			w->flags = w->wrote = flags & ~QF_LATER;
		}
		if (flags_value(v, sizeof v, flags,
		    (flags & QF_LATER) ? flags_width(flags) : 0) < 0 ||
		    (n = fmt_s(line, sizeof line, "flags %s\n", v)) < 0 ||
		    bio_put(&w->out, line, (size_t)n) == -1)
			return -1;
	}
	if (origin && *origin) {
		char safe[200];
		fmt_safe(safe, sizeof safe, origin, strlen(origin));
		if ((n = fmt_s(line, sizeof line, "origin %s\n", safe)) < 0 ||
		    bio_put(&w->out, line, (size_t)n) == -1)
			return -1;
	}
	if (dsn != NULL && dsn_lines(w, dsn) == -1)
		return -1;
	if (x->rdsn != NULL && rdsn_lines(w, x->rdsn, nrcpt) == -1)
		return -1;
	if (auth != NULL && *auth && auth_line(w, auth) == -1)
		return -1;
	return bio_put(&w->out, "\n", 1);
}

int
qw_envelope_dsn(struct qw *w, const char *from, char *const *rcpt,
    size_t nrcpt, unsigned flags, const char *origin, const struct qdsn *dsn)
{
	struct qextra x = { dsn, NULL, NULL };

	return envelope(w, from, rcpt, nrcpt, flags, origin, &x);
}

int
qw_envelope_auth(struct qw *w, const char *from, char *const *rcpt,
    size_t nrcpt, unsigned flags, const char *origin, const char *auth)
{
	struct qextra x = { NULL, NULL, auth };

	return envelope(w, from, rcpt, nrcpt, flags, origin, &x);
}

int
qw_envelope_x(struct qw *w, const char *from, char *const *rcpt,
    size_t nrcpt, unsigned flags, const char *origin, const struct qextra *x)
{
	static const struct qextra none;

	return envelope(w, from, rcpt, nrcpt, flags, origin, x ? x : &none);
}

void
qw_flags(struct qw *w, unsigned flags)
{
	/* requiretls was set with the envelope and keeps its width */
	w->flags = (flags & (QF_UTF8 | QF_8BIT)) | (w->flags & QF_REQUIRETLS);
}

int
qw_write(struct qw *w, const void *p, size_t n)
{
	if (w->max && (n > w->max || w->size > w->max - n)) {
		errno = EMSGSIZE;
		return -1;
	}
	w->size += n;
	return bio_put(&w->out, p, n);
}

int
qw_copy(struct qw *w, int fd)
{
	char in[8192];
	ssize_t r;

	while ((r = fd_read(fd, in, sizeof in)) > 0)
		if (qw_write(w, in, (size_t)r) == -1)
			return -1;
	return r == 0 ? 0 : -1;
}

int
qw_commit(struct qw *w)
{
	char final[QUEUE_ID_MAX + 8], cur[QUEUE_ID_MAX + 8], v[32], proc[64];
	int fd = w->fd, r;

	if (bio_flush(&w->out) == -1)
		return -1;
	if (w->flagoff && w->flags != w->wrote) {
		ssize_t n;
		int width = flags_width(w->flags);
		if (flags_value(v, sizeof v, w->flags, width) < 0)
			return -1;
		if ((n = pwrite(fd, v, (size_t)width, w->flagoff)) != width) {
			if (n >= 0)
				errno = EIO;    /* short: errno is stale */
			return -1;
		}
		w->wrote = w->flags;
	}
	if (fsync(fd) == -1 ||
	    fmt_s(final, sizeof final, "new/%s", w->id) < 0 ||
	    fmt_s(cur, sizeof cur, "cur/%s", w->id) < 0)
		return -1;
	/* The ID must be new to the whole queue, not only to new/: qrun
	 * moves new/ID to cur/ID. An ID can come back (enqueue -q, or a
	 * clock set back to the same microsecond with the same PID). */
	if (faccessat(w->qd, cur, F_OK, 0) == 0) {
		errno = EEXIST;
		return -1;
	}
	/* link, not rename: it refuses to replace an existing entry. */
	if (w->anon) {
		if (fmt_s(proc, sizeof proc, "/proc/self/fd/%d", fd) < 0)
			return -1;
		r = linkat(AT_FDCWD, proc, w->qd, final, AT_SYMLINK_FOLLOW);
	} else
		r = linkat(w->qd, w->tmp, w->qd, final, 0);
	if (r == -1)
		return -1;
	w->fd = -1;
	if (close(fd) == -1 || queue_syncdir(w->qd, QDIR_NEW) == -1) {
		int e = errno;
		/* Not known to be durable: take it back. If qrun has
		 * already moved it to cur/ (and logged its ID), it will be
		 * delivered, and the client's retry may duplicate it: a
		 * duplicate rather than a loss. */
		unlinkat(w->qd, final, 0);
		errno = e;
		return -1;
	}
	/* The message is durable now. A leftover tmp name is harmless. */
	if (w->tmp[0])
		unlinkat(w->qd, w->tmp, 0);
	w->tmp[0] = '\0';
	return 0;
}

void
qw_abort(struct qw *w)
{
	int e = errno;

	if (w->fd != -1)
		close(w->fd);
	w->fd = -1;
	if (w->tmp[0])
		unlinkat(w->qd, w->tmp, 0);
	w->tmp[0] = '\0';
	errno = e;
}

/* Envelope reading: small lines, read with a bounded stdio stream on a
 * dup of fd so the caller's fd offset can be set exactly afterwards. */
/* One dsn line's value, "N [notify=WORDS] [orcpt=VALUE]", into e; a
 * recipient N not listed before it, a bad word or value makes that part
 * absent, as for the message's notify line: a DSN request never keeps
 * a message from being delivered. -1 only when out of memory. */
static int
rdsn_line(struct qenv *e, char *s)
{
	unsigned long long n;
	struct qrdsn *d;
	char *w, *next, *end;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (end == s || *end != ' ' || errno || n == 0 || n > e->nrcpt)
		return 0;
	if (e->rdsn == NULL) {
		if ((e->rdsn = calloc(e->nrcpt, sizeof *e->rdsn)) == NULL)
			return -1;
		e->nrdsn = e->nrcpt;
	}
	if (n > e->nrdsn)
		return 0;
	d = &e->rdsn[n - 1];
	for (w = end + 1; w && *w; w = next) {
		if ((next = strchr(w, ' ')) != NULL)
			*next++ = '\0';
		if (strncmp(w, "notify=", 7) == 0) {
			if (qdsn_notify_parse(w + 7, &d->notify) == -1)
				d->notify = 0;
		} else if (strncmp(w, "orcpt=", 6) == 0 &&
		    qdsn_orcpt_ok(w + 6))
			fmt_s(d->orcpt, sizeof d->orcpt, "%s", w + 6);
	}
	return 0;
}

int
qenv_read(int fd, struct qenv *e, const char **why)
{
	char line[ADDR_MAX + QUEUE_ORCPT_MAX + 300];
	FILE *f;
	int dfd, ok = 0, ver = 0, err = EINVAL, from = 0, arrival = 0;
	off_t off = 0;
	char **nr;
	size_t cap = 0;

	memset(e, 0, sizeof *e);
	*why = "truncated envelope";
	if (lseek(fd, 0, SEEK_SET) == -1 || (dfd = dup(fd)) == -1)
		return -1;
	if ((f = fdopen(dfd, "r")) == NULL) {
		close(dfd);
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		size_t n = strlen(line);
		off += (off_t)n;
		if (n == 0 || line[n - 1] != '\n') {
			*why = "overlong envelope line";
			break;
		}
		line[--n] = '\0';
		if (n == 0) {
			ok = 1;
			break;
		}
		if (!ver) {
			if (strcmp(line, "postel 1") != 0) {
				*why = "unknown queue file version";
				break;
			}
			ver = 1;
		} else if (strncmp(line, "arrival ", 8) == 0) {
			char *end;
			errno = 0;
			e->arrival = strtoll(line + 8, &end, 10);
			if (end == line + 8 || *end || errno || e->arrival < 0) {
				*why = "bad arrival line";
				break;
			}
			arrival = 1;
		} else if ((strncmp(line, "from ", 5) == 0 ||
		    strncmp(line, "rcpt ", 5) == 0) && (line[5] != '<' ||
		    line[n - 1] != '>' || n < 7)) {
			/* a known line broken: the reader must not guess (a
			 * recipient dropped, the sender made <>) */
			*why = "bad from or rcpt line";
			break;
		} else if (strncmp(line, "from <", 6) == 0) {
			if (from++) {
				*why = "more than one from line";
				break;
			}
			line[n - 1] = '\0';
			fmt_s(e->from, sizeof e->from, "%s", line + 6);
		} else if (strncmp(line, "rcpt <", 6) == 0) {
			line[n - 1] = '\0';
			if ((nr = array_grow(e->rcpt, &cap, e->nrcpt + 1,
			    sizeof *nr)) == NULL) {
				err = ENOMEM;
				*why = "out of memory";
				break;
			}
			e->rcpt = nr;
			if ((e->rcpt[e->nrcpt] = strdup(line + 6)) == NULL) {
				err = ENOMEM;
				*why = "out of memory";
				break;
			}
			e->nrcpt++;
		} else if (strncmp(line, "flags ", 6) == 0) {
			if (strstr(line, "utf8"))
				e->flags |= QF_UTF8;
			if (strstr(line, "8bit"))
				e->flags |= QF_8BIT;
			if (strstr(line, "requiretls"))
				e->flags |= QF_REQUIRETLS;
		} else if (strncmp(line, "origin ", 7) == 0) {
			fmt_s(e->origin, sizeof e->origin, "%.200s", line + 7);
		} else if (strncmp(line, "auth ", 5) == 0) {
			fmt_s(e->auth, sizeof e->auth, "%s", line + 5);
		} else if (strncmp(line, "notify ", 7) == 0) {
			/* a DSN request never stops a delivery: a bad
			 * value is read as none given */
			if (qdsn_notify_parse(line + 7, &e->dsn.notify) == -1)
				e->dsn.notify = 0;
		} else if (strncmp(line, "ret ", 4) == 0) {
			if (qdsn_ret_parse(line + 4, &e->dsn.ret) == -1)
				e->dsn.ret = QR_UNSET;
		} else if (strncmp(line, "envid ", 6) == 0) {
			if (qdsn_envid_ok(line + 6))
				fmt_s(e->dsn.envid, sizeof e->dsn.envid, "%s",
				    line + 6);
		} else if (strncmp(line, "dsn ", 4) == 0) {
			if (rdsn_line(e, line + 4) == -1) {
				err = ENOMEM;
				*why = "out of memory";
				break;
			}
		}
	}
	if (ferror(f))
		err = errno, *why = "read error";
	fclose(f);
	if (ok && e->nrcpt == 0) {
		ok = 0;
		*why = "no recipients";
	} else if (ok && (!from || !arrival)) {
		ok = 0;
		*why = from ? "no arrival line" : "no from line";
	}
	if (!ok) {
		qenv_free(e);
		errno = err;
		return -1;
	}
	e->body = off;
	if (lseek(fd, off, SEEK_SET) == -1) {
		err = errno;
		qenv_free(e);
		*why = "unable to seek";
		errno = err;
		return -1;
	}
	*why = NULL;
	return 0;
}

void
qenv_free(struct qenv *e)
{
	array_free_strs(e->rcpt, e->nrcpt);
	e->rcpt = NULL;
	e->nrcpt = 0;
	free(e->rdsn);
	e->rdsn = NULL;
	e->nrdsn = 0;
}

unsigned
qenv_notify(const struct qenv *e, size_t i)
{
	if (i < e->nrdsn && e->rdsn[i].notify)
		return e->rdsn[i].notify;
	return e->dsn.notify;
}

const char *
qenv_orcpt(const struct qenv *e, size_t i)
{
	return i < e->nrdsn ? e->rdsn[i].orcpt : "";
}

static const char *const snames[] = { "todo", "ok", "fail" };

const char *
qstate_name(int status)
{
	return status >= 0 && status <= QS_FAIL ? snames[status] : "?";
}

int
qstate_read(int qd, const char *id, struct qstate *st, size_t n,
    long long *warned, int *finished, const char **why)
{
	char path[QUEUE_ID_MAX + 8], line[QUEUE_TEXT_MAX + 128];
	FILE *f;
	int fd;
	size_t i;

	*why = NULL;
	*warned = 0;
	if (finished)
		*finished = 0;
	for (i = 0; i < n; i++) {
		st[i].status = QS_TODO;
		st[i].attempts = 0;
		st[i].next = 0;
		fmt_s(st[i].dsn, sizeof st[i].dsn, "-");
		st[i].text[0] = '\0';
		st[i].notice = ACTION_NONE;
	}
	if (fmt_s(path, sizeof path, "state/%s", id) < 0)
		return -1;
	if ((fd = openat(qd, path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return -1;
	}
	if (fgets(line, sizeof line, f) == NULL ||
	    (strcmp(line, "postel-state 1\n") != 0 &&
	    strcmp(line, "postel-state 2\n") != 0)) {
		*why = ferror(f) ? "read error" : feof(f) ? "empty state file" :
		    "unknown state file version";
		fclose(f);
		errno = EINVAL;
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		unsigned long idx, att;
		long long next;
		char status[8], dsn[16];
		int off = 0, k;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "warned ", 7) == 0) {
			*warned = strtoll(line + 7, NULL, 10);
			continue;
		}
		if (strcmp(line, "finished") == 0) {
			if (finished)
				*finished = 1;
			continue;
		}
		if (strncmp(line, "notice ", 7) == 0) {
			/* the action line's grammar (postel-result(5)) */
			enum action a;
			memcpy(line, "action", 6);
			if (result_action_parse(line, &i, &a) == -1 || i > n ||
			    a == ACTION_PASSED) {
				fclose(f);
				*why = "malformed notice line";
				errno = EINVAL;
				return -1;
			}
			st[i - 1].notice = a;
			continue;
		}
		if (sscanf(line, "rcpt %lu %7s %lu %lld %15s %n", &idx, status,
		    &att, &next, dsn, &off) != 5 || idx == 0 || idx > n) {
			fclose(f);
			*why = "malformed state line";
			errno = EINVAL;
			return -1;
		}
		for (k = 0; k <= QS_FAIL; k++)
			if (strcmp(status, snames[k]) == 0)
				break;
		if (k > QS_FAIL) {
			fclose(f);
			*why = "unknown recipient status";
			errno = EINVAL;
			return -1;
		}
		st[idx - 1].status = k;
		st[idx - 1].attempts = (unsigned)att;
		st[idx - 1].next = next;
		fmt_s(st[idx - 1].dsn, sizeof st[idx - 1].dsn, "%s", dsn);
		fmt_s(st[idx - 1].text, sizeof st[idx - 1].text, "%.*s",
		    QUEUE_TEXT_MAX - 1, line + off);
	}
	fclose(f);
	return 0;
}

int
qstate_write(int qd, const char *id, const struct qstate *st, size_t n,
    long long warned, int finished)
{
	char tmp[QUEUE_ID_MAX + 16], fin[QUEUE_ID_MAX + 8];
	char text[QUEUE_TEXT_MAX];
	FILE *f;
	int fd, e;
	size_t i;

	if (fmt_s(tmp, sizeof tmp, "state/.%s", id) < 0 ||
	    fmt_s(fin, sizeof fin, "state/%s", id) < 0)
		return -1;
	fd = openat(qd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd == -1)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		e = errno;
		close(fd);
		unlinkat(qd, tmp, 0);
		errno = e;
		return -1;
	}
	/* version 2 only when a notice line is in it: a runner from
	 * before notices leaves such a file alone instead of taking the
	 * line for damage and delivering every recipient again */
	for (i = 0; i < n; i++)
		if (st[i].status == QS_OK && st[i].notice != ACTION_NONE &&
		    st[i].notice != ACTION_PASSED)
			break;
	fprintf(f, "postel-state %d\n", i < n ? 2 : 1);
	for (i = 0; i < n; i++) {
		fmt_safe(text, sizeof text, st[i].text, strlen(st[i].text));
		fprintf(f, "rcpt %zu %s %u %lld %s %s\n", i + 1,
		    qstate_name(st[i].status), st[i].attempts, st[i].next,
		    st[i].dsn[0] ? st[i].dsn : "-", text);
		if (st[i].status == QS_OK && st[i].notice != ACTION_NONE &&
		    st[i].notice != ACTION_PASSED)
			fprintf(f, "notice %zu %s\n", i + 1,
			    action_word(st[i].notice));
	}
	if (warned)
		fprintf(f, "warned %lld\n", warned);
	if (finished)
		fprintf(f, "finished\n");
	if (fflush(f) == EOF || ferror(f) || fsync(fd) == -1) {
		e = errno;
		fclose(f);
		unlinkat(qd, tmp, 0);
		errno = e;
		return -1;
	}
	if (fclose(f) == EOF) {
		e = errno;
		unlinkat(qd, tmp, 0);
		errno = e;
		return -1;
	}
	if (renameat(qd, tmp, qd, fin) == -1) {
		e = errno;
		unlinkat(qd, tmp, 0);
		errno = e;
		return -1;
	}
	return queue_syncdir(qd, QDIR_STATE);
}

/* Remove what is in d: files older than grace, or (orphans) the state
 * files (state/ID, state/.ID) and hold markers whose message is in
 * neither cur/ nor new/. The number removed, or -1. */
static int
clean_dir(int qd, enum qdir d, long long grace, int orphans)
{
	struct qscan s;
	struct stat sb;
	const char *name;
	int count = 0;
	time_t now = time(NULL);

	if (qscan_open(&s, qd, d) == -1)
		return -1;
	while ((name = qscan_next(&s)) != NULL) {
		if (fstatat(s.fd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (orphans) {
			const char *id = name[0] == '.' ? name + 1 : name;
			if (there(qd, QDIR_CUR, id) != 0 ||
			    there(qd, QDIR_NEW, id) != 0)
				continue;
		} else if (now - sb.st_mtime < grace)
			continue;
		if (unlinkat(s.fd, name, 0) == 0)
			count++;
	}
	if (qscan_close(&s) == -1)
		return -1;
	return count;
}

int
queue_held(int qd, const char *id)
{
	return there(qd, QDIR_HOLD, id) == 1;
}

int
queue_hold(int qd, const char *id, int on)
{
	char path[QUEUE_ID_MAX + 8];
	int fd, r;

	if (!on)
		return drop(qd, QDIR_HOLD, id);
	/* setup makes hold/; a queue from before it may lack it */
	if (mkdirat(qd, queue_dirname(QDIR_HOLD), 0750) == -1 &&
	    errno != EEXIST)
		return -1;
	if (qpath(path, sizeof path, QDIR_HOLD, id) == -1)
		return -1;
	if ((r = there(qd, QDIR_HOLD, id)) != 0)
		return r == 1 ? 0 : -1;
	fd = openat(qd, path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0640);
	if (fd == -1 || close(fd) == -1)
		return -1;
	/* delivered in between: no marker for a message that is gone */
	if (queue_where(qd, id) == -1) {
		unlinkat(qd, path, 0);
		errno = ENOENT;
		return -1;
	}
	return 1;
}

int
queue_hold_sync(int qd)
{
	return queue_syncdir(qd, QDIR_HOLD);
}

int
queue_clean(int qd, long long grace)
{
	int a, b, c;

	if ((a = clean_dir(qd, QDIR_TMP, grace, 0)) == -1)
		return -1;
	if ((b = clean_dir(qd, QDIR_STATE, grace, 1)) == -1)
		return -1;
	/* a hold marker whose message is gone (qrun stopped between the
	 * two removals); a queue made before hold/ existed has none */
	if ((c = clean_dir(qd, QDIR_HOLD, grace, 1)) == -1) {
		if (errno != ENOENT)
			return -1;
		c = 0;
	}
	return a + b + c;
}
