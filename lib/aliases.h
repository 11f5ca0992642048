/*
 * aliases: read an alias file into a conf_table (lib/conf.h), in one of
 * two syntaxes:
 *   ALIASES_CONF  conf/aliases: "name target..." one entry per line
 *   ALIASES_ETC   /etc/aliases as sendmail and Postfix read it:
 *                 "name: target, target", a line starting with a blank
 *                 continues the entry, a target may be "quoted"
 * '#' lines and blank lines are ignored in both. An entry's key is its
 * name lowercased; its value is the targets joined by "," (ALIASES_ETC,
 * quotes removed) or the rest of the line (ALIASES_CONF), or NULL for an
 * entry with a problem, so that a lookup can fail temporarily instead of
 * falling through to another meaning of the name. The first of two
 * entries for one name wins. The table is the caller's to free with
 * conf_table_free.
 */
#ifndef POSTEL_ALIASES_H
#define POSTEL_ALIASES_H

#include "conf.h"

enum { ALIASES_CONF, ALIASES_ETC };

typedef void aliases_report(const char *file, unsigned line,
    const char *problem);

/* Load path into t, calling report (if not NULL) for each problem: a
 * :include: target, a missing colon or target, an overlong entry, a
 * duplicate name. Returns the number of problems; a missing file is an
 * empty table. -1 (errno) when the file cannot be opened or read. */
int aliases_load(struct conf_table *t, const char *path, int syntax,
    aliases_report *report);
/* Parse one logical entry s (modified) in syntax: *name points into s,
 * the targets go into val (size bytes). NULL, or the problem; *name is
 * set (maybe "") even then where a name was found. No I/O: fuzzable. */
const char *aliases_parse(char *s, int syntax, char **name, char *val,
    size_t size);

#endif
