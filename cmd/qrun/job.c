/*
 * qrun jobs: one child running local or remote (postel-result(5)). Its
 * stdout is a pipe we read without blocking; its stderr is ours, so the
 * supervisor logs it. Every result is written to state/ with qstate_write
 * before anything acts on it (postel-queue(5) step 4).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "conf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "log.h"
#include "qrun.h"
#include "result.h"

/* a result line per recipient and one for the message, each at most
 * 1000 bytes (postel-result(5)): all of them fit */
#define JOB_OUT_MAX ((QRUN_RCPT_MAX + QRUN_BATCH_MAX + 1) * 1024)

/* argv for local or remote, one message (postel-result(5)); dom holds
 * the domain. */
static void
make_argv(const struct part *p, int remote, const char **argv, char *dom,
    size_t domsize)
{
	const struct msg *m = p->m;
	size_t k = 0, i;

	argv[k++] = remote ? "remote" : "local";
	/* postel-result(5): the envelope flags, for remote's MAIL and
	 * for what local re-queues (forwards, aliases) */
	if (m->env->flags & QF_UTF8)
		argv[k++] = "-u";       /* SMTPUTF8 needed */
	if (m->env->flags & QF_8BIT)
		argv[k++] = "-8";       /* 8BITMIME body */
	argv[k++] = "-q";
	argv[k++] = m->id;
	argv[k++] = "--";       /* an address may start with '-' */
	if (remote) {
		fmt_s(dom, domsize, "%s", domain_of(m->env->rcpt[p->idx[0]]));
		argv[k++] = dom;
	}
	argv[k++] = m->env->from;
	for (i = 0; i < p->n; i++)      /* n <= QRUN_RCPT_MAX: msg_start */
		argv[k++] = m->env->rcpt[p->idx[i]];
	argv[k] = NULL;
}

/* argv for a batch (postel-result(5), Batches): local -m -- RCPT QID...
 * or remote -m -- DOMAIN QID:N,N... ; the strings are in b. */
static int
make_batch_argv(const struct job *j, const char **argv, struct buf *b)
{
	size_t k = 0, i, r, *off;
	const struct msg *m0 = j->part[0].m;
	const char *first = m0->env->rcpt[j->part[0].idx[0]];

	if ((off = calloc(j->np, sizeof *off)) == NULL)
		return -1;
	for (i = 0; i < j->np; i++) {
		const struct part *p = &j->part[i];
		off[i] = b->len;
		if (buf_cats(b, p->m->id) == -1)
			goto fail;
		for (r = 0; j->remote && r < p->n; r++) {
			char n[24];
			fmt_s(n, sizeof n, "%c%zu", r ? ',' : ':', p->idx[r] + 1);
			if (buf_cats(b, n) == -1)
				goto fail;
		}
		if (buf_catb(b, "", 1) == -1)
			goto fail;
	}
	argv[k++] = j->remote ? "remote" : "local";
	argv[k++] = "-m";
	argv[k++] = "--";
	argv[k++] = j->remote ? domain_of(first) : first;
	for (i = 0; i < j->np; i++)
		argv[k++] = b->p + off[i];
	argv[k] = NULL;
	free(off);
	return 0;
fail:
	free(off);
	return -1;
}

/* In the child of a job (child_spawn's hooks): its queue ID in the
 * environment (postel-result(5)); and, when local or remote cannot be
 * run, the reason as the msg line qrun reads (not there yet, as remote
 * may be, or not runnable: temporary). */
int
job_child_setup(const struct child *c)
{
	/* a batch has no one queue ID */
	return c->arg ? setenv("QID", c->arg, 1) : unsetenv("QID");
}

void
job_child_failed(const struct child *c, int err)
{
	char line[RESULT_LINE_MAX];
	struct result r;
	int len;

	result_set(&r, OUTCOME_TEMP, "4.3.0", "unable to run %s: %s",
	    c->argv[0], strerror(err));
	if ((len = result_fmt(line, sizeof line, 0, &r)) > 0)
		(void)fd_write_all(1, line, (size_t)len);
}

/* The descriptors of j's messages into fd: the queue file at the body
 * for one message, at the envelope for a batch. A message of a batch that
 * cannot be opened (removed meanwhile) is left out of it, and waits for
 * its own start. 0, or -1 (warned, none left open) if none is left. */
