/*
 * local: deliver queued mail to one local recipient (postel-local(8)).
 *   local [-8u] [-q qid] sender recipient
 *   local -m -- recipient qid ...
 * One message on stdin (the queue file at the message), or with -m a
 * batch: the k-th queue file on fd 0, 3, 4, ... at its envelope. The
 * results are lines on stdout in the grammar of postel-result(5); the
 * exit code is 0 once they are written. As root, local becomes the recipient's
 * uid/gid before it touches any of their files and never delivers as
 * root; unprivileged, it delivers as itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "instr.h"
#include "local.h"
#include "log.h"
#include "queue.h"
#include "result.h"
#include "user.h"

static char qid[64] = "-";
/* the K of a fatal error's line: rcpt 1 for one message, msg (0) for a
 * batch, where it is every message's result */
static size_t fatal_n = 1;

static _Noreturn void
result(enum outcome status, const char *dsn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A fatal error before any delivery: its result line
 * (postel-result(5)), then exit. */
static _Noreturn void
result(enum outcome status, const char *dsn, const char *fmt, ...)
{
	struct result r;
	char line[RESULT_LINE_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	result_vset(&r, status, dsn, fmt, ap);
	va_end(ap);
	if ((n = result_fmt(line, sizeof line, fatal_n, &r)) == -1) {
		warn("bad result %s %s: %s", outcome_word(status), dsn,
		    r.text);
		exit(EXIT_TEMP);
	}
	if (fwrite(line, 1, (size_t)n, stdout) != (size_t)n ||
	    fflush(stdout) == EOF)
		exit(EXIT_TEMP);
	exit(0);
}

int
local_fail(struct fail *f, int e, const char *dsn, const char *fmt, ...)
{
	char text[300];
	int explicit = dsn != NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(text, sizeof text, fmt, ap) < 0)
		text[0] = '\0';
	va_end(ap);

	/* A mailbox over its size limit (EFBIG from RLIMIT_FSIZE or the
	 * file system) is a full mailbox here, not a too-big message. */
	if (dsn == NULL && (e == EDQUOT || e == EFBIG))
		dsn = "4.2.2";
	else if (dsn == NULL && e == ENOSPC)
		dsn = "4.3.1";
	f->temp = dsn ? dsn[0] == '4' : err_temporary(e);
	fmt_s(f->dsn, sizeof f->dsn, "%s", dsn ? dsn :
	    f->temp ? "4.3.0" : "5.3.0");
	if (explicit || e == 0)
		fmt_s(f->text, sizeof f->text, "%s", text);
	else
		fmt_s(f->text, sizeof f->text, "%s: %s", text, strerror(e));
	return -1;
}

/* r gets the message's result; -1, for `return fail(r, ...)`. */
static int
fail(struct result *r, enum outcome status, const char *dsn,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
fail(struct result *r, enum outcome status, const char *dsn,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	result_vset(r, status, dsn, fmt, ap);
	va_end(ap);
	return -1;
}

/* One message's text, as read_message found it: mapped (map, maplen to
 * unmap once it is delivered) or read into a buffer. */
struct text {
	void *map;
	size_t maplen;
};

/* The message on fd (the queue file, positioned at the message): mapped
 * where it is a file, so that a big message costs page cache, shared and
 * reclaimable, not its size in private memory for every delivery at
 * once; read into b otherwise (a pipe). */
static int
read_message(int fd, struct buf *b, struct text *t, const char **p,
    size_t *n, struct result *r)
{
	struct stat st;
	off_t off, base;
	long pg;
	void *m;

	t->map = NULL;
	b->len = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (off = lseek(fd, 0, SEEK_CUR)) != -1 && st.st_size > off &&
	    (pg = sysconf(_SC_PAGESIZE)) > 0) {
		if ((unsigned long long)(st.st_size - off) > b->max)
			return fail(r, OUTCOME_PERM, "5.3.4",
			    "unable to hold the message: %s",
			    strerror(EMSGSIZE));
		base = off - off % pg;
		m = mmap(NULL, (size_t)(st.st_size - base), PROT_READ,
		    MAP_PRIVATE, fd, base);
		if (m != MAP_FAILED) {
			t->map = m;
			t->maplen = (size_t)(st.st_size - base);
			*p = (const char *)m + (off - base);
			*n = (size_t)(st.st_size - off);
			return 0;
		}
		/* not mappable (a file system without mmap): read it */
	}
	if (buf_catfd(b, fd) == -1)
		return fail(r, errno == EMSGSIZE ? OUTCOME_PERM : OUTCOME_TEMP,
		    errno == EMSGSIZE ? "5.3.4" : "4.3.0", "unable to %s the "
		    "message: %s", errno == EMSGSIZE || errno == ENOMEM ?
		    "hold" : "read", strerror(errno));
	*p = b->p ? b->p : "";
	*n = b->len;
	return 0;
}

/* 1 if the header section already has "Delivered-To: rcpt" (a loop). */
static int
looped(const char *p, size_t n, const char *rcpt)
{
	size_t rl = strlen(rcpt);
	const char *end = p + n;

	while (p < end && *p != '\n') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *v;
		if ((size_t)(le - p) > 13 && strncasecmp(p, "Delivered-To:", 13)
		    == 0) {
			v = p + 13;
			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			while (le > v && (le[-1] == ' ' || le[-1] == '\t' ||
			    le[-1] == '\r'))
				le--;
			if ((size_t)(le - v) == rl && strncasecmp(v, rcpt, rl) == 0)
				return 1;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* The recipient's home, opened once as root before become(): its owner
 * is checked against the uid the delivery runs as, and local enters it
 * by this descriptor, so that a home path swapped between the lookup and
 * the use (a symlink flipped by whoever can write its parent) cannot
 * lend another user's uid to this directory. -1 for an alias. */
static int homefd = -1;
static const char *home_name = "~";   /* for messages about the home */

static void
open_home(const struct user *u)
{
	struct stat sb;

	if (u->kind == USER_ALIAS || u->home[0] == '\0')
		return;
	if ((homefd = open(u->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fstat(homefd, &sb) == -1)
		result(OUTCOME_TEMP, "4.2.0", "unable to open %s: %s", u->home,
		    strerror(errno));
	if (geteuid() == 0 && u->has_ids && sb.st_uid != u->uid &&
	    sb.st_uid != 0)
		result(OUTCOME_TEMP, "4.2.0",
		    "refusing %s: owned by uid %ld, not "
		    "by %s", u->home, (long)sb.st_uid, u->name);
}

static void
become(struct user *u)
{
	char path[PATH_MAX];
	struct stat sb;
	struct passwd *pw;

	if (geteuid() != 0)
		return;
	if (u->kind == USER_ALIAS) {
		/* Aliases run as the owner of the file that holds them
		 * (conf/aliases, or aliases-system), so no message is parsed
		 * as root (postel(7), invariant 3); as alias-user when root
		 * owns it, as setup leaves it and /etc/aliases is, or when
		 * there is none (postmaster or admin with no alias line:
		 * lib/user.c). */
		if (u->aliasfile && *u->aliasfile)
			fmt_s(path, sizeof path, "%s", u->aliasfile);
		else if (conf_path(path, sizeof path, "conf/aliases") == -1)
			result(OUTCOME_TEMP, "4.3.0",
			    "unable to stat conf/aliases");
		if (stat(path, &sb) == -1) {
			if (errno != ENOENT)
				result(OUTCOME_TEMP, "4.3.0", "unable to stat "
				    "%s: %s", path, strerror(errno));
			sb.st_uid = 0;
			sb.st_gid = 0;
		}
		u->uid = sb.st_uid;
		u->gid = sb.st_gid;
		if (u->uid == 0) {
			if ((pw = getpwnam(conf_s("alias-user"))) == NULL)
				result(OUTCOME_TEMP, "4.3.0", "unable to find "
				    "alias-user %s", conf_s("alias-user"));
			u->uid = pw->pw_uid;
			u->gid = pw->pw_gid;
		}
		u->has_ids = 1;
	}
	if (!u->has_ids)
		result(OUTCOME_TEMP, "4.3.0", "no uid known for %s", u->name);
	if (u->uid == 0 || u->gid == 0)
		result(OUTCOME_TEMP, "4.3.0",
		    "refusing to deliver as root (uid %ld "
		    "gid %ld) for %s", (long)u->uid, (long)u->gid, u->name);
	if (setgroups(1, &u->gid) == -1 || setgid(u->gid) == -1 ||
	    setuid(u->uid) == -1)
		result(OUTCOME_TEMP, "4.3.0", "unable to switch to uid %ld: %s",
		    (long)u->uid, strerror(errno));
	if (getuid() != u->uid || geteuid() != u->uid ||
	    getegid() != u->gid || setuid(0) != -1)
		result(OUTCOME_TEMP, "4.3.0",
		    "privileges not dropped for uid %ld",
		    (long)u->uid);
}

/* Read HOME/.postel[-ext] or HOME/.postel-default into b: 1 read, 0
 * none, -1 with r set. */
static int
instructions(const struct user *u, struct buf *b, struct result *r)
{
	char path[PATH_MAX + 80];
	const char *tries[3];
	char e1[ADDR_LOCAL_MAX + 16];
	size_t nt = 0, i;
	int fd;

	b->len = 0;
	if (u->ext[0]) {
		if (strchr(u->ext, '/') || u->ext[0] == '.')
			return fail(r, OUTCOME_PERM, "5.1.1",
			    "bad address extension");
		fmt_s(e1, sizeof e1, ".postel-%s", u->ext);
		tries[nt++] = e1;
		tries[nt++] = ".postel-default";
	}
	tries[nt++] = ".postel";
	for (i = 0; i < nt; i++) {
		struct stat sb;
		int e;
		if (fmt_s(path, sizeof path, "%s/%s", u->home, tries[i]) < 0)
			return fail(r, OUTCOME_PERM, "5.3.5",
			    "home path too long");
		if ((fd = openat(homefd, tries[i], O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW | O_NONBLOCK)) == -1) {
			if (errno == ENOENT)
				continue;
			return fail(r, OUTCOME_TEMP, "4.3.5",
			    "unable to read %s: %s", path, strerror(errno));
		}
		/* Only the recipient (or root) may say where its mail goes
		 * and which programs run as it: a file someone else owns
		 * or can write is refused, and the mail waits. */
		if (fstat(fd, &sb) == -1) {
			e = errno;
			close(fd);
			return fail(r, OUTCOME_TEMP, "4.3.5",
			    "unable to stat %s: %s", path, strerror(e));
		}
		if (!S_ISREG(sb.st_mode) || (sb.st_mode & 022) ||
		    (sb.st_uid != getuid() && sb.st_uid != 0)) {
			close(fd);
			return fail(r, OUTCOME_TEMP, "4.3.5", "refusing %s: %s",
			    path, !S_ISREG(sb.st_mode) ? "not a regular file" :
			    (sb.st_mode & 022) ? "writable by group or others" :
			    "owned by another user");
		}
		if (buf_catfd(b, fd) == -1) {
			e = errno;
			close(fd);
			return fail(r, OUTCOME_TEMP, "4.3.5",
			    "unable to read %s: %s", path, strerror(e));
		}
		close(fd);
		if (buf_0(b) == -1)
			return fail(r, OUTCOME_TEMP, "4.3.0", "no memory");
		return 1;
	}
	return 0;
}

/* mkdir name (in the working directory, the home) unless it is there;
 * 1 made, 0 there already, -1 with r set. */
static int
mkdir_new(const char *name, struct result *r)
{
	if (mkdir(name, 0700) == 0)
		return 1;
	if (errno != EEXIST)
		return fail(r, OUTCOME_TEMP, "4.2.0",
		    "unable to create %s/%s: %s", home_name,
		    name, strerror(errno));
	return 0;
}

static int
sync_dir(const char *name, struct result *r)
{
	if (fd_syncdir(AT_FDCWD, name) == -1)
		return fail(r, OUTCOME_TEMP, "4.2.0",
		    "unable to sync %s/%s: %s", home_name,
		    name, strerror(errno));
	return 0;
}

/* A real user made by useradd has no ~/Maildir until a mail client makes
 * one: the first delivery makes it, as the user (become() ran), mode
 * 0700, when the home is the user's own. A Maildir missing only some of
 * tmp/ new/ cur/ (a delivery killed halfway) is completed. Each new
 * directory entry is fsync'd before the message goes in. 0, or -1 with
 * r set. */
static int
make_maildir(const struct user *u, struct result *r)
{
	struct stat sb;
	int made;

	if (fstat(homefd, &sb) == -1 || sb.st_uid != u->uid ||
	    geteuid() != u->uid || !S_ISDIR(sb.st_mode))
		return 0;
	if (lstat("Maildir/new", &sb) == 0 || errno != ENOENT)
		return 0;
	home_name = u->home;
	if ((made = mkdir_new("Maildir", r)) == -1)
		return -1;
	if (lstat("Maildir", &sb) == -1 || !S_ISDIR(sb.st_mode))
		return 0;       /* a link or a file: the delivery says why */
	if ((made && sync_dir(".", r) == -1) ||
	    mkdir_new("Maildir/tmp", r) == -1 ||
	    mkdir_new("Maildir/new", r) == -1 ||
	    mkdir_new("Maildir/cur", r) == -1 ||
	    sync_dir("Maildir", r) == -1)
		return -1;
	return 0;
}

static void flush_held(void);

/* What became of a recipient delivered to ndel mailboxes and programs
 * and forwarded to nf addresses, for the action line (postel-result(5))
 * and RFC 3461 5.2.7: a forward to one address alone keeps the requests
 * and passes them on; a recipient that went to several places is
 * expanded, and its notice, if SUCCESS was asked for, is sent from here. */
static enum action
action_of(size_t ndel, size_t nf)
{
	if (nf == 0)
		return ACTION_DELIVERED;
	return nf == 1 && ndel == 0 ? ACTION_PASSED : ACTION_EXPANDED;
}

/* Deliver to every destination; r gets the outcome, *act what became
 * of the recipient when r is ok. */
static void
deliver(struct msgdata *md, char *const *dest, size_t n, struct result *r,
    enum action *act)
{
	char *fwd[INSTR_DEST_MAX], name[512], path[PATH_MAX + 8];
	char done[300] = "";
	size_t nf = 0, ndel = 0, i;
	struct fail f;

	*act = ACTION_NONE;

	if (n == INSTR_TOO_MANY) {      /* the mail waits; none is dropped */
		fail(r, OUTCOME_TEMP, "4.3.5", "more than %d destinations",
		    INSTR_DEST_MAX);
		return;
	}

	for (i = 0; i < n; i++) {
		char *d = dest[i];
		int x;
		if (d[0] == ':') {      /* :include: (postel-conf(5)) */
			fail(r, OUTCOME_TEMP, "4.3.5", "unsupported "
			    "destination %.100s for %s", d, md->rcpt);
			return;
		}
		if (d[0] == '&' || (d[0] != '|' && d[0] != '/' && d[0] != '.' &&
		    strchr(d, '@'))) {
			fwd[nf++] = d[0] == '&' ? d + 1 : d;
			continue;
		}
		/* a program, or an mbox's lock, may take long: what the
		 * batch delivered before is reported first */
		if (d[0] == '|' || d[strlen(d) - 1] != '/')
			flush_held();
		if (d[0] == '|') {
			x = pipe_deliver(md, d + 1, &f);
		} else if (d[0] == '/' || d[0] == '.') {
			size_t l = strlen(d);
			/* relative to the home, which is the working
			 * directory; an alias has none */
			if (d[0] == '.' && homefd == -1) {
				fail(r, OUTCOME_PERM, "5.3.5", "a relative "
				    "path needs a home: %.100s", d);
				return;
			}
			if (fmt_s(path, sizeof path, "%s", d) < 0) {
				fail(r, OUTCOME_PERM, "5.3.5", "path too long");
				return;
			}
			if (d[l - 1] == '/')
				x = maildir_deliver(md, path, &f, name,
				    sizeof name);
			else
				x = mbox_deliver(md, path, &f);
		} else {
			fail(r, OUTCOME_TEMP, "4.3.5", "unknown destination "
			    "%.100s for %s", d, md->rcpt);
			return;
		}
		if (x == -1) {
			fail(r, f.temp ? OUTCOME_TEMP : OUTCOME_PERM, f.dsn,
			    "%s", f.text);
			return;
		}
		ndel++;
		if (!done[0])
			fmt_s(done, sizeof done, "delivered to %.200s", d);
	}
	if (nf) {
		if (forward_deliver(md, fwd, nf,
		    action_of(ndel, nf) == ACTION_EXPANDED, &f) == -1) {
			fail(r, f.temp ? OUTCOME_TEMP : OUTCOME_PERM, f.dsn,
			    "%s", f.text);
			return;
		}
		if (!done[0])
			fmt_s(done, sizeof done, "forwarded to %.200s", fwd[0]);
	}
	if (!done[0]) {
		fail(r, OUTCOME_PERM, "5.1.1", "no destination for %s",
		    md->rcpt);
		return;
	}
	result_set(r, OUTCOME_OK, "2.0.0", "%s", done);
	*act = action_of(ndel, nf);
}

/* The lines every copy starts with; the Delivered-To: line alone is
 * what a forward carries. */
static int
prefix(struct msgdata *md, struct buf *pre, struct result *r)
{
	size_t at;

	pre->len = 0;
	if (buf_cats(pre, "Return-Path: <") == -1 ||
	    buf_cats(pre, md->sender) == -1 || buf_cats(pre, ">\n") == -1)
		return fail(r, OUTCOME_TEMP, "4.3.0", "no memory");
	at = pre->len;
	if (buf_cats(pre, "Delivered-To: ") == -1 ||
	    buf_cats(pre, md->rcpt) == -1 || buf_cats(pre, "\n") == -1)
		return fail(r, OUTCOME_TEMP, "4.3.0", "no memory");
	md->prefix = pre->p;
	md->prefixlen = pre->len;
	md->dt = pre->p + at;
	md->dtlen = pre->len - at;
	return 0;
}

/* What stays the same for every message of a run: the recipient, the
 * buffers, an alias's destinations (worked out once: a bare name made a
 * full address is allocated, and kept for the run). */
struct run {
	struct user u;
	struct buf msg, ins, pre;
	char *dest[INSTR_DEST_MAX];
	size_t ndest;
	char aliasbuf[CONF_LINE_MAX + 1];
};

/* Deliver the message on fd (positioned at the message) for md->rcpt,
 * as md says (sender, flags, queue ID, DSN requests): every destination
 * of the recipient, in order; r gets its result, *act its action. */
static void
deliver_one(struct run *run, struct msgdata *md, int fd, struct result *r,
    enum action *act)
{
	struct user *u = &run->u;
	struct text t;
	char *dest[INSTR_DEST_MAX], *dflt;
	size_t n;
	int got;

	*act = ACTION_NONE;
	if (read_message(fd, &run->msg, &t, &md->body, &md->bodylen, r) == -1)
		return;
	if (md->bodylen && looped(md->body, md->bodylen, md->rcpt)) {
		fail(r, OUTCOME_PERM, "5.4.6", "mail loop: message already "
		    "has Delivered-To: %s", md->rcpt);
		goto out;
	}
	if (prefix(md, &run->pre, r) == -1)
		goto out;
	if (u->kind == USER_ALIAS) {
		deliver(md, run->dest, run->ndest, r, act);
		goto out;
	}
	if (fchdir(homefd) == -1) {
		fail(r, OUTCOME_TEMP, "4.2.0", "unable to enter %s: %s",
		    u->home, strerror(errno));
		goto out;
	}
	if ((got = instructions(u, &run->ins, r)) == -1)
		goto out;
	if (got) {
		n = instr_split(run->ins.p, "\n", dest);
	} else {
		dflt = (char *)conf_s("default-delivery");
		dest[0] = dflt;
		n = 1;
		if (u->kind == USER_SYSTEM && strcmp(dflt, "./Maildir/") == 0 &&
		    make_maildir(u, r) == -1)
			goto out;
	}
	deliver(md, dest, n, r, act);
out:
	if (t.map != NULL)
		munmap(t.map, t.maplen);
}

/* Write K's result line, and after an ok its action line in the same
 * write (postel-result(5)); a failed write: exit 111, qrun has "no
 * result" for what is not written. */
static void
put_result(size_t k, const struct result *r, enum action act)
{
	char line[2 * (RESULT_LINE_MAX + 1)];
	int n, m = 0;

	if ((n = result_fmt(line, sizeof line, k, r)) == -1) {
		warn("bad result %s %s: %s", outcome_word(r->status), r->dsn,
		    r->text);
		exit(EXIT_TEMP);
	}
	if (r->status == OUTCOME_OK && act != ACTION_NONE &&
	    (m = result_action_fmt(line + n, sizeof line - (size_t)n, k,
	    act)) == -1)
		m = 0;  /* cannot be: line holds both; qrun would assume */
	n += m;
	if (fwrite(line, 1, (size_t)n, stdout) != (size_t)n ||
	    fflush(stdout) == EOF)
		exit(EXIT_TEMP);
}

/* Batch mode (-m): the k-th message's result waits in held.r[k] until
 * the new/ directories it was linked into (bits of held.dirs[k]) are
 * synced; every other result is written at once, out of order (K says
 * whose it is). Held results go out at the end, after a second, and
 * before a pipe or an mbox delivery, which may take long: a run killed
 * then keeps what it delivered (postel-result(5), Batches). */
static struct {
	struct result r[LOCAL_BATCH_MAX];
	enum action act[LOCAL_BATCH_MAX];
	unsigned dirs[LOCAL_BATCH_MAX];
	int waiting[LOCAL_BATCH_MAX];
	size_t n;                       /* results waiting */
	long long since;                /* monotonic ms of the first */
	struct dirsync ds;
} held;

static long long
mono_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sync the directories the batch shares and write the results held; a
 * failed sync makes those messages temp (a copy may be there: a
 * duplicate beats a loss). */
static void
flush_held(void)
{
	struct fail f;
	unsigned bad;
	size_t k;

	if (held.n == 0)
		return;
	bad = dirsync_run(&held.ds, &f);
	for (k = 0; k < LOCAL_BATCH_MAX && held.n; k++) {
		if (!held.waiting[k])
			continue;
		if ((held.dirs[k] & bad) && held.r[k].status == OUTCOME_OK)
			result_set(&held.r[k], OUTCOME_TEMP, f.dsn, "%s",
			    f.text);
		put_result(k + 1, &held.r[k], held.act[k]);
		held.waiting[k] = 0;
		held.n--;
	}
}

static int
batch(struct run *run, struct msgdata *md, char **qids, size_t nq)
{
	struct qenv env;
	const char *why;
	struct result r;
	enum action act;
	size_t k;
	int fd;

	md->ds = &held.ds;
	for (k = 0; k < nq; k++) {
		fd = k == 0 ? 0 : (int)k + 2;
		fmt_s(qid, sizeof qid, "%s", qids[k]);
		held.ds.touched = 0;
		act = ACTION_NONE;
		if (qenv_read(fd, &env, &why) == -1) {
			fail(&r, OUTCOME_TEMP, "4.3.0", "unable to read "
			    "the envelope of %.60s: %s", qid, errno == EINVAL ?
			    why : strerror(errno));
		} else {
			md->sender = env.from;
			md->flags = (env.flags & QF_UTF8 ? LOCAL_UTF8 : 0) |
			    (env.flags & QF_8BIT ? LOCAL_8BIT : 0);
			dsn_of_env(&md->dsn, &env, md->rcpt);
			deliver_one(run, md, fd, &r, &act);
			qenv_free(&env);
		}
		if (held.ds.touched == 0) {
			put_result(k + 1, &r, act);
			continue;
		}
		if (held.n++ == 0)
			held.since = mono_ms();
		held.r[k] = r;
		held.act[k] = act;
		held.dirs[k] = held.ds.touched;
		held.waiting[k] = 1;
		if (mono_ms() - held.since >= 1000)
			flush_held();
	}
	flush_held();
	return 0;
}

static _Noreturn void
usage(int many)
{
	if (many)
		die(EXIT_PERM, "usage: local -m -- recipient qid ... "
		    "(at most %d)", LOCAL_BATCH_MAX);
	die(EXIT_PERM, "usage: local [-8u] [-q qid] sender recipient");
}

int
main(int argc, char **argv)
{
	static struct run run;
	struct msgdata md;
	struct user *u = &run.u;
	struct result res;
	enum action act;
	char **qids = NULL;
	size_t nq = 0, k;
	int c, r, many = 0, single = 0;

	die_init(argv[0]);
	die_result(1);          /* a fatal error is the recipients' result */
	/* A |program may exit without reading the message: its exit code
	 * decides, which needs local alive after the write fails (EPIPE). */
	signal(SIGPIPE, SIG_IGN);
	memset(&md, 0, sizeof md);
	while ((c = getopt(argc, argv, "mq:u8")) != -1) {
		switch (c) {
		case 'm': many = 1; break;
		case 'q': fmt_s(qid, sizeof qid, "%s", optarg); single = 1;
			break;
		case 'u': md.flags |= LOCAL_UTF8; single = 1; break;
		case '8': md.flags |= LOCAL_8BIT; single = 1; break;
		default: usage(0);
		}
	}
	if (many) {
		/* flags and queue IDs come from each message's envelope */
		if (single || argc - optind < 2)
			usage(1);
		/* only a fault of qrun's makes more: not the sender's, so
		 * temporary (postel(7), invariant 6) */
		if (argc - optind - 1 > LOCAL_BATCH_MAX)
			die(EXIT_TEMP, "more than %d messages in a batch",
			    LOCAL_BATCH_MAX);
		md.rcpt = argv[optind];
		qids = argv + optind + 1;
		nq = (size_t)(argc - optind - 1);
		fatal_n = 0;
		/* the queue files are no program's business */
		for (k = 1; k < nq; k++)
			(void)fcntl((int)k + 2, F_SETFD, FD_CLOEXEC);
	} else {
		if (argc - optind != 2)
			usage(0);
		md.sender = argv[optind];
		md.rcpt = argv[optind + 1];
	}
	if (conf_load() == -1 || user_init() == -1)
		result(OUTCOME_TEMP, "4.3.5",
		    "configuration: %s", conf_error());
	buf_init(&run.msg, conf_u("max-size") + QUEUE_ROOM);  /* a pipe */
	buf_init(&run.ins, INSTR_MAX);
	buf_init(&run.pre, 2048);
	md.qid = qid;
	md.timeout = conf_u("delivery-timeout");
	md.timeout = md.timeout > 20 ? md.timeout - 10 : md.timeout;
	if ((r = user_lookup(md.rcpt, u)) == 0)
		result(OUTCOME_PERM, "5.1.1", "no such user here: %s", md.rcpt);
	if (r == -1 && errno == ENOTSUP)        /* lib/aliases.h */
		result(OUTCOME_TEMP, "4.3.5",
		    "unable to look up %s: its entry in %s "
		    "has a problem (newaliases names it)", md.rcpt,
		    conf_s("aliases-system"));
	if (r == -1)
		result(errno == EINVAL ? OUTCOME_PERM : OUTCOME_TEMP,
		    errno == EINVAL ? "5.1.1" : "4.3.0",
		    "unable to look up %s: %s", md.rcpt, strerror(errno));
	/* one uid for the whole run, from the recipient, before any
	 * message is read (postel-security(7)) */
	open_home(u);
	become(u);
	md.local = u->name;
	md.ext = u->ext;
	md.domain = u->domain;
	md.home = u->home;
	md.user = u->account[0] ? u->account : u->name;
	if (u->kind == USER_ALIAS && instr_alias(u->alias, u->domain,
	    run.aliasbuf, sizeof run.aliasbuf, run.dest, &run.ndest) == -1)
		result(OUTCOME_TEMP, "4.3.0", "no memory");
	if (many)
		return batch(&run, &md, qids, nq);
	/* one message, on stdin at the message: each Maildir's new/ is
	 * synced as the message goes in (md.ds NULL); stdin is its queue
	 * file, whose envelope holds the recipient's DSN requests */
	if (dsn_of_fd(&md.dsn, 0, md.rcpt) == -1)
		result(OUTCOME_TEMP, "4.3.0", "unable to seek in the message: "
		    "%s", strerror(errno));
	deliver_one(&run, &md, 0, &res, &act);
	put_result(1, &res, act);
	return 0;
}
