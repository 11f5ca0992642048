/* fuzz target: the mailbox and path parsers (lib/addr), with and without
 * SMTPUTF8. Whatever they accept must keep its invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr a;
	size_t used = 0;
	char loc[ADDR_MAX + 1];
	unsigned fl;

	for (fl = 0; fl <= (ADDR_UTF8 | ADDR_NULL_OK); fl++) {
		if (addr_parse(&a, (const char *)data, size, fl) == NULL) {
			if (strlen(a.s) != size)
				abort();
			if (size && (a.at == 0 || a.s[a.at] != '@' ||
			    a.at > ADDR_LOCAL_MAX))
				abort();
			if (!(fl & ADDR_UTF8) && (a.flags & ADDR_UTF8))
				abort();
			if (size)
				(void)addr_local(&a, loc, sizeof loc);
		}
		if (addr_path(&a, (const char *)data, size, fl, &used) == NULL &&
		    (used > size || data[used - 1] != '>'))
			abort();
	}
	return 0;
}
