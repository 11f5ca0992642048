/*
 * dkimconf: conf/dkim-sign, which key signs the mail of which From:
 * domain (postel-conf(5)). Each line is "FROM-DOMAIN SELECTOR KEYFILE
 * [SIGNING-DOMAIN]", FROM-DOMAIN "*" for every domain without a line of
 * its own; KEYFILE is relative to conf/ unless absolute. Shared by
 * remote, which signs by it, and check, which validates it. The table
 * is lib/conf's (conf_table_load(t, DKIMCONF_FILE, 1)); the parse does no
 * I/O and returns NULL or what is wrong with the line.
 */
#ifndef POSTEL_DKIMCONF_H
#define POSTEL_DKIMCONF_H

#include <limits.h>

#include "addr.h"
#include "conf.h"

#define DKIMCONF_FILE "dkim-sign"
#define DKIMCONF_SEL_MAX 63             /* s= we accept, one DNS label's */

struct dkimconf {
	char sel[DKIMCONF_SEL_MAX + 1];
	char key[PATH_MAX];             /* KEYFILE, as a path */
	char d[ADDR_DOMAIN_MAX + 1];    /* SIGNING-DOMAIN, "" for none */
};

/* The line of e (key FROM-DOMAIN, value the rest) into c. */
const char *dkimconf_parse(struct dkimconf *c, const struct conf_ent *e);
/* The line for the From: domain dom (any case): its own, else "*";
 * NULL when neither is there. */
const struct conf_ent *dkimconf_find(const struct conf_table *t,
    const char *dom);

#endif
