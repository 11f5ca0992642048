/*
 * postel selectors: the arguments of queue, flush, hold, release and
 * delete, "ID...", "all", "--from ADDRESS" or "--to DOMAIN|ADDRESS",
 * matched with the qsel rules that qrun uses for flush requests (qreq.h),
 * so that a selector means the same to both.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "conf.h"
#include "die.h"
#include "fmt.h"
#include "postel.h"

void
sel_parse(struct sel *s, int argc, char **argv, int empty_all)
{
	char text[ADDR_MAX + 8];
	const char *why = NULL;
	int i;

	memset(s, 0, sizeof *s);
	if (argc == 0) {
		if (!empty_all)
			die(EXIT_PERM, "say which messages: ID..., all, "
			    "--from ADDRESS or --to DOMAIN");
		s->q.kind = QSEL_ALL;
		return;
	}
	if (argc == 1 && strcmp(argv[0], "all") == 0) {
		s->q.kind = QSEL_ALL;
		return;
	}
	if (strcmp(argv[0], "--from") == 0 || strcmp(argv[0], "--to") == 0) {
		if (argc != 2)
			die(EXIT_PERM, "%s takes one argument", argv[0]);
		if (fmt_s(text, sizeof text, "%s %s", argv[0] + 2, argv[1]) < 0
		    || (why = qsel_parse(&s->q, text)) != NULL)
			die(EXIT_PERM, "bad %s %s: %s", argv[0], argv[1],
			    why ? why : "too long");
		return;
	}
	for (i = 0; i < argc; i++)
		if (!queue_id_ok(argv[i]))
			die(EXIT_PERM, "%s is not a queue ID (postel queue "
			    "lists them)", argv[i]);
	s->ids = argv;
	s->nids = (size_t)argc;
}

static int
idcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
add(char ***v, size_t *n, size_t *cap, const char *id)
{
	char **nv;

	if ((nv = array_grow(*v, cap, *n + 1, sizeof *nv)) == NULL)
		return -1;
	*v = nv;
	if (((*v)[*n] = strdup(id)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

static int
scan(int qd, const struct qsel *q, enum qdir d, char ***v, size_t *n,
    size_t *cap)
{
	struct qscan s;
	const char *id;
	int e;

	if (qscan_open(&s, qd, d) == -1)
		return -1;
	while ((id = qscan_next(&s)) != NULL) {
		if (!queue_id_ok(id) || !qsel_match_file(qd, d, q, id))
			continue;
		if (add(v, n, cap, id) == -1) {
			e = errno;
			qscan_close(&s);
			errno = e;
			return -1;
		}
	}
	return qscan_close(&s);
}

int
sel_ids(int qd, const struct sel *s, char ***ids, size_t *n,
    size_t *missing)
{
	size_t cap = 0, i, k;
	char **v = NULL;

	*n = 0;
	*missing = 0;
	if (s->q.kind == 0) {
		for (i = 0; i < s->nids; i++) {
			if (queue_where(qd, s->ids[i]) == -1) {
				warn("%s: not in the queue", s->ids[i]);
				(*missing)++;
				continue;
			}
			if (add(&v, n, &cap, s->ids[i]) == -1)
				goto fail;
		}
	} else if (scan(qd, &s->q, QDIR_NEW, &v, n, &cap) == -1 ||
	    scan(qd, &s->q, QDIR_CUR, &v, n, &cap) == -1)
		goto fail;
	if (*n)
		qsort(v, *n, sizeof *v, idcmp);
	/* new/ before cur/: qrun only moves a message from new/ to cur/,
	 * so one moved meanwhile is seen in cur/; one seen in both counts
	 * once */
	for (i = k = 0; i < *n; i++) {
		if (k && strcmp(v[k - 1], v[i]) == 0) {
			free(v[i]);
			continue;
		}
		v[k++] = v[i];
	}
	*n = k;
	*ids = v;
	return 0;
fail:
	sel_free(v, *n);
	return -1;
}

int
sel_open(struct sel *s, int argc, char **argv, int empty_all,
    char ***ids, size_t *n, size_t *missing)
{
	int qd;

	sel_parse(s, argc, argv, empty_all);
	qd = open_queue();
	if (sel_ids(qd, s, ids, n, missing) == -1)
		die_sys(EXIT_TEMP, "unable to read %s/queue", conf_root());
	return qd;
}

void
sel_free(char **ids, size_t n)
{
	array_free_strs(ids, n);
}