static int
open_parts(struct qrun *q, struct job *j, int *fd)
{
	size_t i, k = 0, np = j->np;
	int one = np == 1;

	for (i = 0; i < np; i++) {
		struct part p = j->part[i];
		j->part[i].idx = NULL;  /* moved below, or freed */
		fd[k] = one ? queue_open_body(q->qd, p.m->id, p.m->env->body) :
		    queue_open(q->qd, QDIR_CUR, p.m->id);
		if (fd[k] == -1) {
			warn_sys("unable to open message %s", p.m->id);
			j->n -= p.n;
			free(p.idx);
			continue;
		}
		j->part[k++] = p;
	}
	j->np = k;
	/* one left of a batch: the one-message form, at the body */
	if (k == 1 && !one && lseek(fd[0], j->part[0].m->env->body, SEEK_SET)
	    == -1) {
		warn_sys("unable to seek in message %s", j->part[0].m->id);
		close(fd[0]);
		free(j->part[0].idx);
		j->part[0].idx = NULL;
		j->np = 0;
		return -1;
	}
	return k ? 0 : -1;
}

/* Start local or remote with the messages as postel-result(5) says and
 * out as stdout: through the root spawner for local when there is one,
 * else as a child of ours. 0, or -1 (warned). */
static int
start(struct qrun *q, struct job *j, int out)
{
	const char *argv[9 + QRUN_RCPT_MAX + QRUN_BATCH_MAX];
	char dom[ADDR_DOMAIN_MAX + 1], prog[PATH_MAX];
	struct buf args = BUF_INIT(64 * 1024);
	int fd[QRUN_BATCH_MAX], r = -1;
	struct child c;
	size_t i;

	for (i = 0; i < QRUN_BATCH_MAX; i++)
		fd[i] = -1;

	if (open_parts(q, j, fd) == -1)
		return -1;
	if (j->np == 1)
		make_argv(&j->part[0], j->remote, argv, dom, sizeof dom);
	else if (make_batch_argv(j, argv, &args) == -1) {
		warn_sys("unable to start a batch");
		goto done;
	}
	if (!j->remote && spawn_on()) {
		/* As the queue user: the root spawner starts local. */
		if ((r = spawn_start(&j->token, fd, j->np, out, argv)) == -1)
			warn_sys("unable to start local for %s",
			    j->part[0].m->id);
		j->pid = 0;
	} else if (conf_prog(prog, sizeof prog, argv[0]) == -1)
		warn("path of %s too long", argv[0]);
	else {
		memset(&c, 0, sizeof c);
		c.path = prog;
		c.argv = (char *const *)argv;
		c.fd[0] = fd[0];
		c.fd[1] = out;
		c.fd[2] = CHILD_KEEP;
		for (i = 1; i < j->np; i++)
			c.fd[i + 2] = fd[i];
		c.nfd = (int)(j->np == 1 ? 3 : j->np + 2);
		c.pgrp = 1;
		c.setup = job_child_setup;
		c.failed = job_child_failed;
		c.arg = j->np == 1 ? j->part[0].m->id : NULL;
		if ((j->pid = child_spawn(&c)) == -1)
			warn_sys("unable to fork");
		else
			r = 0;
	}
done:
	for (i = 0; i < j->np && i < QRUN_BATCH_MAX; i++)
		if (fd[i] != -1)
			close(fd[i]);
	buf_free(&args);
	return r;
}

static void
parts_free(struct part *p, size_t np)
{
	size_t i;

	for (i = 0; i < np; i++)
		free(p[i].idx);
	free(p);
}

size_t
job_slots(const struct qrun *q, int remote)
{
	unsigned long long max = remote ? q->set.max_remote : q->set.max_local;
	unsigned long long n = remote ? q->nremote : q->nlocal;

	return n < max ? (size_t)(max - n) : 0;
}

