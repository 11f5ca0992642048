/*
 * conf: the instance root and the files in $POSTEL_ROOT/conf.
 *
 * conf/postel.conf holds scalars as "key value" lines; every key any program
 * knows is in one table in conf.c, with its type, range and default, so an
 * unknown key is an error everywhere. Lists and tables (conf/domains,
 * conf/virtual, ...) are one item per line: "key [value...]".
 * '#' starts a comment line; blank lines are ignored; leading and trailing
 * blanks are dropped. A missing file means the documented default.
 * Errors are reported as "file:line: problem" in a static buffer returned
 * by conf_error(); the caller exits 111 (configuration trouble delays mail).
 */
#ifndef POSTEL_CONF_H
#define POSTEL_CONF_H

#include <stddef.h>

#define CONF_LINE_MAX 1024

const char *conf_root(void);               /* $POSTEL_ROOT or build default */
/* "$POSTEL_ROOT/rel" into dst; -1 (ENAMETOOLONG) if it does not fit. */
int conf_path(char *dst, size_t size, const char *rel);

/* A file a conf value names: itself when absolute, else relative to
 * conf/ ("$POSTEL_ROOT/conf/v"). 0, or -1 (ENAMETOOLONG). */
int conf_file(char *dst, size_t size, const char *v);

/* Path of sibling program name: $POSTEL_LIBEXEC/name, or the build-time
 * directory the programs are installed in. */
int conf_prog(char *dst, size_t size, const char *name);

int conf_load(void);                       /* read conf/postel.conf: 0, -1 */
/* Open the instance root as a directory descriptor (O_CLOEXEC; only
 * search permission needed), for a program that checks the instance
 * before it trusts it (the setgid enqueue, postel-security(7)): the
 * check is on this descriptor, and conf/ and queue/ are reached from it.
 * With nofollow the last component of $POSTEL_ROOT must be the
 * directory itself: a symbolic link there fails (ELOOP or ENOTDIR), a
 * last component "." or ".." fails with EINVAL, and trailing slashes are
 * dropped first so that they cannot follow a link. Links among the
 * parent directories are followed: they choose only which directory is
 * opened, and that directory is what gets checked. */
int conf_root_open(int nofollow);
/* conf_load with conf/ found from rootfd, and so conf_table_load
 * afterwards; rootfd stays the caller's. A symbolic link at conf/ is
 * followed only in a root owned by uid 0 and writable by no one else
 * (only root can have made it); elsewhere it fails with ELOOP. */
int conf_load_at(int rootfd);
const char *conf_error(void);
/* Read conf/postel.conf again into new values, then call check (if not
 * NULL) with arg, which may look at them and returns NULL or what is
 * wrong. On any error the values from before the call are back in force
 * and -1 is returned, conf_error() saying why (file:line for a bad
 * line). */
int conf_reload(const char *(*check)(void *), void *arg);
/* Set what conf_error() says, for a reader of conf beyond this file
 * (lib/user's alias files); returns -1. */
int conf_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned long long conf_u(const char *key);  /* number or boolean key */
const char *conf_s(const char *key);         /* string key ("" if unset) */

/* The retry-schedule key as waits in seconds (each 1 to 365 days,
 * separated by blanks or commas), at most max of them, *n 0 if none.
 * 0, or -1 (EINVAL) when a word is not such a number. */
int conf_schedule(long long *tab, size_t max, size_t *n);

/* Every problem, not only the first: while a reporter is set, conf_load
 * and conf_table_load call it for each problem of a file (file is the
 * path, line 0 when the problem is not one line's, as for a file that
 * cannot be read) and go on with the next line, so that what the good
 * lines say is loaded; a bad line of postel.conf leaves its key at the
 * default. They then fail only when memory runs out. NULL restores the
 * stop at the first problem that every program but check and smtpd
 * wants. */
typedef void conf_report_fn(const char *file, unsigned line,
    const char *problem);
void conf_report(conf_report_fn *fn);

/* The keys of postel.conf in table order, for listing them: key i's name,
 * its effective value as text (numbers in decimal, booleans yes or no;
 * buf holds a number's text) and the line of postel.conf that set it, 0
 * for the default. 0, or -1 past the last key. */
struct conf_key {
	const char *name;
	const char *value;
	unsigned line;
};
int conf_key(size_t i, struct conf_key *k, char *buf, size_t size);
/* The line of postel.conf that set key, 0 for the default. */
unsigned conf_line(const char *key);

/* A table read from conf/<name>: entries sorted by key; keys of domain-ish
 * tables are lowercased when fold is set. */
struct conf_ent {
	char *key;
	char *val;              /* rest of the line after blanks, or "" */
	size_t line;
};
struct conf_table {
	struct conf_ent *e;
	size_t n;
	char name[64];
	int fold;               /* keys lowercased as they are read */
	size_t cap;             /* room in e, for array_grow */
};
int conf_table_load(struct conf_table *t, const char *name, int fold);
const struct conf_ent *conf_table_get(const struct conf_table *t,
    const char *key);
void conf_table_free(struct conf_table *t);

#endif
