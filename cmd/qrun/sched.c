/*
 * qrun schedule: a binary heap of waiting messages ordered by their next
 * attempt time, so picking the next thing to do costs O(log n) and never
 * a rescan of the queue (postel-qrun(8)). Messages come in from one scan
 * of cur/ at start and from new/ when the trigger FIFO wakes us.
 */
#define _GNU_SOURCE     /* renameat2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "die.h"
#include "fmt.h"
#include "log.h"
#include "qrun.h"
#include "user.h"

static struct msg **heap;
static size_t nheap, capheap;
struct msg *active;
size_t nactive;

static void
hswap(size_t a, size_t b)
{
	struct msg *t = heap[a];

	heap[a] = heap[b];
	heap[b] = t;
	heap[a]->hi = a;
	heap[b]->hi = b;
}

static void
hup(size_t i)
{
	while (i > 0 && heap[(i - 1) / 2]->next > heap[i]->next) {
		hswap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
hdown(size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, s = i;
		if (l < nheap && heap[l]->next < heap[s]->next)
			s = l;
		if (r < nheap && heap[r]->next < heap[s]->next)
			s = r;
		if (s == i)
			return;
		hswap(i, s);
		i = s;
	}
}

void
sched_push(struct msg *m)
{
	if (nheap == capheap) {
		size_t nc = capheap ? capheap * 2 : 256;
		struct msg **nh = realloc(heap, nc * sizeof *nh);
		if (nh == NULL)
			die_sys(EXIT_TEMP, "unable to grow the schedule");
		heap = nh;
		capheap = nc;
	}
	heap[nheap] = m;
	m->hi = nheap++;
	hup(m->hi);
}

struct msg *
sched_top(void)
{
	return nheap ? heap[0] : NULL;
}

void
sched_pop(void)
{
	if (nheap == 0)
		return;
	hswap(0, nheap - 1);
	heap[--nheap]->hi = SIZE_MAX;
	if (nheap)
		hdown(0);
}

size_t
sched_size(void)
{
	return nheap;
}

struct msg *
sched_at(size_t i)
{
	return heap[i];
}

void
sched_due(struct msg *m)
{
	m->next = 0;
	if (m->hi < nheap)
		hup(m->hi);
}

static struct msg *
msg_new(const char *id)
{
	struct msg *m = calloc(1, sizeof *m);

	if (m == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	if (fmt_s(m->id, sizeof m->id, "%s", id) < 0) {
		free(m);
		return NULL;
	}
	m->hi = SIZE_MAX;
	return m;
}

/* new/ID to cur/ID, never over an existing cur/ID: that is another
 * message, which an ID that came back (a clock set back) must not
 * replace. Where the file system lacks RENAME_NOREPLACE, check first. */
static int
take(const char *from, const char *to)
{
	if (renameat2(qd, from, qd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (faccessat(qd, to, F_OK, 0) == 0) {
		errno = EEXIST;
		return -1;
	}
	return renameat(qd, from, qd, to);
}

/* Take every message in sub ("cur" at start, "new" when woken). A file in
 * new/ is renamed to cur/ first; both directories are synced before any
 * of them is tried (postel-queue(5) step 3). */
int
sched_scan(const char *sub)
{
	int isnew = strcmp(sub, "new") == 0, fd, moved = 0;
	DIR *d;
	struct dirent *de;
	char from[QUEUE_ID_MAX + 8], to[QUEUE_ID_MAX + 8];
	struct msg **got = NULL;
	size_t ngot = 0, cap = 0, i;

	if ((fd = openat(qd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		struct msg *m;
		if (de->d_name[0] == '.')
			continue;
		if ((m = msg_new(de->d_name)) == NULL)
			continue;
		if (isnew) {
			if (fmt_s(from, sizeof from, "new/%s", m->id) < 0 ||
			    fmt_s(to, sizeof to, "cur/%s", m->id) < 0 ||
			    take(from, to) == -1) {
				warn_sys("unable to move new/%s to cur/", m->id);
				free(m);
				continue;
			}
			moved++;
		}
		if (ngot == cap) {
			struct msg **ng;
			cap = cap ? cap * 2 : 64;
			if ((ng = realloc(got, cap * sizeof *ng)) == NULL)
				die_sys(EXIT_TEMP, "unable to allocate");
			got = ng;
		}
		got[ngot++] = m;
	}
	closedir(d);
	if (moved && (queue_syncdir(qd, "cur") == -1 ||
	    queue_syncdir(qd, "new") == -1))
		die_sys(EXIT_TEMP, "unable to sync the queue directories");
	for (i = 0; i < ngot; i++)
		sched_push(got[i]);
	free(got);
	return (int)ngot;
}

void
msg_free(struct msg *m)
{
	qenv_free(&m->env);
	free(m->st);
	free(m->busy);
	m->st = NULL;
	m->busy = NULL;
	m->loaded = 0;
}

void
msg_unlink_active(struct msg *m)
{
	struct msg **p;

	for (p = &active; *p; p = &(*p)->anext)
		if (*p == m) {
			*p = m->anext;
			nactive--;
			break;
		}
	m->anext = NULL;
}

int
rcpt_local(const char *rcpt)
{
	const char *at = strrchr(rcpt, '@');

	return at != NULL && user_local_domain(at + 1);
}

static void
logmsg(const char *event, const struct msg *m, const char *why)
{
	struct logl l;

	log_start(&l, event);
	log_kv(&l, "qid", m->id);
	if (why)
		log_kv(&l, "why", why);
	log_end(&l);
}

/* A message not yet tried: log who queued it, as the envelope's origin
 * says (smtpd's client address, or sendmail's uid, which a local user
 * cannot forge: postel-security(7)). Logged again after a restart that
 * finds it still untried. */
static void
lognew(const struct msg *m)
{
	struct logl l;
	char from[ADDR_MAX + 3];
	size_t i;

	for (i = 0; i < m->env.nrcpt; i++)
		if (m->st[i].attempts)
			return;
	log_start(&l, "new");
	log_kv(&l, "qid", m->id);
	fmt_s(from, sizeof from, "<%s>", m->env.from);
	log_kv(&l, "from", from);
	log_kvu(&l, "rcpts", m->env.nrcpt);
	log_kv(&l, "origin", m->env.origin);
	log_end(&l);
}

/* Remove state/ID, and a hold marker hold/ID; one that is not there is
 * fine (nor is a queue without hold/). */
static void
unlink_state(const char *id)
{
	char path[QUEUE_ID_MAX + 8];

	if (fmt_s(path, sizeof path, "state/%s", id) >= 0 &&
	    unlinkat(qd, path, 0) == -1 && errno != ENOENT)
		warn_sys("unable to remove %s", path);
	if (fmt_s(path, sizeof path, "hold/%s", id) >= 0 &&
	    unlinkat(qd, path, 0) == -1 && errno != ENOENT &&
	    errno != ENOTDIR)
		warn_sys("unable to remove %s", path);
}

/* The message file is gone (qrun -d): drop its state file too. */
static void
forget(const struct msg *m)
{
	unlink_state(m->id);
	logmsg("forgotten", m, "removed from the queue");
}

/* 1 if cur/ID no longer exists. */
static int
removed(const struct msg *m)
{
	char path[QUEUE_ID_MAX + 8];

	return fmt_s(path, sizeof path, "cur/%s", m->id) >= 0 &&
	    faccessat(qd, path, F_OK, 0) == -1 && errno == ENOENT;
}

/* qrun -d: remove a message, waiting in new/ or cur/, and its state:
 * the message first, as postel-queue(5) step 5 does. A running daemon
 * notices when the message is next due, or when its running jobs end
 * (they finish; nothing more is tried and no bounce is sent). 0, or -1
 * with errno (ENOENT: no such message). */
int
msg_delete(const char *id)
{
	char path[QUEUE_ID_MAX + 8];
	int i, found = 0;

	if (!queue_id_ok(id)) {
		errno = EINVAL;
		return -1;
	}
	/* cur/ twice: a daemon may move it from new/ in between */
	for (i = 0; i < 3 && !found; i++) {
		if (fmt_s(path, sizeof path, "%s/%s", i == 1 ? "new" : "cur",
		    id) < 0) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (unlinkat(qd, path, 0) == 0)
			found = 1;
		else if (errno != ENOENT)
			return -1;
	}
	if (!found) {
		errno = ENOENT;
		return -1;
	}
	/* The message is gone: from here on only warn. A state file left
	 * behind is an orphan that the next clean removes. */
	if (queue_syncdir(qd, "cur") == -1 || queue_syncdir(qd, "new") == -1)
		warn_sys("unable to sync the queue after removing %s", id);
	unlink_state(id);
	return 0;
}

static void remove_msg(struct msg *m);

/* Read the envelope and the state of a message taken from the heap. On
 * failure the message is either rescheduled or left alone for good
 * (an unknown format: an admin must look), and -1 is returned. */
int
msg_load(struct msg *m)
{
	char path[QUEUE_ID_MAX + 8];
	const char *why = NULL;
	long long w, far;
	int fd, e, fin, r;
	size_t i;

	if (fmt_s(path, sizeof path, "cur/%s", m->id) < 0)
		goto drop;
	if ((fd = openat(qd, path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			goto gone;
		why = "unable to open";
		goto later;
	}
	if (qenv_read(fd, &m->env, &why) == -1) {
		e = errno;
		close(fd);
		if (e == EINVAL) {
			logmsg("skipped", m, why);
			goto drop;
		}
		goto later;
	}
	close(fd);
	m->st = calloc(m->env.nrcpt, sizeof *m->st);
	m->busy = calloc(m->env.nrcpt, 1);
	if (m->st == NULL || m->busy == NULL) {
		why = "out of memory";
		msg_free(m);
		goto later;
	}
	w = m->warned;
	r = qstate_read(qd, m->id, m->st, m->env.nrcpt, &m->warned, &fin,
	    &why);
	if (r == -1 && errno == EINVAL && why != NULL &&
	    strcmp(why, "unknown state file version") != 0) {
		/* Broken lines, which no writer leaves (postel-queue(5)):
		 * start over. A duplicate at worst, where skipping it would
		 * leave its recipients untried for ever (invariant 2). */
		logmsg("restarted", m, why);
		for (i = 0; i < m->env.nrcpt; i++) {
			memset(&m->st[i], 0, sizeof m->st[i]);
			m->st[i].status = QS_TODO;
			fmt_s(m->st[i].dsn, sizeof m->st[i].dsn, "-");
		}
		m->warned = 0;
		fin = 0;
	} else if (r == -1) {
		if (why == NULL)
			why = "unable to read state";
		msg_free(m);
		if (errno == EINVAL) {
			logmsg("skipped", m, why);
			goto drop;
		}
		goto later;
	}
	if (fin) {
		/* all done and bounced; an earlier removal failed */
		remove_msg(m);
		msg_free(m);
		goto drop;
	}
	/* A retry further ahead than the longest wait of the schedule
	 * was set by a clock since set back: it is due now. */
	for (i = 0, far = now_s() + retry_max; i < m->env.nrcpt; i++)
		if (m->st[i].next > far)
			m->st[i].next = 0;
	/* flushed while it waited: every recipient to do is due now */
	for (i = 0; m->flush && i < m->env.nrcpt; i++)
		if (m->st[i].status == QS_TODO)
			m->st[i].next = 0;
	m->flush = 0;
	/* a warning sent whose record failed is still sent */
	if (w > m->warned)
		m->warned = w;
	lognew(m);
	m->loaded = 1;
	m->anext = active;
	active = m;
	nactive++;
	return 0;
later:
	logmsg("deferred", m, why);
	m->next = now_s() + 60;
	if (!once)
		sched_push(m);
	else
		free(m);
	return -1;
gone:
	/* removed by qrun -d while it waited: its state is an orphan */
	forget(m);
drop:
	free(m);
	return -1;
}

/* Group due recipients into jobs: one local job per local recipient, one
 * remote job per domain; start as many as the concurrency limits allow.
 * 1 if m now waits for a free slot; 0 otherwise, and then m may be gone:
 * with no job started, msg_done has finished (and maybe freed) it. */
int
msg_start(struct msg *m)
{
	long long now = now_s();
	size_t i, k, n = m->env.nrcpt, *idx;

	/* waiting for a slot, it may have been removed (qrun -d) */
	if (m->blocked && removed(m)) {
		m->blocked = 0;
		if (m->njobs == 0)
			msg_done(m);
		return 0;
	}
	m->blocked = 0;
	if ((idx = calloc(n, sizeof *idx)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	for (i = 0; i < n; i++) {
		const char *dom;
		if (m->st[i].status != QS_TODO || m->busy[i] ||
		    (!force && m->st[i].next > now))
			continue;
		if (rcpt_local(m->env.rcpt[i])) {
			if (nlocal >= max_local) {
				m->blocked = 1;
				continue;
			}
			idx[0] = i;
			job_spawn(m, 0, idx, 1);
			continue;
		}
		if (nremote >= max_remote) {
			m->blocked = 1;
			continue;
		}
		dom = strrchr(m->env.rcpt[i], '@');
		dom = dom ? dom + 1 : "";
		idx[0] = i;
		k = 1;
		for (size_t j = i + 1; j < n && k < QRUN_RCPT_MAX; j++) {
			const char *d2 = strrchr(m->env.rcpt[j], '@');
			if (m->st[j].status != QS_TODO || m->busy[j] ||
			    (!force && m->st[j].next > now) || d2 == NULL ||
			    strcasecmp(d2 + 1, dom) != 0)
				continue;
			idx[k++] = j;
		}
		job_spawn(m, 1, idx, k);
	}
	free(idx);
	if (m->njobs == 0 && !m->blocked) {
		msg_done(m);
		return 0;
	}
	return m->blocked;
}

static void
remove_msg(struct msg *m)
{
	char path[QUEUE_ID_MAX + 8];
	struct logl l;

	/* postel-queue(5) step 5: the message first, then its state. */
	if (fmt_s(path, sizeof path, "cur/%s", m->id) >= 0 &&
	    unlinkat(qd, path, 0) == -1 && errno != ENOENT) {
		/* The message stays, so its state must too, and say what is
		 * done (an all-ok message may have none yet): else the next
		 * runner delivers and bounces it all again. */
		warn_sys("unable to remove %s", path);
		if (qstate_write(qd, m->id, m->st, m->env.nrcpt, m->warned, 1)
		    == -1)
			warn_sys("unable to write state/%s", m->id);
		return;
	}
	if (queue_syncdir(qd, "cur") == -1)
		warn_sys("unable to sync cur/");
	unlink_state(m->id);
	log_start(&l, "done");
	log_kv(&l, "qid", m->id);
	log_end(&l);
}

/* No job of m is running and none is waiting for a slot. */
void
msg_done(struct msg *m)
{
	long long now = now_s(), next = 0;
	size_t i, todo = 0, fail = 0;

	for (i = 0; i < m->env.nrcpt; i++) {
		if (m->st[i].status == QS_TODO) {
			if (todo++ == 0 || m->st[i].next < next)
				next = m->st[i].next;
		} else if (m->st[i].status == QS_FAIL)
			fail++;
	}
	msg_unlink_active(m);
	if (removed(m)) {
		forget(m);
		msg_free(m);
		free(m);
		return;
	}
	if (todo == 0) {
		if (fail && bounce_send(m, 0) == -1) {
			next = now + 300;
			goto keep;
		}
		remove_msg(m);
		msg_free(m);
		free(m);
		return;
	}
	if (warn_after && !m->warned && m->env.from[0] &&
	    now - m->env.arrival >= (long long)warn_after) {
		/* Sent, then recorded: a warning that could not be queued
		 * is tried again on the next pass; a crash between the two
		 * steps sends it twice, which is the lesser harm. */
		if (bounce_send(m, 1) == 0) {
			m->warned = now;
			if (qstate_write(qd, m->id, m->st, m->env.nrcpt,
			    now, 0) == -1)
				warn_sys("unable to record the delay warning "
				    "in state/%s", m->id);
		}
	}
keep:
	msg_free(m);
	if (once) {
		free(m);
		return;
	}
	m->next = next > now ? next : now + 1;
	sched_push(m);
}
