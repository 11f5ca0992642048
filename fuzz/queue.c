/*
 * queue: libFuzzer target for the queue readers (lib/queue.c) that qrun
 * and mailq apply to files in the queue: qenv_read on a message file and
 * qstate_read on a state file, both written from the input into a
 * private temporary queue. Checks: no crash or leak; an accepted envelope
 * has recipients, a body offset within the file where the envelope ends
 * with an empty line, and a NUL-terminated sender; accepted states are
 * known and their texts NUL-terminated.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "queue.h"
#include "result.h"
#include "tmpdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static int qd = -1;

static void
put(const char *name, const uint8_t *p, size_t n)
{
	int fd = openat(qd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd == -1 || (n && write(fd, p, n) != (ssize_t)n) || close(fd))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct qenv e;
	struct qstate st[4];
	const char *why;
	long long warned;
	size_t i;
	int fd;

	if (qd == -1)
		qd = fuzz_tmpdir("queue", "state");
	put("msg", p, n);
	if ((fd = openat(qd, "msg", O_RDONLY)) == -1)
		abort();
	if (qenv_read(fd, &e, &why) == 0) {
		if (e.nrcpt == 0 || e.body < 2 || (size_t)e.body > n ||
		    p[e.body - 1] != '\n' || p[e.body - 2] != '\n' ||
		    lseek(fd, 0, SEEK_CUR) != e.body ||
		    memchr(e.from, '\0', sizeof e.from) == NULL ||
		    memchr(e.origin, '\0', sizeof e.origin) == NULL)
			__builtin_trap();
		for (i = 0; i < e.nrcpt; i++) {
			const char *o = qenv_orcpt(&e, i);
			unsigned nt = qenv_notify(&e, i);
			if (e.rcpt[i] == NULL || (*o && !qdsn_orcpt_ok(o)) ||
			    ((nt & QN_NEVER) && nt != QN_NEVER))
				__builtin_trap();
		}
		if (e.nrdsn > e.nrcpt || (e.dsn.envid[0] &&
		    !qdsn_envid_ok(e.dsn.envid)))
			__builtin_trap();
		qenv_free(&e);
	} else if (why == NULL)
		__builtin_trap();
	close(fd);

	put("state/1.2.3", p, n);
	if (qstate_read(qd, "1.2.3", st, 4, &warned, NULL, &why) == 0) {
		for (i = 0; i < 4; i++)
			if (st[i].status < QS_TODO || st[i].status > QS_FAIL ||
			    memchr(st[i].dsn, '\0', sizeof st[i].dsn) == NULL ||
			    memchr(st[i].text, '\0', sizeof st[i].text) ==
			    NULL || st[i].notice < ACTION_NONE ||
			    st[i].notice > ACTION_EXPANDED)
				__builtin_trap();
	}
	return 0;
}
