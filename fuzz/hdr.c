/* fuzz target: the RFC 5322 address-list walker (lib/hdr) used by
 * sendmail -t, and hdr_qualify. Every reported address must fit the
 * bound. Also the header walk (hdr_field_next: fields tile the header
 * section) and hdr_from_domain (a found domain is lower case, fits, and
 * is a domain name), which filter-dmarc and remote's signing use. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	{
		const char *m = (const char *)data;
		char dom[ADDR_DOMAIN_MAX + 1];
		size_t off = 0, len;

		while (hdr_field_next(m, size, off, &len)) {
			if (len == 0 || off + len > size)
				abort();
			off += len;
		}
		if (off < size && m[off] != '\n')
			abort();        /* stops only at the empty line */
		if (hdr_from_domain(m, size, dom, sizeof dom) == NULL) {
			size_t i, n = strlen(dom);
			if (n == 0 || n > ADDR_DOMAIN_MAX)
				abort();
			for (i = 0; i < n; i++)
				if (dom[i] >= 'A' && dom[i] <= 'Z')
					abort();
		}
	}
	return 0;
}
