/* conf: see conf.h. The key table is the reference for postel-conf(5). */
#define _GNU_SOURCE             /* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "bio.h"
#include "conf.h"
#include "fmt.h"
#include "scan.h"

#ifndef POSTEL_ROOT_DEFAULT
#define POSTEL_ROOT_DEFAULT "/var/spool/postel"
#endif

enum { C_NUM, C_BOOL, C_STR };

struct key {
	const char *name;
	int type;
	unsigned long long min, max;
	const char *def;
	/* loaded value */
	unsigned long long u;
	char *s;
};

#define DAY 86400ULL
static struct key keys[] = {
	/* identity */
	{ "me", C_STR, 0, 0, "", 0, NULL },
	{ "postmaster", C_STR, 0, 0, "", 0, NULL },
	{ "admin", C_STR, 0, 0, "", 0, NULL },
	/* limits */
	{ "max-size", C_NUM, 1024, 1ULL << 31, "35651584", 0, NULL },
	{ "max-recipients", C_NUM, 1, 100000, "1000", 0, NULL },
	{ "max-errors", C_NUM, 1, 1000, "10", 0, NULL },
	{ "max-hops", C_NUM, 1, 1000, "100", 0, NULL },
	/* smtpd */
	{ "smtpd-timeout", C_NUM, 1, DAY, "300", 0, NULL },
	{ "smtpd-session-timeout", C_NUM, 1, 7 * DAY, "3600", 0, NULL },
	{ "smtpd-greeting", C_STR, 0, 0, "", 0, NULL },
	{ "tls-cert", C_STR, 0, 0, "", 0, NULL },
	{ "tls-key", C_STR, 0, 0, "", 0, NULL },
	{ "tls-require", C_BOOL, 0, 1, "0", 0, NULL },
	{ "auth-require", C_BOOL, 0, 1, "0", 0, NULL },
	{ "auth-checkpassword", C_STR, 0, 0, "", 0, NULL },
	{ "auth-plaintext", C_BOOL, 0, 1, "0", 0, NULL },
	{ "auth-users", C_STR, 0, 0, "", 0, NULL },
	{ "auth-fail-delay", C_NUM, 0, 60000, "1000", 0, NULL },
	{ "smtps", C_BOOL, 0, 1, "0", 0, NULL },
	/* pop3d */
	{ "pop3d-user", C_STR, 0, 0, "postel-pop3d", 0, NULL },
	{ "pop3d-timeout", C_NUM, 30, DAY, "600", 0, NULL },
	{ "pop3d-session-timeout", C_NUM, 60, 7 * DAY, "86400", 0, NULL },
	{ "pop3d-max-commands", C_NUM, 100, 1000000000, "1000000", 0, NULL },
	/* filters (postel-filter(8)) */
	{ "filters", C_STR, 0, 0, "", 0, NULL },
	{ "filters-local", C_STR, 0, 0, "", 0, NULL },
	{ "filter-timeout", C_NUM, 1, DAY, "120", 0, NULL },
	/* queue and qrun */
	{ "queue-lifetime", C_NUM, 60, 365 * DAY, "432000", 0, NULL },
	{ "bounce-lifetime", C_NUM, 60, 365 * DAY, "432000", 0, NULL },
	{ "delay-warning", C_NUM, 0, 365 * DAY, "0", 0, NULL },
	{ "retry-schedule", C_STR, 0, 0, "60 300 900 1800 3600 7200 14400", 0, NULL },
	{ "concurrency-local", C_NUM, 1, 1000, "10", 0, NULL },
	{ "concurrency-remote", C_NUM, 1, 1000, "20", 0, NULL },
	{ "delivery-timeout", C_NUM, 1, DAY, "3600", 0, NULL },
	{ "qrun-user", C_STR, 0, 0, "", 0, NULL },
	{ "tmp-grace", C_NUM, 1, 365 * DAY, "129600", 0, NULL },
	/* local */
	{ "extension-separator", C_STR, 0, 0, "+", 0, NULL },
	{ "default-delivery", C_STR, 0, 0, "./Maildir/", 0, NULL },
	{ "system-users", C_BOOL, 0, 1, "1", 0, NULL },
	{ "alias-user", C_STR, 0, 0, "nobody", 0, NULL },
	{ "aliases-system", C_STR, 0, 0, "", 0, NULL },
	/* remote */
	{ "smarthost", C_STR, 0, 0, "", 0, NULL },
	{ "remote-port", C_NUM, 1, 65535, "25", 0, NULL },
	{ "remote-max-hosts", C_NUM, 1, 100, "10", 0, NULL },
	{ "remote-timeout-connect", C_NUM, 1, DAY, "30", 0, NULL },
	{ "remote-timeout-greeting", C_NUM, 1, DAY, "300", 0, NULL },
	{ "remote-timeout-command", C_NUM, 1, DAY, "300", 0, NULL },
	{ "remote-timeout-data", C_NUM, 1, DAY, "600", 0, NULL },
	{ "remote-tls", C_STR, 0, 0, "opportunistic", 0, NULL },
	{ "remote-ca-file", C_STR, 0, 0, "/etc/ssl/certs/ca-certificates.crt", 0, NULL },
};
#define NKEYS (sizeof keys / sizeof keys[0])
/* the line of postel.conf that set each key, 0 for its default */
static unsigned keyline[NKEYS];

