/* remote: deliver one message (or with -m a batch of messages) to the
 * recipients of one domain over SMTP. See postel-remote(8) and
 * postel-result(5). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "log.h"
#include "queue.h"
#include "remote.h"

static void
usage(void)
{
	die(EXIT_PERM, "usage: remote [-q qid] [-u] [-8] domain sender "
	    "recipient ... | remote -m -- domain qid:n[,n...] ...");
}

int
remote_crlf_size(int fd, long long off, unsigned long long *size)
{
	char b[65536];
	unsigned long long n = 0;
	ssize_t r;
	int last = '\n';

	while ((r = fd_pread(fd, b, sizeof b, off)) != 0) {
		if (r == -1)
			return -1;
		for (ssize_t i = 0; i < r; i++)
			if (b[i] == '\n')
				n++;
		n += (unsigned long long)r;
		last = b[r - 1];
		off += r;
	}
	*size = last == '\n' ? n : n + 2;
	return 0;
}

/* The DSN requests of the recipients on the command line from envelope
 * e: each is the envelope recipient with its address, the first one not
 * taken yet, in order (an address may be listed twice). */
static void
rcpt_dsn(struct delivery *j, const struct qenv *e)
{
	unsigned char *taken = calloc(e->nrcpt, 1);
	size_t i, k;

	if (taken == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	for (i = 0; i < j->nrcpt; i++) {
		for (k = 0; k < e->nrcpt; k++)
			if (!taken[k] && strcmp(e->rcpt[k], j->rcpt[i].addr) == 0)
				break;
		if (k == e->nrcpt)
			continue;
		taken[k] = 1;
		dsn_rcpt_init(&j->rcpt[i], qenv_notify(e, k), qenv_orcpt(e, k));
	}
	free(taken);
}

/* qrun hands one message over as its queue file at the message
 * (postel-result(5)): the envelope before it says whether to sign it,
 * and holds the DSN requests (RET, ENVID, each recipient's NOTIFY and
 * ORCPT). Standard input that is not a queue file, or not one whose
 * message starts there, is sent as it is, with no requests. */
static void
envelope_of(struct delivery *j)
{
	struct qenv e;
	const char *why;

	if (qenv_read(0, &e, &why) == 0) {
		if ((long long)e.body == j->off) {
			j->sign = sign_wanted(e.origin, e.auth);
			j->dsn = e.dsn;
			j->requiretls = (e.flags & QF_REQUIRETLS) != 0;
			rcpt_dsn(j, &e);
		}
		qenv_free(&e);
	}
	if (lseek(0, j->off, SEEK_SET) == -1)
		die_sys(EXIT_TEMP, "unable to seek in the message");
}

/* The job from argv (after the options) and standard input. */
static void
job_init(struct delivery *j, int argc, char **argv)
{
	const char *why;
	struct addr a;
	size_t i;

	if (argc < 3)
		usage();
	j->domain = argv[0];
	j->sender = argv[1];
	j->nrcpt = (size_t)argc - 2;
	j->me = conf_s("me");
	if ((j->rcpt = calloc(j->nrcpt, sizeof *j->rcpt)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	/* checked here, so no CR or LF can reach an SMTP command */
	if (*j->sender && (why = addr_parse(&a, j->sender, strlen(j->sender),
	    ADDR_UTF8)) != NULL)
		die(EXIT_PERM, "bad sender %s: %s", j->sender, why);
	if (*j->sender && (a.flags & ADDR_UTF8))
		j->utf8 = 1;
	for (i = 0; i < j->nrcpt; i++) {
		j->rcpt[i].addr = argv[2 + i];
		if ((why = addr_parse(&a, argv[2 + i], strlen(argv[2 + i]),
		    ADDR_UTF8)) != NULL)
			die(EXIT_PERM, "bad recipient %s: %s", argv[2 + i], why);
		if (a.flags & ADDR_UTF8)
			j->utf8 = 1;
		/* no requests but the ORCPT remote adds, unless the
		 * envelope has some */
		dsn_rcpt_init(&j->rcpt[i], 0, NULL);
	}
	j->fd = 0;
	if ((j->off = lseek(0, 0, SEEK_CUR)) == -1)
		die_sys(EXIT_TEMP, "standard input is not a seekable file");
	if (j->off > 0)
		envelope_of(j);
	j->tlsreq_no = requiretls_header_no(j->fd, j->off);
	if (remote_crlf_size(j->fd, j->off, &j->size) == -1)
		die_sys(EXIT_TEMP, "unable to read the message");
}

size_t
delivery_pending(const struct delivery *j)
{
	size_t i, n = 0;

	for (i = 0; i < j->nrcpt; i++)
		if (j->rcpt[i].r.status == OUTCOME_NONE)
			n++;
	return n;
}

static size_t
pending(const struct delivery *m, size_t nm)
{
	size_t k, n = 0;

	for (k = 0; k < nm; k++)
		n += delivery_pending(&m[k]);
	return n;
}

/* Try the targets in order until no recipient is pending; each message's
 * res is its last failure, the result of its recipients still pending.
 * In batch mode each session has a name, pid.n, for the log. */
static void
deliver(struct delivery *m, size_t nm, int batch, const struct route *r,
    const struct target *t, size_t nt)
{
	static struct result temp[REMOTE_BATCH_MAX];
	size_t i, k, max = conf_u("remote-max-hosts");
	char sid[48];
	unsigned n = 0;
	int rc;

	for (k = 0; k < nm; k++)
		temp[k].status = OUTCOME_NONE;
	for (i = 0; i < nt && i < max && pending(m, nm); i++) {
		fmt_s(sid, sizeof sid, "%ld.%u", (long)getpid(), ++n);
		rc = smtp_session(m, nm, r, &t[i], 1, batch ? sid : NULL);
		if (rc == S_TLSFAIL) {  /* opportunistic: plaintext */
			fmt_s(sid, sizeof sid, "%ld.%u", (long)getpid(), ++n);
			smtp_session(m, nm, r, &t[i], 0, batch ? sid : NULL);
		}
		for (k = 0; k < nm; k++)
			if (m[k].requiretls && delivery_pending(&m[k]) &&
			    m[k].res.status == OUTCOME_TEMP)
				temp[k] = m[k].res;
	}
	/* A REQUIRETLS message refused by one host (5.7.30) but left by
	 * another for a temporary reason waits: that host may do later. */
	for (k = 0; k < nm; k++)
		if (temp[k].status == OUTCOME_TEMP &&
		    m[k].res.status == OUTCOME_PERM &&
		    strcmp(m[k].res.dsn, "5.7.30") == 0)
			m[k].res = temp[k];
}

/* The action line after recipient K's ok line (postel-result(5)): passed
 * when its RCPT went with the DSN requests, else relayed. Both lines go
 * in one write: what stdout holds goes out first, and the pair fits in
 * its buffer, so that a run killed between them cannot leave the ok line
 * without its action. */
static void
report_ok(const char *line, size_t n, size_t K, const struct rcpt *rc)
{
	char both[RESULT_LINE_MAX + 64];
	int a;

	memcpy(both, line, n);
	a = result_action_fmt(both + n, sizeof both - n, K,
	    rc->dsn ? ACTION_PASSED : ACTION_RELAYED);
	if (a == -1)
		die(EXIT_TEMP, "unable to format the action of recipient %zu", K);
	if (fflush(stdout) == EOF ||
	    fwrite(both, 1, n + (size_t)a, stdout) != n + (size_t)a)
		die_sys(EXIT_TEMP, "unable to write results");
}

/* K counts the recipients of m[0..nm) in order (postel-result(5)). */
void
remote_report(struct delivery *m, size_t nm, int all)
{
	char line[RESULT_LINE_MAX + 1];
	struct result bad;
	size_t k, i, K = 0;
	int n;

	for (k = 0; k < nm; k++) {
		for (i = 0; i < m[k].nrcpt; i++) {
			struct rcpt *rc = &m[k].rcpt[i];
			const struct result *x = &rc->r;
			K++;
			if (rc->reported || (x->status == OUTCOME_NONE && !all))
				continue;
			if (x->status == OUTCOME_NONE)
				x = &m[k].res;
			n = result_fmt(line, sizeof line, K, x);
			if (n == -1) {
				/* only this recipient's: the others keep
				 * theirs */
				warn("bad result for recipient %zu: %s %s", K,
				    outcome_word(x->status), x->dsn);
				result_set(&bad, OUTCOME_TEMP, "4.3.0", "no valid "
				    "result (%s %s)", outcome_word(x->status),
				    x->dsn);
				n = result_fmt(line, sizeof line, K, &bad);
			}
			if (n != -1 && x == &rc->r && x->status == OUTCOME_OK)
				report_ok(line, (size_t)n, K, rc);
			else if (n == -1 || fwrite(line, 1, (size_t)n, stdout) !=
			    (size_t)n)
				die_sys(EXIT_TEMP, "unable to write results");
			rc->reported = 1;
		}
	}
	if (fflush(stdout) == EOF)
		die_sys(EXIT_TEMP, "unable to write results");
}

int
main(int argc, char **argv)
{
	static struct target t[REMOTE_HOSTS_MAX];
	static struct delivery m[REMOTE_BATCH_MAX];
	static struct rcpt rcpt[REMOTE_RCPT_MAX];
	static struct route r;
	const char *why;
	size_t nt, nm = 1, k;
	int c, batch = 0, flags = 0;

	die_init(argv[0]);
	die_result(1);          /* a fatal error is the recipients' result */
	/* A peer that resets the connection mid-DATA is a write error
	 * (EPIPE), reported as a temporary failure, not a death by signal. */
	signal(SIGPIPE, SIG_IGN);
	m[0].qid = getenv("QID");
	while ((c = getopt(argc, argv, "mq:u8")) != -1) {
		switch (c) {
		case 'm': batch = 1; break;
		case 'q': m[0].qid = optarg; flags = 1; break;
		case 'u': m[0].utf8 = 1; flags = 1; break;
		case '8': m[0].eightbit = 1; flags = 1; break;
		default: usage();
		}
	}
	/* batch mode: the flags come from each envelope */
	if (batch && flags)
		usage();
	if (geteuid() == 0 && !(getenv("POSTEL_ALLOW_ROOT") &&
	    strcmp(getenv("POSTEL_ALLOW_ROOT"), "1") == 0))
		die(EXIT_TEMP, "refusing to run as root: network input is "
		    "never parsed by root (run qrun as the queue user)");
	if (conf_load() == -1)
		die(EXIT_TEMP, "%s", conf_error());
	if (!batch)
		job_init(&m[0], argc - optind, argv + optind);
	else if (argc - optind < 2)
		usage();
	else if ((why = batch_init(m, &nm, rcpt, argc - optind - 1,
	    argv + optind + 1, argv[optind])) != NULL)
		/* qrun made these arguments: a fault of ours, not the
		 * sender's, so temporary (postel(7), invariant 6) */
		die(EXIT_TEMP, "usage: %s", why);
	if ((why = route_find(&r, m[0].domain)) != NULL)
		die(EXIT_TEMP, "%s", why);
	for (k = 0; k < nm; k++) {
		result_set(&m[k].res, OUTCOME_TEMP, "4.4.1", "no host tried");
		sign_message(&m[k]);    /* each message of a batch its own */
	}
	/* a result settled now (a DKIM key that cannot be used) goes out
	 * at once, as any other */
	remote_report(m, nm, 0);
	if (route_plan(&r, &m[0], requiretls_relaxed(m, nm), t,
	    REMOTE_HOSTS_MAX, &nt, &m[0].res) == 0)
		deliver(m, nm, batch, &r, t, nt);
	else
		for (k = 1; k < nm; k++)
			m[k].res = m[0].res;
	remote_report(m, nm, 1);
	for (k = 0; k < nm; k++)
		buf_free(&m[k].dkim);
	sign_end();
	if (!batch)
		free(m[0].rcpt);
	return 0;
}
