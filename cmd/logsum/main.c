/*
 * logsum: read postel's log lines (postel(7) "Log lines") and answer
 * "what happened to the mail for X" (-a address, -q qid: a timeline per
 * message) and "what is stuck and why" (-s: the queue's waiting
 * recipients from mailq --kv, grouped by reason). Without either it
 * counts the events. postel-logsum(8) is the contract.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "conf.h"
#include "die.h"
#include "fmt.h"

#define LINE_MAX_ 4096          /* longer lines are cut */
#define INPUT_MAX (256UL << 20) /* bytes of log kept in memory */
#define FIELDS_MAX 32

struct ev {
	const char *prog, *event;
	size_t n;
	const char *k[FIELDS_MAX], *v[FIELDS_MAX];
	char buf[LINE_MAX_ + 1];
};

static char **lines;
static size_t nlines, caplines, total;

/* array_grow, or the end: logsum has nothing to give back */
static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	if ((p = array_grow(p, cap, need, size)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	return p;
}

static void
keep(const char *s, size_t n)
{
	char *p;

	if (n > LINE_MAX_)
		n = LINE_MAX_;
	if (total + n > INPUT_MAX)
		die(EXIT_PERM, "more than %lu bytes of log: give fewer",
		    INPUT_MAX);
	lines = grow(lines, &caplines, nlines + 1, sizeof *lines);
	if ((p = malloc(n + 1)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	memcpy(p, s, n);
	p[n] = '\0';
	lines[nlines++] = p;
	total += n;
}

static void
slurp(FILE *f, const char *name)
{
	char *l = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&l, &cap, f)) != -1) {
		while (n > 0 && (l[n - 1] == '\n' || l[n - 1] == '\r'))
			n--;
		keep(l, (size_t)n);
	}
	if (ferror(f))
		die_sys(EXIT_TEMP, "unable to read %s", name);
	free(l);
}

/* Split a line into prog, event and key=value fields, unquoting values
 * (\" \\ \xHH). A supervisor's timestamp before "prog: " is skipped;
 * mailq --kv lines ("msg ...", "rcpt ...") get prog "mailq". 0, or -1
 * for a line that is not postel's. */
static int
parse(const char *line, struct ev *e)
{
	static const char *progs[] = { "smtpd: ", "enqueue: ", "qrun: ",
	    "local: ", "remote: ", "sendmail: ", "setup: ", NULL };
	const char *p = NULL, *q;
	char *o = e->buf, *end = e->buf + sizeof e->buf - 1;
	size_t i;

	e->n = 0;
	for (i = 0; progs[i]; i++) {
		const char *hit = strstr(line, progs[i]);
		if (hit && (hit == line || hit[-1] == ' ') && (!p || hit < p))
			p = hit;
	}
	if (p) {
		q = strchr(p, ':');
		e->prog = o;
		while (p < q && o < end)
			*o++ = *p++;
		*o++ = '\0';
		p = q + 2;
	} else if (strncmp(line, "msg ", 4) == 0 ||
	    strncmp(line, "rcpt ", 5) == 0) {
		e->prog = "mailq";
		p = line;
	} else
		return -1;
	e->event = o;
	while (*p && *p != ' ' && o < end)
		*o++ = *p++;
	*o++ = '\0';
	while (*p == ' ')
		p++;
	while (*p && e->n < FIELDS_MAX && o < end) {
		e->k[e->n] = o;
		while (*p && *p != '=' && *p != ' ' && o < end)
			*o++ = *p++;
		*o++ = '\0';
		if (*p != '=')
			break;          /* free text: not a field */
		p++;
		e->v[e->n++] = o;
		if (*p == '"') {
			for (p++; *p && *p != '"' && o < end; p++) {
				if (*p == '\\' && p[1] == 'x' && p[2] && p[3]) {
					char h[3] = { p[2], p[3], 0 };
					*o++ = (char)strtoul(h, NULL, 16);
					p += 3;
				} else if (*p == '\\' && p[1])
					*o++ = *++p;
				else
					*o++ = *p;
			}
			if (*p == '"')
				p++;
		} else
			while (*p && *p != ' ' && o < end)
				*o++ = *p++;
		*o++ = '\0';
		while (*p == ' ')
			p++;
	}
	return 0;
}

