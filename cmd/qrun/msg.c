/*
 * qrun messages: the life of one message in the runner. A scan takes it
 * (new/ to cur/, postel-queue(5) step 3) onto the heap; when due it is
 * loaded (envelope and state read), its due recipients are started as
 * jobs, and when its last job is done it is bounced, removed, or put
 * back to wait. Each step's queue operation is lib/queue's; a message is
 * freed here, in msg_free, and nowhere else.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "array.h"
#include "die.h"
#include "fmt.h"
#include "log.h"
#include "qrun.h"
#include "result.h"
#include "user.h"

static struct msg *
msg_new(const char *id)
{
	struct msg *m;

	if (strlen(id) >= sizeof m->id)
		return NULL;            /* not a queue ID */
	if ((m = calloc(1, sizeof *m)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	memcpy(m->id, id, strlen(id) + 1);
	m->hi = SIZE_MAX;
	return m;
}

/* Drop what loading read: the envelope and the state. */
static void
msg_unload(struct msg *m)
{
	if (m->env != NULL) {
		qenv_free(m->env);
		free(m->env);
		m->env = NULL;
	}
	free(m->st);
	free(m->busy);
	m->st = NULL;
	m->busy = NULL;
	m->loaded = 0;
}

void
msg_free(struct msg *m)
{
	/* a job still points at it: freeing it would leave that dangling */
	if (m->njobs != 0)
		die(EXIT_TEMP, "message %s freed with %d jobs running", m->id,
		    m->njobs);
	msg_unload(m);
	free(m);
}

/* m waits on the heap until next; one pass (-1) forgets it instead. */
void
msg_wait(struct qrun *q, struct msg *m, long long next)
{
	if (q->once) {
		msg_free(m);
		return;
	}
	m->next = next;
	heap_push(&q->wait, m);
}

/* id was removed and its removal waits for msg_commit: an ID that came
 * back (a clock set back) must not lose its state to that commit. */
static int
gone(const struct qrun *q, const char *id)
{
	size_t i;

	for (i = 0; i < q->ngone; i++)
		if (strcmp(q->gone[i], id) == 0)
			return 1;
	return 0;
}

/* Take every message in d (cur/ at start, new/ when woken). A message in
 * new/ is taken into cur/ first, without a sync (postel-queue(5) step
 * 3: a restart looks in both). The number found, or -1. */
int
msg_scan(struct qrun *q, enum qdir d)
{
	struct qscan s;
	struct msg **got = NULL, **ng, *m;
	size_t ngot = 0, cap = 0, i;
	const char *id;

	if (qscan_open(&s, q->qd, d) == -1)
		return -1;
	while ((id = qscan_next(&s)) != NULL) {
		if ((m = msg_new(id)) == NULL)
			continue;
		if (d == QDIR_NEW && gone(q, m->id))
			msg_commit(q);  /* its state is not the old one's */
		if (d == QDIR_NEW) {
			if (queue_take(q->qd, m->id) == -1) {
				warn_sys("unable to move %s/%s to %s/",
				    queue_dirname(QDIR_NEW), m->id,
				    queue_dirname(QDIR_CUR));
				msg_free(m);
				continue;
			}
		}
		if ((ng = array_grow(got, &cap, ngot + 1, sizeof *ng)) == NULL)
			die_sys(EXIT_TEMP, "unable to allocate");
		got = ng;
		got[ngot++] = m;
	}
	if (qscan_close(&s) == -1)
		warn_sys("unable to read all of %s/", queue_dirname(d));
	for (i = 0; i < ngot; i++)
		heap_push(&q->wait, got[i]);
	free(got);
	return (int)ngot;
}

static void
active_add(struct qrun *q, struct msg *m)
{
	m->anext = q->active;
	q->active = m;
	q->nactive++;
}

static void
active_remove(struct qrun *q, struct msg *m)
{
	struct msg **p;

	for (p = &q->active; *p; p = &(*p)->anext)
		if (*p == m) {
			*p = m->anext;
			q->nactive--;
			break;
		}
	m->anext = NULL;
}

static int
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

	for (i = 0; i < m->env->nrcpt; i++)
		if (m->st[i].attempts)
			return;
	log_start(&l, "new");
	log_kv(&l, "qid", m->id);
	fmt_s(from, sizeof from, "<%s>", m->env->from);
	log_kv(&l, "from", from);
	log_kvu(&l, "rcpts", m->env->nrcpt);
	log_kv(&l, "origin", m->env->origin);
	log_end(&l);
}

/* The message file is gone (qrun -d): drop its state file too. */
static void
forget(struct qrun *q, const struct msg *m)
{
	if (queue_forget(q->qd, m->id) == -1)
		warn_sys("unable to remove the state of %s", m->id);
	logmsg("forgotten", m, "removed from the queue");
}

