/* fuzz target: the RFC 5322 address-list walker (lib/hdr) used by
 * sendmail -t, and
 * hdr_qualify. Every reported address must fit the bound. */
#include <stdint.h>
#include <stdlib.h>

#include "addr.h"
#include "hdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
check(void *arg, const char *s, size_t n)
{
	struct addr a;

	(void)arg;
	if (n > ADDR_MAX + 2)
		abort();
	(void)addr_parse(&a, s, n, ADDR_UTF8);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INIT(1 << 20);
	const char *why;

	(void)hdr_addrlist((const char *)data, size, check, NULL, &why);
	/* the copy grows only by "@domain" per mailbox, never shrinks */
	if (hdr_qualify((const char *)data, size, "me.example", &b) == 0 &&
	    b.len < size)
		abort();
	buf_free(&b);
	(void)hdr_is_field((const char *)data, size);
	return 0;
}
