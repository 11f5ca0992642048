/*
 * filter-spamc: a postel filter (postel-filter(8)) that runs the message
 * through SpamAssassin's spamc, passes it on with spamd's X-Spam headers,
 * and rejects it (exit 100) when spamd calls it spam, or when its score
 * reaches -s SCORE. spamc runs with -x, so a spamd that cannot be reached
 * is a temporary failure (111), never mail passed unscanned.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "verdict.h"

#define STATUS_MAX 2048         /* the X-Spam-Status field, unfolded */

static struct {
	int inhdr, bol, cur;    /* in the header; at a line start; in it */
	int found;
	char v[STATUS_MAX];
	size_t vlen;
} h = { 1, 1, 0, 0, "", 0 };

/* Watch the header section go by for spamd's X-Spam-Status field (the
 * first one: spamd drops any the message brought along). */
static void
watch(const char *p, size_t n)
{
	static char name[16];
	static size_t nlen;
	size_t i;

	for (i = 0; i < n && h.inhdr; i++) {
		char c = p[i];
		if (h.bol) {
			h.bol = 0;
			if (c == '\n') {
				h.inhdr = 0;
				break;
			}
			if (h.cur && c != ' ' && c != '\t') {
				h.cur = 0;
				h.found = 1;
			}
			nlen = 0;
		}
		if (c == '\n') {
			h.bol = 1;
			if (h.cur && h.vlen < sizeof h.v - 1)
				h.v[h.vlen++] = ' ';
			continue;
		}
		if (h.cur) {
			if (h.vlen < sizeof h.v - 1)
				h.v[h.vlen++] = c;
		} else if (!h.found && nlen < sizeof name) {
			name[nlen++] = c;
			if (nlen == 14 && strncasecmp(name, "X-Spam-Status:",
			    14) == 0)
				h.cur = 1;
		}
	}
	if (!h.inhdr && h.cur) {
		h.cur = 0;
		h.found = 1;
	}
}

static void
writeall(const char *p, size_t n)
{
	if (fd_write_all(1, p, n) == -1)
		die_sys(EXIT_TEMP, "unable to write the message");
}

int
main(int argc, char **argv)
{
	const char *spamc = getenv("SPAMC");
	struct child ch = { .fd = { CHILD_KEEP, 0, CHILD_KEEP }, .nfd = 3 };
	char **av, b[16384];
	long limit = 0, score, req;
	int c, pfd[2], st, yes, i, k = 0, have_limit = 0;
	pid_t pid;
	ssize_t r;

	die_init("filter-spamc");
	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt(argc, argv, "s:")) != -1) {
		char fake[64];

		if (c != 's')
			die(EXIT_TEMP, "usage: filter-spamc [-s score] "
			    "[-- spamc-option ...]");
		/* the score as spamd would write it, read by the same code */
		if (fmt_s(fake, sizeof fake, "No, score=%s required=0",
		    optarg) == -1 || verdict_spam_status(fake, strlen(fake),
		    &yes, &limit, &req) == -1)
			die(EXIT_TEMP, "bad score %s", optarg);
		have_limit = 1;
	}
	if ((av = calloc((size_t)(argc - optind) + 3, sizeof *av)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	av[k++] = (char *)(spamc && *spamc ? spamc : "spamc");
	av[k++] = "-x";                 /* no "safe fallback": fail */
	for (i = optind; i < argc; i++)
		av[k++] = argv[i];
	if (pipe(pfd) == -1)
		die_sys(EXIT_TEMP, "unable to make a pipe");
	ch.argv = av;
	ch.path = av[0];
	ch.fd[1] = pfd[1];
	if ((pid = child_spawn(&ch)) == -1)
		die_sys(EXIT_TEMP, "unable to fork");
	close(pfd[1]);
	while ((r = fd_read(pfd[0], b, sizeof b)) > 0) {
		watch(b, (size_t)r);
		writeall(b, (size_t)r);
	}
	if (r == -1)
		die_sys(EXIT_TEMP, "unable to read from spamc");
	if (child_wait(pid, &st) == -1)
		die_sys(EXIT_TEMP, "unable to wait for spamc");
	free(av);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die(EXIT_TEMP, "spamc failed (%s %d)", WIFEXITED(st) ? "exit" :
		    "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	if (h.cur)
		h.found = 1;
	if (!h.found)
		return 0;       /* spamc left it unscanned: over its -s size */
	if (verdict_spam_status(h.v, h.vlen, &yes, &score, &req) == -1)
		die(EXIT_TEMP, "spamd's X-Spam-Status is unreadable");
	if (have_limit ? score >= limit : yes) {
		if (!have_limit)
			limit = req;
		fprintf(stderr, "Spam rejected (score %s%ld.%ld, limit "
		    "%s%ld.%ld)\n", score < 0 ? "-" : "", labs(score / 10),
		    labs(score % 10), limit < 0 ? "-" : "", labs(limit / 10),
		    labs(limit % 10));
		return EXIT_PERM;
	}
	return 0;
}
