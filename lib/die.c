/* die: see die.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"

static const char *prog = "postel";

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

static void vsay(const char *, int, const char *, va_list)
	__attribute__((format(printf, 3, 0)));

static void
vsay(const char *sev, int e, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
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
	vsay("fatal", 0, fmt, ap);
	va_end(ap);
	exit(code);
}

void
die_sys(int code, const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vsay("fatal", e, fmt, ap);
	va_end(ap);
	exit(code);
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("warning", 0, fmt, ap);
	va_end(ap);
}

void
warn_sys(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vsay("warning", e, fmt, ap);
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
