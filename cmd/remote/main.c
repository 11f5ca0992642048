/* remote: deliver one message to the recipients of one domain over SMTP.
 * See postel-remote(8) and postel-result(5). */
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
#include "log.h"
#include "remote.h"

static void
usage(void)
{
	die(EXIT_PERM, "usage: remote [-q qid] [-u] [-8] domain sender "
	    "recipient ...");
}

/* Size of the message in CRLF form, for SIZE (RFC 1870). */
static unsigned long long
crlf_size(int fd, long long off)
{
	char b[65536];
	unsigned long long n = 0;
	ssize_t r;
	int last = '\n';

	while ((r = fd_pread(fd, b, sizeof b, off)) != 0) {
		if (r == -1)
			die_sys(EXIT_TEMP, "unable to read the message");
		for (ssize_t i = 0; i < r; i++)
			if (b[i] == '\n')
				n++;
		n += (unsigned long long)r;
		last = b[r - 1];
		off += r;
	}
	return last == '\n' ? n : n + 2;
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
	}
	j->fd = 0;
	if ((j->off = lseek(0, 0, SEEK_CUR)) == -1)
		die_sys(EXIT_TEMP, "standard input is not a seekable file");
	j->size = crlf_size(j->fd, j->off);
}

/* Try the targets in order until no recipient is pending; *res is the
 * last failure, the result of those still pending. */
static void
deliver(struct delivery *j, const struct route *r, const struct target *t,
    size_t nt, struct result *res)
{
	size_t i, k, pending = j->nrcpt, max = conf_u("remote-max-hosts");
	int rc;

	result_set(res, OUTCOME_TEMP, "4.4.1", "no host tried");
	for (i = 0; i < nt && i < max && pending; i++) {
		rc = smtp_session(j, r, &t[i], 1, res);
		if (rc == S_TLSFAIL)    /* opportunistic: plaintext */
			smtp_session(j, r, &t[i], 0, res);
		for (k = 0, pending = 0; k < j->nrcpt; k++)
			if (j->rcpt[k].r.status == OUTCOME_NONE)
				pending++;
	}
}

int
main(int argc, char **argv)
{
	static struct target t[REMOTE_HOSTS_MAX];
	static struct route r;
	struct delivery j;
	struct result res;
	const char *why;
	size_t nt, i;
	int c;

	die_init(argv[0]);
	die_result(1);          /* a fatal error is the recipients' result */
	/* A peer that resets the connection mid-DATA is a write error
	 * (EPIPE), reported as a temporary failure, not a death by signal. */
	signal(SIGPIPE, SIG_IGN);
	memset(&j, 0, sizeof j);
	j.qid = getenv("QID");
	while ((c = getopt(argc, argv, "q:u8")) != -1) {
		switch (c) {
		case 'q': j.qid = optarg; break;
		case 'u': j.utf8 = 1; break;
		case '8': j.eightbit = 1; break;
		default: usage();
		}
	}
	if (geteuid() == 0 && !(getenv("POSTEL_ALLOW_ROOT") &&
	    strcmp(getenv("POSTEL_ALLOW_ROOT"), "1") == 0))
		die(EXIT_TEMP, "refusing to run as root: network input is "
		    "never parsed by root (run qrun as the queue user)");
	if (conf_load() == -1)
		die(EXIT_TEMP, "%s", conf_error());
	job_init(&j, argc - optind, argv + optind);
	if ((why = route_find(&r, j.domain)) != NULL)
		die(EXIT_TEMP, "%s", why);
	memset(&res, 0, sizeof res);
	if (route_plan(&r, &j, t, REMOTE_HOSTS_MAX, &nt, &res) == 0)
		deliver(&j, &r, t, nt, &res);
	for (i = 0; i < j.nrcpt; i++) {
		const struct result *x = &j.rcpt[i].r;
		if (x->status == OUTCOME_NONE)
			x = &res;
		char line[RESULT_LINE_MAX + 1];
		struct result bad;
		int n = result_fmt(line, sizeof line, i + 1, x);
		if (n == -1) {
			/* only this recipient's: the others keep theirs */
			warn("bad result for recipient %zu: %s %s", i + 1,
			    outcome_word(x->status), x->dsn);
			result_set(&bad, OUTCOME_TEMP, "4.3.0", "no valid "
			    "result (%s %s)", outcome_word(x->status), x->dsn);
			n = result_fmt(line, sizeof line, i + 1, &bad);
		}
		if (n == -1 || fwrite(line, 1, (size_t)n, stdout) != (size_t)n)
			die_sys(EXIT_TEMP, "unable to write results");
	}
	if (fflush(stdout) == EOF)
		die_sys(EXIT_TEMP, "unable to write results");
	free(j.rcpt);
	return 0;
}