int
job_spawn(struct qrun *q, int remote, struct part *p, size_t np)
{
	struct job *j = calloc(1, sizeof *j);
	int pp[2];
	size_t i, k;

	if (j == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	j->remote = remote;
	j->part = p;
	j->np = np;
	for (i = 0; i < np; i++)
		j->n += p[i].n;
	if (fd_pipe(pp) == -1) {
		warn_sys("unable to make a pipe");
		goto fail;
	}
	if (start(q, j, pp[1]) == -1) {
		close(pp[0]);
		close(pp[1]);
		goto fail;
	}
	close(pp[1]);
	if (fcntl(pp[0], F_SETFL, O_NONBLOCK) == -1)
		warn_sys("unable to set O_NONBLOCK");
	j->out = pp[0];
	for (i = 0; i < j->np; i++) {     /* those start kept */
		const struct part *pt = &j->part[i];
		for (k = 0; k < pt->n; k++)
			pt->m->busy[pt->idx[k]] = 1;
		pt->m->njobs++;
	}
	j->start = mono_s();
	j->deadline = j->start + (long long)q->set.timeout_s;
	buf_init(&j->buf, JOB_OUT_MAX);
	j->next = q->jobs;
	q->jobs = j;
	if (remote)
		q->nremote++;
	else
		q->nlocal++;
	return 0;
fail:
	/* open_parts may have left some parts out (and freed them) */
	parts_free(j->part, j->np);
	free(j);
	return -1;
}

void
job_read(struct job *j)
{
	char tmp[4096];

	for (;;) {
		ssize_t r = fd_read(j->out, tmp, sizeof tmp);
		if (r > 0) {
			/* Past the limit the rest is read and dropped. */
			if (buf_catb(&j->buf, tmp, (size_t)r) == -1) {
				size_t room = j->buf.max - j->buf.len;
				buf_catb(&j->buf, tmp, room < (size_t)r ?
				    room : (size_t)r);
			}
			continue;
		}
		if (r == -1 && errno == EAGAIN)
			return;
		close(j->out);
		j->out = -1;
		return;
	}
}

/* Collect every child of a job that has exited. */
void
job_reap(struct qrun *q)
{
	struct job *j;

	for (j = q->jobs; j; j = j->next) {
		int st;
		pid_t r;
		if (j->exited || j->token)
			continue;       /* spawner's jobs: job_exited */
		siginfo_t si;

		/* Exited but not reaped yet (WNOWAIT): the zombie holds the
		 * pid, so its group can be killed with no risk of hitting
		 * another's; a stray left in it must not outlive the job. */
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)j->pid, &si, WEXITED | WNOHANG |
		    WNOWAIT) == 0 && si.si_pid == j->pid)
			kill(-j->pid, SIGKILL);
		/* WNOHANG never blocks, so never meets EINTR */
		r = waitpid(j->pid, &st, WNOHANG);
		if (r == j->pid) {
			j->exited = 1;
			j->status = st;
			j->exited_at = mono_s();
		}
	}
}

/* The spawner reports that the local of token has exited. */
void
job_exited(struct qrun *q, unsigned token, int status)
{
	struct job *j;

	for (j = q->jobs; j; j = j->next)
		if (j->token == token && !j->exited) {
			j->exited = 1;
			j->exited_at = mono_s();
			j->status = status;
		}
}

void
job_kill(struct job *j, const char *why)
{
	struct logl l;

	if (j->killed)
		return;
	j->killed = strcmp(why, "stopping") == 0 ? 2 : 1;
	if (j->token)
		spawn_kill(j->token);
	else if (!j->exited) {
		/* never a pid already reaped: it may be another's now */
		kill(-j->pid, SIGKILL);
		kill(j->pid, SIGKILL);
	}
	log_start(&l, "killed");
	log_kv(&l, "qid", j->part[0].m->id);
	if (j->np > 1)
		log_kvu(&l, "batch", j->np);
	log_kvu(&l, "pid", (unsigned long long)j->pid);
	log_kv(&l, "why", why);
	log_end(&l);
}

/* A recipient's state after a result: ok and perm are final, temp is
 * still to do. */
static int
state_of(enum outcome o)
{
	return o == OUTCOME_OK ? QS_OK : o == OUTCOME_PERM ? QS_FAIL : QS_TODO;
}

/* The result of a recipient the program gave none for, from how it
 * ended (postel-result(5), EXIT STATUS). */
static void
exit_result(const struct qrun *q, const struct job *j, struct result *r)
{
	if (j->killed == 2)
		result_set(r, OUTCOME_TEMP, "4.3.0",
		    "delivery stopped with qrun");
	else if (j->killed)
		result_set(r, OUTCOME_TEMP, "4.3.0",
		    "delivery program killed after %llu s", q->set.timeout_s);
	else if (WIFSIGNALED(j->status))
		result_set(r, OUTCOME_TEMP, "4.3.0",
		    "delivery program died by signal %d", WTERMSIG(j->status));
	else if (WEXITSTATUS(j->status) == EXIT_PERM)
		result_set(r, OUTCOME_PERM, "5.3.0", "delivery program failed "
		    "permanently without a result");
	else
		result_set(r, OUTCOME_TEMP, "4.3.0", "delivery program gave "
		    "no result (exit %d)", WEXITSTATUS(j->status));
}

