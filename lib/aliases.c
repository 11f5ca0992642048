/* aliases: see aliases.h and postel-conf(5). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "array.h"
#include "aliases.h"
#include "bio.h"
#include "fmt.h"

#define ENTRY_MAX CONF_LINE_MAX  /* local(8) holds the targets in as much */

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *
trim(char *s)
{
	size_t n;

	while (blank(*s))
		s++;
	n = strlen(s);
	while (n && (blank(s[n - 1]) || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* One /etc/aliases target t (trimmed, quotes removed) appended to val. */
static const char *
etc_target(char *t, char *val, size_t size, size_t *len)
{
	size_t n = strlen(t);

	if (n >= 2 && t[0] == '"' && t[n - 1] == '"') {
		t[n - 1] = '\0';
		t = trim(t + 1);
		n = strlen(t);
		if (strchr(t, ','))
			return "a comma inside a quoted target is not supported";
	}
	if (n == 0)
		return NULL;            /* "a,,b" or a trailing comma */
	if (strncasecmp(t, ":include:", 9) == 0)
		return ":include: is not supported: list the targets here";
	if (t[0] != '|' && strpbrk(t, " \t"))
		return "a blank inside a target that is not a |command";
	if (*len + n + 2 > size)
		return "entry too long";
	if (*len)
		val[(*len)++] = ',';
	memcpy(val + *len, t, n + 1);
	*len += n;
	return NULL;
}

const char *
aliases_parse(char *s, int syntax, char **name, char *val, size_t size)
{
	char *p, *t;
	size_t len = 0;
	int quoted = 0;
	const char *why;

	s = trim(s);
	*name = s;
	val[0] = '\0';
	if (syntax == ALIASES_CONF) {
		p = s + strcspn(s, " \t");
		if (*p)
			*p++ = '\0';
		p = trim(p);
		if (*p == '\0')
			return "no target after the name";
		for (t = p; t; t = strpbrk(t, ", \t")) {
			t += strspn(t, ", \t");
			if (strncasecmp(t, ":include:", 9) == 0)
				return ":include: is not supported: list the "
				    "targets here";
		}
		if (fmt_s(val, size, "%s", p) < 0)
			return "entry too long";
		return NULL;
	}
	if ((p = strchr(s, ':')) == NULL) {
		*name = s + strlen(s);
		return "no colon after the name";
	}
	*p++ = '\0';
	*name = trim(s);
	if (**name == '\0')
		return "no name before the colon";
	if (strpbrk(*name, " \t\""))
		return "a blank or a quote in the name";
	/* targets: split at commas outside double quotes */
	for (t = p; ; p++) {
		if (*p == '"')
			quoted = !quoted;
		if (*p != '\0' && (*p != ',' || quoted))
			continue;
		if (quoted)
			return "a quote is not closed";
		if (*p == '\0') {
			if ((why = etc_target(trim(t), val, size, &len)) != NULL)
				return why;
			break;
		}
		*p = '\0';
		if ((why = etc_target(trim(t), val, size, &len)) != NULL)
			return why;
		t = p + 1;
	}
	return len ? NULL : "no target after the name";
}

struct reader {
	struct conf_table *t;
	const char *path;
	int syntax;
	aliases_report *report;
	int problems;
	int nomem;
};

static void
problem(struct reader *r, unsigned line, const char *text)
{
	r->problems++;
	if (r->report)
		r->report(r->path, line, text);
}

static void
add(struct reader *r, const char *name, const char *val, unsigned line)
{
	struct conf_table *t = r->t;
	struct conf_ent *ne;
	char *q;

	if ((ne = array_grow(t->e, &t->cap, t->n + 1, sizeof *ne)) == NULL) {
		r->nomem = 1;
		return;
	}
	t->e = ne;
	ne = &t->e[t->n];
	ne->val = NULL;
	if ((ne->key = strdup(name)) == NULL ||
	    (val && (ne->val = strdup(val)) == NULL)) {
		free(ne->key);
		r->nomem = 1;
		return;
	}
	for (q = ne->key; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	ne->line = line;
	t->n++;
}

/* One logical entry, which began on line; bad: a problem already said. */
static void
entry(struct reader *r, char *s, unsigned line, int bad)
{
	char val[ENTRY_MAX + 1], *name;
	const char *why;

	why = aliases_parse(s, r->syntax, &name, val, sizeof val);
	if (why && !bad)
		problem(r, line, why);
	if (*name)
		add(r, name, why || bad ? NULL : val, line);
}

static int
bykeyline(const void *a, const void *b)
{
	const struct conf_ent *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : x->line < y->line ? -1 : x->line > y->line;
}

/* Sort by name; of two entries for one name the first in the file
 * stays, so that a lookup is never a matter of chance. */
static void
dedup(struct reader *r)
{
	struct conf_table *t = r->t;
	char why[CONF_LINE_MAX];
	size_t i, j;

	if (t->n == 0)
		return;
	qsort(t->e, t->n, sizeof *t->e, bykeyline);
	for (i = 1, j = 0; i < t->n; i++) {
		if (strcmp(t->e[i].key, t->e[j].key) == 0) {
			fmt_s(why, sizeof why, "%.200s is already an alias on "
			    "line %zu", t->e[i].key, t->e[j].line);
			problem(r, (unsigned)t->e[i].line, why);
			free(t->e[i].key);
			free(t->e[i].val);
			continue;
		}
		t->e[++j] = t->e[i];
	}
	t->n = j + 1;
}

int
aliases_load(struct conf_table *t, const char *path, int syntax,
    aliases_report *report)
{
	struct reader r = { t, path, syntax, report, 0, 0 };
	char buf[4096], line[CONF_LINE_MAX + 2], ent[sizeof line];
	unsigned lineno = 0, start = 0;
	size_t n, elen = 0;
	struct bio b;
	int fd, g, bad = 0, e;

	t->e = NULL;
	t->n = t->cap = 0;
	fmt_s(t->name, sizeof t->name, "%s", path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	bio_init(&b, fd, bio_fdread, buf, sizeof buf);
	while ((g = bio_getline(&b, line, CONF_LINE_MAX + 1, &n)) != 0) {
		char *p;

		if (g == -1)
			break;
		lineno++;
		line[n] = '\0';
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		p = trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		if (syntax == ALIASES_ETC && blank(line[0])) {
			/* a continuation of the entry on line start */
			if (start == 0) {
				problem(&r, lineno, "a continuation line with "
				    "no entry before it");
				continue;
			}
			if (g == 2 || elen + strlen(p) + 2 > sizeof ent) {
				if (!bad)
					problem(&r, lineno, g == 2 ?
					    "line too long" : "entry too long");
				bad = 1;
				continue;
			}
			ent[elen++] = ' ';
			memcpy(ent + elen, p, strlen(p) + 1);
			elen += strlen(p);
			continue;
		}
		if (start)
			entry(&r, ent, start, bad);
		start = lineno;
		bad = g == 2;
		if (bad)
			problem(&r, lineno, "line too long");
		elen = strlen(p);
		memcpy(ent, p, elen + 1);
	}
	e = errno;
	close(fd);
	if (g == -1) {
		conf_table_free(t);
		errno = e;
		return -1;
	}
	if (start)
		entry(&r, ent, start, bad);
	dedup(&r);
	if (r.nomem) {
		conf_table_free(t);
		errno = ENOMEM;
		return -1;
	}
	return r.problems;
}
