/* die: the one temporary/permanent classifier. */
#include <errno.h>

#include "die.h"
#include "../tap.h"

int
main(void)
{
	static const int temp[] = { ENOSPC, EDQUOT, EIO, ENOMEM, EAGAIN,
	    ETIMEDOUT, ECONNREFUSED, EMFILE, ENFILE, EACCES, EHOSTUNREACH,
	    ECONNRESET, 0 };
	size_t i;
	int all = 1;

	plan(4);
	for (i = 0; i < sizeof temp / sizeof *temp; i++)
		all &= err_temporary(temp[i]);
	ok(all, "system trouble is temporary, and so is the unknown");
	ok(!err_temporary(EMSGSIZE) && !err_temporary(EFBIG) &&
	    !err_temporary(ENAMETOOLONG), "the message's own faults are permanent");
	is_int(err_exitcode(ENOSPC), EXIT_TEMP, "ENOSPC exits 111");
	is_int(err_exitcode(EMSGSIZE), EXIT_PERM, "EMSGSIZE exits 100");
	return done();
}
