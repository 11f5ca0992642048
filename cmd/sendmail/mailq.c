/*
 * mailq: list the queue (the messages waiting and taken, with each
 * recipient's state), oldest first. The default form is for people;
 * --kv prints log-style key=value lines for programs
 * (postel-sendmail(8)).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "conf.h"
#include "die.h"
#include "fmt.h"
#include "log.h"
#include "queue.h"
#include "sendmail.h"

struct ent {
	char id[QUEUE_ID_MAX];
};

static int
entcmp(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->id, ((const struct ent *)b)->id);
}

static int
scan(int qd, enum qdir d, struct ent **v, size_t *n, size_t *cap)
{
	struct qscan s;
	struct ent *nv;
	const char *id;

	if (qscan_open(&s, qd, d) == -1)
		return -1;
	while ((id = qscan_next(&s)) != NULL) {
		if ((nv = array_grow(*v, cap, *n + 1, sizeof *nv)) == NULL) {
			qscan_close(&s);
			errno = ENOMEM;
			return -1;
		}
		*v = nv;
		if (fmt_s((*v)[*n].id, sizeof (*v)[*n].id, "%s", id) < 0)
			continue;
		(*n)++;
	}
	return qscan_close(&s);
}

static int
show(int qd, const struct ent *e, int kv, time_t now)
{
	char a[16], nx[16];
	struct qenv env;
	struct qstate *st;
	struct stat sb;
	long long warned;
	const char *why = NULL;
	enum qdir where;
	size_t i;
	int fd;

	if ((fd = queue_find(qd, e->id, &where)) == -1)
		return errno == ENOENT ? 0 : -1;   /* delivered meanwhile */
	if (fstat(fd, &sb) == -1 || qenv_read(fd, &env, &why) == -1) {
		close(fd);
		printf("%s: unreadable: %s\n", e->id, why ? why : strerror(errno));
		return 0;
	}
	close(fd);
	if ((st = calloc(env.nrcpt, sizeof *st)) == NULL) {
		qenv_free(&env);
		return -1;
	}
	if (qstate_read(qd, e->id, st, env.nrcpt, &warned, NULL, &why) == -1)
		for (i = 0; i < env.nrcpt; i++)
			fmt_s(st[i].text, sizeof st[i].text, "state unreadable");
	fmt_span(a, sizeof a, (long long)(now - env.arrival));
	if (kv) {
		struct logl l;
		char fb[ADDR_MAX + 3];
		l.len = 0;
		l.cut = 0;
		fmt_s(fb, sizeof fb, "<%s>", env.from);
		printf("msg qid=%s arrival=%lld size=%lld from=", e->id,
		    env.arrival, (long long)(sb.st_size - env.body));
		fwrite(l.s, 1, log_quote(l.s, sizeof l.s, fb, strlen(fb)), stdout);
		printf(" rcpts=%zu new=%d\n", env.nrcpt, where == QDIR_NEW);
		for (i = 0; i < env.nrcpt; i++) {
			fmt_s(fb, sizeof fb, "<%s>", env.rcpt[i]);
			printf("rcpt qid=%s rcpt=", e->id);
			fwrite(l.s, 1, log_quote(l.s, sizeof l.s, fb, strlen(fb)),
			    stdout);
			printf(" status=%s attempts=%u next=%lld dsn=%s text=",
			    qstate_name(st[i].status), st[i].attempts, st[i].next,
			    st[i].dsn);
			fwrite(l.s, 1, log_quote(l.s, sizeof l.s, st[i].text,
			    strlen(st[i].text)), stdout);
			putchar('\n');
		}
	} else {
		printf("%-24s %9lld %5s  <%s>\n", e->id,
		    (long long)(sb.st_size - env.body), a, env.from);
		for (i = 0; i < env.nrcpt; i++) {
			printf("%42s<%s> %s", "", env.rcpt[i],
			    qstate_name(st[i].status));
			if (st[i].attempts)
				printf(", %u attempt%s", st[i].attempts,
				    st[i].attempts == 1 ? "" : "s");
			if (st[i].status == 0 && st[i].next > now) {
				fmt_span(nx, sizeof nx, st[i].next - now);
				printf(", next in %s", nx);
			}
			if (st[i].text[0])
				printf(": %s %s", st[i].dsn, st[i].text);
			putchar('\n');
		}
	}
	free(st);
	qenv_free(&env);
	return 0;
}

int
mailq(int kv)
{
	struct ent *v = NULL;
	size_t n = 0, cap = 0, i;
	time_t now = time(NULL);
	int qd;

	if ((qd = queue_dir()) == -1 ||
	    scan(qd, QDIR_CUR, &v, &n, &cap) == -1 ||
	    scan(qd, QDIR_NEW, &v, &n, &cap) == -1) {
		int e = errno;
		warn_sys("unable to read the queue in %s/queue", conf_root());
		free(v);
		return e == EACCES || e == EPERM ? EX_NOPERM : EX_TEMPFAIL;
	}
	if (n)
		qsort(v, n, sizeof *v, entcmp);
	if (!kv && n)
		printf("%-24s %9s %5s  %s\n", "Queue ID", "Size", "Age",
		    "Sender / Recipients");
	for (i = 0; i < n; i++)
		if (show(qd, &v[i], kv, now) == -1) {
			warn_sys("unable to read %s", v[i].id);
			free(v);
			return EX_TEMPFAIL;
		}
	if (!kv)
		printf(n ? "-- %zu message%s in the queue\n" :
		    "Mail queue is empty\n", n, n == 1 ? "" : "s");
	free(v);
	if (fflush(stdout) == EOF)
		return EX_IOERR;
	close(qd);
	return EX_OK;
}
