/*
 * smtpd_cmd: libFuzzer target for smtpd's command parser (cmd/smtpd/
 * parse.c): each input line goes through cmd_split, then parse_mail and
 * parse_rcpt with every flag combination, and parse_bdat. Checks: no
 * crash, a parsed path is NUL-terminated within struct addr, a BDAT size
 * is within its limit and came from digits only, and a size formatted
 * from the input parses back to itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "smtpd/smtpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

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

	if (n > SMTP_CMD_MAX)
		return 0;
	if (cmd_split(&c, s, n) == -1)
		return 0;
	if (c.arg < s || c.arg + c.alen > s + n || strlen(c.verb) >= 16)
		__builtin_trap();
	for (int fl = 0; fl < 2; fl++) {
		if (parse_mail(&m, c.arg, c.alen, fl) == NULL &&
		    memchr(m.a.s, '\0', sizeof m.a.s) == NULL)
			__builtin_trap();
		if (parse_rcpt(&m, c.arg, c.alen, fl) == NULL &&
		    (memchr(m.a.s, '\0', sizeof m.a.s) == NULL ||
		    m.a.s[0] == '\0'))
			__builtin_trap();
	}
	bdat(&c, p, n);
	return 0;
}
