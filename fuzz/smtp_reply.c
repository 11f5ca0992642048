/* fuzz target: cmd/remote/smtpreply.c (replies and EHLO keywords) on
 * arbitrary bytes, read as a stream of replies the way remote reads them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "remote/smtpreply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct smtpreply r;
	struct smtpehlo e;
	char dsn[16];
	size_t used, off = 0, i;

	memset(&e, 0, sizeof e);
	while (off < size) {
		if (smtpreply_parse(&r, s + off, size - off, &used) != NULL)
			break;
		if (used == 0 || r.len > SMTPREPLY_TEXT_MAX ||
		    strlen(r.text) != r.len)
			__builtin_trap();
		for (i = 0; i < r.len; i++)
			if (r.text[i] < 0x20 || r.text[i] > 0x7e)
				__builtin_trap();  /* must be safe to log */
		smtpreply_dsn(&r, dsn, sizeof dsn);
		off += used;
	}
	/* every line as an EHLO keyword line */
	for (off = 0; off < size;) {
		const char *lf = memchr(s + off, '\n', size - off);
		size_t n = lf ? (size_t)(lf - (s + off)) : size - off;
		smtpehlo_line(&e, s + off, n);
		off += n + 1;
	}
	return 0;
}