static const char *
get(const struct ev *e, const char *key)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->k[i], key) == 0)
			return e->v[i];
	return NULL;
}

/* address a matches field value v, with or without <> */
static int
same_addr(const char *v, const char *a)
{
	size_t n;

	if (v == NULL)
		return 0;
	if (*v == '<')
		v++;
	n = strlen(v);
	if (n && v[n - 1] == '>')
		n--;
	return n == strlen(a) && strncasecmp(v, a, n) == 0;
}

/* A set of strings: append, then sort once, then look up. */
struct set {
	char **v;
	size_t n, cap;
};

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
set_add(struct set *s, const char *x)
{
	s->v = grow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	if ((s->v[s->n] = strdup(x)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	s->n++;
}

static void
set_sort(struct set *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof *s->v, cmp);
}

static void
set_free(struct set *s)
{
	array_free_strs(s->v, s->n);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* After set_sort: how many times s->v[i] is there from i on. */
static size_t
set_run(const struct set *s, size_t i)
{
	size_t n = 1;

	while (i + n < s->n && strcmp(s->v[i], s->v[i + n]) == 0)
		n++;
	return n;
}

/* After set_sort: keep one of each string. */
static void
set_uniq(struct set *s)
{
	size_t i, j;

	for (i = j = 0; i < s->n; i++)
		if (j && strcmp(s->v[j - 1], s->v[i]) == 0)
			free(s->v[i]);
		else
			s->v[j++] = s->v[i];
	s->n = j;
}

/* Keep "rcpt status dsn text" for e's recipient, replacing an earlier
 * result for the same recipient. */
static void
last_result(struct set *last, const struct ev *e)
{
	char x[LINE_MAX_ + 1];
	const char *r = get(e, "rcpt");
	size_t i, rl;

	if (r == NULL)
		return;
	rl = strlen(r);
	fmt_s(x, sizeof x, "%s %s %s %s", r,
	    get(e, "status") ? get(e, "status") : "?",
	    get(e, "dsn") ? get(e, "dsn") : "-",
	    get(e, "text") ? get(e, "text") : "");
	for (i = 0; i < last->n; i++)
		if (strncmp(last->v[i], r, rl) == 0 && last->v[i][rl] == ' ') {
			free(last->v[i]);
			if ((last->v[i] = strdup(x)) == NULL)
				die_sys(EXIT_TEMP, "unable to allocate");
			return;
		}
	set_add(last, x);
}

/* A growable list of line numbers. */
struct idx {
	size_t *v, n, cap;
};

static void
idx_add(struct idx *x, size_t i)
{
	x->v = grow(x->v, &x->cap, x->n + 1, sizeof *x->v);
	x->v[x->n++] = i;
}

/* Where x is in the sorted set s, or -1. */
static long
set_find(const struct set *s, const char *x)
{
	char **hit;

	if (x == NULL || s->n == 0)
		return -1;
	hit = bsearch(&x, s->v, s->n, sizeof *s->v, cmp);
	return hit ? (long)(hit - s->v) : -1;
}

/* One matching message: its lines, its session's and where it starts. */
struct tl {
	size_t first;
	long sid;               /* index in the set of sessions, or -1 */
	struct idx own;
	char sidv[128];
};

static struct tl *tls;

static int
by_first(const void *a, const void *b)
{
	size_t x = tls[*(const size_t *)a].first;
	size_t y = tls[*(const size_t *)b].first;

	return x < y ? -1 : x > y;
}

/* -a / -q: every line of the matching messages and of the SMTP sessions
 * that brought them, message by message in the order they first appear,
 * then each recipient's last result. Three passes over the log, whatever
 * the number of messages. */
static int
timeline(const char *addr, const char *qid)
{
	static struct ev e;
	struct set qids = { 0 }, sids = { 0 }, last = { 0 };
	struct idx *sess = NULL;
	size_t *order = NULL, i, k;
	long t;

	for (i = 0; i < nlines; i++) {
		const char *q;
		if (parse(lines[i], &e) == -1 || (q = get(&e, "qid")) == NULL)
			continue;
		if (qid ? strcmp(q, qid) == 0 :
		    same_addr(get(&e, "from"), addr) ||
		    same_addr(get(&e, "rcpt"), addr) ||
		    same_addr(get(&e, "to"), addr))
			set_add(&qids, q);
	}
	set_sort(&qids);
	set_uniq(&qids);
	if (qids.n == 0) {
		printf("no log lines for %s\n", qid ? qid : addr);
		set_free(&qids);
		return 1;
	}
	if ((tls = calloc(qids.n, sizeof *tls)) == NULL ||
	    (order = calloc(qids.n, sizeof *order)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	for (i = 0; i < qids.n; i++) {
		tls[i].first = SIZE_MAX;
		order[i] = i;
	}
	for (i = 0; i < nlines; i++) {
		if (parse(lines[i], &e) == -1 ||
		    (t = set_find(&qids, get(&e, "qid"))) == -1)
			continue;
		if (tls[t].first == SIZE_MAX)
			tls[t].first = i;
		idx_add(&tls[t].own, i);
		if (!tls[t].sidv[0] && get(&e, "sid"))
			fmt_s(tls[t].sidv, sizeof tls[t].sidv, "%s",
			    get(&e, "sid"));
	}
	for (i = 0; i < qids.n; i++)
		if (tls[i].sidv[0])
			set_add(&sids, tls[i].sidv);
	set_sort(&sids);
	set_uniq(&sids);          /* one session may bring many messages */
	if (sids.n && (sess = calloc(sids.n, sizeof *sess)) == NULL)
		die_sys(EXIT_TEMP, "unable to allocate");
	for (i = 0; sids.n && i < nlines; i++)
		if (parse(lines[i], &e) == 0 && get(&e, "qid") == NULL &&
		    (t = set_find(&sids, get(&e, "sid"))) != -1)
			idx_add(&sess[t], i);
	for (i = 0; i < qids.n; i++)
		tls[i].sid = tls[i].sidv[0] ? set_find(&sids, tls[i].sidv) : -1;
	qsort(order, qids.n, sizeof *order, by_first);
	for (k = 0; k < qids.n; k++) {
		const struct tl *m = &tls[order[k]];
		const struct idx *s = m->sid >= 0 ? &sess[m->sid] : NULL;
		size_t a = 0, b = 0;
		printf("%s\n", qids.v[order[k]]);
		/* the message's lines and its session's, in log order */
		while (a < m->own.n || (s && b < s->n)) {
			if (a < m->own.n && (!s || b >= s->n ||
			    m->own.v[a] < s->v[b])) {
				i = m->own.v[a++];
				printf("  %s\n", lines[i]);
				if (parse(lines[i], &e) == 0 &&
				    strcmp(e.event, "result") == 0)
					last_result(&last, &e);
			} else
				printf("  %s\n", lines[s->v[b++]]);
		}
		for (i = 0; i < last.n; i++)
			printf("  => %s\n", last.v[i]);
		for (i = 0; i < last.n; i++)
			free(last.v[i]);
		last.n = 0;
	}
	for (i = 0; i < qids.n; i++)
		free(tls[i].own.v);
	for (i = 0; i < sids.n; i++)
		free(sess[i].v);
	free(sess);
	free(tls);
	free(order);
	set_free(&qids);
	set_free(&sids);
	set_free(&last);
	return 0;
}

/* Without options: how many of each event, per program. */
static int
counts(void)
{
	static struct ev e;
	struct set keys = { 0 };
	char k[128];
	size_t i, n;

	for (i = 0; i < nlines; i++) {
		if (parse(lines[i], &e) == -1)
			continue;
		if (strcmp(e.event, "result") == 0 && get(&e, "status"))
			fmt_s(k, sizeof k, "%s %s %s", e.prog, e.event,
			    get(&e, "status"));
		else
			fmt_s(k, sizeof k, "%s %s", e.prog, e.event);
		set_add(&keys, k);
	}
	set_sort(&keys);
	for (i = 0; i < keys.n; i += n) {
		n = set_run(&keys, i);
		printf("%8zu %s\n", n, keys.v[i]);
	}
	set_free(&keys);
	return 0;
}

/* -s: run mailq --kv and group the recipients still waiting (todo) or
 * failed and awaiting their bounce, by dsn and text. */
static int
stuck(void)
{
	static struct ev e;
	struct set why = { 0 };
	char prog[PATH_MAX], k[600];
	FILE *f;
	size_t i, j, n, first = nlines;
	long long now = (long long)time(NULL);

	if (conf_prog(prog, sizeof prog, "sendmail") == -1)
		die(EXIT_PERM, "path too long");
	if (fmt_s(k, sizeof k, "'%s' -bp --kv", prog) < 0 || strchr(prog, '\''))
		die(EXIT_PERM, "odd program path %s", prog);
	if ((f = popen(k, "re")) == NULL)
		die_sys(EXIT_TEMP, "unable to run %s", prog);
	slurp(f, "mailq --kv");
	if ((i = (size_t)pclose(f)) != 0)
		die(EXIT_TEMP, "mailq --kv failed (status %zu)", i);
	for (i = first; i < nlines; i++) {
		if (parse(lines[i], &e) == -1 || strcmp(e.event, "rcpt") != 0 ||
		    !get(&e, "status") || strcmp(get(&e, "status"), "ok") == 0)
			continue;
		fmt_s(k, sizeof k, "%s %s %s", get(&e, "status"),
		    get(&e, "dsn") && *get(&e, "dsn") ? get(&e, "dsn") : "-",
		    get(&e, "text") && *get(&e, "text") ? get(&e, "text") :
		    "not tried yet");
		set_add(&why, k);
	}
	set_sort(&why);
	if (why.n == 0)
		printf("nothing is stuck: the queue has no waiting recipient\n");
	for (i = 0; i < why.n; i += n) {
		n = set_run(&why, i);
		printf("%zu recipient%s %s\n", n, n == 1 ? "" : "s", why.v[i]);
		for (j = first; j < nlines; j++) {
			const char *nx;
			if (parse(lines[j], &e) == -1 ||
			    strcmp(e.event, "rcpt") != 0 || !get(&e, "status"))
				continue;
			fmt_s(k, sizeof k, "%s %s %s", get(&e, "status"),
			    *get(&e, "dsn") ? get(&e, "dsn") : "-",
			    *get(&e, "text") ? get(&e, "text") :
			    "not tried yet");
			if (strcmp(k, why.v[i]) != 0)
				continue;
			nx = get(&e, "next");
			printf("    %s qid=%s attempts=%s", get(&e, "rcpt"),
			    get(&e, "qid"), get(&e, "attempts"));
			if (nx && atoll(nx) > now)
				printf(" next-in=%llds", atoll(nx) - now);
			putchar('\n');
		}
	}
	set_free(&why);
	return 0;
}

static void
usage(void)
{
	die(EXIT_PERM, "usage: logsum [-a address | -q qid | -s] [file ...]");
}

int
main(int argc, char **argv)
{
	const char *addr = NULL, *qid = NULL;
	int c, s = 0, i, r;

	die_init(argv[0]);
	while ((c = getopt(argc, argv, "a:q:s")) != -1) {
		switch (c) {
		case 'a': addr = optarg; break;
		case 'q': qid = optarg; break;
		case 's': s = 1; break;
		default: usage();
		}
	}
	if ((addr != NULL) + (qid != NULL) + s > 1)
		usage();
	if (s) {
		if (optind != argc)
			usage();
		r = stuck();
	} else {
		if (optind == argc)
			slurp(stdin, "standard input");
		for (i = optind; i < argc; i++) {
			FILE *f = strcmp(argv[i], "-") == 0 ? stdin :
			    fopen(argv[i], "re");
			if (f == NULL)
				die_sys(EXIT_TEMP, "unable to open %s", argv[i]);
			slurp(f, argv[i]);
			if (f != stdin)
				fclose(f);
		}
		r = addr || qid ? timeline(addr, qid) : counts();
	}
	if (fflush(stdout) == EOF)
		die_sys(EXIT_TEMP, "unable to write");
	while (nlines)
		free(lines[--nlines]);
	free(lines);
	return r;
}
