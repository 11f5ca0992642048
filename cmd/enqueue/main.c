/*
 * enqueue: write one message and its envelope into the queue durably, then
 * wake qrun. The message is read from stdin; the queue ID goes to stdout.
 * Exit 0 only once the message survives a power cut (postel-queue(5)),
 * 100 for an invalid envelope or an oversized message, 111 otherwise.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "die.h"
#include "fmt.h"
#include "log.h"
#include "qreq.h"
#include "queue.h"

/* the origin local(8) gives a forward (cmd/local/pipe.c) */
#define FORWARD_ORIGIN "local forward "

static void
usage(void)
{
	die(EXIT_PERM, "usage: enqueue [-u] [-8] [-T] [-N notify] [-R ret] "
	    "[-V envid] [-d 'n requests'] ... [-o origin] [-q id] -f sender "
	    "[--] recipient ... | enqueue -F selector");
}

static unsigned
check(const char *what, const char *s, int null_ok)
{
	struct addr a;
	const char *why;

	why = addr_parse(&a, s, strlen(s), ADDR_UTF8 | (null_ok ? ADDR_NULL_OK : 0));
	if (why != NULL) {
		char safe[80];
		size_t i;
		for (i = 0; s[i] && i + 1 < sizeof safe; i++)
			safe[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
		safe[i] = '\0';
		die(EXIT_PERM, "bad %s address %s: %s", what, safe, why);
	}
	return (a.flags & ADDR_UTF8) ? QF_UTF8 : 0;
}

/*
 * Installed setgid to the queue group (postel-security(7)), enqueue runs
 * for users who may not write the queue themselves. Then it trusts
 * nothing from them but the message: the instance must be a real one
 * (root directory not the caller's, not writable by others, queue/ a
 * directory of the queue group), the origin says the caller's uid, -q is
 * refused, and a Received: line naming the uid goes on top.
 * The check is on the descriptors the message then goes through: the
 * root is opened once, without following a link at its last component,
 * and conf/ and queue/ are found from it. Checking a path and opening it
 * again later let a caller swap the directory in between.
 */
static int
elevated_root(int rootfd, const struct stat *sq)
{
	struct stat sr;

	if (fstat(rootfd, &sr) == -1)
		return -1;
	if (!S_ISDIR(sr.st_mode) || !S_ISDIR(sq->st_mode) ||
	    (getuid() != 0 && sr.st_uid == getuid()) ||
	    (sr.st_mode & 022) || sq->st_gid != getegid()) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/*
 * Root writing into a queue that belongs to another user (the demo that
 * `make run` gives to nobody, a user's own instance) would leave files
 * of root's, mode 0640, that qrun, running as that user, can never open.
 * So root becomes the owner and group of queue/ before it creates
 * anything; the caller's uid is kept for the origin, the Received: line
 * and the log.
 */
static void
become_owner(const struct stat *sq)
{
	gid_t g = sq->st_gid;
	uid_t u = sq->st_uid;

	if (geteuid() != 0 || u == 0)
		return;
	if (setgroups(1, &g) == -1 || setgid(g) == -1 || setuid(u) == -1)
		die_sys(EXIT_TEMP, "unable to become uid %lu gid %lu, the owner "
		    "of %s/queue", (unsigned long)u, (unsigned long)g,
		    conf_root());
	if (getuid() != u || geteuid() != u || getgid() != g ||
	    getegid() != g || setuid(0) != -1)
		die(EXIT_TEMP, "unable to drop root for the owner of %s/queue",
		    conf_root());
}

/* Whoever writes, the queue's owner must be able to read what lands
 * there: as owner, or through the group of queue/ (the queue group, the
 * owner's own), or as root. Anything else would wait for ever. */
static void
readable(struct qw *w, const struct stat *sq)
{
	struct stat sf;

	if (fstat(w->fd, &sf) == -1) {
		qw_abort(w);
		die_sys(EXIT_TEMP, "unable to stat %s", w->id);
	}
	if (sq->st_uid != 0 && sf.st_uid != sq->st_uid &&
	    sf.st_gid != sq->st_gid) {
		qw_abort(w);
		die(EXIT_TEMP, "unable to queue: a file of uid %lu gid %lu "
		    "would be unreadable to the owner of %s/queue (uid %lu "
		    "gid %lu); run enqueue as that user or through its group",
		    (unsigned long)sf.st_uid, (unsigned long)sf.st_gid,
		    conf_root(), (unsigned long)sq->st_uid,
		    (unsigned long)sq->st_gid);
	}
}

static void
received(struct qw *w, uid_t uid)
{
	char hdr[256], date[FMT_DATE_MAX];

	fmt_date(date, sizeof date, (long long)time(NULL));
	if (fmt_s(hdr, sizeof hdr, "Received: (postel enqueue invoked by "
	    "uid %lu);\n\t%s\n", (unsigned long)uid, date) < 0 ||
	    qw_write(w, hdr, strlen(hdr)) == -1) {
		qw_abort(w);
		die_sys(EXIT_TEMP, "unable to write %s", w->id);
	}
}

/* Open the instance once, and its queue: the queue's descriptor; the
 * root's in *rootfd, the queue's stat in *sq. Setgid, only an instance
 * of this queue group will do (postel-security(7)). */
static int
instance(int elevated, int *rootfd, struct stat *sq)
{
	int qd;

	if ((*rootfd = conf_root_open(elevated)) == -1)
		die_sys(EXIT_TEMP, "unable to open instance %s", conf_root());
	if ((qd = queue_dir_at(*rootfd)) == -1 || fstat(qd, sq) == -1)
		die_sys(EXIT_TEMP, "unable to open queue %s/queue", conf_root());
	if (elevated && elevated_root(*rootfd, sq) == -1)
		die_sys(EXIT_TEMP, "%s is not a postel instance of this "
		    "queue group", conf_root());
	return qd;
}

/* -F: one flush request to the running qrun (postel-queue(5),
 * "Requests"), with the queue group's right to write the FIFO; the
 * instance is checked as for a message. Nothing else can be asked. */
_Noreturn static void
flush(const char *sel, int elevated)
{
	const char *why;
	char line[QREQ_LINE_MAX];
	struct qsel q;
	struct stat sq;
	int rootfd, qd;

	if ((why = qsel_parse(&q, sel)) != NULL ||
	    (why = fmt_s(line, sizeof line, "flush %s", sel) < 0 ?
	    "too long" : NULL) != NULL) {
		char safe[80];
		fmt_safe(safe, sizeof safe, sel, strlen(sel));
		die(EXIT_PERM, "bad flush selector %s: %s", safe, why);
	}
	qd = instance(elevated, &rootfd, &sq);
	if (qreq_send(qd, line) == -1) {
		if (errno == ENXIO || errno == ENOENT)
			die(EXIT_TEMP, "no queue runner is running");
		if (errno == EAGAIN)
			die(EXIT_TEMP, "the queue runner has too many requests "
			    "waiting; try again");
		die_sys(EXIT_TEMP, "unable to write a request to %s/queue/"
		    "trigger", conf_root());
	}
	exit(0);
}

int
main(int argc, char **argv)
{
	const char *from = NULL, *origin = NULL, *id = NULL, *sel = NULL;
	struct qdsn dsn;
	struct qrdsn *rdsn = NULL, one;
	size_t nr, maxr = 0;
	struct qextra x;
	unsigned flags = 0;
	struct qw w;
	struct logl l;
	struct stat sq;
	char mine[64];
	int c, rootfd, qd, i, elevated;
	uid_t uid = getuid();       /* the caller, whoever we become */

	die_init(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	umask(027);
	memset(&dsn, 0, sizeof dsn);
	while ((c = getopt(argc, argv, "F:f:o:q:u8TN:R:V:d:")) != -1) {
		switch (c) {
		case 'F': sel = optarg; break;
		case 'd':
			/* one recipient's requests, as its dsn line
			 * (postel-queue(5)); kept until the recipients
			 * are known */
			if (qrdsn_parse(optarg, &nr, &one) == -1)
				die(EXIT_PERM, "bad -d: N notify=WORDS "
				    "orcpt=TYPE;XTEXT (RFC 3461)");
			/* the recipients are among the arguments: no more
			 * entries than there are arguments */
			if (nr >= (size_t)argc)
				die(EXIT_PERM, "-d names recipient %zu of "
				    "fewer", nr);
			if (rdsn == NULL || nr > maxr) {
				struct qrdsn *g = realloc(rdsn, nr * sizeof *g);
				if (g == NULL)
					die_sys(EXIT_TEMP, "unable to allocate");
				if (nr > maxr) {
					memset(g + maxr, 0,
					    (nr - maxr) * sizeof *g);
					maxr = nr;
				}
				rdsn = g;
			}
			rdsn[nr - 1] = one;
			break;
		case 'N':
			if (qdsn_notify_parse(optarg, &dsn.notify) == -1)
				die(EXIT_PERM, "bad -N: never, or a list of "
				    "success, failure, delay");
			break;
		case 'R':
			if (qdsn_ret_parse(optarg, &dsn.ret) == -1)
				die(EXIT_PERM, "bad -R: full or hdrs");
			break;
		case 'V':
			if (!qdsn_envid_ok(optarg))
				die(EXIT_PERM, "bad -V: xtext of at most %d "
				    "characters (RFC 3461)", QUEUE_ENVID_MAX);
			fmt_s(dsn.envid, sizeof dsn.envid, "%s", optarg);
			break;
		case 'q': id = optarg; break;
		case 'f': from = optarg; break;
		case 'o': origin = optarg; break;
		case 'u': flags |= QF_UTF8; break;
		case '8': flags |= QF_8BIT; break;
		case 'T': flags |= QF_REQUIRETLS; break;
		default: usage();
		}
	}
	elevated = getegid() != getgid();
	if (sel != NULL) {
		if (from || origin || id || flags || optind != argc ||
		    dsn.notify || dsn.ret || dsn.envid[0] || rdsn)
			usage();
		flush(sel, elevated);
	}
	if (from == NULL)
		usage();
	if (elevated) {
		if (id != NULL)
			die(EXIT_PERM, "-q is for smtpd, not for other users");
		fmt_s(mine, sizeof mine, "sendmail uid=%lu", (unsigned long)uid);
		/* local's forwards keep saying so: remote signs a user's
		 * submission, never mail that only passes through
		 * (postel-remote(8), DKIM); a caller may give up signing
		 * this way, never gain it */
		if (origin != NULL && strncmp(origin, FORWARD_ORIGIN,
		    strlen(FORWARD_ORIGIN)) == 0)
			fmt_s(mine, sizeof mine, "forward uid=%lu",
			    (unsigned long)uid);
		else if (origin == NULL || strcmp(origin, mine) != 0)
			fmt_s(mine, sizeof mine, "enqueue uid=%lu",
			    (unsigned long)uid);
		origin = mine;
	}
	if (optind >= argc)
		die(EXIT_PERM, "no recipients");
	if (maxr > (size_t)(argc - optind))
		die(EXIT_PERM, "-d names recipient %zu of %d", maxr,
		    argc - optind);
	if (rdsn != NULL) {
		/* one entry per recipient, as qw_envelope_x wants */
		struct qrdsn *g = realloc(rdsn,
		    (size_t)(argc - optind) * sizeof *g);
		if (g == NULL)
			die_sys(EXIT_TEMP, "unable to allocate");
		memset(g + maxr, 0, ((size_t)(argc - optind) - maxr) * sizeof *g);
		rdsn = g;
	}
	if (id != NULL && !queue_id_ok(id))
		die(EXIT_PERM, "bad queue ID: it must look like 1764095996.123456.4121");
	flags |= check("sender", from, 1);
	for (i = optind; i < argc; i++)
		flags |= check("recipient", argv[i], 0);
	qd = instance(elevated, &rootfd, &sq);
	become_owner(&sq);
	if (conf_load_at(rootfd) == -1)
		die(EXIT_TEMP, "unable to read configuration: %s", conf_error());
	if ((id ? qw_begin_id(&w, qd, conf_u("max-size") + QUEUE_ROOM, id) :
	    qw_begin(&w, qd, conf_u("max-size") + QUEUE_ROOM)) == -1) {
		char tmp[PATH_MAX];
		if (queue_tmppath(tmp, sizeof tmp) == -1)
			fmt_s(tmp, sizeof tmp, "the queue");
		die_sys(EXIT_TEMP, "unable to create a file in %s", tmp);
	}
	readable(&w, &sq);
	x.dsn = &dsn;
	x.rdsn = rdsn;
	x.auth = NULL;
	if (qw_envelope_x(&w, from, argv + optind, (size_t)(argc - optind),
	    flags, origin, &x) == -1) {
		qw_abort(&w);
		die_sys(EXIT_TEMP, "unable to write %s", w.id);
	}
	if (elevated)
		received(&w, uid);
	if (qw_copy(&w, 0) == -1) {
		qw_abort(&w);
		if (errno == EMSGSIZE)
			die(EXIT_PERM, "message larger than max-size %llu "
			    "plus %d", conf_u("max-size"), QUEUE_ROOM);
		die_sys(EXIT_TEMP, "unable to write %s", w.id);
	}
	if (qw_commit(&w) == -1) {
		qw_abort(&w);
		die_sys(EXIT_TEMP, "unable to commit %s", w.id);
	}
	free(rdsn);
	queue_trigger(qd);
	log_start(&l, "queued");
	log_kv(&l, "qid", w.id);
	{
		char fb[ADDR_MAX + 3];
		snprintf(fb, sizeof fb, "<%s>", from);
		log_kv(&l, "from", fb);
	}
	log_kvu(&l, "rcpts", (unsigned long long)(argc - optind));
	log_kvu(&l, "size", w.size);
	log_kvu(&l, "uid", (unsigned long long)uid);
	if (getenv("POSTEL_QUIET") == NULL)
		log_end(&l);
	if (printf("%s\n", w.id) < 0 || fflush(stdout) == EOF)
		die_sys(EXIT_TEMP, "message %s queued, but unable to say so", w.id);
	return 0;
}
