/*
 * sendmail: the sendmail-compatible front end (postel-sendmail(8)), and
 * mailq when called by that name. It spools the message to an unlinked
 * temporary file, so that a sendmail killed half way queues nothing, then
 * hands the whole file to enqueue. Exit codes follow sysexits.h.
 */
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "die.h"
#include "fd.h"
#include "filter.h"
#include "fmt.h"
#include "queue.h"
#include "sendmail.h"
#include "submit.h"

enum { M_SEND, M_LIST, M_SMTP, M_QUEUE, M_NOOP };

struct args {
	int mode, verbose, kv;
	struct msgopt m;
	char **rcpt;
	int nrcpt;
};

_Noreturn static void
usage(const char *why, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\n", die_prog(), why, arg ? ": " : "",
	    arg ? arg : "");
	fprintf(stderr, "usage: sendmail [-t] [-i] [-f sender] [-F name] "
	    "[-bm|-bp|-bs|-q] [--] [recipient ...]\n");
	exit(EX_USAGE_);
}

/* The value of option c: attached ("-fX") or the next argument. */
static const char *
optval(char **argv, int *i, const char *s)
{
	if (s[2])
		return s + 2;
	if (argv[*i + 1] == NULL)
		usage("option needs a value", s);
	return argv[++*i];
}

static void
parse(int argc, char **argv, struct args *a)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (s[0] != '-' || s[1] == '\0')
			break;
		if (strcmp(s, "--") == 0) {
			i++;
			break;
		}
		switch (s[1]) {
		case 't': if (s[2]) usage("unknown option", s); a->m.hdr_rcpts = 1; break;
		case 'i': if (s[2]) usage("unknown option", s); a->m.dot = 0; break;
		case 'v': a->verbose = 1; break;
		case 'f':
		case 'r': a->m.from = optval(argv, &i, s); break;
		case 'F': a->m.fullname = optval(argv, &i, s); break;
		case 'o':
			/* sendmail options: only -oi matters; the error, delivery
			 * and other modes (-oem -odb -odi ...) are accepted. */
			if (strcmp(s, "-oi") == 0)
				a->m.dot = 0;
			else if (s[2] == '\0')
				usage("option needs a value", s);
			break;
		case 'B':
		case 'N':
		case 'R':
		case 'V':
		case 'L':
		case 'O':
		case 'C':
		case 'X':
		case 'h':
			/* body type, DSN notify/return/envid, log tag, options,
			 * config file, traffic log, hop count: accepted, unused */
			(void)optval(argv, &i, s);
			break;
		case 'U':
		case 'G':
		case 'n':
		case 'm':
		case 'e':
		case 'x':
		case 'A':
		case 'd':
			break;          /* flags sendmail itself ignores here */
		case 'q':
			a->mode = M_QUEUE;
			break;
		case 'b':
			if (!strcmp(s, "-bm"))
				a->mode = M_SEND;
			else if (!strcmp(s, "-bp"))
				a->mode = M_LIST;
			else if (!strcmp(s, "-bs"))
				a->mode = M_SMTP;
			else if (!strcmp(s, "-bi"))
				a->mode = M_NOOP;   /* newaliases: conf/aliases is read live */
			else
				usage("unsupported mode", s);
			break;
		default:
			if (strcmp(s, "--kv") == 0) {
				a->kv = 1;
				break;
			}
			usage("unknown option", s);
		}
	}
	a->rcpt = argv + i;
	a->nrcpt = argc - i;
}

int
rcpts_add(struct rcpts *r, const char *s, size_t n)
{
	char **nv, *c;

	if (n == 0)
		return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		if (cap > 100000 || (nv = realloc(r->v, cap * sizeof *nv)) == NULL)
			return -1;
		r->v = nv;
		r->cap = cap;
	}
	if ((c = malloc(n + 1)) == NULL)
		return -1;
	memcpy(c, s, n);
	c[n] = '\0';
	r->v[r->n++] = c;
	return 0;
}

