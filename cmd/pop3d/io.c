/*
 * pop3d: lines in and replies out, shared by the front (AUTHORIZATION)
 * and the session (TRANSACTION): the limits of postel-pop3d(8),
 * "Commands" (line length, errors, commands, timeouts) live here.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fd.h"
#include "fmt.h"
#include "pop3d.h"

static unsigned long long errors, cmds;

void
pop3_wait(struct bio *b)
{
	long long d = bio_now() + (long long)pop3.timeout;

	b->deadline = d < pop3.deadline ? d : pop3.deadline;
}

static void vput(struct bio *out, const char *pre, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));

static void
vput(struct bio *out, const char *pre, const char *fmt, va_list ap)
{
	char line[600];
	int n;

	n = vsnprintf(line, sizeof line - 2, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof line - 3)
		n = (int)sizeof line - 3;
	memcpy(line + n, "\r\n", 2);
	pop3_wait(out);
	if (*pre)
		bio_puts(out, pre);
	bio_put(out, line, (size_t)n + 2);
}

void
pop3_put(struct bio *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vput(out, "", fmt, ap);
	va_end(ap);
}

void
pop3_err(struct bio *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vput(out, "-ERR ", fmt, ap);
	va_end(ap);
	errors++;
}

int
pop3_line(struct bio *in, char *line, size_t size, size_t *n)
{
	int r;

	pop3_wait(in);
	if (in->flush)
		pop3_wait(in->flush);
	r = bio_getline(in, line, size - 1, n);
	if (r != 1)
		return r;
	if (*n == 0 || line[*n - 1] != '\n')
		return 0;               /* a last line cut by EOF */
	(*n)--;
	if (*n && line[*n - 1] == '\r')
		(*n)--;
	line[*n] = '\0';
	return 1;
}

int
pop3_cmd(struct bio *in, struct bio *out, char *line, size_t size,
    struct pcmd *c)
{
	const char *why;
	size_t n;
	int r;

	if (errors >= pop3.max_errors || cmds >= pop3.max_cmds) {
		pop3_put(out, "-ERR too many %s, closing the connection",
		    errors >= pop3.max_errors ? "errors" : "commands");
		bio_flush(out);
		errno = EMLINK;
		return -1;
	}
	cmds++;
	r = pop3_line(in, line, size, &n);
	if (r == 0 || r == -1)
		return r;
	if (r == 2) {
		pop3_err(out, "line too long (at most %d octets)",
		    POP3_LINE_MAX);
		return 2;
	}
	if ((why = pcmd_split(c, line, n)) != NULL) {
		pop3_err(out, "%s", why);
		return 2;
	}
	if (c->alen && pcmd_noarg(c->verb)) {
		pop3_err(out, "%s takes no argument", c->name);
		return 2;
	}
	return 1;
}

void
pop3_capa(struct bio *out, int authed)
{
	pop3_put(out, "+OK capability list follows");
	bio_puts(out, "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
	    "PIPELINING\r\nEXPIRE NEVER\r\n");
	if (!authed && pop3_login_ok())
		bio_puts(out, "USER\r\nSASL PLAIN\r\n");
	if (!authed && pop3.tls_offer && !pop3.tls)
		bio_puts(out, "STLS\r\n");
	bio_puts(out, "IMPLEMENTATION postel\r\n.\r\n");
}

/* The counts go from the front to the session first on the relay
 * socket, so that the limits hold for the whole connection. */
int
pop3_counts_write(int fd)
{
	unsigned long long c[2] = { cmds, errors };

	return fd_write_all(fd, c, sizeof c);
}

int
pop3_counts_read(int fd)
{
	unsigned long long c[2];
	size_t got = 0;
	ssize_t r;

	while (got < sizeof c) {
		r = bio_fdio(fd, POLLIN, (char *)c + got, sizeof c - got,
		    pop3.deadline);
		if (r <= 0) {
			if (r == 0)
				errno = ECONNRESET;
			return -1;
		}
		got += (size_t)r;
	}
	cmds = c[0];
	errors = c[1];
	return 0;
}

int
pop3_login_ok(void)
{
	return pop3.tls || (pop3.plain && pop3.loopback);
}