static char errbuf[CONF_LINE_MAX + 256];
static int loaded;
static conf_report_fn *reporter;        /* conf_report: go on after a problem */
static int root_fd = -1;        /* conf_load_at: conf/ is found from it */

/* Search permission is all a directory descriptor needs for openat and
 * fstat; O_PATH asks no more (a root of mode 0711 must do). */
#ifdef O_PATH
#define DIR_OPEN (O_PATH | O_DIRECTORY | O_CLOEXEC)
#else
#define DIR_OPEN (O_RDONLY | O_DIRECTORY | O_CLOEXEC)
#endif

const char *
conf_root(void)
{
	const char *r = getenv("POSTEL_ROOT");
	return (r && *r) ? r : POSTEL_ROOT_DEFAULT;
}

int
conf_path(char *dst, size_t size, const char *rel)
{
	return fmt_s(dst, size, "%s/%s", conf_root(), rel) < 0 ? -1 : 0;
}

int
conf_root_open(int nofollow)
{
	char path[PATH_MAX];
	const char *base;
	char *slash;
	size_t n;
	int pfd, fd, e;

	if (fmt_s(path, sizeof path, "%s", conf_root()) < 0)
		return -1;
	if (!nofollow)
		return open(path, DIR_OPEN);
	/* A trailing slash, or a last component "." or "..", would make
	 * the kernel follow a symbolic link despite O_NOFOLLOW. */
	n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	if ((slash = strrchr(path, '/')) == NULL) {
		base = path;
		pfd = AT_FDCWD;
	} else {
		base = slash + 1;
		if (slash == path)
			pfd = open("/", DIR_OPEN);
		else {
			*slash = '\0';
			pfd = open(path, DIR_OPEN);
		}
		if (pfd == -1)
			return -1;
	}
	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0) {
		errno = EINVAL;
		fd = -1;
	} else
		fd = openat(pfd, base, DIR_OPEN | O_NOFOLLOW);
	if (pfd != AT_FDCWD) {
		e = errno;
		close(pfd);
		errno = e;
	}
	return fd;
}

#ifndef POSTEL_LIBEXEC
#define POSTEL_LIBEXEC "/usr/local/lib/postel"
#endif

int
conf_file(char *dst, size_t size, const char *v)
{
	char rel[PATH_MAX];

	if (v[0] == '/')
		return fmt_s(dst, size, "%s", v) < 0 ? -1 : 0;
	if (fmt_s(rel, sizeof rel, "conf/%s", v) < 0)
		return -1;
	return conf_path(dst, size, rel);
}

