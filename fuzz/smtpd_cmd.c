/*
 * smtpd_cmd: libFuzzer target for smtpd's command parser (cmd/smtpd/
 * parse.c): each input line goes through cmd_split, then parse_mail and
 * parse_rcpt with every flag combination, and parse_bdat. Checks: no
 * crash, a parsed path is NUL-terminated within struct addr, a BDAT size
 * is within its limit and came from digits only, and a size formatted
 * from the input parses back to itself. The DSN parameters (RET, ENVID,
 * NOTIFY, ORCPT): whatever a command is accepted with, lib/queue writes
 * into the envelope and reads back the same (qw_envelope_x would refuse
 * it otherwise, after the 250); after HELO, or on a refusal, none.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "smtpd/smtpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static int
dsn_none(const struct mailarg *m)
{
	return m->dsn.ret == QR_UNSET && m->dsn.envid[0] == '\0' &&
	    m->dsn.notify == 0 && m->rdsn.notify == 0 &&
	    m->rdsn.orcpt[0] == '\0';
}

/* MAIL's RET and ENVID as the envelope keeps them. */
static void
dsn_mail(const struct mailarg *m)
{
	char x[QUEUE_ORCPT_MAX + 1];

	if (m->dsn.ret != QR_UNSET && m->dsn.ret != QR_FULL &&
	    m->dsn.ret != QR_HDRS)
		__builtin_trap();
	if (m->dsn.notify != 0 || m->rdsn.notify != 0 || m->rdsn.orcpt[0])
		__builtin_trap();
	if (m->dsn.envid[0] && (!qdsn_envid_ok(m->dsn.envid) ||
	    qdsn_xtext_decode(x, sizeof x, m->dsn.envid) == -1))
		__builtin_trap();
}

/* RCPT's NOTIFY and ORCPT: a dsn line that parses back to them. */
static void
dsn_rcpt(const struct mailarg *m)
{
	char line[QUEUE_ORCPT_MAX + 96], x[QUEUE_ORCPT_MAX + 1];
	struct qrdsn back;
	size_t n;
	unsigned all = QN_NEVER | QN_SUCCESS | QN_FAILURE | QN_DELAY;

	if (m->dsn.ret != QR_UNSET || m->dsn.envid[0])
		__builtin_trap();
	if ((m->rdsn.notify & ~all) || ((m->rdsn.notify & QN_NEVER) &&
	    m->rdsn.notify != QN_NEVER))
		__builtin_trap();
	if (m->rdsn.orcpt[0] && (!qdsn_orcpt_ok(m->rdsn.orcpt) ||
	    qdsn_xtext_decode(x, sizeof x,
	    strchr(m->rdsn.orcpt, ';') + 1) == -1))
		__builtin_trap();
	if (m->rdsn.notify == 0 && m->rdsn.orcpt[0] == '\0')
		return;
	if (qrdsn_fmt(line, sizeof line, 7, &m->rdsn) < 0 ||
	    qrdsn_parse(line, &n, &back) == -1 || n != 7 ||
	    back.notify != m->rdsn.notify ||
	    strcmp(back.orcpt, m->rdsn.orcpt) != 0)
		__builtin_trap();
}

/* The BDAT argument: what parses is "digits[ +LAST]". */
static void
bdat(const struct cmd *c, const uint8_t *p, size_t n)
{
	struct bdat b;
	unsigned long long v = 0;
	char num[64];
	size_t i;

	if (parse_bdat(&b, c->arg, c->alen) == 0) {
		if (b.size > SMTP_CHUNK_MAX || c->alen == 0)
			__builtin_trap();
		for (i = 0; i < c->alen && c->arg[i] != ' '; i++)
			if (c->arg[i] < '0' || c->arg[i] > '9')
				__builtin_trap();
		if (b.last != (i < c->alen))
			__builtin_trap();
	}
	for (i = 0; i < n && i < 8; i++)
		v = v << 8 | p[i];
	v %= SMTP_CHUNK_MAX + 1;
	snprintf(num, sizeof num, "%llu%s", v, n & 1 ? " last" : "");
	if (parse_bdat(&b, num, strlen(num)) == -1 || b.size != v ||
	    b.last != (int)(n & 1))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct cmd c;
	struct mailarg m;
	const char *s = (const char *)p;

	if (n > SMTP_PARAM_LINE_MAX)
		return 0;
	if (cmd_split(&c, s, n) == -1)
		return 0;
	if (c.arg < s || c.arg + c.alen > s + n || strlen(c.verb) >= 16 ||
	    c.len != n)
		__builtin_trap();
	for (int fl = 0; fl < 2; fl++) {
		if (parse_mail(&m, c.arg, c.alen, fl) == NULL) {
			if (memchr(m.a.s, '\0', sizeof m.a.s) == NULL)
				__builtin_trap();
			if (!fl && !dsn_none(&m))
				__builtin_trap();
			dsn_mail(&m);
		} else if (!dsn_none(&m))
			__builtin_trap();
		for (int u = 0; u < 2; u++) {
			if (parse_rcpt(&m, c.arg, c.alen, fl, u) == NULL) {
				if (memchr(m.a.s, '\0', sizeof m.a.s) == NULL ||
				    (m.a.s[0] == '\0') != m.postmaster)
					__builtin_trap();
				if (!fl && !dsn_none(&m))
					__builtin_trap();
				dsn_rcpt(&m);
			} else if (!dsn_none(&m))
				__builtin_trap();
		}
	}
	bdat(&c, p, n);
	return 0;
}
