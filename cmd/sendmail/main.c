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

#include "array.h"
#include "addr.h"
#include "conf.h"
#include "die.h"
#include "fd.h"
#include "filter.h"
#include "fmt.h"
#include "queue.h"
#include "sendmail.h"
#include "submit.h"

int
rcpts_add(struct rcpts *r, const char *s, size_t n)
{
	char **nv, *c;

	if (n == 0)
		return 0;
	if (r->n >= 100000 ||
	    (nv = array_grow(r->v, &r->cap, r->n + 1, sizeof *nv)) == NULL)
		return -1;
	r->v = nv;
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

char *
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
run_enqueue(int spool, const char *from, struct rcpts *r,
    const struct args *a)
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
	sub.flags = a->flags;
	sub.dsn = &a->dsn;
	if ((st = submit_enqueue(&sub, spool)) == -1) {
		warn_sys("unable to hand the message to enqueue");
		return EX_TEMPFAIL;
	}
	if (st == 0) {
		if (a->verbose)
			printf("queued as %s\n", sub.id);
		return EX_OK;
	}
	if (st == EXIT_PERM)
		return EX_DATAERR;
	if (sub.sig)
		warn("enqueue died by signal %d", sub.sig);
	return EX_TEMPFAIL;
}

static void
rcpts_free(struct rcpts *r)
{
	array_free_strs(r->v, r->n);
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
		return EX_OK;
	memset(&fe, 0, sizeof fe);
	fe.sender = from;
	fe.rcpt = (const char *const *)r->v;
	fe.nrcpt = r->n;
	fe.relay = 1;                   /* a local user's mail */
	fo.tmpdir = tmp && *tmp ? tmp : "/tmp";
	fo.timeout = conf_u("filter-timeout");
	fo.max = conf_u("max-size") + FILTER_ROOM;
	st = filter_chain(chain, spool, &fe, &fo, &fr);
	if (st == FILTER_PASS)
		return EX_OK;
	if (st == FILTER_REJECT) {
		warn("message refused by filter %s: %s", fr.stage,
		    fr.why[0] ? fr.why : "no reason given");
		return EX_DATAERR;
	}
	warn("message deferred by filter %s: %s", fr.stage[0] ? fr.stage : "chain",
	    fr.why[0] ? fr.why : fr.err);
	return EX_TEMPFAIL;
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
			code = EX_TEMPFAIL;
			goto out;
		}
	if (r.n == 0 && !a->m.hdr_rcpts) {
		rcpts_free(&r);
		usage("no recipients given (and no -t)", NULL);
	}
	if ((spool = spool_open()) == -1) {
		warn_sys("unable to create a spool file");
		code = EX_TEMPFAIL;
		goto out;
	}
	if ((code = msg_spool(spool, &a->m, &r, &taken)) != 0)
		goto out;
	/* enqueue leaves room for what sendmail and filters add
	 * (QUEUE_ROOM): the limit on what the user sent is held here */
	if (taken > conf_u("max-size")) {
		warn("message larger than max-size %llu", conf_u("max-size"));
		code = EX_DATAERR;
		goto out;
	}
	if (r.n == 0) {
		warn("no recipient addresses found in the header");
		code = EX_DATAERR;
		goto out;
	}
	for (k = 0; k < r.n; k++) {
		char *q = qualify(r.v[k], a->m.me);
		if (q == NULL) {
			warn("out of memory");
			code = EX_TEMPFAIL;
			goto out;
		}
		free(r.v[k]);
		r.v[k] = q;
	}
	if ((code = local_filters(&spool, from, &r)) != EX_OK)
		goto out;
	code = run_enqueue(spool, from, &r, a);
out:
	if (spool != -1)
		close(spool);
	rcpts_free(&r);
	return code;
}

/* The invoking user's name and full name for the message. */
static void
whoami(struct msgopt *m)
{
	static char ubuf[32], gecos[200];
	struct passwd *pw = getpwuid(getuid());

	if (pw != NULL)
		m->user = pw->pw_name;
	else {
		fmt_s(ubuf, sizeof ubuf, "uid%lu", (unsigned long)getuid());
		m->user = ubuf;
	}
	if (m->fullname == NULL && pw != NULL && pw->pw_gecos &&
	    *pw->pw_gecos) {
		fmt_s(gecos, sizeof gecos, "%.*s",
		    (int)strcspn(pw->pw_gecos, ","), pw->pw_gecos);
		m->fullname = gecos;
	}
}

int
main(int argc, char **argv)
{
	struct args a;
	char *from, def[ADDR_MAX + 2];
	const char *base;
	int code;

	signal(SIGPIPE, SIG_IGN);
	/* inherited as ignored, it would reap enqueue before we wait for
	 * it, and a queued message would look like a failure */
	signal(SIGCHLD, SIG_DFL);
	memset(&a, 0, sizeof a);
	a.m.dot = 1;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	die_init(strcmp(base, "mailq") && strcmp(base, "newaliases") ?
	    "sendmail" : base);
	args_parse(argc, argv, base, &a);
	if (conf_load() == -1) {
		warn("unable to read configuration: %s", conf_error());
		return EX_TEMPFAIL;
	}
	a.m.me = conf_s("me");
	switch (a.mode) {
	case M_LIST:
		return mailq(a.kv);
	case M_ALIASES:
		return aliases_check();
	case M_VERIFY:
		return verify(a.rcpt, a.nrcpt, a.m.me);
	case M_QUEUE:
		return queue_flush(&a);
	case M_SMTP: {
		/* smtpd's local submission: the caller's own session, queued
		 * through enqueue as the caller, as without -bs */
		char *av[] = { "smtpd", "-l", NULL };
		return run_mode("smtpd", av);
	}
	}
	whoami(&a.m);
	if (a.m.from != NULL)
		from = qualify(a.m.from, a.m.me);
	else {
		fmt_s(def, sizeof def, "%s@%s", a.m.user, a.m.me);
		from = strdup(def);
	}
	if (from == NULL) {
		warn("out of memory");
		return EX_TEMPFAIL;
	}
	a.m.from = from;
	code = submit(&a, from);
	free(from);
	return code;
}