int
conf_prog(char *dst, size_t size, const char *name)
{
	const char *d = getenv("POSTEL_LIBEXEC");

	if (d == NULL || *d == '\0')
		d = POSTEL_LIBEXEC;
	return fmt_s(dst, size, "%s/%s", d, name) < 0 ? -1 : 0;
}

const char *
conf_error(void)
{
	return errbuf;
}

int
conf_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(errbuf, sizeof errbuf, fmt, ap) < 0)
		errbuf[0] = '\0';
	va_end(ap);
	return -1;
}

static struct key *
find(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
setval(struct key *k, const char *v)
{
	unsigned long long u;
	char *s;

	if (k->type == C_STR) {
		if ((s = strdup(v)) == NULL)
			return -1;
		free(k->s);
		k->s = s;
		return 0;
	}
	if (k->type == C_BOOL) {
		if (!strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"))
			u = 1;
		else if (!strcmp(v, "0") || !strcasecmp(v, "no") ||
		    !strcasecmp(v, "off"))
			u = 0;
		else {
			errno = EINVAL;
			return -1;
		}
	} else if (scan_ulong(v, k->min, k->max, &u) == -1) {
		errno = ERANGE;
		return -1;
	}
	k->u = u;
	return 0;
}

/* conf/ from root_fd. A symbolic link there is followed only when the
 * root belongs to root and no one else may write it: then only root can
 * have made the link or can replace it, and a system instance keeps its
 * conf/ as a link to /etc/postel (postel-security(7)). In a root of
 * anyone else's, conf/ must be the directory itself. */
static int
conf_dir_at(int rfd)
{
	struct stat sb;
	int cd;

	if ((cd = openat(rfd, "conf", DIR_OPEN | O_NOFOLLOW)) != -1 ||
	    (errno != ELOOP && errno != ENOTDIR))
		return cd;
	if (fstat(rfd, &sb) == -1)
		return -1;
	if (sb.st_uid != 0 || (sb.st_mode & 022)) {
		errno = ELOOP;
		return -1;
	}
	return openat(rfd, "conf", DIR_OPEN);
}

/* conf/<name> by its path, or from root_fd once conf_load_at gave one
 * (conf_dir_at). */
static int
open_conf(const char *name, const char *path)
{
	int cd, fd, e;

	if (root_fd == -1)
		return open(path, O_RDONLY | O_CLOEXEC);
	if ((cd = conf_dir_at(root_fd)) == -1)
		return -1;
	fd = openat(cd, name, O_RDONLY | O_CLOEXEC);
	e = errno;
	close(cd);
	errno = e;
	return fd;
}

/* Read file conf/<name> line by line: fn gets each item with leading and
 * trailing blanks removed. Missing file: 0 with nothing read. Read with
 * bio over a stack buffer, not stdio: every program reads several files at
 * start, and a FILE costs an allocation (with musl an mmap, a page fault
 * and an munmap) per file. */
static int
each_line(const char *name, int (*fn)(void *, char *, size_t), void *arg)
{
	char path[PATH_MAX], line[CONF_LINE_MAX + 2], buf[4096];
	size_t lineno = 0, n;
	struct bio b;
	int fd, g, r = 0;

	if (fmt_s(path, sizeof path, "%s/conf/%s", conf_root(), name) < 0) {
		fmt_s(errbuf, sizeof errbuf, "conf/%s: path too long", name);
		return -1;
	}
	if ((fd = open_conf(name, path)) == -1) {
		if (errno == ENOENT)
			return 0;
		fmt_s(errbuf, sizeof errbuf, "%s: %s", path, strerror(errno));
		if (reporter) {
			reporter(path, 0, strerror(errno));
			return 0;
		}
		return -1;
	}
	bio_init(&b, fd, bio_fdread, buf, sizeof buf);
	while ((g = bio_getline(&b, line, CONF_LINE_MAX + 1, &n)) != 0) {
		char *p = line;

		if (g == -1) {
			fmt_s(errbuf, sizeof errbuf, "%s: %s", path,
			    strerror(errno));
			if (reporter)
				reporter(path, 0, strerror(errno));
			else
				r = -1;
			break;
		}
		lineno++;
		line[n] = '\0';
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (g == 2 || n > CONF_LINE_MAX) {
			fmt_s(errbuf, sizeof errbuf, "%s:%zu: line too long",
			    path, lineno);
			if (reporter) {         /* the rest was skipped */
				reporter(path, (unsigned)lineno,
				    "line too long");
				continue;
			}
			r = -1;
			break;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' ||
		    line[n - 1] == '\r'))
			line[--n] = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		if (fn(arg, p, lineno) == -1) {
			char why[256];
			fmt_s(why, sizeof why, "%s", errbuf);
			fmt_s(errbuf, sizeof errbuf, "%s:%zu: %s", path, lineno,
			    why);
			if (reporter && errno != ENOMEM) {
				reporter(path, (unsigned)lineno, why);
				continue;
			}
			r = -1;
			break;
		}
	}
	close(fd);
	return r;
}

static void
split(char *p, char **val)
{
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p) {
		*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
	}
	*val = p;
}

