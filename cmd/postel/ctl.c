/*
 * postel flush, hold, release, delete, reload: requests to the running
 * qrun are lines on queue/trigger (postel-queue(5), qreq.h); hold is a
 * marker file queue/hold/ID that qrun looks for before it starts a
 * message; delete is qrun -d, which removes and logs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "die.h"
#include "fmt.h"
#include "log.h"
#include "postel.h"

#define DELETE_BATCH 256        /* IDs per qrun -d */

static void
logid(const char *event, const char *id)
{
	struct logl l;

	log_start(&l, event);
	log_kv(&l, "qid", id);
	log_kvu(&l, "uid", caller);
	log_end(&l);
}

/* The queue, for its trigger only: no drop to the queue owner is needed
 * to write a line to a FIFO. A user who may not is told what to use. */
static int
open_trigger_dir(void)
{
	int qd = queue_dir();

	if (qd == -1 && (errno == EACCES || errno == EPERM))
		die_sys(EXIT_PERM, "unable to open %s/queue (run as root or "
		    "the queue user; others may use sendmail -q)",
		    conf_root());
	if (qd == -1)
		die_sys(EXIT_TEMP, "unable to open %s/queue", conf_root());
	return qd;
}

/* No daemon: one forced pass over the selected messages does it. */
static int
pass(const struct qsel *q)
{
	char text[ADDR_MAX + 8];
	char *av[] = { "qrun", "-1", "-F", text, NULL };

	if (qsel_fmt(text, sizeof text, q) == -1)
		return EXIT_PERM;
	return run_prog("qrun", av);
}

/* The selector of the one message id */
static void
one_id(struct qsel *q, const char *id)
{
	memset(q, 0, sizeof *q);
	q->kind = QSEL_ID;
	fmt_s(q->arg, sizeof q->arg, "%s", id);
}

/* Ask the daemon to flush q: 0 sent, 1 no daemon, else an exit code */
static int
ask(int qd, const struct qsel *q)
{
	char line[QREQ_LINE_MAX];

	if (fmt_s(line, sizeof line, "flush ") < 0 ||
	    qsel_fmt(line + 6, sizeof line - 6, q) == -1) {
		warn("selector too long");
		return EXIT_PERM;
	}
	if (qreq_send(qd, line) == 0)
		return 0;
	if (errno == ENXIO)
		return 1;
	if (errno == EAGAIN)    /* full: qrun is behind; one line is lost */
		warn("the trigger is full; try again in a moment");
	else
		warn_sys("unable to write %s/queue/trigger", conf_root());
	return EXIT_TEMP;
}

/* flush: as the caller (root or the queue user), since it only writes to
 * the FIFO; without a daemon, qrun -1 -F makes one pass, and as root
 * that qrun becomes qrun-user itself. */
int
cmd_flush(int argc, char **argv)
{
	struct qsel one, *q;
	struct sel s;
	size_t i, n;
	int qd, r, worst = 0, none = 0;

	sel_parse(&s, argc - 1, argv + 1, 1);
	qd = open_trigger_dir();
	n = s.q.kind ? 1 : s.nids;
	for (i = 0; i < n; i++) {
		q = &s.q;
		if (!s.q.kind) {
			one_id(&one, s.ids[i]);
			q = &one;
		}
		if (!none && (r = ask(qd, q)) != 1) {
			if (r > worst)
				worst = r;
			continue;
		}
		if (!none)
			warn("no queue runner is running; running one pass");
		none = 1;
		if ((r = pass(q)) > worst)
			worst = r;
	}
	close(qd);
	return worst;
}

int
cmd_reload(int argc, char **argv)
{
	int qd;

	(void)argv;
	if (argc != 1)
		die(EXIT_PERM, "usage: postel reload");
	qd = open_trigger_dir();
	if (qreq_send(qd, "reload") == -1) {
		if (errno == ENXIO)
			die(EXIT_TEMP, "no queue runner is running");
		die_sys(EXIT_TEMP, "unable to write %s/queue/trigger",
		    conf_root());
	}
	return 0;
}

/* hold (on) or release each selected message; a released one is
 * tried at once */
static int
hold(int argc, char **argv, int on)
{
	struct qsel q;
	struct sel s;
	char **ids;
	size_t n, missing, i;
	int qd, r = 0, c;

	qd = sel_open(&s, argc - 1, argv + 1, 0, &ids, &n, &missing);
	for (i = 0; i < n; i++) {
		if ((c = queue_hold(qd, ids[i], on)) == -1) {
			warn_sys("unable to %s %s", on ? "hold" : "release",
			    ids[i]);
			/* a message delivered meanwhile needs no marker */
			if (!on || errno != ENOENT)
				r = EXIT_TEMP;
			continue;
		}
		if (!on && c == 0) {
			if (s.q.kind == 0)
				warn("%s: not held", ids[i]);
			continue;
		}
		logid(on ? "held" : "released", ids[i]);
		if (on)
			continue;
		/* try it now; with no daemon, the next pass will */
		one_id(&q, ids[i]);
		if (ask(qd, &q) > 1)
			r = EXIT_TEMP;
	}
	if (on && n && queue_hold_sync(qd) == -1)
		die_sys(EXIT_TEMP, "unable to sync the hold markers of %s",
		    conf_root());
	sel_free(ids, n);
	return r ? r : missing ? EXIT_PERM : 0;
}

int
cmd_hold(int argc, char **argv)
{
	return hold(argc, argv, 1);
}

int
cmd_release(int argc, char **argv)
{
	return hold(argc, argv, 0);
}

/* delete: qrun -d removes each message and logs who did it */
int
cmd_delete(int argc, char **argv)
{
	char *av[DELETE_BATCH + 3];
	struct sel s;
	char **ids;
	size_t n, missing, i, k;
	int r, worst = 0;

	close(sel_open(&s, argc - 1, argv + 1, 0, &ids, &n, &missing));
	if (n == 0 && !missing)
		warn("no queued message matches");
	for (i = 0; i < n; i += k) {
		av[0] = "qrun";
		av[1] = "-d";
		for (k = 0; k < DELETE_BATCH && i + k < n; k++) {
			/* qrun -d logs the queue owner's uid: say who asked */
			logid("delete", ids[i + k]);
			av[2 + k] = ids[i + k];
		}
		av[2 + k] = NULL;
		if ((r = run_prog("qrun", av)) > worst)
			worst = r;
	}
	sel_free(ids, n);
	return worst ? worst : missing ? EXIT_PERM : 0;
}
