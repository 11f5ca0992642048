/* submit: see submit.h. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "conf.h"
#include "die.h"
#include "fd.h"
#include "submit.h"

#define SUBMIT_ARGS 15  /* enqueue -u -8 -T -N N -R R -V V -o O -f F -- */
#define SUBMIT_DSN_MAX (QUEUE_ORCPT_MAX + 64)  /* one -d value */

/* The ID enqueue printed, if it looks like one (it is echoed to an SMTP
 * client and into logs). */
static void
read_id(struct submit *s, int fd)
{
	char line[QUEUE_ID_MAX + 2];

	(void)fd_read_head(fd, line, sizeof line);
	line[strcspn(line, "\n")] = '\0';
	if (strlen(line) < sizeof s->id && queue_id_ok(line))
		memcpy(s->id, line, strlen(line) + 1);
}

static int
quiet(const struct child *c)
{
	(void)c;
	return setenv("POSTEL_QUIET", "1", 1);
}

int
submit_enqueue(struct submit *s, int fd)
{
	char prog[PATH_MAX], notify[32];
	struct child c = { .fd = { 0, 0, CHILD_KEEP }, .nfd = 3,
	    .failed = child_warn };
	char **av, *dv = NULL;
	int p[2], st, e;
	size_t i, k = 0, nd = 0;
	pid_t pid;

	s->sig = 0;
	s->id[0] = '\0';
	if (conf_prog(prog, sizeof prog, "enqueue") == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (s->dsn && s->dsn->notify &&
	    qdsn_notify_fmt(notify, sizeof notify, s->dsn->notify) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (s->nrcpt > ((size_t)-1) / sizeof *av / 3 - SUBMIT_ARGS - 1) {
		errno = E2BIG;
		return -1;
	}
	if ((av = calloc(3 * s->nrcpt + SUBMIT_ARGS + 1, sizeof *av)) == NULL)
		return -1;
	if (s->rdsn && (dv = calloc(s->nrcpt, SUBMIT_DSN_MAX)) == NULL) {
		free(av);
		return -1;
	}
	av[k++] = "enqueue";
	if (s->flags & QF_UTF8)
		av[k++] = "-u";
	if (s->flags & QF_8BIT)
		av[k++] = "-8";
	if (s->flags & QF_REQUIRETLS)
		av[k++] = "-T";
	if (s->dsn && s->dsn->notify) {
		av[k++] = "-N";
		av[k++] = notify;
	}
	if (s->dsn && s->dsn->ret != QR_UNSET) {
		av[k++] = "-R";
		av[k++] = s->dsn->ret == QR_FULL ? "full" : "hdrs";
	}
	if (s->dsn && s->dsn->envid[0]) {
		av[k++] = "-V";
		av[k++] = (char *)s->dsn->envid;
	}
	for (i = 0; s->rdsn && i < s->nrcpt; i++) {
		const struct qrdsn *d = &s->rdsn[i];
		char *v = dv + nd * SUBMIT_DSN_MAX;
		if (d->notify == 0 && d->orcpt[0] == '\0')
			continue;
		if (qrdsn_fmt(v, SUBMIT_DSN_MAX, i + 1, d) < 0) {
			free(dv);
			free(av);
			errno = EINVAL;
			return -1;
		}
		av[k++] = "-d";
		av[k++] = v;
		nd++;
	}
	av[k++] = "-o";
	av[k++] = (char *)s->origin;
	av[k++] = "-f";
	av[k++] = (char *)s->from;
	av[k++] = "--";
	for (i = 0; i < s->nrcpt; i++)
		av[k++] = s->rcpt[i];
	av[k] = NULL;
	if (lseek(fd, 0, SEEK_SET) == -1 || fd_pipe(p) == -1) {
		e = errno;
		free(dv);
		free(av);
		errno = e;
		return -1;
	}
	/* the caller reports the outcome; enqueue's log line is not for a
	 * local user's terminal */
	c.path = prog;
	c.argv = av;
	c.fd[0] = fd;
	c.fd[1] = p[1];
	c.setup = quiet;
	if ((pid = child_spawn(&c)) == -1) {
		e = errno;
		close(p[0]);
		close(p[1]);
		free(dv);
		free(av);
		errno = e;
		return -1;
	}
	free(dv);
	free(av);
	close(p[1]);
	read_id(s, p[0]);
	close(p[0]);
	if (child_wait(pid, &st) == -1)
		return -1;
	if (WIFSIGNALED(st))
		s->sig = WTERMSIG(st);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_PERM)
		return EXIT_PERM;
	return EXIT_TEMP;
}