static void
log_result(const struct job *j, const struct msg *m, size_t i, long long now)
{
	const struct qstate *q = &m->st[i];
	char r[ADDR_MAX + 3];
	struct logl l;

	fmt_s(r, sizeof r, "<%s>", m->env->rcpt[i]);
	log_start(&l, "result");
	log_kv(&l, "qid", m->id);
	log_kv(&l, "rcpt", r);
	log_kv(&l, "channel", j->remote ? "remote" : "local");
	log_kv(&l, "status", outcome_word(q->status == QS_OK ? OUTCOME_OK :
	    q->status == QS_FAIL ? OUTCOME_PERM : OUTCOME_TEMP));
	log_kv(&l, "dsn", q->dsn);
	log_kvu(&l, "attempt", q->attempts);
	log_kvu(&l, "delay", (unsigned long long)(now > m->env->arrival ?
	    now - m->env->arrival : 0));
	log_kv(&l, "text", q->text);
	log_end(&l);
}

static void
garbage(const struct job *j, const char *line)
{
	struct logl l;

	log_start(&l, "garbage");
	log_kv(&l, "qid", j->part[0].m->id);
	log_kvb(&l, "line", line, strlen(line) > 200 ? 200 : strlen(line));
	log_end(&l);
}

static int
all_ok(const struct msg *m)
{
	size_t i;

	for (i = 0; i < m->env->nrcpt; i++)
		if (m->st[i].status != QS_OK)
			return 0;
	return 1;
}

/* Read the child's lines into res[0..j->n), act[0..j->n) (the action
 * lines) and *whole (the msg line); a recipient without a line keeps
 * OUTCOME_NONE, without an action line ACTION_NONE. */
static void
parse_results(struct job *j, struct result *res, enum action *act,
    struct result *whole)
{
	char *p = j->buf.p, *end = p ? p + j->buf.len : NULL;
	char line[RESULT_LINE_MAX + 24];
	size_t n;

	while (p && p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct result r;
		enum action a;
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len >= sizeof line)
			len = sizeof line - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : end;
		if (len == 0)
			continue;
		if (result_action_parse(line, &n, &a) == 0 && n <= j->n) {
			/* postel-result(5): the first counts; an action
			 * without an ok line is ignored (apply) */
			if (act[n - 1] == ACTION_NONE)
				act[n - 1] = a;
			continue;
		}
		if (result_parse(line, &n, &r) == -1 || n > j->n) {
			garbage(j, line);
			continue;
		}
		/* the first line about a recipient counts */
		if (n == 0) {
			if (whole->status == OUTCOME_NONE)
				*whole = r;
		} else if (res[n - 1].status == OUTCOME_NONE)
			res[n - 1] = r;
	}
}

/* The success notice owed for an ok recipient (RFC 3461 4.1): what the
 * action line says became of it, else what postel-result(5) reads its
 * absence as (delivered after local, relayed after remote), when its
 * NOTIFY asks for success; none when it was passed on with the request
 * (a later hop reports) or nothing was asked. */
static int
notice_of(const struct job *j, const struct msg *m, size_t ri, enum action a)
{
	if (a == ACTION_NONE)
		a = j->remote ? ACTION_RELAYED : ACTION_DELIVERED;
	if (a == ACTION_PASSED || !(qenv_notify(m->env, ri) & QN_SUCCESS))
		return ACTION_NONE;
	return a;
}

/* Set one recipient's state from its result (r NULL: none given) and
 * its action line's action (ACTION_NONE: none). */
