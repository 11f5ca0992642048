/*
 * result: libFuzzer target for the postel-result(5) line parser
 * (lib/result.c) that qrun applies to what local and remote print. The
 * input is one line, NUL-terminated in a copy. Checks: no crash; an
 * accepted line has a known status, a DSN whose class matches it
 * (2 ok, 4 temp, 5 perm), a recipient number only on rcpt lines and
 * printable text; written back with result_fmt it reads the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	char *line, out[RESULT_LINE_MAX + 1];
	struct result r, back;
	size_t k, k2, i;
	int len;
	static const char cls[] = { 0, '2', '4', '5' };

	if ((line = malloc(n + 1)) == NULL)
		return 0;
	memcpy(line, p, n);
	line[n] = '\0';
	if (result_parse(line, &k, &r) == 0) {
		if (r.status < OUTCOME_OK || r.status > OUTCOME_PERM)
			__builtin_trap();
		if (!result_dsn_ok(r.dsn) || r.dsn[0] != cls[r.status])
			__builtin_trap();
		if ((k != 0) != (memcmp(p, "rcpt", 4) == 0))
			__builtin_trap();
		for (i = 0; r.text[i]; i++)
			if (r.text[i] < 0x20 || r.text[i] > 0x7e)
				__builtin_trap();
		len = result_fmt(out, sizeof out, k, &r);
		if (len <= 0 || len > RESULT_LINE_MAX || out[len - 1] != '\n')
			__builtin_trap();
		out[len - 1] = '\0';
		if (result_parse(out, &k2, &back) == -1 || k2 != k ||
		    back.status != r.status || strcmp(back.dsn, r.dsn) != 0)
			__builtin_trap();
	}
	free(line);
	return 0;
}