/* An unlinked spool file in TMPDIR. */
static int
spool_open(void)
{
	const char *dir = getenv("TMPDIR");

	return fd_tmpfile(dir && *dir ? dir : "/tmp");
}

/* Give a bare name the host's domain; strip <> from -f. */
static char *
qualify(const char *s, const char *me)
{
	char buf[ADDR_MAX + 2];
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	if (n == 0)
		return strdup("");
	if (memchr(s, '@', n) == NULL) {
		if (fmt_s(buf, sizeof buf, "%.*s@%s", (int)n, s, me) < 0)
			return strdup(s);   /* too long: enqueue says so */
		return strdup(buf);
	}
	if (fmt_s(buf, sizeof buf, "%.*s", (int)n, s) < 0)
		return strdup(s);
	return strdup(buf);
}

static int
run_enqueue(int spool, const char *from, struct rcpts *r, int verbose)
{
	struct submit sub;
	char origin[64];
	int st;

	memset(&sub, 0, sizeof sub);
	fmt_s(origin, sizeof origin, "sendmail uid=%lu", (unsigned long)getuid());
	sub.from = from;
	sub.rcpt = r->v;
	sub.nrcpt = r->n;
	sub.origin = origin;
	if ((st = submit_enqueue(&sub, spool)) == -1) {
		warn_sys("unable to hand the message to enqueue");
		return EX_TEMPFAIL_;
	}
	if (st == 0) {
		if (verbose)
			printf("queued as %s\n", sub.id);
		return EX_OK_;
	}
	if (st == EXIT_PERM)
		return EX_DATAERR_;
	if (sub.sig)
		warn("enqueue died by signal %d", sub.sig);
	return EX_TEMPFAIL_;
}

static int
run_other(const char *name, char *const av[])
{
	char prog[4096];

	if (conf_prog(prog, sizeof prog, name) == -1)
		return EX_CONFIG_;
	execv(prog, av);
	warn_sys("unable to run %s", prog);
	return EX_UNAVAILABLE_;
}

static void
rcpts_free(struct rcpts *r)
{
	size_t k;

	for (k = 0; k < r->n; k++)
		free(r->v[k]);
	free(r->v);
}

/* filters-local (postel-filter(8)): the chain runs here, as the user who
 * submits, before enqueue; never with enqueue's queue group. */
static int
local_filters(int *spool, const char *from, const struct rcpts *r)
{
	const char *chain = conf_s("filters-local");
	const char *tmp = getenv("TMPDIR");
	struct filter_env fe;
	struct filter_opt fo;
	struct filter_res fr;
	int st;

	if (*chain == '\0')
		return EX_OK_;
	memset(&fe, 0, sizeof fe);
	fe.sender = from;
	fe.rcpt = (const char *const *)r->v;
	fe.nrcpt = r->n;
	fo.tmpdir = tmp && *tmp ? tmp : "/tmp";
	fo.timeout = conf_u("filter-timeout");
	fo.max = conf_u("max-size") + FILTER_ROOM;
	st = filter_chain(chain, spool, &fe, &fo, &fr);
	if (st == FILTER_PASS)
		return EX_OK_;
	if (st == FILTER_REJECT) {
		warn("message refused by filter %s: %s", fr.stage,
		    fr.why[0] ? fr.why : "no reason given");
		return EX_DATAERR_;
	}
	warn("message deferred by filter %s: %s", fr.stage[0] ? fr.stage : "chain",
	    fr.why[0] ? fr.why : fr.err);
	return EX_TEMPFAIL_;
}

