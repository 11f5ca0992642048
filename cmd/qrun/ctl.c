/*
 * qrun control: what an administrator asks of a running qrun
 * (postel-qrun(8)). Requests come as lines on queue/trigger between the
 * wake-up bytes (postel-queue(5)): "flush SELECTOR" makes the matching
 * messages due now with every recipient still to do, "reload" reads the
 * configuration again, as SIGHUP and a changed conf/postel.conf or
 * conf/domains do. A marker queue/hold/ID keeps a message from being
 * started; it is looked at again every HOLD_RECHECK seconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "log.h"
#include "qrun.h"
#include "user.h"

#define HOLD_RECHECK 60

/* retry-schedule through lib/conf's parser (the one check uses): into
 * tab (n entries, *max the longest); NULL or what is wrong */
static const char *
schedule(long long *tab, size_t cap, size_t *n, long long *max)
{
	size_t i;

	if (conf_schedule(tab, cap, n) == -1)
		return "retry-schedule must be seconds from 1 to 31536000, "
		    "blank-separated";
	*max = 0;
	for (i = 0; i < *n; i++)
		if (tab[i] > *max)
			*max = tab[i];
	if (*n == 0)
		tab[(*n)++] = *max = 60;
	return NULL;
}

/* The values qrun keeps from postel.conf, checked before any is used, so
 * that a reload takes all of them or none. The user tables (local
 * domains) are read again here too: conf_reload undoes postel.conf when
 * they fail. */
const char *
settings(struct qrun *q)
{
	static char why[CONF_LINE_MAX + 64];
	struct settings n;
	const char *w;

	if ((w = schedule(n.retry, QRUN_RETRY_MAX, &n.nretry, &n.retry_max))
	    != NULL) {
		char path[PATH_MAX];
		if (conf_path(path, sizeof path, "conf/postel.conf") == -1)
			fmt_s(path, sizeof path, "conf/postel.conf");
		fmt_s(why, sizeof why, "%s: %s", path, w);
		return why;
	}
	if (user_reload() == -1)
		return conf_error();
	n.max_local = conf_u("concurrency-local");
	n.max_remote = conf_u("concurrency-remote");
	/* The root spawner's table of local jobs is sized once, at start
	 * (spawn.c): a reload may lower concurrency-local but not raise it
	 * past that while it runs. (The poll table grows in main.c.) */
	if (q->cap_local == 0)
		q->cap_local = n.max_local;
	else if (spawn_on() && n.max_local > q->cap_local) {
		warn("concurrency-local above %llu needs a restart of qrun; "
		    "kept at %llu", q->cap_local, q->cap_local);
		n.max_local = q->cap_local;
	}
	n.timeout_s = conf_u("delivery-timeout");
	n.lifetime = conf_u("queue-lifetime");
	n.blifetime = conf_u("bounce-lifetime");
	n.warn_after = conf_u("delay-warning");
	q->set = n;
	return NULL;
}

/* settings() as conf_reload's check */
static const char *
check(void *q)
{
	return settings(q);
}

/* What a file looked like, to notice an edit (or a file put in place by
 * rename) without reading it. */
struct stamp {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	int there;
};
static const char *const watched[] = { "conf/postel.conf", "conf/domains" };
#define NWATCHED (sizeof watched / sizeof watched[0])
static struct stamp stamps[NWATCHED];

static void
stamp(const char *rel, struct stamp *s)
{
	char path[PATH_MAX];
	struct stat sb;

	memset(s, 0, sizeof *s);
	if (conf_path(path, sizeof path, rel) == -1 || stat(path, &sb) == -1)
		return;         /* missing (a default) or unreadable: as is */
	s->dev = sb.st_dev;
	s->ino = sb.st_ino;
	s->size = sb.st_size;
	s->mtime = sb.st_mtim;
	s->ctime = sb.st_ctim;
	s->there = 1;
}

void
ctl_stamp(void)
{
	size_t i;

	for (i = 0; i < NWATCHED; i++)
		stamp(watched[i], &stamps[i]);
}

int
ctl_changed(void)
{
	struct stamp s;
	size_t i;

	for (i = 0; i < NWATCHED; i++) {
		stamp(watched[i], &s);
		if (s.there != stamps[i].there || s.dev != stamps[i].dev ||
		    s.ino != stamps[i].ino || s.size != stamps[i].size ||
		    s.mtime.tv_sec != stamps[i].mtime.tv_sec ||
		    s.mtime.tv_nsec != stamps[i].mtime.tv_nsec ||
		    s.ctime.tv_sec != stamps[i].ctime.tv_sec ||
		    s.ctime.tv_nsec != stamps[i].ctime.tv_nsec)
			return 1;
	}
	return 0;
}

void
ctl_reload(struct qrun *q, const char *by)
{
	struct logl l;

	/* stamped first: a file broken now is reported once, not at every
	 * scan; the next edit of it is a change again */
	ctl_stamp();
	if (conf_reload(check, q) == -1) {
		log_start(&l, "reload-failed");
		log_kv(&l, "by", by);
		log_kv(&l, "why", conf_error());
		log_kv(&l, "kept", "old");
		log_end(&l);
		return;
	}
	log_start(&l, "reloaded");
	log_kv(&l, "by", by);
	log_end(&l);
}

