/*
 * pop3d_cmd: libFuzzer target for pop3d's command parser (cmd/pop3d/
 * parse.c) and for the way it sends a message (drop_send in
 * cmd/pop3d/drop.c, read in 7-octet chunks under FUZZING). Each input
 * line goes through pcmd_split, parse_msgno and parse_top; the whole
 * input is then sent as RETR and as TOP would send it. Checks: a verb
 * is upper case and known or V_UNKNOWN, numbers come from digits only
 * and are in range; RETR's output equals a byte-by-byte model (bare LF
 * as CRLF, a dot doubled at a line's start, a line end added at the
 * end, ".CRLF"), its octets before the dot-stuffing are the size
 * lib/maildir counts; TOP's output equals the model's header and first
 * lines of the body, and is a prefix of RETR's.
 */
#define _GNU_SOURCE             /* memfd_create */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "maildir.h"
#include "pop3d/pop3d.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static char sent[1 << 20];
static size_t nsent;

static ssize_t
sink(struct bio *b, void *p, size_t n)
{
	(void)b;
	if (nsent + n > sizeof sent)
		__builtin_trap();
	memcpy(sent + nsent, p, n);
	nsent += n;
	return (ssize_t)n;
}

static void
line(const char *s, size_t n)
{
	struct pcmd c;
	unsigned long v, m;
	unsigned long long l;
	size_t i;

	if (pcmd_split(&c, s, n) != NULL)
		return;
	for (i = 0; c.name[i]; i++)
		if (c.name[i] >= 'a' && c.name[i] <= 'z')
			__builtin_trap();
	if (c.arg + c.alen > s + n)
		__builtin_trap();
	if (parse_msgno(c.arg, c.alen, 1000, &v) == 0) {
		if (v == 0 || v > 1000)
			__builtin_trap();
		for (i = 0; i < c.alen; i++)
			if (c.arg[i] < '0' || c.arg[i] > '9')
				__builtin_trap();
	}
	if (parse_top(c.arg, c.alen, 1000, &m, &l) == 0 && (m == 0 ||
	    m > 1000))
		__builtin_trap();
}

/* The model of what RETR (lines < 0) or TOP (lines of the body) sends
 * of the message p[0..n), octet by octet. */
static size_t
model(char *o, const uint8_t *p, size_t n, long long lines)
{
	size_t i, k = 0, col = 0;
	int bol = 1, body = 0;

	for (i = 0; i < n; i++) {
		if (bol) {
			if (body && lines == 0)
				break;
			if (p[i] == '.')
				o[k++] = '.';
			bol = 0;
		}
		if (p[i] == '\n') {
			int cr = col > 0 && p[i - 1] == '\r';
			if (!cr)
				o[k++] = '\r';
			o[k++] = '\n';
			if (!body && (col == 0 || (col == 1 && cr)))
				body = 1;
			else if (body && lines > 0)
				lines--;
			col = 0;
			bol = 1;
			continue;
		}
		o[k++] = (char)p[i];
		col++;
	}
	if (!bol) {
		o[k++] = '\r';
		o[k++] = '\n';
	}
	memcpy(o + k, ".\r\n", 3);
	return k + 3;
}

static size_t
send_msg(int fd, long long lines)
{
	static char ob[4096];
	struct bio out;

	nsent = 0;
	if (lseek(fd, 0, SEEK_SET) == -1)
		__builtin_trap();
	bio_init(&out, -1, sink, ob, sizeof ob);
	if (drop_send(&out, fd, lines) == -1 || bio_flush(&out) == -1)
		__builtin_trap();
	return nsent;
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static char want[1 << 20], retr[1 << 20];
	struct maildir_crlf w = { 0, 0 };
	const char *s = (const char *)p, *e = s + n, *lf;
	size_t k, r, dots = 0, i;
	int fd;

	if (n > 100000)
		return 0;
	for (; s < e; s = lf + 1) {
		if ((lf = memchr(s, '\n', (size_t)(e - s))) == NULL)
			lf = e;
		line(s, (size_t)(lf - s));
	}
	if ((fd = memfd_create("msg", 0)) == -1)
		return 0;
	if (write(fd, p, n) != (ssize_t)n) {
		close(fd);
		return 0;
	}
	k = model(want, p, n, -1);
	r = send_msg(fd, -1);
	if (r != k || memcmp(sent, want, k) != 0)
		__builtin_trap();
	memcpy(retr, sent, r);
	/* the size a client is told: the octets less the stuffed dots, the
	 * final dot line and the line end added to a last line */
	maildir_crlf_count(&w, (const char *)p, n);
	for (i = 0; i + 1 < r; i++)
		if (retr[i] == '.' && (i == 0 || retr[i - 1] == '\n'))
			dots++;
	dots--;                         /* the final dot */
	if (r - dots - 3 - (n && p[n - 1] != '\n' ? 2 : 0) != n + w.added)
		__builtin_trap();
	k = model(want, p, n, (long long)(n % 5));
	r = send_msg(fd, (long long)(n % 5));
	if (r != k || memcmp(sent, want, k) != 0 ||
	    memcmp(sent, retr, r - 3) != 0)
		__builtin_trap();
	close(fd);
	return 0;
}
