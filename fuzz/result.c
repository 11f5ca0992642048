/*
 * result: libFuzzer target for the postel-result(5) line parser
 * (lib/result.c) that qrun applies to what local and remote print. The
 * input is one line, NUL-terminated in a copy. Checks: no crash; an
 * accepted line has a known status, a DSN whose class matches it
 * (2 ok, 4 temp, 5 perm), a recipient number only on rcpt lines, and
 * dsn and text pointing inside the line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	char *line;
	struct result r;
	static const char cls[] = { '2', '4', '5' };

	if ((line = malloc(n + 1)) == NULL)
		return 0;
	memcpy(line, p, n);
	line[n] = '\0';
	if (result_parse(line, &r) == 0) {
		if (r.status < RESULT_OK || r.status > RESULT_PERM)
			__builtin_trap();
		if (!result_dsn_ok(r.dsn) || r.dsn[0] != cls[r.status])
			__builtin_trap();
		if (r.dsn < line || r.dsn > line + n || r.text < line ||
		    r.text > line + n)
			__builtin_trap();
		if ((r.rcpt != 0) != (memcmp(p, "rcpt", 4) == 0))
			__builtin_trap();
	}
	free(line);
	return 0;
}