static void
apply(const struct qrun *qr, const struct job *j, struct msg *m, size_t ri,
    const struct result *r, enum action a, long long now)
{
	struct qstate *q = &m->st[ri];
	struct result ex;

	if (r == NULL && j->killed == 2) {
		/* Stopped in flight: it may even have been delivered. Not an
		 * attempt, and never final (postel(7), invariant 6): the next
		 * runner tries it again, as postel-qrun(8) says. */
		m->busy[ri] = 0;
		return;
	}
	if (r == NULL) {
		exit_result(qr, j, &ex);
		r = &ex;
	}
	q->attempts++;
	q->status = state_of(r->status);
	q->next = 0;
	q->notice = q->status == QS_OK ? notice_of(j, m, ri, a) : ACTION_NONE;
	fmt_s(q->dsn, sizeof q->dsn, "%s", r->dsn);
	/* the queue keeps QUEUE_TEXT_MAX of a result's text: cut, not lost */
	fmt_safe(q->text, sizeof q->text, r->text, strlen(r->text));
	if (q->status == QS_TODO) {
		const struct settings *set = &qr->set;
		size_t k = q->attempts - 1 < set->nretry ? q->attempts - 1 :
		    set->nretry - 1;
		long long life = m->env->from[0] ? (long long)set->lifetime :
		    (long long)set->blifetime;
		q->next = now + set->retry[k];
		if (now - m->env->arrival >= life) {
			/* Too old: the temporary failure is final. */
			char why[48];
			size_t t;
			q->status = QS_FAIL;
			fmt_s(why, sizeof why, " (gave up after %u attempts)",
			    q->attempts);
			fmt_safe(q->text, sizeof q->text - strlen(why), r->text,
			    strlen(r->text));
			t = strlen(q->text);
			memcpy(q->text + t, why, strlen(why) + 1);
		}
	}
	m->busy[ri] = 0;
}

static void
job_free(struct qrun *q, struct job *j)
{
	struct job **pp;
	size_t i;

	for (pp = &q->jobs; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	if (j->remote)
		q->nremote--;
	else
		q->nlocal--;
	for (i = 0; i < j->np; i++)
		j->part[i].m->njobs--;
	if (j->out != -1)
		close(j->out);
	buf_free(&j->buf);
	parts_free(j->part, j->np);
	free(j);
}

/* Record the results res[0..p->n) of one message's part (act: their
 * action lines, whole: the msg line) before anything acts on them
 * (postel-queue(5) step 4). */
static void
record(struct qrun *q, const struct job *j, const struct part *p,
    const struct result *res, const enum action *act,
    const struct result *whole, long long now)
{
	struct msg *m = p->m;
	int stopped = j->killed == 2;
	size_t i;

	for (i = 0; i < p->n; i++)
		apply(q, j, m, p->idx[i], res[i].status != OUTCOME_NONE ?
		    &res[i] : whole->status != OUTCOME_NONE ? whole : NULL,
		    act[i], now);
	if (m->njobs == 1 && all_ok(m)) {
		/* Every recipient is delivered and no other job runs: the
		 * next step removes the message, and that removal is the
		 * record (postel-queue(5) step 4); a crash before it only
		 * repeats deliveries that were in flight. */
		for (i = 0; i < p->n; i++)
			log_result(j, m, p->idx[i], now);
	} else if (qstate_write(q->qd, m->id, m->st, m->env->nrcpt, m->warned,
	    0) == -1) {
		/* Nothing may act on results that are not on disk: forget
		 * them; the recipients are tried again (a duplicate at worst) */
		warn_sys("unable to write the state of %s", m->id);
		for (i = 0; i < p->n; i++) {
			m->st[p->idx[i]].status = QS_TODO;
			m->st[p->idx[i]].next = now + 60;
		}
	} else
		/* recipients a stop left untouched have no result to log */
		for (i = 0; i < p->n; i++)
			if (res[i].status != OUTCOME_NONE ||
			    whole->status != OUTCOME_NONE || !stopped)
				log_result(j, m, p->idx[i], now);
}

/* The child has exited and its stdout is closed: apply its results,
 * message by message, then finish the messages no other job holds. */
void
job_finish(struct qrun *q, struct job *j)
{
	struct msg *done[QRUN_BATCH_MAX];
	struct result *res, whole;
	enum action *act;
	long long now = now_s();
	size_t i, k, nd = 0;

	res = calloc(j->n, sizeof *res);
	act = calloc(j->n, sizeof *act);
	if (res == NULL || act == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	whole.status = OUTCOME_NONE;
	parse_results(j, res, act, &whole);
	for (i = 0, k = 0; i < j->np; k += j->part[i++].n)
		record(q, j, &j->part[i], res + k, act + k, &whole, now);
	free(res);
	free(act);
	for (i = 0; i < j->np && i < QRUN_BATCH_MAX; i++)
		done[nd++] = j->part[i].m;
	job_free(q, j);
	for (i = 0; i < nd; i++)
		if (done[i]->njobs == 0 && !done[i]->blocked)
			msg_done(q, done[i]);
}
