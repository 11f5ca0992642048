/*
 * local_instr: libFuzzer target for local's reading of a user's
 * instruction file (.postel, postel-local(8)) and of alias targets
 * (cmd/local/instr.c: instr_split and instr_alias). The input is taken
 * as the file's text and as an alias value. Checks: no crash or leak, at
 * most INSTR_DEST_MAX destinations, each one non-empty, inside the
 * buffer, without leading or trailing blanks, never a comment; a bare
 * alias name gains the domain.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "local/instr.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static void
check(char *const *dest, size_t n, const char *lo, const char *hi)
{
	size_t i, l;

	if (n > INSTR_DEST_MAX)
		__builtin_trap();
	for (i = 0; i < n; i++) {
		l = strlen(dest[i]);
		if (l == 0 || dest[i][0] == '#' || dest[i][0] == ' ' ||
		    dest[i][0] == '\t' || dest[i][l - 1] == ' ' ||
		    dest[i][l - 1] == '\t' || dest[i][l - 1] == '\r')
			__builtin_trap();
		if (lo && (dest[i] < lo || dest[i] + l > hi))
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static struct buf b = BUF_INIT(INSTR_MAX);
	char *dest[INSTR_DEST_MAX], abuf[CONF_LINE_MAX + 1];
	size_t nd, i;

	if (n > INSTR_MAX)
		return 0;
	b.len = 0;
	if (buf_catb(&b, p, n) == -1 || buf_0(&b) == -1)
		return 0;
	nd = instr_split(b.p, "\n", dest);
	if (nd != INSTR_TOO_MANY)
		check(dest, nd, b.p, b.p + n);

	b.len = 0;
	if (buf_catb(&b, p, n) == -1 || buf_0(&b) == -1)
		return 0;
	/* the alias is cut at the first NUL of the input */
	if (instr_alias(b.p, "example.test", abuf, sizeof abuf, dest, &nd) ==
	    -1)
		return 0;               /* out of memory */
	if (nd == INSTR_TOO_MANY)
		return 0;
	check(dest, nd, NULL, NULL);
	for (i = 0; i < nd; i++) {
		if (dest[i] >= abuf && dest[i] < abuf + sizeof abuf)
			continue;
		if (strchr(dest[i], '@') == NULL ||
		    strcmp(strchr(dest[i], '@') + 1, "example.test") != 0)
			__builtin_trap();
		free(dest[i]);
	}
	return 0;
}