/* Spool the message and queue it; frees all it allocates. */
static int
submit(struct args *a, const char *from)
{
	struct rcpts r = { NULL, 0, 0 };
	unsigned long long taken;
	int spool = -1, code, i;
	size_t k;

	for (i = 0; i < a->nrcpt; i++)
		if (rcpts_add(&r, a->rcpt[i], strlen(a->rcpt[i])) == -1) {
			warn("out of memory");
			code = EX_TEMPFAIL_;
			goto out;
		}
	if (r.n == 0 && !a->m.hdr_rcpts) {
		rcpts_free(&r);
		usage("no recipients given (and no -t)", NULL);
	}
	if ((spool = spool_open()) == -1) {
		warn_sys("unable to create a spool file");
		code = EX_TEMPFAIL_;
		goto out;
	}
	if ((code = msg_spool(spool, &a->m, &r, &taken)) != 0)
		goto out;
	/* enqueue leaves room for what sendmail and filters add
	 * (QUEUE_ROOM): the limit on what the user sent is held here */
	if (taken > conf_u("max-size")) {
		warn("message larger than max-size %llu", conf_u("max-size"));
		code = EX_DATAERR_;
		goto out;
	}
	if (r.n == 0) {
		warn("no recipient addresses found in the header");
		code = EX_DATAERR_;
		goto out;
	}
	for (k = 0; k < r.n; k++) {
		char *q = qualify(r.v[k], a->m.me);
		if (q == NULL) {
			warn("out of memory");
			code = EX_TEMPFAIL_;
			goto out;
		}
		free(r.v[k]);
		r.v[k] = q;
	}
	if ((code = local_filters(&spool, from, &r)) != EX_OK_)
		goto out;
	code = run_enqueue(spool, from, &r, a->verbose);
out:
	if (spool != -1)
		close(spool);
	rcpts_free(&r);
	return code;
}

int
main(int argc, char **argv)
{
	struct args a;
	struct passwd *pw;
	char ubuf[32], *from;
	const char *base;
	int code;

	die_init("sendmail");
	signal(SIGPIPE, SIG_IGN);
	/* inherited as ignored, it would reap enqueue before we wait for
	 * it, and a queued message would look like a failure */
	signal(SIGCHLD, SIG_DFL);
	memset(&a, 0, sizeof a);
	a.m.dot = 1;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (strcmp(base, "mailq") == 0) {
		die_init("mailq");
		a.mode = M_LIST;
	}
	parse(argc, argv, &a);
	if (conf_load() == -1) {
		warn("unable to read configuration: %s", conf_error());
		return EX_TEMPFAIL_;
	}
	switch (a.mode) {
	case M_LIST:
		return mailq(a.kv);
	case M_NOOP:
		return EX_OK_;
	case M_QUEUE: {
		char *av[] = { "qrun", "-1", NULL };
		return run_other("qrun", av);
	}
	case M_SMTP: {
		/* smtpd's local submission: the caller's own session, queued
		 * through enqueue as the caller, as without -bs */
		char *av[] = { "smtpd", "-l", NULL };
		return run_other("smtpd", av);
	}
	}
	pw = getpwuid(getuid());
	if (pw != NULL)
		a.m.user = pw->pw_name;
	else {
		fmt_s(ubuf, sizeof ubuf, "uid%lu", (unsigned long)getuid());
		a.m.user = ubuf;
	}
	if (a.m.fullname == NULL && pw != NULL && pw->pw_gecos &&
	    *pw->pw_gecos) {
		static char gecos[200];
		fmt_s(gecos, sizeof gecos, "%.*s",
		    (int)strcspn(pw->pw_gecos, ","), pw->pw_gecos);
		a.m.fullname = gecos;
	}
	a.m.me = conf_s("me");
	if (a.m.from != NULL)
		from = qualify(a.m.from, a.m.me);
	else {
		char def[ADDR_MAX + 2];
		fmt_s(def, sizeof def, "%s@%s", a.m.user, a.m.me);
		from = strdup(def);
	}
	if (from == NULL) {
		warn("out of memory");
		return EX_TEMPFAIL_;
	}
	a.m.from = from;
	code = submit(&a, from);
	free(from);
	return code;
}
