/*
 * filter-clamav: a postel filter (postel-filter(8)) that scans the
 * message with ClamAV, by clamdscan (the default, through a running
 * clamd) or by clamscan (-s, which loads the database on every run).
 * Clean: the message is passed on unchanged (exit 0). A signature found:
 * exit 100, "Virus found: NAME". A scanner error: exit 111.
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
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "verdict.h"

#define OUT_MAX 8192            /* scanner output kept */

/* stdin as a file we can read twice: itself when it can seek. */
static int
message(void)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	if (lseek(0, 0, SEEK_SET) == 0)
		return 0;
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if ((fd = fd_tmpfile(dir)) == -1)
		die_sys(EXIT_TEMP, "unable to create a file in %s", dir);
	if (fd_copy(0, fd) == -1 || lseek(fd, 0, SEEK_SET) == -1)
		die_sys(EXIT_TEMP, "unable to copy the message");
	return fd;
}

int
main(int argc, char **argv)
{
	/* the scanner's verdict and errors alike come through the pipe */
	struct child ch = { .nfd = 3, .failed = child_warn };
	char **av, out[OUT_MAX + 1], name[VERDICT_NAME_MAX], first[200] = "";
	int c, fd, pfd[2], st, i, k = 0, standalone = 0;
	char *line, *nl;
	const char *prog;
	pid_t pid;

	die_init("filter-clamav");
	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt(argc, argv, "s")) != -1) {
		if (c != 's')
			die(EXIT_TEMP, "usage: filter-clamav [-s] "
			    "[-- scanner-option ...]");
		standalone = 1;
	}
	fd = message();
	if ((av = calloc((size_t)(argc - optind) + 4, sizeof *av)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	av[k++] = standalone ? "clamscan" : "clamdscan";
	av[k++] = "--no-summary";
	for (i = optind; i < argc; i++)
		av[k++] = argv[i];
	av[k++] = "-";
	if (pipe(pfd) == -1)
		die_sys(EXIT_TEMP, "unable to make a pipe");
	ch.argv = av;
	ch.path = av[0];
	ch.fd[0] = fd;
	ch.fd[1] = ch.fd[2] = pfd[1];
	if ((pid = child_spawn(&ch)) == -1)
		die_sys(EXIT_TEMP, "unable to fork");
	close(pfd[1]);
	(void)fd_read_head(pfd[0], out, sizeof out);   /* drains the rest */
	if (child_wait(pid, &st) == -1)
		die_sys(EXIT_TEMP, "unable to wait for %s", av[0]);
	prog = av[0];
	free(av);
	for (line = out; *line; line = nl ? nl + 1 : line + strlen(line)) {
		int v;
		nl = strchr(line, '\n');
		v = verdict_clam_line(line, nl ? (size_t)(nl - line) :
		    strlen(line), name, sizeof name);
		if (v == 1 && WIFEXITED(st) && WEXITSTATUS(st) == 1) {
			fprintf(stderr, "Virus found: %s\n", name);
			return EXIT_PERM;
		}
		if (v == -1 && first[0] == '\0')
			fmt_safe(first, sizeof first, line, nl ?
			    (size_t)(nl - line) : strlen(line));
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die(EXIT_TEMP, "%s failed (%s %d): %s", prog, WIFEXITED(st) ?
		    "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) :
		    WTERMSIG(st), first[0] ? first : "no output");
	if (lseek(fd, 0, SEEK_SET) == -1 || fd_copy(fd, 1) == -1)
		die_sys(EXIT_TEMP, "unable to write the message");
	return 0;
}
