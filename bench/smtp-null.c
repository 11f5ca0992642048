/*
 * smtp-null: the least an SMTP server under tcpserver can do. It answers
 * every command with 250 (354 to DATA, 221 to QUIT), reads the data up
 * to CRLF.CRLF, stores nothing, and like smtpd sends pipelined replies in
 * one write. bench/smtpd-bench runs it, linked like smtpd, under the same
 * tcpserver and load, to measure what one process per connection costs on
 * this host before smtpd does any work.
 * usage (under tcpserver): smtp-null
 */
#define _GNU_SOURCE             /* memmem */
#include <string.h>
#include <unistd.h>

static char in[65536], out[4096];
static size_t have, olen;

static int
flush(void)
{
	size_t n = olen;

	olen = 0;
	return n == 0 || write(1, out, n) == (ssize_t)n ? 0 : -1;
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
	r = read(0, in + have, sizeof in - have);
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

int
main(void)
{
	char *nl, *end;

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
