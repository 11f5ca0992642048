/*
 * qrun: the queue runner (postel-qrun(8)). Takes messages from new/,
 * runs local and remote for their recipients, records every result in
 * state/ before acting on it, retries on a schedule, bounces, removes.
 *   qrun        daemon: waits on the trigger FIFO; SIGTERM stops it
 *   qrun -1     one pass over everything due, then exit
 *   qrun -c     remove stale files (queue_clean) and exit
 *   qrun -d ID  remove messages from the queue, without bounces
 *   -f          force: treat every todo recipient as due now
 *   -1 -F SEL   one forced pass over the messages SEL selects (qreq.h)
 * SIGHUP, a "reload" request or a changed conf file: read conf again
 * (ctl.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "log.h"
#include "qrun.h"
#include "user.h"

#define SCAN_EVERY 60           /* safety net for a lost trigger byte */
#define CLEAN_EVERY 3600
#define STOP_GRACE 10           /* seconds running jobs get at SIGTERM */

static int sigpipe[2];
static volatile sig_atomic_t stop, hup;

long long
now_s(void)
{
	return (long long)time(NULL);
}

/* Deadlines and intervals do not move with the wall clock: setting it
 * back must not hold a hung delivery for as long, nor forward kill the
 * running ones. */
long long
mono_s(void)
{
	return mono_ms() / 1000;
}

long long
mono_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return now_s() * 1000;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
on_signal(int sig)
{
	int e = errno;

	if (sig == SIGTERM || sig == SIGINT)
		stop++;
	if (sig == SIGHUP)
		hup = 1;
	if (write(sigpipe[1], "", 1) == -1) {
		/* full: the loop is awake anyway */
	}
	errno = e;
}

static void
usage(void)
{
	die(EXIT_PERM, "usage: qrun [-1] [-c] [-f] | qrun -1 -F selector | "
	    "qrun -d id ...");
}

static void
clean(struct qrun *q)
{
	int n = queue_clean(q->qd, (long long)conf_u("tmp-grace"));
	struct logl l;

	if (n == -1) {
		warn_sys("unable to clean the queue");
		return;
	}
	log_start(&l, "cleaned");
	log_kvu(&l, "removed", (unsigned long long)n);
	log_end(&l);
}

/* Loaded messages that wait for a slot of a channel, at most: past that,
 * a message that waits for that channel alone is parked (msg_park). */
#define WAIT_MAX 64
/* Messages loaded in one round of start_due, at most. */
#define LOAD_MAX 512

/* No message can start now: each channel has every slot taken, or
 * WAIT_MAX messages waiting for one. */
static int
full(const struct qrun *q, const size_t nwait[2])
{
	return (!job_slots(q, 0) || nwait[0] >= WAIT_MAX) &&
	    (!job_slots(q, 1) || nwait[1] >= WAIT_MAX);
}

/* How many messages a job of each channel may take. A remote backlog is
 * spread over the free slots, so that it goes out in parallel sessions
 * rather than one long one. A local run serves one recipient, and one
 * recipient's messages are best delivered by few runs: each run syncs the
 * Maildir once, and more runs only contend for the same directory. So a
 * local backlog is spread over two runs at most (as Postfix's local
 * delivers to a recipient two at a time), which keeps a slow program of
 * one user's from holding all of that user's mail. */
#define LOCAL_RUNS 2

static size_t
spread_over(size_t want, size_t slots)
{
	size_t b = slots && want > slots ? (want + slots - 1) / slots : 1;

	return b > QRUN_BATCH_MAX ? QRUN_BATCH_MAX : b;
}

static void
spread(struct qrun *q)
{
	size_t want[2] = { 0, 0 }, f = job_slots(q, 0);
	struct msg *m;
	int w;

	for (m = q->active; m; m = m->anext) {
		w = msg_channels(q, m);
		want[0] += (w & WAIT_LOCAL) != 0;
		want[1] += (w & WAIT_REMOTE) != 0;
	}
	q->batch[0] = spread_over(want[0], f < LOCAL_RUNS ? f : LOCAL_RUNS);
	q->batch[1] = spread_over(want[1], job_slots(q, 1));
}

/* m waits now for the channels in w: count it, or park it if it waits
 * for a channel whose waiters are enough and has no job running. */
