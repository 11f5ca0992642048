/*
 * bounce: libFuzzer target for qrun's reports (cmd/qrun/bounce.c:
 * bounce_build, linked in with FUZZ_EXTRA_bounce). The input is cut at
 * NULs: the first part is the queued message (its header section, or
 * with RET=FULL the whole of it, is attached), the second the result
 * text of the recipients (one line, as qstate_read gives it), the third
 * an ENVID and the fourth an ORCPT, each as the queue keeps it (any
 * bytes here: the queue readers validate them, and the report must hold
 * whatever gets through). Checks: no crash; the report is a whole
 * multipart/report whose boundary delimiter lines (a line starting with
 * "--" and the boundary) appear exactly four times, three parts and the
 * close, so nothing the sender wrote can end or forge a part (found
 * here: a header line "--postel-ID" did); the delivery-status part has
 * one Action field per recipient listed, so neither the text, the ENVID
 * nor the ORCPT can add one.
 * Every input is built as each kind of report (failure, delay, success),
 * with RET unset, FULL and HDRS, plain and as the RFC 6533 form of an
 * SMTPUTF8 message (one recipient a UTF-8 address).
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
#include "result.h"
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

/* Action fields in the delivery-status part of the NUL-ended b->p. */
static size_t
count_actions(const struct buf *b, const char *bound)
{
	char end[160];
	const char *s = strstr(b->p, "\nContent-Type: message/"), *e;
	size_t c = 0;

	/* the first such line is the second part's: the text part's lines
	 * start with a recipient */
	if (s == NULL || (s = strstr(s, "delivery-status\n\n")) == NULL)
		__builtin_trap();
	fmt_s(end, sizeof end, "\n--%s", bound);
	if ((e = strstr(s, end)) == NULL)
		__builtin_trap();
	for (; (s = strstr(s, "\nAction: ")) != NULL && s < e; s++)
		c++;
	return c;
}

/* The next NUL-ended piece of p[0..n) from *off, at most max - 1 bytes,
 * into dst. */
static void
piece(const uint8_t *p, size_t n, size_t *off, char *dst, size_t max)
{
	size_t i = *off, k = 0;

	while (i < n && p[i] != '\0') {
		if (k + 1 < max)
			dst[k++] = (char)p[i];
		i++;
	}
	dst[k] = '\0';
	*off = i < n ? i + 1 : n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct buf b = BUF_INIT(BOUNCE_MAX + BOUNCE_FULL_MAX);
	char *rcpt[3] = { "alice@example.net", "b\303\266b@example.net",
	    "carol@example.net" };
	struct qstate st[3];
	struct qrdsn rd[3];
	struct msg m;
	struct qenv env;
	const uint8_t *z = memchr(p, '\0', n);
	size_t hl = z ? (size_t)(z - p) : n, off = hl + 1, i;
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
	memset(st, 0, sizeof st);
	memset(rd, 0, sizeof rd);
	m.env = &env;
	fmt_s(m.id, sizeof m.id, "%s", ID);
	env.rcpt = rcpt;
	env.nrcpt = 3;
	env.body = 0;
	env.arrival = 1732440000;
	env.rdsn = rd;
	env.nrdsn = 3;
	m.st = st;
	piece(p, n, &off, st[0].text, sizeof st[0].text);
	st[0].text[strcspn(st[0].text, "\n")] = '\0';
	piece(p, n, &off, env.dsn.envid, sizeof env.dsn.envid);
	piece(p, n, &off, rd[0].orcpt, sizeof rd[0].orcpt);
	memcpy(rd[2].orcpt, rd[0].orcpt, sizeof rd[2].orcpt);
	memcpy(st[1].text, st[0].text, sizeof st[1].text);
	memcpy(st[2].text, st[0].text, sizeof st[2].text);
	/* one recipient failed (no NOTIFY), one waits (NOTIFY=DELAY), one
	 * was relayed and owes a notice (NOTIFY=SUCCESS) */
	st[0].status = QS_FAIL;
	fmt_s(st[0].dsn, sizeof st[0].dsn, "5.1.1");
	st[1].status = QS_TODO;
	fmt_s(st[1].dsn, sizeof st[1].dsn, "-");
	rd[1].notify = QN_DELAY;
	st[2].status = QS_OK;
	st[2].notice = ACTION_RELAYED;
	fmt_s(st[2].dsn, sizeof st[2].dsn, "2.0.0");
	rd[2].notify = QN_SUCCESS;

	for (int round = 0; round < 18; round++) {
		int kind = round % 3;
		size_t listed = 0;
		env.dsn.ret = round / 3 % 3;    /* QR_UNSET, QR_FULL, QR_HDRS */
		env.flags = round >= 9 ? QF_UTF8 : 0;
		for (i = 0; i < env.nrcpt; i++)
			listed += (size_t)bounce_lists(&m, i, kind);
		if (listed != 1)
			__builtin_trap();
		b.len = 0;
		if (bounce_build(qd, &m, kind, "dave@example.org", &b) == -1)
			continue;
		if (buf_0(&b) == -1 ||
		    (q = strstr(b.p, "boundary=\"")) == NULL ||
		    (e = strchr(q + 10, '"')) == NULL ||
		    (size_t)(e - q - 10) >= sizeof bound)
			__builtin_trap();
		memcpy(bound, q + 10, (size_t)(e - q - 10));
		bound[e - q - 10] = '\0';
		if (count_delims(&b, bound) != 4 ||
		    count_actions(&b, bound) != listed)
			__builtin_trap();
	}
	buf_free(&b);
	return 0;
}
