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
#define JOB_OUT_MAX ((QRUN_RCPT_MAX + 1) * 1024)

/* argv for local or remote (postel-result(5)); dom holds the domain. */
static void
make_argv(const struct msg *m, int remote, const size_t *idx, size_t n,
    const char **argv, char *dom, size_t domsize)
{
	size_t k = 0, i;

	argv[k++] = remote ? "remote" : "local";
	/* postel-result(5): the envelope flags, for remote's MAIL and
	 * for what local re-queues (forwards, aliases) */
	if (m->env.flags & QF_UTF8)
		argv[k++] = "-u";       /* SMTPUTF8 needed */
	if (m->env.flags & QF_8BIT)
		argv[k++] = "-8";       /* 8BITMIME body */
	argv[k++] = "-q";
	argv[k++] = m->id;
	argv[k++] = "--";       /* an address may start with '-' */
	if (remote) {
		const char *at = strrchr(m->env.rcpt[idx[0]], '@');
		fmt_s(dom, domsize, "%s", at ? at + 1 : "");
		argv[k++] = dom;
	}
	argv[k++] = m->env.from;
	for (i = 0; i < n; i++)         /* n <= QRUN_RCPT_MAX: msg_start */
		argv[k++] = m->env.rcpt[idx[i]];
	argv[k] = NULL;
}

/* In the child of a job (child_spawn's hooks): its queue ID in the
 * environment (postel-result(5)); and, when local or remote cannot be
 * run, the reason as the msg line qrun reads (not there yet, as remote
 * may be, or not runnable: temporary). */
