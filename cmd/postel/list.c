/*
 * postel queue: every queued message (or those selected), oldest first,
 * with each recipient's state, attempts, next attempt and last result,
 * and whether it is held; --kv prints key=value lines for programs, as
 * mailq --kv does with held= added. postel cat: a queued message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "log.h"
#include "postel.h"

static void
kv(const char *key, const char *val)
{
	char q[LOG_LINE_MAX];
	size_t n = log_quote(q, sizeof q, val, strlen(val));

	printf(" %s=", key);
	fwrite(q, 1, n, stdout);
}

static void
show_rcpt(const char *r, const struct qstate *st, int kvform, time_t now)
{
	char a[ADDR_MAX + 3], nx[16];

	fmt_s(a, sizeof a, "<%s>", r);
	if (kvform) {
		printf("rcpt");
		kv("rcpt", a);
		printf(" status=%s attempts=%u next=%lld dsn=%s",
		    qstate_name(st->status), st->attempts, st->next, st->dsn);
		kv("text", st->text);
		putchar('\n');
		return;
	}
	printf("    %s %s", a, qstate_name(st->status));
	if (st->attempts)
		printf(", %u attempt%s", st->attempts,
		    st->attempts == 1 ? "" : "s");
	if (st->status == QS_TODO) {
		if (st->next > now) {
			fmt_span(nx, sizeof nx, st->next - now);
			printf(", next in %s", nx);
		} else
			printf(", next now");
	}
	if (st->text[0])
		printf(": %s %s", st->dsn, st->text);
	putchar('\n');
}

/* one message; 0 also when it left the queue meanwhile */
static int
show(int qd, const char *id, int kvform, time_t now)
{
	char age[16], from[ADDR_MAX + 3];
	const char *why = NULL;
	enum qdir where;
	struct qstate *st;
	struct qenv env;
	struct stat sb;
	long long warned;
	size_t i;
	int fd, h = queue_held(qd, id);

	if ((fd = queue_find(qd, id, &where)) == -1)
		return errno == ENOENT ? 0 : -1;
	memset(&env, 0, sizeof env);
	if (fstat(fd, &sb) == -1 || qenv_read(fd, &env, &why) == -1) {
		close(fd);
		qenv_free(&env);
		printf("%s: unreadable: %s\n", id, why ? why : strerror(errno));
		return 0;
	}
	close(fd);
	if ((st = calloc(env.nrcpt + 1, sizeof *st)) == NULL) {
		qenv_free(&env);
		return -1;
	}
	if (qstate_read(qd, id, st, env.nrcpt, &warned, NULL, &why) == -1)
		for (i = 0; i < env.nrcpt; i++)
			fmt_s(st[i].text, sizeof st[i].text,
			    "state unreadable");
	fmt_s(from, sizeof from, "<%s>", env.from);
	if (kvform) {
		printf("msg qid=%s arrival=%lld size=%lld", id, env.arrival,
		    (long long)(sb.st_size - env.body));
		kv("from", from);
		printf(" rcpts=%zu new=%d held=%d\n", env.nrcpt,
		    where == QDIR_NEW, h);
	} else {
		fmt_span(age, sizeof age, (long long)(now - env.arrival));
		printf("%-24s %9lld %5s %-4s %s\n", id,
		    (long long)(sb.st_size - env.body), age, h ? "HELD" : "",
		    from);
	}
	for (i = 0; i < env.nrcpt; i++)
		show_rcpt(env.rcpt[i], &st[i], kvform, now);
	free(st);
	qenv_free(&env);
	return 0;
}

int
cmd_queue(int argc, char **argv)
{
	struct sel s;
	char **ids;
	size_t n, missing, i, nheld = 0;
	time_t now = time(NULL);
	int qd, kvform = 0, r = 0;

	if (argc > 1 && strcmp(argv[argc - 1], "--kv") == 0) {
		kvform = 1;
		argc--;
	}
	qd = sel_open(&s, argc - 1, argv + 1, 1, &ids, &n, &missing);
	if (!kvform && n)
		printf("%-24s %9s %5s %-4s %s\n", "Queue ID", "Size", "Age",
		    "Hold", "Sender / Recipients");
	for (i = 0; i < n; i++) {
		if (show(qd, ids[i], kvform, now) == -1) {
			warn_sys("unable to read %s", ids[i]);
			r = EXIT_TEMP;
		}
		nheld += queue_held(qd, ids[i]);
	}
	if (!kvform && n)
		printf("-- %zu message%s, %zu held\n", n, n == 1 ? "" : "s",
		    nheld);
	else if (!kvform)
		printf("-- no messages\n");
	sel_free(ids, n);
	if (fflush(stdout) == EOF)
		die_sys(EXIT_TEMP, "unable to write");
	return r ? r : missing ? EXIT_PERM : 0;
}

/* postel cat [-e] ID: the message as queued; -e the envelope first */
int
cmd_cat(int argc, char **argv)
{
	char buf[65536];
	const char *why = NULL;
	struct qenv env;
	int qd, fd, all = 0;
	ssize_t r;

	if (argc == 3 && strcmp(argv[1], "-e") == 0)
		all = 1;
	else if (argc != 2)
		die(EXIT_PERM, "usage: postel cat [-e] ID");
	if (!queue_id_ok(argv[argc - 1]))
		die(EXIT_PERM, "%s is not a queue ID", argv[argc - 1]);
	qd = open_queue();
	if ((fd = queue_find(qd, argv[argc - 1], NULL)) == -1) {
		if (errno == ENOENT)
			die(EXIT_PERM, "%s: not in the queue", argv[argc - 1]);
		die_sys(EXIT_TEMP, "unable to open %s", argv[argc - 1]);
	}
	memset(&env, 0, sizeof env);
	if (qenv_read(fd, &env, &why) == -1)
		die(EXIT_TEMP, "unable to read %s: %s", argv[argc - 1],
		    why ? why : strerror(errno));
	qenv_free(&env);
	if (lseek(fd, all ? 0 : env.body, SEEK_SET) == -1)
		die_sys(EXIT_TEMP, "unable to read %s", argv[argc - 1]);
	while ((r = fd_read(fd, buf, sizeof buf)) > 0)
		if (fwrite(buf, 1, (size_t)r, stdout) != (size_t)r)
			die_sys(EXIT_TEMP, "unable to write");
	if (r == -1)
		die_sys(EXIT_TEMP, "unable to read %s", argv[argc - 1]);
	close(fd);
	if (fflush(stdout) == EOF)
		die_sys(EXIT_TEMP, "unable to write");
	return 0;
}
