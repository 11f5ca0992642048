/*
 * bounce: libFuzzer target for the header handling of qrun's bounces
 * (cmd/qrun/bounce.c: bounce_build, linked in with FUZZ_EXTRA_bounce). The input is
 * cut at the first NUL: the first part is the queued message (its header
 * section is attached to the bounce), the rest is the result text of a
 * failed recipient as qstate_read gives it (one line). Checks: no crash;
 * the report is a whole multipart/report whose boundary delimiter lines
 * (a line starting with "--" and the boundary) appear exactly four times,
 * three parts and the close, so nothing the sender wrote can end or
 * forge a part. Found here: a header line "--postel-ID" did.
 * Every input is built both as a plain bounce and as the RFC 6533 form
 * of an SMTPUTF8 message (one recipient a UTF-8 address).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "qrun/qrun.h"
#include "tmpdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static int qd = -1;

/* qrun's clock (main.c, not linked in): a fixed time */
long long
now_s(void)
{
	return 1732450000;
}

#define ID "1732450000.123456.4121"

static size_t
count_delims(const struct buf *b, const char *bound)
{
	size_t i, c = 0, bl = strlen(bound);

	for (i = 0; i + 2 + bl <= b->len; i++)
		if ((i == 0 || b->p[i - 1] == '\n') && b->p[i] == '-' &&
		    b->p[i + 1] == '-' && memcmp(b->p + i + 2, bound, bl) == 0)
			c++;
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct buf b = BUF_INIT(BOUNCE_MAX);
	char *rcpt[2] = { "alice@example.net", "b\303\266b@example.net" };
	struct qstate st[2];
	struct msg m;
	struct qenv env;
	const uint8_t *z = memchr(p, '\0', n);
	size_t hl = z ? (size_t)(z - p) : n, tl;
	char bound[128];
	const char *q, *e;
	int fd;

	if (qd == -1)
		qd = fuzz_tmpdir("bounce", "cur");
	fd = openat(qd, "cur/" ID, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || (hl && write(fd, p, hl) != (ssize_t)hl) || close(fd))
		abort();

	memset(&m, 0, sizeof m);
	memset(&env, 0, sizeof env);
	m.env = &env;
	memset(st, 0, sizeof st);
	fmt_s(m.id, sizeof m.id, "%s", ID);
	m.env->rcpt = rcpt;
	m.env->nrcpt = 2;
	m.env->body = 0;
	m.env->arrival = 1732440000;
	m.st = st;
	st[0].status = QS_FAIL;
	fmt_s(st[0].dsn, sizeof st[0].dsn, "5.1.1");
	if (z) {
		tl = n - hl - 1;
		if (tl >= sizeof st[0].text)
			tl = sizeof st[0].text - 1;
		memcpy(st[0].text, z + 1, tl);
		st[0].text[tl] = '\0';
		st[0].text[strcspn(st[0].text, "\n")] = '\0';
	}
	st[1].status = QS_TODO;
	fmt_s(st[1].dsn, sizeof st[1].dsn, "-");

	for (int round = 0; round < 4; round++) {
		int delayed = round & 1;
		m.env->flags = round & 2 ? QF_UTF8 : 0;
		b.len = 0;
		if (bounce_build(qd, &m, delayed, "carol@example.org", &b)
		    == -1)
			continue;
		if (buf_0(&b) == -1 ||
		    (q = strstr(b.p, "boundary=\"")) == NULL ||
		    (e = strchr(q + 10, '"')) == NULL ||
		    (size_t)(e - q - 10) >= sizeof bound)
			__builtin_trap();
		memcpy(bound, q + 10, (size_t)(e - q - 10));
		bound[e - q - 10] = '\0';
		if (count_delims(&b, bound) != 4)
			__builtin_trap();
	}
	buf_free(&b);
	return 0;
}