/* 1 if cur/ID no longer exists. */
static int
removed(struct qrun *q, const struct msg *m)
{
	return queue_has(q->qd, m->id) == 0;
}

/* qrun -d: remove a message, waiting in new/ or cur/, and its state
 * (postel-queue(5) step 5). A running daemon notices when the message is
 * next due, or when its running jobs end (they finish; nothing more is
 * tried and no bounce is sent). 0, or -1 with errno (ENOENT: no such
 * message, EINVAL: not a queue ID). */
int
msg_delete(struct qrun *q, const char *id)
{
	int r = queue_remove(q->qd, id);

	if (r == -1)
		return -1;
	/* The message is gone: a state file left behind is an orphan that
	 * the next clean removes. */
	if (r == 1)
		warn_sys("unable to finish removing %s", id);
	return 0;
}

static void remove_msg(struct qrun *q, struct msg *m);

/* Read the envelope and the state of a message taken from the heap. On
 * failure the message is either rescheduled or left alone for good
 * (an unknown format: an admin must look), and -1 is returned. */
int
msg_load(struct qrun *q, struct msg *m)
{
	const char *why = NULL;
	long long w, far;
	int fd, e, fin, r;
	size_t i;

	if ((fd = queue_open(q->qd, QDIR_CUR, m->id)) == -1) {
		if (errno == ENOENT)
			goto gone;
		why = "unable to open";
		goto later;
	}
	/* the envelope is in memory only while the message is loaded: a
	 * waiting message costs its struct msg alone */
	if ((m->env = calloc(1, sizeof *m->env)) == NULL) {
		close(fd);
		why = "out of memory";
		goto later;
	}
	if (qenv_read(fd, m->env, &why) == -1) {
		e = errno;
		close(fd);
		if (e == EINVAL) {
			logmsg("skipped", m, why);
			goto drop;
		}
		goto later;
	}
	close(fd);
	m->st = calloc(m->env->nrcpt, sizeof *m->st);
	m->busy = calloc(m->env->nrcpt, 1);
	if (m->st == NULL || m->busy == NULL) {
		why = "out of memory";
		msg_unload(m);
		goto later;
	}
	w = m->warned;
	r = qstate_read(q->qd, m->id, m->st, m->env->nrcpt, &m->warned, &fin,
	    &why);
	if (r == -1 && errno == EINVAL && why != NULL &&
	    strcmp(why, "unknown state file version") != 0) {
		/* Broken lines, which no writer leaves (postel-queue(5)):
		 * start over. A duplicate at worst, where skipping it would
		 * leave its recipients untried for ever (postel(7),
		 * invariant 2). */
		logmsg("restarted", m, why);
		for (i = 0; i < m->env->nrcpt; i++) {
			memset(&m->st[i], 0, sizeof m->st[i]);
			m->st[i].status = QS_TODO;
			fmt_s(m->st[i].dsn, sizeof m->st[i].dsn, "-");
		}
		m->warned = 0;
		fin = 0;
	} else if (r == -1) {
		if (why == NULL)
			why = "unable to read state";
		msg_unload(m);
		if (errno == EINVAL) {
			logmsg("skipped", m, why);
			goto drop;
		}
		goto later;
	}
	if (fin) {
		/* all done and bounced; an earlier removal failed */
		remove_msg(q, m);
		goto drop;
	}
	/* A retry further ahead than the longest wait of the schedule
	 * was set by a clock since set back: it is due now. */
	for (i = 0, far = now_s() + q->set.retry_max; i < m->env->nrcpt; i++)
		if (m->st[i].next > far)
			m->st[i].next = 0;
	/* flushed while it waited: every recipient to do is due now */
	for (i = 0; m->flush && i < m->env->nrcpt; i++)
		if (m->st[i].status == QS_TODO)
			m->st[i].next = 0;
	m->flush = 0;
	/* a warning sent whose record failed is still sent */
	if (w > m->warned)
		m->warned = w;
	lognew(m);
	m->loaded = 1;
	active_add(q, m);
	return 0;
later:
	msg_unload(m);
	logmsg("deferred", m, why);
	msg_wait(q, m, now_s() + 60);
	return -1;
gone:
	/* removed by qrun -d while it waited: its state is an orphan */
	forget(q, m);
drop:
	msg_free(m);
	return -1;
}

/* Recipient i of m is due and no job has it. */
static int
due(const struct qrun *q, const struct msg *m, size_t i, long long now)
{
	return m->st[i].status == QS_TODO && !m->busy[i] &&
	    (q->force || m->st[i].next <= now);
}

const char *
domain_of(const char *rcpt)
{
	const char *at = strrchr(rcpt, '@');

	return at ? at + 1 : "";
}

