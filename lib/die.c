/* die: see die.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "die.h"
#include "fd.h"
#include "result.h"

static const char *prog = "postel";
static int logopen;             /* openlog done */
static int result_fd = -1;

void
die_init(const char *argv0)
{
	const char *s;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	s = strrchr(argv0, '/');
	prog = s ? s + 1 : argv0;
}

const char *
die_prog(void)
{
	return prog;
}

static int kept;        /* die_stderr_keep_peer was called */

/* inetd starts a program with its connection as stdin, stdout and
 * stderr: a line written to fd 2 would reach the client, ahead of or in
 * the middle of the protocol. A socket of its own on fd 2 (journald, a
 * supervisor's log pipe) is a log, not the peer. */
int
die_stderr_is_peer(void)
{
	struct stat e, s;
	int fd, peer = kept;

	if (!kept && (fstat(2, &e) == -1 || !S_ISSOCK(e.st_mode)))
		return 0;
	for (fd = 0; !kept && fd <= 1; fd++)
		if (fstat(fd, &s) == 0 && s.st_dev == e.st_dev &&
		    s.st_ino == e.st_ino)
			peer = 1;
	/* No LOG_CONS: with no syslog daemon a line is dropped, never
	 * written to the console or back to fd 2. */
	if (peer && !logopen) {
		openlog(prog, LOG_PID, LOG_MAIL);
		logopen = 1;
	}
	return peer;
}

void
die_stderr_keep_peer(void)
{
	kept = 1;
}

void
die_result(int fd)
{
	result_fd = fd;
}

/* The result line of a fatal error (postel-result(5)). */
static void
say_result(int code, const char *msg, int e)
{
	struct result r;
	char line[RESULT_LINE_MAX + 1];
	int n;

	if (result_fd == -1)
		return;
	if (code == EXIT_PERM)
		result_set(&r, OUTCOME_PERM, "5.3.0", "%s%s%s", msg,
		    e ? ": " : "", e ? strerror(e) : "");
	else
		result_set(&r, OUTCOME_TEMP, "4.3.0", "%s%s%s", msg,
		    e ? ": " : "", e ? strerror(e) : "");
	if ((n = result_fmt(line, sizeof line, 0, &r)) == -1)
		return;
	/* after any result lines still buffered; a failed write leaves
	 * qrun's "no result", which is what it was before */
	if (result_fd == 1)
		fflush(stdout);
	(void)fd_write_all(result_fd, line, (size_t)n);
}

static void vsay(int, const char *, int, const char *, va_list)
	__attribute__((format(printf, 4, 0)));

/* code: the exit code of a fatal error, or -1 for a warning */
static void
vsay(int code, const char *sev, int e, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (code != -1)
		say_result(code, msg, e);
	if (die_stderr_is_peer()) {
		syslog(code != -1 ? LOG_ERR : LOG_WARNING, "%s: %s%s%s", sev,
		    msg, e ? ": " : "", e ? strerror(e) : "");
		return;
	}
	if (e)
		fprintf(stderr, "%s: %s: %s: %s\n", prog, sev, msg, strerror(e));
	else
		fprintf(stderr, "%s: %s: %s\n", prog, sev, msg);
	fflush(stderr);
}

void
die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(code, "fatal", 0, fmt, ap);
	va_end(ap);
	exit(code);
}

void
die_sys(int code, const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vsay(code, "fatal", e, fmt, ap);
	va_end(ap);
	exit(code);
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(-1, "warning", 0, fmt, ap);
	va_end(ap);
}

void
warn_sys(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vsay(-1, "warning", e, fmt, ap);
	va_end(ap);
	errno = e;
}

int
err_temporary(int e)
{
	switch (e) {
	/* Errors that are the sender's or the message's own fault. */
	case EMSGSIZE:
	case EINVAL:
	case ENAMETOOLONG:
	case ELOOP:
	case ENOTDIR:
	case EISDIR:
	case EFBIG:
		return 0;
	default:
		/* ENOSPC, EDQUOT, EIO, ENOMEM, EAGAIN, ETIMEDOUT, ECONNREFUSED,
		 * EMFILE, ENFILE, EACCES (a fixable setup error) and anything
		 * we have not thought of: delayed mail can still arrive. */
		return 1;
	}
}

int
err_exitcode(int e)
{
	return err_temporary(e) ? EXIT_TEMP : EXIT_PERM;
}