static int
scalar_line(void *arg, char *p, size_t lineno)
{
	struct key *k;
	char *v;

	(void)arg;
	split(p, &v);
	errno = EINVAL;
	if ((k = find(p)) == NULL) {
		fmt_s(errbuf, sizeof errbuf, "unknown key %.64s", p);
		return -1;
	}
	if (*v == '\0') {
		fmt_s(errbuf, sizeof errbuf, "%s needs a value", k->name);
		return -1;
	}
	if (setval(k, v) == -1) {
		if (errno != ENOMEM)
			errno = EINVAL;
		if (k->type == C_NUM)
			fmt_s(errbuf, sizeof errbuf,
			    "%s must be a number from %llu to %llu", k->name,
			    k->min, k->max);
		else if (k->type == C_BOOL)
			fmt_s(errbuf, sizeof errbuf, "%s must be yes or no",
			    k->name);
		else
			fmt_s(errbuf, sizeof errbuf, "out of memory");
		return -1;
	}
	keyline[k - keys] = (unsigned)lineno;
	return 0;
}

int
conf_load_at(int rootfd)
{
	root_fd = rootfd;
	return conf_load();
}

int
conf_load(void)
{
	size_t i;
	char host[256];

	for (i = 0; i < NKEYS; i++) {
		if (setval(&keys[i], keys[i].def) == -1) {
			fmt_s(errbuf, sizeof errbuf, "out of memory");
			return -1;
		}
		keyline[i] = 0;
	}
	if (each_line("postel.conf", scalar_line, NULL) == -1)
		return -1;
	if (*conf_s("me") == '\0') {
		if (gethostname(host, sizeof host) == -1)
			fmt_s(host, sizeof host, "localhost");
		host[sizeof host - 1] = '\0';
		if (setval(find("me"), host) == -1)
			return -1;
	}
	if (*conf_s("postmaster") == '\0') {
		char pm[300];
		fmt_s(pm, sizeof pm, "postmaster@%s", conf_s("me"));
		if (setval(find("postmaster"), pm) == -1)
			return -1;
	}
	loaded = 1;
	return 0;
}

int
conf_reload(const char *(*check)(void *), void *arg)
{
	static char *olds[NKEYS];
	static unsigned long long oldu[NKEYS];
	const char *why;
	size_t i;

	/* the old values aside, so that conf_load's setval cannot free them */
	for (i = 0; i < NKEYS; i++) {
		olds[i] = keys[i].s;
		oldu[i] = keys[i].u;
		keys[i].s = NULL;
	}
	if (conf_load() == 0) {
		if (check == NULL || (why = check(arg)) == NULL) {
			for (i = 0; i < NKEYS; i++)
				free(olds[i]);
			return 0;
		}
		if (why != errbuf)
			fmt_s(errbuf, sizeof errbuf, "%s", why);
	}
	for (i = 0; i < NKEYS; i++) {
		free(keys[i].s);
		keys[i].s = olds[i];
		keys[i].u = oldu[i];
	}
	return -1;
}