int
job_child_setup(const struct child *c)
{
	return setenv("QID", c->arg, 1);
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

/* Start local or remote with the message on stdin and out as stdout:
 * through the root spawner for local when there is one, else as a
 * child of ours. 0, or -1 (warned). */
static int
start(struct qrun *q, struct job *j, struct msg *m, int remote,
    const size_t *idx, size_t n, int out)
{
	const char *argv[9 + QRUN_RCPT_MAX];
	char dom[ADDR_DOMAIN_MAX + 1], prog[PATH_MAX];
	struct child c;
	int fd;

	if ((fd = queue_open_body(q->qd, m->id, m->env.body)) == -1) {
		warn_sys("unable to open message %s", m->id);
		return -1;
	}
	make_argv(m, remote, idx, n, argv, dom, sizeof dom);
	if (!remote && spawn_on()) {
		/* As the queue user: the root spawner starts local. */
		if (spawn_start(&j->token, fd, out, argv) == -1) {
			warn_sys("unable to start local for %s", m->id);
			close(fd);
			return -1;
		}
		j->pid = 0;
		close(fd);
		return 0;
	}
	if (conf_prog(prog, sizeof prog, argv[0]) == -1) {
		warn("path of %s too long", argv[0]);
		close(fd);
		return -1;
	}
	memset(&c, 0, sizeof c);
	c.path = prog;
	c.argv = (char *const *)argv;
	c.fd[0] = fd;
	c.fd[1] = out;
	c.fd[2] = CHILD_KEEP;
	c.nfd = 3;
	c.pgrp = 1;
	c.setup = job_child_setup;
	c.failed = job_child_failed;
	c.arg = m->id;
	j->pid = child_spawn(&c);
	close(fd);
	if (j->pid == -1) {
		warn_sys("unable to fork");
		return -1;
	}
	return 0;
}

int
job_spawn(struct qrun *q, struct msg *m, int remote, const size_t *idx,
    size_t n)
{
	struct job *j = calloc(1, sizeof *j);
	int p[2];
	size_t i;

	if (j == NULL || (j->idx = calloc(n, sizeof *j->idx)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	if (fd_pipe(p) == -1) {
		warn_sys("unable to make a pipe");
		free(j->idx);
		free(j);
		return -1;
	}
	if (start(q, j, m, remote, idx, n, p[1]) == -1) {
		close(p[0]);
		close(p[1]);
		free(j->idx);
		free(j);
		return -1;
	}
	close(p[1]);
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) == -1)
		warn_sys("unable to set O_NONBLOCK");
	j->out = p[0];
	j->m = m;
	j->remote = remote;
	j->n = n;
	for (i = 0; i < n; i++) {
		j->idx[i] = idx[i];
		m->busy[idx[i]] = 1;
	}
	j->start = mono_s();
	j->deadline = j->start + (long long)q->set.timeout_s;
	buf_init(&j->buf, JOB_OUT_MAX);
	j->next = q->jobs;
	q->jobs = j;
	m->njobs++;
	if (remote)
		q->nremote++;
	else
		q->nlocal++;
	return 0;
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
	log_kv(&l, "qid", j->m->id);
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
log_result(const struct job *j, size_t i, long long now)
{
	const struct msg *m = j->m;
	const struct qstate *q = &m->st[i];
	char r[ADDR_MAX + 3];
	struct logl l;

	fmt_s(r, sizeof r, "<%s>", m->env.rcpt[i]);
	log_start(&l, "result");
	log_kv(&l, "qid", m->id);
	log_kv(&l, "rcpt", r);
	log_kv(&l, "channel", j->remote ? "remote" : "local");
	log_kv(&l, "status", outcome_word(q->status == QS_OK ? OUTCOME_OK :
	    q->status == QS_FAIL ? OUTCOME_PERM : OUTCOME_TEMP));
	log_kv(&l, "dsn", q->dsn);
	log_kvu(&l, "attempt", q->attempts);
	log_kvu(&l, "delay", (unsigned long long)(now > m->env.arrival ?
	    now - m->env.arrival : 0));
	log_kv(&l, "text", q->text);
	log_end(&l);
}

static void
garbage(const struct job *j, const char *line)
{
	struct logl l;

	log_start(&l, "garbage");
	log_kv(&l, "qid", j->m->id);
	log_kvb(&l, "line", line, strlen(line) > 200 ? 200 : strlen(line));
	log_end(&l);
}

static int
all_ok(const struct msg *m)
{
	size_t i;

	for (i = 0; i < m->env.nrcpt; i++)
		if (m->st[i].status != QS_OK)
			return 0;
	return 1;
}

/* Read the child's lines into res[0..j->n) and *whole (the msg line);
 * a recipient without a line keeps OUTCOME_NONE. */
static void
parse_results(struct job *j, struct result *res, struct result *whole)
{
	char *p = j->buf.p, *end = p ? p + j->buf.len : NULL;
	char line[RESULT_LINE_MAX + 24];
	size_t n;

	while (p && p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct result r;
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len >= sizeof line)
			len = sizeof line - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : end;
		if (len == 0)
			continue;
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

/* Set one recipient's state from its result (r NULL: none given). */
static void
apply(const struct qrun *qr, struct job *j, size_t i, const struct result *r,
    long long now)
{
	struct msg *m = j->m;
	struct qstate *q = &m->st[j->idx[i]];
	struct result ex;

	if (r == NULL && j->killed == 2) {
		/* Stopped in flight: it may even have been delivered. Not an
		 * attempt, and never final (postel(7), invariant 6): the next
		 * runner tries it again, as postel-qrun(8) says. */
		m->busy[j->idx[i]] = 0;
		return;
	}
	if (r == NULL) {
		exit_result(qr, j, &ex);
		r = &ex;
	}
	q->attempts++;
	q->status = state_of(r->status);
	q->next = 0;
	fmt_s(q->dsn, sizeof q->dsn, "%s", r->dsn);
	/* the queue keeps QUEUE_TEXT_MAX of a result's text: cut, not lost */
	fmt_safe(q->text, sizeof q->text, r->text, strlen(r->text));
	if (q->status == QS_TODO) {
		const struct settings *set = &qr->set;
		size_t k = q->attempts - 1 < set->nretry ? q->attempts - 1 :
		    set->nretry - 1;
		long long life = m->env.from[0] ? (long long)set->lifetime :
		    (long long)set->blifetime;
		q->next = now + set->retry[k];
		if (now - m->env.arrival >= life) {
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
	m->busy[j->idx[i]] = 0;
}

static void
job_free(struct qrun *q, struct job *j)
{
	struct job **pp;

	for (pp = &q->jobs; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	if (j->remote)
		q->nremote--;
	else
		q->nlocal--;
	j->m->njobs--;
	if (j->out != -1)
		close(j->out);
	buf_free(&j->buf);
	free(j->idx);
	free(j);
}

/* The child has exited and its stdout is closed: apply its results. */
void
job_finish(struct qrun *q, struct job *j)
{
	struct msg *m = j->m;
	struct result *res, whole;
	long long now = now_s();
	size_t i;
	int stopped = j->killed == 2;

	if ((res = calloc(j->n, sizeof *res)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	whole.status = OUTCOME_NONE;
	parse_results(j, res, &whole);
	for (i = 0; i < j->n; i++)
		apply(q, j, i, res[i].status != OUTCOME_NONE ? &res[i] :
		    whole.status != OUTCOME_NONE ? &whole : NULL, now);
	if (m->njobs == 1 && all_ok(m)) {
		/* Every recipient is delivered and no other job runs: the
		 * next step removes the message, and that removal is the
		 * record (postel-queue(5) step 4); a crash before it only
		 * repeats deliveries that were in flight. */
		for (i = 0; i < j->n; i++)
			log_result(j, j->idx[i], now);
	} else if (qstate_write(q->qd, m->id, m->st, m->env.nrcpt, m->warned,
	    0) == -1) {
		/* Nothing may act on results that are not on disk: forget
		 * them; the recipients are tried again (a duplicate at worst) */
		warn_sys("unable to write the state of %s", m->id);
		for (i = 0; i < j->n; i++) {
			m->st[j->idx[i]].status = QS_TODO;
			m->st[j->idx[i]].next = now + 60;
		}
	} else
		/* recipients a stop left untouched have no result to log */
		for (i = 0; i < j->n; i++)
			if (res[i].status != OUTCOME_NONE ||
			    whole.status != OUTCOME_NONE || !stopped)
				log_result(j, j->idx[i], now);
	free(res);
	job_free(q, j);
	if (m->njobs == 0 && !m->blocked)
		msg_done(q, m);
}
