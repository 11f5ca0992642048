/* qreq: see qreq.h and postel-queue(5). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "qreq.h"

static const struct {
	const char *word;
	int kind;
} kinds[] = {
	{ "all", QSEL_ALL }, { "id", QSEL_ID }, { "to", QSEL_TO },
	{ "from", QSEL_FROM },
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* Only printable ASCII and UTF-8 bytes, no blanks: an argument is one
 * word, and a request line stays one line. */
static int
word_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

const char *
qsel_parse(struct qsel *s, const char *text)
{
	size_t i, n = strcspn(text, " ");
	const char *arg = text + n;
	struct addr a;

	memset(s, 0, sizeof *s);
	for (i = 0; i < NKINDS; i++)
		if (strlen(kinds[i].word) == n &&
		    strncmp(kinds[i].word, text, n) == 0)
			s->kind = kinds[i].kind;
	if (s->kind == 0)
		return "unknown selector (all, id, to, from)";
	if (s->kind == QSEL_ALL)
		return *arg ? "all takes no argument" : NULL;
	if (*arg++ != ' ' || *arg == '\0')
		return "selector needs an argument";
	if (!word_ok(arg))
		return "argument has blanks or control characters";
	if (s->kind == QSEL_FROM && (strcmp(arg, "<>") == 0))
		return NULL;            /* the null sender */
	if (arg[0] == '<' && arg[strlen(arg) - 1] == '>') {
		if (fmt_s(s->arg, sizeof s->arg, "%.*s",
		    (int)(strlen(arg) - 2), arg + 1) < 0)
			return "argument too long";
	} else if (fmt_s(s->arg, sizeof s->arg, "%s", arg) < 0)
		return "argument too long";
	if (s->arg[0] == '\0')
		return "selector needs an argument";
	if (strpbrk(s->arg, "<>") != NULL)
		return "stray angle bracket";
	if (s->kind == QSEL_ID)
		return queue_id_ok(s->arg) ? NULL : "not a queue ID";
	if (s->kind == QSEL_TO && strchr(s->arg, '@') == NULL)
		return addr_domain_check(s->arg, strlen(s->arg), ADDR_UTF8);
	return addr_parse(&a, s->arg, strlen(s->arg), ADDR_UTF8);
}

const char *
qreq_parse(struct qreq *r, const char *line)
{
	memset(r, 0, sizeof *r);
	if (strcmp(line, "reload") == 0) {
		r->kind = QREQ_RELOAD;
		return NULL;
	}
	if (strncmp(line, "flush ", 6) == 0) {
		r->kind = QREQ_FLUSH;
		return qsel_parse(&r->sel, line + 6);
	}
	return "unknown request (flush, reload)";
}

int
qsel_fmt(char *dst, size_t size, const struct qsel *s)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (kinds[i].kind == s->kind)
			break;
	if (i == NKINDS) {
		errno = EINVAL;
		return -1;
	}
	if (s->kind == QSEL_ALL)
		return fmt_s(dst, size, "all") < 0 ? -1 : 0;
	if (s->kind == QSEL_FROM && s->arg[0] == '\0')
		return fmt_s(dst, size, "from <>") < 0 ? -1 : 0;
	return fmt_s(dst, size, "%s %s", kinds[i].word, s->arg) < 0 ? -1 : 0;
}

int
qsel_needs_env(const struct qsel *s)
{
	return s->kind == QSEL_TO || s->kind == QSEL_FROM;
}

/* rcpt is the address, or in the domain, that "to" names */
static int
to_match(const char *want, const char *rcpt)
{
	const char *at;

	if (strchr(want, '@'))
		return strcasecmp(want, rcpt) == 0;
	at = strrchr(rcpt, '@');
	return at != NULL && strcasecmp(want, at + 1) == 0;
}

int
qsel_match(const struct qsel *s, const char *id, const struct qenv *e)
{
	size_t i;

	switch (s->kind) {
	case QSEL_ALL:
		return 1;
	case QSEL_ID:
		return strcmp(s->arg, id) == 0;
	case QSEL_FROM:
		return e != NULL && strcasecmp(s->arg, e->from) == 0;
	case QSEL_TO:
		for (i = 0; e != NULL && i < e->nrcpt; i++)
			if (to_match(s->arg, e->rcpt[i]))
				return 1;
		return 0;
	}
	return 0;
}

int
qsel_match_file(int qd, enum qdir d, const struct qsel *s,
    const char *id)
{
	struct qenv e;
	const char *why;
	int fd, r;

	if (!qsel_needs_env(s))
		return qsel_match(s, id, NULL);
	if ((fd = queue_open(qd, d, id)) == -1)
		return 0;
	memset(&e, 0, sizeof e);
	r = qenv_read(fd, &e, &why) == 0 && qsel_match(s, id, &e);
	close(fd);
	qenv_free(&e);
	return r;
}

int
qreq_send(int qd, const char *line)
{
	char buf[QREQ_LINE_MAX];
	struct stat sb;
	ssize_t w;
	int fd, e;

	if (fmt_s(buf, sizeof buf, "%s\n", line) < 0 ||
	    strchr(line, '\n') != NULL) {
		errno = EMSGSIZE;
		return -1;
	}
	/* ENXIO: no reader, so no qrun runs. enqueue -F writes with the
	 * queue group's right: only to the FIFO itself, never through a
	 * link or into a plain file put in its place. */
	if ((fd = openat(qd, "trigger", O_WRONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1)
		e = errno;
	else
		e = S_ISFIFO(sb.st_mode) ? 0 : EINVAL;
	if (e != 0) {
		close(fd);
		errno = e;
		return -1;
	}
	/* one write of less than PIPE_BUF: all of it or nothing (pipe(7)) */
	w = write(fd, buf, strlen(buf));
	e = errno;
	close(fd);
	if (w != (ssize_t)strlen(buf)) {
		errno = w == -1 ? e : EAGAIN;
		return -1;
	}
	return 0;
}