unsigned long long
conf_u(const char *key)
{
	struct key *k = find(key);

	if (k == NULL || k->type == C_STR)
		abort();        /* a programming error, not a runtime one */
	if (!loaded && k->u == 0 && k->def)
		scan_ulong(k->def, 0, ~0ULL, &k->u);
	return k->u;
}

const char *
conf_s(const char *key)
{
	struct key *k = find(key);

	if (k == NULL || k->type != C_STR)
		abort();
	return k->s ? k->s : k->def;
}

int
conf_schedule(long long *tab, size_t max, size_t *n)
{
	const char *s = conf_s("retry-schedule");
	char *end;
	long long v;

	*n = 0;
	while (*s && *n < max) {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (!*s)
			break;
		errno = 0;
		v = strtoll(s, &end, 10);
		if (end == s || errno || v < 1 || v > 365LL * (long long)DAY ||
		    (*end && *end != ' ' && *end != '\t' && *end != ',')) {
			errno = EINVAL;
			return -1;
		}
		tab[(*n)++] = v;
		s = end;
	}
	return 0;
}

void
conf_report(conf_report_fn *fn)
{
	reporter = fn;
}

int
conf_key(size_t i, struct conf_key *ck, char *buf, size_t size)
{
	const struct key *k;

	if (i >= NKEYS)
		return -1;
	k = &keys[i];
	ck->name = k->name;
	ck->line = keyline[i];
	if (k->type == C_STR)
		ck->value = conf_s(k->name);
	else if (k->type == C_BOOL)
		ck->value = conf_u(k->name) ? "yes" : "no";
	else {
		fmt_s(buf, size, "%llu", conf_u(k->name));
		ck->value = buf;
	}
	return 0;
}

unsigned
conf_line(const char *key)
{
	struct key *k = find(key);

	if (k == NULL)
		abort();
	return keyline[k - keys];
}

static int
table_line(void *arg, char *p, size_t lineno)
{
	struct conf_table *t = arg;
	struct conf_ent *ne;
	char *v, *q;

	split(p, &v);
	if ((ne = array_grow(t->e, &t->cap, t->n + 1, sizeof *ne)) == NULL) {
		fmt_s(errbuf, sizeof errbuf, "out of memory");
		return -1;
	}
	t->e = ne;
	ne = &t->e[t->n];
	if ((ne->key = strdup(p)) == NULL || (ne->val = strdup(v)) == NULL) {
		free(ne->key);
		fmt_s(errbuf, sizeof errbuf, "out of memory");
		return -1;
	}
	if (t->fold)
		for (q = ne->key; *q; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q = (char)(*q - 'A' + 'a');
	ne->line = lineno;
	t->n++;
	return 0;
}

static int
entcmp(const void *a, const void *b)
{
	return strcmp(((const struct conf_ent *)a)->key,
	    ((const struct conf_ent *)b)->key);
}

int
conf_table_load(struct conf_table *t, const char *name, int fold)
{
	t->e = NULL;
	t->n = t->cap = 0;
	t->fold = fold;
	t->name[0] = '\0';
	if (each_line(name, table_line, t) == -1) {
		conf_table_free(t);
		return -1;
	}
	fmt_s(t->name, sizeof t->name, "%s", name);
	if (t->n)
		qsort(t->e, t->n, sizeof *t->e, entcmp);
	return 0;
}

const struct conf_ent *
conf_table_get(const struct conf_table *t, const char *key)
{
	struct conf_ent k = { .key = (char *)key };

	if (t->n == 0)
		return NULL;
	return bsearch(&k, t->e, t->n, sizeof *t->e, entcmp);
}

void
conf_table_free(struct conf_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->e[i].key);
		free(t->e[i].val);
	}
	free(t->e);
	t->e = NULL;
	t->n = t->cap = 0;
}
