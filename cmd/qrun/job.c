/*
 * qrun jobs: one child running local or remote (postel-result(5)). Its
 * stdout is a pipe we read without blocking; its stderr is ours, so the
 * supervisor logs it. Every result is written to state/ with qstate_write
 * before anything acts on it (postel-queue(5) step 4).
 */
#include <errno.h>
#include <fcntl.h>
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

/* The queue file, open at the first byte of the message. */
static int
open_message(const struct msg *m)
{
	char path[QUEUE_ID_MAX + 8];
	int fd;

	if (fmt_s(path, sizeof path, "cur/%s", m->id) < 0 ||
	    (fd = openat(qd, path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (lseek(fd, m->env.body, SEEK_SET) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

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

static void
child(struct msg *m, int remote, const size_t *idx, size_t n, int out)
{
	char prog[4096], dom[ADDR_DOMAIN_MAX + 1], line[256];
	const char *argv[9 + QRUN_RCPT_MAX];
	int fd;

	setpgid(0, 0);
	if (dup2(out, 1) == -1)
		_exit(EXIT_TEMP);
	if ((fd = open_message(m)) == -1 || dup2(fd, 0) == -1)
		_exit(EXIT_TEMP);
	if (conf_prog(prog, sizeof prog, remote ? "remote" : "local") == -1)
		_exit(EXIT_TEMP);
	setenv("QID", m->id, 1);
	make_argv(m, remote, idx, n, argv, dom, sizeof dom);
	child_reset(2);
	execv(prog, (char *const *)argv);
	/* Not there yet (remote is optional) or not runnable: temporary. */
	fmt_s(line, sizeof line, "msg temp 4.3.0 unable to run %s: %s\n",
	    argv[0], strerror(errno));
	if (write(1, line, strlen(line)) == -1)
		_exit(EXIT_TEMP);
	_exit(EXIT_TEMP);
}

int
job_spawn(struct msg *m, int remote, const size_t *idx, size_t n)
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
	if (!remote && spawn_on()) {
		/* As the queue user: the root spawner starts local. */
		const char *argv[9 + QRUN_RCPT_MAX];
		char dom[ADDR_DOMAIN_MAX + 1];
		int fd = open_message(m);

		make_argv(m, remote, idx, n, argv, dom, sizeof dom);
		if (fd == -1 || spawn_start(&j->token, fd, p[1], argv) == -1) {
			warn_sys("unable to start local for %s", m->id);
			if (fd != -1)
				close(fd);
			close(p[0]);
			close(p[1]);
			free(j->idx);
			free(j);
			return -1;
		}
		close(fd);
		j->pid = 0;
	} else {
		j->pid = fork();
		if (j->pid == -1) {
			warn_sys("unable to fork");
			close(p[0]);
			close(p[1]);
			free(j->idx);
			free(j);
			return -1;
		}
		if (j->pid == 0)
			child(m, remote, idx, n, p[1]);
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
	j->deadline = j->start + (long long)timeout_s;
	buf_init(&j->buf, JOB_OUT_MAX);
	j->next = jobs;
	jobs = j;
	m->njobs++;
	if (remote)
		nremote++;
	else
		nlocal++;
	return 0;
}

void
job_read(struct job *j)
{
	char tmp[4096];

	for (;;) {
		ssize_t r = read(j->out, tmp, sizeof tmp);
		if (r > 0) {
			/* Past the limit the rest is read and dropped. */
			if (buf_catb(&j->buf, tmp, (size_t)r) == -1) {
				size_t room = j->buf.max - j->buf.len;
				buf_catb(&j->buf, tmp, room < (size_t)r ?
				    room : (size_t)r);
			}
			continue;
		}
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == EAGAIN)
			return;
		close(j->out);
		j->out = -1;
		return;
	}
}

/* Collect every child of a job that has exited. */
void
job_reap(void)
{
	struct job *j;

	for (j = jobs; j; j = j->next) {
		int st;
		pid_t r;
		if (j->exited || j->token)
			continue;       /* spawner's jobs: spawn_read */
		siginfo_t si;

		/* Exited but not reaped yet (WNOWAIT): the zombie holds the
		 * pid, so its group can be killed with no risk of hitting
		 * another's; a stray left in it must not outlive the job. */
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)j->pid, &si, WEXITED | WNOHANG |
		    WNOWAIT) == 0 && si.si_pid == j->pid)
			kill(-j->pid, SIGKILL);
		while ((r = waitpid(j->pid, &st, WNOHANG)) == -1 &&
		    errno == EINTR)
			;
		if (r == j->pid) {
			j->exited = 1;
			j->status = st;
			j->exited_at = mono_s();
		}
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

struct res {
	int set;
	int status;             /* QS_OK, QS_FAIL, or QS_TODO for temp */
	char dsn[16];
	char text[QUEUE_TEXT_MAX];
};

/* One result line; 0 if it matches the grammar of postel-result(5). */
static int
parse_line(char *s, size_t *n, struct res *r)
{
	static const int status[] = { QS_OK, QS_TODO, QS_FAIL };
	struct result pr;

	if (result_parse(s, &pr) == -1)
		return -1;
	*n = pr.rcpt;
	r->status = status[pr.status];
	fmt_s(r->dsn, sizeof r->dsn, "%s", pr.dsn);
	fmt_safe(r->text, sizeof r->text, pr.text, strlen(pr.text));
	r->set = 1;
	return 0;
}

static void
exit_text(const struct job *j, char *dst, size_t size, int *status)
{
	if (j->killed == 2) {
		fmt_s(dst, size, "delivery stopped with qrun");
		*status = QS_TODO;
	} else if (j->killed) {
		fmt_s(dst, size, "delivery program killed after %llu s",
		    timeout_s);
		*status = QS_TODO;
	} else if (WIFSIGNALED(j->status)) {
		fmt_s(dst, size, "delivery program died by signal %d",
		    WTERMSIG(j->status));
		*status = QS_TODO;
	} else if (WEXITSTATUS(j->status) == EXIT_PERM) {
		fmt_s(dst, size, "delivery program failed permanently "
		    "without a result");
		*status = QS_FAIL;
	} else {
		fmt_s(dst, size, "delivery program gave no result (exit %d)",
		    WEXITSTATUS(j->status));
		*status = QS_TODO;
	}
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
	log_kv(&l, "status", q->status == QS_OK ? "ok" :
	    q->status == QS_FAIL ? "perm" : "temp");
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

/* Read the child's lines into res[0..j->n) and *whole (the msg line). */
static void
parse_results(struct job *j, struct res *res, struct res *whole)
{
	char *p = j->buf.p, *end = p ? p + j->buf.len : NULL;
	char line[1024], orig[1024];
	size_t n;

	while (p && p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct res r = { 0 };
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len >= sizeof line)
			len = sizeof line - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		memcpy(orig, line, len + 1);
		p = nl ? nl + 1 : end;
		if (len == 0)
			continue;
		if (parse_line(line, &n, &r) == -1 || n > j->n) {
			garbage(j, orig);
			continue;
		}
		/* the first line about a recipient counts */
		if (n == 0) {
			if (!whole->set)
				*whole = r;
		} else if (!res[n - 1].set)
			res[n - 1] = r;
	}
}

/* Set one recipient's state from its result (r NULL: none given). */
static void
apply(struct job *j, size_t i, const struct res *r, long long now)
{
	struct msg *m = j->m;
	struct qstate *q = &m->st[j->idx[i]];
	struct res ex;
	int es;

	if (r == NULL && j->killed == 2) {
		/* Stopped in flight: it may even have been delivered. Not an
		 * attempt, and never final (invariant 6): the next runner
		 * tries it again, as postel-qrun(8) says. */
		m->busy[j->idx[i]] = 0;
		return;
	}
	if (r == NULL) {
		exit_text(j, ex.text, sizeof ex.text, &es);
		ex.status = es;
		fmt_s(ex.dsn, sizeof ex.dsn, "%s",
		    es == QS_FAIL ? "5.3.0" : "4.3.0");
		r = &ex;
	}
	q->attempts++;
	q->status = r->status;
	q->next = 0;
	fmt_s(q->dsn, sizeof q->dsn, "%s", r->dsn);
	fmt_s(q->text, sizeof q->text, "%s", r->text);
	if (r->status == QS_TODO) {
		size_t k = q->attempts - 1 < nretry ? q->attempts - 1 :
		    nretry - 1;
		long long life = m->env.from[0] ? (long long)lifetime :
		    (long long)blifetime;
		q->next = now + retry[k];
		if (now - m->env.arrival >= life) {
			/* Too old: the temporary failure is final. */
			q->status = QS_FAIL;
			fmt_s(q->text, sizeof q->text, "%s (gave up after %u "
			    "attempts)", r->text, q->attempts);
		}
	}
	m->busy[j->idx[i]] = 0;
}

static void
job_free(struct job *j)
{
	struct job **pp;

	for (pp = &jobs; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	if (j->remote)
		nremote--;
	else
		nlocal--;
	j->m->njobs--;
	if (j->out != -1)
		close(j->out);
	buf_free(&j->buf);
	free(j->idx);
	free(j);
}

/* The child has exited and its stdout is closed: apply its results. */
void
job_finish(struct job *j)
{
	struct msg *m = j->m;
	struct res *res, whole = { 0 };
	long long now = now_s();
	size_t i;

	if ((res = calloc(j->n, sizeof *res)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	parse_results(j, res, &whole);
	for (i = 0; i < j->n; i++)
		apply(j, i, res[i].set ? &res[i] : whole.set ? &whole : NULL,
		    now);
	/* recipients a stop left untouched have no result to log */
	for (i = 0; i < j->n; i++)
		res[i].set = res[i].set || whole.set || j->killed != 2;
	if (m->njobs == 1 && all_ok(m)) {
		/* Every recipient is delivered and no other job runs: the
		 * next step removes the message, and that removal is the
		 * record (postel-queue(5) step 4); a crash before it only
		 * repeats deliveries that were in flight. */
		for (i = 0; i < j->n; i++)
			log_result(j, j->idx[i], now);
	} else if (qstate_write(qd, m->id, m->st, m->env.nrcpt, m->warned, 0)
	    == -1) {
		/* Nothing may act on results that are not on disk: forget
		 * them; the recipients are tried again (a duplicate at worst) */
		warn_sys("unable to write state/%s", m->id);
		for (i = 0; i < j->n; i++) {
			m->st[j->idx[i]].status = QS_TODO;
			m->st[j->idx[i]].next = now + 60;
		}
	} else
		for (i = 0; i < j->n; i++)
			if (res[i].set)
				log_result(j, j->idx[i], now);
	free(res);
	job_free(j);
	if (m->njobs == 0 && !m->blocked)
		msg_done(m);
}