static void
waits(struct qrun *q, struct msg *m, int w, size_t nwait[2])
{
	int c = w & WAIT_REMOTE ? 1 : 0;

	if (!w)
		return;
	if (m->njobs == 0 && w != (WAIT_LOCAL | WAIT_REMOTE) &&
	    nwait[c] >= WAIT_MAX) {
		msg_park(q, m);
		return;
	}
	if (w & WAIT_LOCAL)
		nwait[0]++;
	if (w & WAIT_REMOTE)
		nwait[1]++;
}

/* Start what is due while slots are free. Due messages are loaded first,
 * then the waiting ones are started, oldest first, and then the new ones,
 * so that a job can take every loaded message that waits for the same
 * recipient or domain; q->batch spreads them over the free slots. nwait
 * holds how many loaded messages waited for each channel, and then how
 * many wait now. */
static void
start_due(struct qrun *q, size_t nwait[2])
{
	static struct msg *round[LOAD_MAX];
	long long now = now_s();
	struct msg *m, *next;
	size_t nload = 0, i, nfree;
	int c;

	for (c = 0; c < 2; c++)
		if (q->nparked[c] && job_slots(q, c) && nwait[c] < WAIT_MAX)
			msg_unpark(q, c, WAIT_MAX - nwait[c]);
	nfree = job_slots(q, 0) + job_slots(q, 1);
	while ((m = heap_top(&q->wait)) != NULL && !full(q, nwait) &&
	    nload < LOAD_MAX && nload < (nfree ? nfree : 1) * QRUN_BATCH_MAX &&
	    (q->once || m->next <= now)) {
		heap_pop(&q->wait);
		if (ctl_held(q, m) || msg_load(q, m) == -1)
			continue;
		round[nload++] = m;
	}
	spread(q);
	nwait[0] = nwait[1] = 0;
	for (m = q->active; m; m = next) {
		next = m->anext;
		if (m->blocked)
			waits(q, m, msg_start(q, m), nwait);
	}
	for (i = 0; i < nload; i++)
		waits(q, round[i], msg_start(q, round[i]), nwait);
}

/* How long poll may sleep: until the next scan, job deadline or due
 * message, in seconds of the monotonic clock. A due message counts only
 * when a slot is free for it: with every slot busy the exit of a child
 * wakes the loop (SIGCHLD), and counting it would spin. Never past the
 * next scan, whatever the wall clock does. */
static int
timeout_ms(const struct qrun *q, const size_t nwait[2], long long last_scan)
{
	long long mnow = mono_s(), t = last_scan + SCAN_EVERY, ms;
	struct msg *m = heap_top(&q->wait);
	struct job *j;

	/* m->next is wall clock: its distance from now, on mono's */
	if (m && !full(q, nwait)) {
		long long in = m->next - now_s();
		if (in < t - mnow)
			t = mnow + in;
	}
	for (j = q->jobs; j; j = j->next) {
		if (!j->killed && j->deadline < t)
			t = j->deadline;
		if (j->exited && j->out != -1 && j->exited_at + 1 < t)
			t = j->exited_at + 1;
	}
	if (stop)
		t = mnow + 1;
	if (t <= mnow)
		return 0;
	ms = (t - mnow) * 1000;
	/* removals wait for their sync no longer than QRUN_COMMIT_MS */
	if (q->ngone && q->gone_at + QRUN_COMMIT_MS - mono_ms() < ms)
		ms = q->gone_at + QRUN_COMMIT_MS - mono_ms();
	return ms < 0 ? 0 : (int)ms;
}

static void
lock_queue(const struct qrun *q)
{
	int fd = queue_lockfile(q->qd);

	if (fd == -1)
		die_sys(EXIT_TEMP, "unable to open %s/queue/lock", conf_root());
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK)
			die_sys(EXIT_TEMP, "unable to lock %s/queue/lock",
			    conf_root());
		if (q->once) {
			/* The daemon owns the queue: ask it to look, at the
			 * selected messages with -F. */
			char req[QREQ_LINE_MAX];
			if (q->only && fmt_s(req, sizeof req, "flush ") >= 0 &&
			    qsel_fmt(req + 6, sizeof req - 6, q->only) == 0) {
				if (qreq_send(q->qd, req) == -1)
					die_sys(EXIT_TEMP, "unable to ask the "
					    "running qrun to flush");
			} else
				queue_trigger(q->qd);
			warn("another qrun owns %s/queue; woke it instead",
			    conf_root());
			exit(0);
		}
		die(EXIT_TEMP, "another qrun owns %s/queue (lock held)",
		    conf_root());
	}
	/* fd stays open (and locked) for the life of the process */
}

