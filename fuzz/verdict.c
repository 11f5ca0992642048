/* fuzz target: the scanner output parsers (lib/verdict). Whatever they
 * accept must hold together: a name is printable and NUL-terminated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[VERDICT_NAME_MAX];
	long s = 0, r = 0;
	int yes = -1;
	size_t i;

	if (verdict_spam_status((const char *)data, size, &yes, &s, &r) == 0 &&
	    yes != 0 && yes != 1)
		abort();
	if (verdict_clam_line((const char *)data, size, name, sizeof name) == 1)
		for (i = 0; i < sizeof name && name[i]; i++)
			if (name[i] < 32 || name[i] > 126)
				abort();
	return 0;
}
