/*
 * smtpd_cmd: libFuzzer target for smtpd's command parser (cmd/smtpd/
 * parse.c): each input line goes through cmd_split, then parse_mail and
 * parse_rcpt with every flag combination. Checks: no crash, and a parsed
 * path is NUL-terminated within struct addr.
 */
#include <stdint.h>
#include <string.h>

#include "../cmd/smtpd/parse.c"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

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
	return 0;
}