static int
open_trigger(const struct qrun *q)
{
	int r, w;

	if ((r = queue_fifo(q->qd, O_RDONLY)) == -1)
		die_sys(EXIT_TEMP, "unable to open %s/queue/trigger",
		    conf_root());
	/* Our own writer keeps poll from reporting POLLHUP forever once
	 * the last enqueue has closed the FIFO. */
	if ((w = queue_fifo(q->qd, O_WRONLY)) == -1)
		die_sys(EXIT_TEMP, "unable to open %s/queue/trigger",
		    conf_root());
	return r;
}

static void
drain(int fd)
{
	char tmp[512];

	while (read(fd, tmp, sizeof tmp) > 0)
		;
}

static void
setup_signals(void)
{
	struct sigaction sa;

	if (fd_pipe(sigpipe) == -1 ||
	    fcntl(sigpipe[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(sigpipe[1], F_SETFL, O_NONBLOCK) == -1)
		die_sys(EXIT_TEMP, "unable to make a pipe");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	if (sigaction(SIGCHLD, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1)
		die_sys(EXIT_TEMP, "unable to set signal handlers");
	signal(SIGPIPE, SIG_IGN);
}

static void
run(struct qrun *q)
{
	struct pollfd *pf = NULL;
	struct job **pj = NULL, *j, *jn;
	size_t cap = 0, n, nwait[2] = { 0, 0 };
	long long last_scan = mono_s(), last_clean = mono_s(), stop_at = 0;
	int trig = q->once ? -1 : open_trigger(q);
	unsigned token;
	int status;

	ctl_stamp();
	if (msg_scan(q, QDIR_CUR) == -1 || msg_scan(q, QDIR_NEW) == -1)
		die_sys(EXIT_TEMP, "unable to read %s/queue", conf_root());
	if (q->only)
		ctl_only(q);
	for (;;) {
		if (stop && !stop_at)
			stop_at = mono_s() + STOP_GRACE;
		if (!stop)
			start_due(q, nwait);
		/* one sync for the removals of a moment (postel-queue(5)
		 * step 5); at once when nothing runs that could add more */
		if (q->ngone && (q->jobs == NULL ||
		    mono_ms() >= q->gone_at + QRUN_COMMIT_MS))
			msg_commit(q);
		if (q->jobs == NULL && (stop || (q->once && q->wait.n == 0 &&
		    q->nactive == 0 && q->nparked[0] + q->nparked[1] == 0)))
			break;
		/* a reload may raise the limits: one slot per job */
		if (pf == NULL || cap < q->nlocal + q->nremote + 3) {
			cap = q->nlocal + q->nremote + q->set.max_local +
			    q->set.max_remote + 3;
			free(pf);
			free(pj);
			if ((pf = calloc(cap, sizeof *pf)) == NULL ||
			    (pj = calloc(cap, sizeof *pj)) == NULL)
				die_sys(EXIT_TEMP, "unable to allocate");
		}
		n = 0;
		pf[n].fd = sigpipe[0];
		pf[n++].events = POLLIN;
		pf[n].fd = trig;
		pf[n++].events = POLLIN;
		pf[n].fd = spawn_on() ? spawn_fd() : -1;
		pf[n++].events = POLLIN;
		for (j = q->jobs; j && n < cap; j = j->next)
			if (j->out != -1) {
				pj[n] = j;
				pf[n].fd = j->out;
				pf[n++].events = POLLIN;
			}
		if (poll(pf, n, timeout_ms(q, nwait, last_scan)) == -1 &&
		    errno != EINTR)
			die_sys(EXIT_TEMP, "unable to poll");
		if (pf[0].revents)
			drain(sigpipe[0]);
		while (pf[2].revents && spawn_event(&token, &status))
			job_exited(q, token, status);
		for (size_t i = 3; i < n; i++)
			if (pf[i].revents)
				job_read(pj[i]);
		job_reap(q);
		for (j = q->jobs; j; j = jn) {
			jn = j->next;
			/* a child the delivery program left behind may hold
			 * its stdout: a second after the exit, what came is
			 * what counts */
			if (j->exited && j->out != -1 &&
			    mono_s() >= j->exited_at + 1) {
				job_read(j);
				if (j->out != -1) {
					close(j->out);
					j->out = -1;
				}
			}
			if (j->exited && j->out == -1)
				job_finish(q, j);
			else if (!j->killed && !j->exited &&
			    (mono_s() >= j->deadline ||
			    (stop_at && (mono_s() >= stop_at || stop > 1))))
				job_kill(j, stop ? "stopping" : "timeout");
		}
		if (q->once)
			continue;
		if (hup && !stop) {
			hup = 0;
			ctl_reload(q, "signal");
		}
		if (pf[1].revents && stop)
			drain(trig);    /* read later, by the next runner */
		if ((pf[1].revents && !stop) ||
		    mono_s() >= last_scan + SCAN_EVERY) {
			/* requests first: a reload they ask for applies to
			 * what the scan takes */
			ctl_read(q, trig);
			last_scan = mono_s();
			if (ctl_changed())
				ctl_reload(q, "change");
			if (msg_scan(q, QDIR_NEW) == -1)
				warn_sys("unable to look for new messages");
		}
		if (mono_s() >= last_clean + CLEAN_EVERY) {
			last_clean = mono_s();
			msg_commit(q);  /* else their states look orphaned */
			clean(q);
		}
	}
	free(pf);
	free(pj);
}

int
main(int argc, char **argv)
{
	int c, cleanonly = 0, del = 0, bad = 0;
	uid_t by = getuid();
	static struct qrun q;
	static struct qsel sel;
	const char *why;
	struct logl l;

	die_init(argv[0]);
	q.parked_tail[0] = &q.parked[0];
	q.parked_tail[1] = &q.parked[1];
	while ((c = getopt(argc, argv, "1cdfF:")) != -1) {
		switch (c) {
		case '1': q.once = 1; break;
		case 'c': cleanonly = 1; break;
		case 'd': del = 1; break;
		case 'f': q.force = 1; break;
		case 'F':
			if ((why = qsel_parse(&sel, optarg)) != NULL)
				die(EXIT_PERM, "bad selector %s: %s", optarg,
				    why);
			q.only = &sel;
			q.force = 1;
			break;
		default: usage();
		}
	}
	if (del ? optind == argc || q.once || cleanonly || q.force :
	    optind != argc || (q.only && (!q.once || cleanonly)))
		usage();
	if (getenv("POSTEL_QRUN_FORCE"))
		q.force = 1;
	umask(027);
	if (conf_load() == -1)
		die(EXIT_TEMP, "unable to read configuration: %s", conf_error());
	if ((why = settings(&q)) != NULL)
		die(EXIT_TEMP, "unable to read configuration: %s", why);
	/* as root: fork the spawner (only a run starts local), drop to
	 * qrun-user */
	spawn_init(!cleanonly && !del, (size_t)q.set.max_local + 4);
	if ((q.qd = queue_dir()) == -1)
		die_sys(EXIT_TEMP, "unable to open %s/queue", conf_root());
	if (del) {
		for (; optind < argc; optind++) {
			if (msg_delete(&q, argv[optind]) == -1) {
				int e = errno;
				warn("unable to remove %s: %s", argv[optind],
				    e == EINVAL ? "not a queue ID" :
				    e == ENOENT ? "not in the queue" :
				    strerror(e));
				if (bad != EXIT_TEMP)
					bad = e == EINVAL || e == ENOENT ?
					    EXIT_PERM : EXIT_TEMP;
				continue;
			}
			log_start(&l, "deleted");
			log_kv(&l, "qid", argv[optind]);
			log_kvu(&l, "uid", (unsigned long long)by);
			log_end(&l);
		}
		/* a daemon forgets the messages when it next looks at them */
		return bad;
	}
	if (cleanonly) {
		lock_queue(&q);
		clean(&q);
		return 0;
	}
	setup_signals();
	lock_queue(&q);
	if (!q.once)
		clean(&q);
	log_start(&l, "start");
	log_kv(&l, "mode", q.once ? "pass" : "daemon");
	log_kvu(&l, "pid", (unsigned long long)getpid());
	log_end(&l);
	run(&q);
	log_start(&l, "stop");
	log_kvu(&l, "pid", (unsigned long long)getpid());
	log_end(&l);
	return 0;
}
