/* die: the one temporary/permanent classifier; warnings and fatal errors
 * never reach a peer on stderr; die_result's line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

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

	plan(7);
	for (i = 0; i < sizeof temp / sizeof *temp; i++)
		all &= err_temporary(temp[i]);
	ok(all, "system trouble is temporary, and so is the unknown");
	ok(!err_temporary(EMSGSIZE) && !err_temporary(EFBIG) &&
	    !err_temporary(ENAMETOOLONG), "the message's own faults are permanent");
	is_int(err_exitcode(ENOSPC), EXIT_TEMP, "ENOSPC exits 111");
	is_int(err_exitcode(EMSGSIZE), EXIT_PERM, "EMSGSIZE exits 100");
	{
		/* as inetd starts a program: one socket on fds 0, 1, 2 */
		int sv[2], st, p[2];
		char got[256];
		ssize_t n;
		pid_t pid;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
		    pipe(p) == -1)
			return 1;
		fflush(stdout);         /* else the child sends our TAP lines */
		if ((pid = fork()) == 0) {
			die_init("probe");
			if (dup2(sv[1], 0) == -1 || dup2(sv[1], 1) == -1 ||
			    dup2(sv[1], 2) == -1)
				_exit(3);
			warn("a warning %d", 1);
			die_result(p[1]);
			die(EXIT_TEMP, "fatal %s", "text");
		}
		close(sv[1]);
		close(p[1]);
		waitpid(pid, &st, 0);
		ok(WIFEXITED(st) && WEXITSTATUS(st) == EXIT_TEMP,
		    "die exits with its code");
		fcntl(sv[0], F_SETFL, O_NONBLOCK);
		n = read(sv[0], got, sizeof got);
		if (n > 0)
			printf("# got %.*s\n", (int)n, got);
		ok(n <= 0, "stderr = stdin = the peer: no warning or fatal "
		    "text reaches it");
		n = read(p[0], got, sizeof got - 1);
		got[n > 0 ? n : 0] = '\0';
		is_str(got, "msg temp 4.3.0 fatal text\n",
		    "die_result: the error as a result line");
	}
	return done();
}