/* Into p, m's due recipients that a job for key takes: the first one
 * that is key (local: a message is delivered once per run), or up to
 * room whose domain is key (remote). The number taken. */
static size_t
part_of(const struct qrun *q, struct msg *m, int remote, const char *key,
    size_t room, long long now, struct part *p)
{
	size_t i, k = 0;

	if ((p->idx = calloc(m->env->nrcpt, sizeof *p->idx)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	for (i = 0; i < m->env->nrcpt && k < room; i++) {
		if (!due(q, m, i, now))
			continue;
		if (remote ? strcasecmp(domain_of(m->env->rcpt[i]), key) != 0 :
		    strcmp(m->env->rcpt[i], key) != 0)
			continue;
		p->idx[k++] = i;
		if (!remote)
			break;
	}
	p->m = m;
	p->n = k;
	if (k == 0) {
		free(p->idx);
		p->idx = NULL;
	}
	return k;
}

/* Start a job for recipient i of m, and in the same run for the other
 * loaded messages that wait for that local recipient, or for that remote
 * domain (postel-result(5), Batches): up to q->batch messages. */
static void
start_job(struct qrun *q, struct msg *m, size_t i, int remote, long long now)
{
	const char *key = remote ? domain_of(m->env->rcpt[i]) : m->env->rcpt[i];
	size_t np = 0, left = remote ? QRUN_RCPT_MAX : 1;
	size_t max = q->batch[remote];
	struct part *p;
	struct msg *o;

	if (max < 1 || max > QRUN_BATCH_MAX)
		max = 1;
	/* a name that is no queue ID (an admin's copy) runs alone, in the
	 * one-message form, as it always did */
	if (!queue_id_ok(m->id))
		max = 1;
	if ((p = calloc(max, sizeof *p)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	left -= part_of(q, m, remote, key, left, now, &p[np++]);
	for (o = q->active; o && np < max && (left || !remote); o = o->anext) {
		if (o == m || !o->loaded || !queue_id_ok(o->id) ||
		    !part_of(q, o, remote, key, remote ? left : 1, now, &p[np]))
			continue;
		/* not one removed (qrun -d) or held since it was loaded */
		if (removed(q, o) || queue_held(q->qd, o->id)) {
			free(p[np].idx);
			p[np].idx = NULL;
			continue;
		}
		if (remote)
			left -= p[np].n;
		np++;
	}
	job_spawn(q, remote, p, np);
}

/* The channels m has due recipients for (WAIT_LOCAL, WAIT_REMOTE). */
int
msg_channels(const struct qrun *q, const struct msg *m)
{
	long long now = now_s();
	size_t i;
	int w = 0;

	for (i = 0; i < m->env->nrcpt; i++)
		if (due(q, m, i, now))
			w |= rcpt_local(m->env->rcpt[i]) ? WAIT_LOCAL :
			    WAIT_REMOTE;
	return w;
}

/* Start jobs for m's due recipients, as the concurrency limits allow.
 * The channels m now waits on for a free slot (WAIT_LOCAL, WAIT_REMOTE),
 * or 0, and then m may be gone: with no job started, msg_done has
 * finished (and maybe freed) it. */
int
msg_start(struct qrun *q, struct msg *m)
{
	long long now = now_s();
	size_t i;
	int remote;

	/* waiting for a slot, it may have been removed (qrun -d) */
	if (m->blocked && removed(q, m)) {
		m->blocked = 0;
		if (m->njobs == 0)
			msg_done(q, m);
		return 0;
	}
	m->blocked = 0;
	for (i = 0; i < m->env->nrcpt; i++) {
		if (!due(q, m, i, now))
			continue;
		remote = !rcpt_local(m->env->rcpt[i]);
		if (job_slots(q, remote) == 0) {
			m->blocked |= remote ? WAIT_REMOTE : WAIT_LOCAL;
			continue;
		}
		start_job(q, m, i, remote, now);
	}
	if (m->njobs == 0 && !m->blocked) {
		msg_done(q, m);
		return 0;
	}
	return m->blocked;
}

/* A message loaded and waiting for a channel whose queue of waiters is
 * long enough: forget what was loaded and park it until that channel has
 * room (msg_unpark), so that it holds no memory and no other channel's
 * mail waits behind it (postel-qrun(8)). */
void
msg_park(struct qrun *q, struct msg *m)
{
	int c = m->blocked & WAIT_REMOTE ? 1 : 0;

	active_remove(q, m);
	msg_unload(m);
	m->blocked = 0;
	m->anext = NULL;
	*q->parked_tail[c] = m;
	q->parked_tail[c] = &m->anext;
	q->nparked[c]++;
}

/* Put up to n messages parked for channel c (1 remote, 0 local) back on
 * the heap, first parked first. */
void
msg_unpark(struct qrun *q, int c, size_t n)
{
	struct msg *m;

	while (n-- && (m = q->parked[c]) != NULL) {
		q->parked[c] = m->anext;
		if (q->parked[c] == NULL)
			q->parked_tail[c] = &q->parked[c];
		m->anext = NULL;
		q->nparked[c]--;
		heap_push(&q->wait, m);
	}
}

/* postel-queue(5) step 5, for a message all done: unlinked now, made
 * durable with others by msg_commit. Until then its delivery counts as
 * in flight (postel(7), invariant 2): a crash repeats it. */
static void
remove_msg(struct qrun *q, struct msg *m)
{
	if (queue_drop(q->qd, m->id) == -1) {
		/* The message stays, so its state must too, and say what is
		 * done (an all-ok message may have none yet): else the next
		 * runner delivers and bounces it all again. */
		warn_sys("unable to remove message %s", m->id);
		if (qstate_write(q->qd, m->id, m->st, m->env->nrcpt, m->warned,
		    1) == -1)
			warn_sys("unable to write the state of %s", m->id);
		return;
	}
	if (q->ngone == QRUN_COMMIT_MAX)
		msg_commit(q);
	if (q->ngone == 0)
		q->gone_at = mono_ms();
	memcpy(q->gone[q->ngone++], m->id, strlen(m->id) + 1);
}

void
msg_commit(struct qrun *q)
{
	struct logl l;
	size_t i;

	if (q->ngone == 0)
		return;
	if (queue_commit(q->qd) == -1) {
		/* The messages are unlinked but maybe not for good: keep
		 * their states; the cleanup removes those left orphans. */
		warn_sys("unable to sync the queue after removing %zu "
		    "messages", q->ngone);
		q->ngone = 0;
		return;
	}
	for (i = 0; i < q->ngone; i++) {
		if (queue_forget(q->qd, q->gone[i]) == -1)
			warn_sys("unable to finish removing %s", q->gone[i]);
		log_start(&l, "done");
		log_kv(&l, "qid", q->gone[i]);
		log_end(&l);
	}
	q->ngone = 0;
}

/* No recipient of m is left to do: queue the success notice it owes,
 * then the bounce, before it is removed (postel-queue(5) step 5). An
 * all-ok message may have no state on disk (step 4): a notice that
 * cannot be queued is recorded there, so that the message waits with
 * its deliveries done. A notice queued is forgotten at once, and on
 * disk before a bounce that fails is tried again: a crash between the
 * two at worst repeats the notice. 0, or -1: try again later. */
static int
reports(struct qrun *q, struct msg *m)
{
	size_t i;
	int r;

	if ((r = bounce_send(q, m, BOUNCE_SUCCESS)) == -1) {
		if (qstate_write(q->qd, m->id, m->st, m->env->nrcpt,
		    m->warned, 0) == -1)
			warn_sys("unable to write the state of %s", m->id);
		return -1;
	}
	for (i = 0; i < m->env->nrcpt; i++)
		m->st[i].notice = ACTION_NONE;
	if (bounce_send(q, m, BOUNCE_FAIL) == -1) {
		if (r == 0 && qstate_write(q->qd, m->id, m->st,
		    m->env->nrcpt, m->warned, 0) == -1)
			warn_sys("unable to write the state of %s", m->id);
		return -1;
	}
	return 0;
}

/* No job of m is running and none is waiting for a slot. */
void
msg_done(struct qrun *q, struct msg *m)
{
	long long now = now_s(), next = 0;
	size_t i, todo = 0;

	for (i = 0; i < m->env->nrcpt; i++)
		if (m->st[i].status == QS_TODO &&
		    (todo++ == 0 || m->st[i].next < next))
			next = m->st[i].next;
	active_remove(q, m);
	if (removed(q, m)) {
		forget(q, m);
		msg_free(m);
		return;
	}
	if (todo == 0) {
		if (reports(q, m) == -1) {
			next = now + 300;
			goto keep;
		}
		remove_msg(q, m);
		msg_free(m);
		return;
	}
	if (q->set.warn_after && !m->warned && m->env->from[0] &&
	    now - m->env->arrival >= (long long)q->set.warn_after) {
		/* Sent, then recorded: a warning that could not be queued
		 * is tried again on the next pass; a crash between the two
		 * steps sends it twice, which is the lesser harm. No one
		 * asked for one (NOTIFY without DELAY): nothing to record,
		 * a later pass looks again. */
		if (bounce_send(q, m, BOUNCE_DELAY) == 0) {
			m->warned = now;
			if (qstate_write(q->qd, m->id, m->st, m->env->nrcpt,
			    now, 0) == -1)
				warn_sys("unable to record the delay warning "
				    "in the state of %s", m->id);
		}
	}
keep:
	msg_unload(m);
	msg_wait(q, m, next > now ? next : now + 1);
}
