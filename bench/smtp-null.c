/*
 * smtp-null: the least an SMTP server can do. It answers every command
 * with 250 (354 to DATA, 221 to QUIT), reads the data up to CRLF.CRLF,
 * stores nothing, and like smtpd sends pipelined replies in one write.
 * bench/smtpd-bench runs it beside smtpd, under the same load, to measure
 * what each way of serving a connection costs on this host before smtpd
 * does any work:
 *   smtp-null            one connection on fds 0 and 1, under tcpserver
 *                        (fork and exec per connection, like smtpd);
 *   smtp-null -f PORT    listens on 127.0.0.1:PORT itself and forks a
 *                        child per connection, with no exec;
 *   smtp-null -p PORT N  listens itself, N processes each serving one
 *                        connection after another: no process per
 *                        connection at all.
 * The listening modes run until killed; their children die with them.
 */
#define _GNU_SOURCE             /* memmem */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char in[65536], out[4096];
static size_t have, olen;
static int fd_in, fd_out;

static int
flush(void)
{
	size_t n = olen;

	olen = 0;
	return n == 0 || write(fd_out, out, n) == (ssize_t)n ? 0 : -1;
}

static int
say(const char *s)
{
	size_t n = strlen(s);

	if (olen + n > sizeof out && flush() == -1)
		return -1;
	memcpy(out + olen, s, n);
	olen += n;
	return 0;
}

/* Read more input, flushing replies first; 0 at EOF or on error. */
static int
more(void)
{
	ssize_t r;

	if (flush() == -1)
		return 0;
	if (have == sizeof in) {        /* nothing is kept but a tail */
		memmove(in, in + have - 4, 4);
		have = 4;
	}
	r = read(fd_in, in + have, sizeof in - have);
	if (r <= 0)
		return 0;
	have += (size_t)r;
	return 1;
}

static void
drop(size_t len)
{
	memmove(in, in + len, have - len);
	have -= len;
}

/* One SMTP session on rfd/wfd; 0 when it ended with QUIT or EOF. */
static int
session(int rfd, int wfd)
{
	char *nl, *end;

	fd_in = rfd;
	fd_out = wfd;
	have = olen = 0;
	if (say("220 null ESMTP\r\n") == -1)
		return 1;
	for (;;) {
		while ((nl = memchr(in, '\n', have)) == NULL)
			if (!more())
				return 0;
		if (strncmp(in, "DATA", 4) == 0 || strncmp(in, "data", 4) == 0) {
			drop((size_t)(nl - in) + 1);
			if (say("354 go ahead\r\n") == -1)
				return 1;
			for (;;) {
				if (have >= 3 && memcmp(in, ".\r\n", 3) == 0) {
					drop(3);
					break;
				}
				if ((end = memmem(in, have, "\r\n.\r\n", 5)) != NULL) {
					drop((size_t)(end - in) + 5);
					break;
				}
				if (!more())
					return 0;
			}
			if (say("250 ok\r\n") == -1)
				return 1;
			continue;
		}
		if (strncmp(in, "QUIT", 4) == 0 || strncmp(in, "quit", 4) == 0) {
			say("221 bye\r\n");
			flush();
			return 0;
		}
		drop((size_t)(nl - in) + 1);
		if (say("250 ok\r\n") == -1)
			return 1;
	}
}

static void
fail(const char *what)
{
	perror(what);
	exit(111);
}

static int
listener(const char *port)
{
	struct sockaddr_in sa;
	int s, one = 1;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(port));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		fail("socket");
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1)
		fail("setsockopt");
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) == -1)
		fail("bind");
	if (listen(s, 256) == -1)
		fail("listen");
	return s;
}

/* -f: a child per connection, forked by this small process, no exec. */
static _Noreturn void
serve_fork(int s)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = SA_NOCLDWAIT;     /* children reap themselves */
	if (sigaction(SIGCHLD, &sa, NULL) == -1)
		fail("sigaction");
	for (;;) {
		int c = accept(s, NULL, NULL);
		pid_t pid;

		if (c == -1)
			continue;
		if ((pid = fork()) == 0) {
			close(s);
			if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
				_exit(111);
			_exit(session(c, c));
		}
		close(c);               /* a failed fork drops the connection */
	}
}

/* -p: n processes, each serving connection after connection. */
static _Noreturn void
serve_pool(int s, int n)
{
	int i;

	/* a client that hangs up early must not end a worker */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fail("signal");
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == -1)
			fail("fork");
		if (pid == 0) {
			if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
				fail("prctl");
			for (;;) {
				int c = accept(s, NULL, NULL);

				if (c == -1)
					continue;
				session(c, c);
				close(c);
			}
		}
	}
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	if (argc == 1)
		return session(0, 1);
	if (argc == 3 && strcmp(argv[1], "-f") == 0)
		serve_fork(listener(argv[2]));
	if (argc == 4 && strcmp(argv[1], "-p") == 0 && atoi(argv[3]) > 0)
		serve_pool(listener(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: smtp-null [-f PORT | -p PORT N]\n");
	return 100;
}
