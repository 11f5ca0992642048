/*
 * qreq: libFuzzer target for the request lines qrun reads from
 * queue/trigger (lib/qreq.c, postel-queue(5)); any local user with the
 * queue group may write them. The input is one line, NUL-terminated in
 * a copy. Checks: no crash; an accepted flush has a known selector whose
 * argument is one word with no control bytes, an id selector a valid
 * queue ID, and qsel_fmt gives back text that parses to the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	char *line, out[QREQ_LINE_MAX];
	struct qreq r;
	struct qsel again;
	const char *s;

	if ((line = malloc(n + 1)) == NULL)
		return 0;
	memcpy(line, p, n);
	line[n] = '\0';
	if (qreq_parse(&r, line) == NULL && r.kind == QREQ_FLUSH) {
		if (r.sel.kind < QSEL_ALL || r.sel.kind > QSEL_FROM)
			__builtin_trap();
		for (s = r.sel.arg; *s; s++)
			if ((unsigned char)*s <= ' ' || *s == 0x7f)
				__builtin_trap();
		if (r.sel.kind == QSEL_ID && !queue_id_ok(r.sel.arg))
			__builtin_trap();
		if (qsel_fmt(out, sizeof out, &r.sel) == 0 &&
		    (qsel_parse(&again, out) != NULL ||
		    again.kind != r.sel.kind ||
		    strcmp(again.arg, r.sel.arg) != 0))
			__builtin_trap();
	}
	free(line);
	return 0;
}
