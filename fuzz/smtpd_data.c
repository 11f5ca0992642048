/*
 * smtpd_data: libFuzzer target for smtpd's DATA/BDAT state machine
 * (cmd/smtpd/data.c). The input is fed in DATA mode in pieces whose sizes
 * come from the first byte, and again in one piece; both must agree on
 * where DATA ends, on the flags and on the stored bytes (a split never
 * changes the result). A message accepted without flags holds no CR, and
 * the end is found only right after CRLF "." CRLF (postel(7), invariant
 * 4).
 */
#include <stdint.h>
#include <string.h>

#include "smtpd/smtpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

struct sink {
	unsigned char h[2][1 << 16];
	size_t len[2];
	int which;
};
static struct sink sk;

static int
tosink(void *ctx, const char *p, size_t n)
{
	struct sink *k = ctx;
	size_t room = sizeof k->h[0] - k->len[k->which];

	if (n > room)
		n = room;
	memcpy(k->h[k->which] + k->len[k->which], p, n);
	k->len[k->which] += n;
	return 0;
}

static size_t
run(struct data *d, const uint8_t *p, size_t n, size_t step, int *end)
{
	size_t off = 0, used;

	*end = 0;
	while (off < n) {
		size_t k = step && step < n - off ? step : n - off;
		if (data_feed(d, (const char *)p + off, k, &used) == 1) {
			off += used;
			*end = 1;
			break;
		}
		off += used;
	}
	data_end(d);
	return off;
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static struct data a, b;
	size_t ea, eb, step;
	int enda, endb;

	if (n < 1 || n > 60000)
		return 0;
	step = p[0] % 17;
	p++;
	n--;
	for (int chunked = 0; chunked < 2; chunked++) {
		memset(&sk.len, 0, sizeof sk.len);
		sk.which = 0;
		data_init(&a, chunked, 4096, tosink, &sk);
		ea = run(&a, p, n, 0, &enda);
		sk.which = 1;
		data_init(&b, chunked, 4096, tosink, &sk);
		eb = run(&b, p, n, step, &endb);
		if (ea != eb || enda != endb || a.flags != b.flags ||
		    a.size != b.size || a.hops != b.hops)
			__builtin_trap();
		if (sk.len[0] != sk.len[1] ||
		    memcmp(sk.h[0], sk.h[1], sk.len[0]) != 0)
			__builtin_trap();
		if (chunked && enda)
			__builtin_trap();       /* BDAT has no terminator */
		if (enda && (ea < 3 || memcmp(p + ea - 3, ".\r\n", 3) != 0 ||
		    (ea > 3 && (ea < 5 || memcmp(p + ea - 5, "\r\n", 2) != 0))))
			__builtin_trap();
		if (!(a.flags & DATA_BAD) && memchr(sk.h[0], '\r', sk.len[0]))
			__builtin_trap();
	}
	return 0;
}