/* 1 if waiting message m matches s; reads its envelope when s needs it */
static int
matches(const struct qrun *q, const struct qsel *s, const struct msg *m)
{
	if (m->loaded)
		return qsel_match(s, m->id, m->env);
	/* gone: the schedule finds out itself */
	return qsel_match_file(q->qd, QDIR_CUR, s, m->id);
}

static void
flush(struct qrun *q, const struct qsel *s)
{
	struct msg **v, *m;
	size_t n = 0, i, k, total = 0;
	char text[ADDR_MAX + 8];
	struct logl l;

	/* matches first, then the heap changes: heap_due moves entries */
	if ((v = calloc(q->wait.n + 1, sizeof *v)) == NULL) {
		warn_sys("unable to flush");
		return;
	}
	for (i = 0; i < q->wait.n; i++)
		if (matches(q, s, m = q->wait.v[i]))
			v[n++] = m;
	for (i = 0; i < n; i++) {
		v[i]->flush = 1;
		heap_due(&q->wait, v[i]);
	}
	total = n;
	free(v);
	/* parked ones: as waiting ones, once they are back on the heap */
	for (i = 0; i < 2; i++)
		for (m = q->parked[i]; m; m = m->anext)
			if (matches(q, s, m)) {
				m->flush = 1;
				total++;
			}
	/* loaded ones: their todo recipients are due as soon as no job of
	 * theirs runs (msg_done puts them back on the heap) */
	for (m = q->active; m; m = m->anext) {
		if (!matches(q, s, m))
			continue;
		for (k = 0; k < m->env->nrcpt; k++)
			if (m->st[k].status == QS_TODO && !m->busy[k])
				m->st[k].next = 0;
		total++;
	}
	qsel_fmt(text, sizeof text, s);
	log_start(&l, "flush");
	log_kv(&l, "select", text);
	log_kvu(&l, "messages", total);
	log_end(&l);
}

/* qrun -1 -F: only the selected messages are tried in this pass */
void
ctl_only(struct qrun *q)
{
	struct msg **v, *m;
	size_t n = 0, i;

	if ((v = calloc(q->wait.n + 1, sizeof *v)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	while ((m = heap_pop(&q->wait)) != NULL)
		if (matches(q, q->only, m))
			v[n++] = m;
		else
			msg_free(m);
	for (i = 0; i < n; i++)
		heap_push(&q->wait, v[i]);
	free(v);
}

int
ctl_held(struct qrun *q, struct msg *m)
{
	struct logl l;

	if (!queue_held(q->qd, m->id)) {
		/* no marker, or no hold/ at all */
		m->held = 0;
		return 0;
	}
	if (!m->held) {
		log_start(&l, "held");
		log_kv(&l, "qid", m->id);
		log_end(&l);
		m->held = 1;
	}
	msg_wait(q, m, now_s() + HOLD_RECHECK);
	return 1;
}

/* An unknown line is logged and ignored (postel-queue(5)). */
static void
bad(const char *line, const char *why)
{
	struct logl l;

	log_start(&l, "bad-request");
	log_kvb(&l, "line", line, strlen(line) > 200 ? 200 : strlen(line));
	log_kv(&l, "why", why);
	log_end(&l);
}

/* A flush by sender or recipient reads every waiting envelope, and
 * any local user may ask for one (enqueue -F): a burst of them must not
 * hold deliveries up. Per read of the FIFO at most this many are done;
 * the rest are dropped with one log line (a dropped flush only leaves
 * mail to its retry schedule). */
#define ENV_FLUSHES_MAX 8
static size_t env_flushes, env_dropped;

static void
request(struct qrun *q, const char *line)
{
	struct qreq r;
	const char *why;

	if ((why = qreq_parse(&r, line)) != NULL) {
		bad(line, why);
		return;
	}
	if (r.kind == QREQ_RELOAD)
		ctl_reload(q, "request");
	else if (qsel_needs_env(&r.sel) && env_flushes++ >= ENV_FLUSHES_MAX)
		env_dropped++;
	else
		flush(q, &r.sel);
}

/* Everything in the FIFO now: NUL bytes are wake-ups, other bytes make
 * lines. A line is written in one write (qreq_send), so it is whole
 * unless our own read cut it: the start is kept for the next call. A
 * line longer than QREQ_LINE_MAX is dropped up to its newline. */
void
ctl_read(struct qrun *q, int fd)
{
	static char line[QREQ_LINE_MAX + 1];
	static size_t len;
	static int skip;
	char tmp[4096];
	ssize_t r, i;
	struct logl l;

	env_flushes = env_dropped = 0;
	while ((r = fd_read(fd, tmp, sizeof tmp)) > 0) {
		for (i = 0; i < r; i++) {
			char c = tmp[i];
			if (c == '\0')
				continue;
			if (c == '\n') {
				line[len] = '\0';
				if (!skip && len)
					request(q, line);
				len = 0;
				skip = 0;
				continue;
			}
			if (len == QREQ_LINE_MAX) {
				if (!skip) {
					line[len] = '\0';
					bad(line, "line too long");
				}
				skip = 1;
				len = 0;
			}
			if (!skip)
				line[len++] = c;
		}
	}
	if (env_dropped) {
		log_start(&l, "flush-dropped");
		log_kvu(&l, "requests", env_dropped);
		log_end(&l);
	}
}
