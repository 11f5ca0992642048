/*
 * smtpd's filter chain (postel-filter(8)): which chain a recipient gets,
 * and running it over the spool after the final dot. The chain comes from
 * conf/filters ("address-or-domain chain", "-" for none), else from the
 * filters key; one transaction runs one chain, so main.c defers a
 * recipient whose chain differs from the first one's.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "filter.h"
#include "fmt.h"
#include "log.h"
#include "queue.h"
#include "smtpd.h"

static struct conf_table table;

/* NULL, or what is wrong with the configuration. */
const char *
sfilter_init(void)
{
	static char why[CONF_LINE_MAX];
	const char *bad;
	size_t i;

	if (conf_table_load(&table, "filters", 1) == -1)
		return conf_error();
	if (*conf_s("filters") != '\0' &&
	    (bad = filter_check(conf_s("filters"))) != NULL) {
		fmt_s(why, sizeof why, "postel.conf: filters: %s", bad);
		return why;
	}
	for (i = 0; i < table.n; i++)
		if (strcmp(table.e[i].val, "-") != 0 &&
		    (bad = filter_check(table.e[i].val)) != NULL) {
			fmt_s(why, sizeof why, "filters:%zu: %s",
			    table.e[i].line, bad);
			return why;
		}
	return NULL;
}

/* The chain for one recipient: the address, then its domain, then the
 * filters key; "" for none. */
const char *
sfilter_chain(const char *rcpt)
{
	char key[ADDR_MAX + 1];
	const struct conf_ent *e;
	const char *at;
	size_t i;

	for (i = 0; rcpt[i] && i + 1 < sizeof key; i++)
		key[i] = (char)tolower((unsigned char)rcpt[i]);
	key[i] = '\0';
	if ((e = conf_table_get(&table, key)) == NULL &&
	    (at = strrchr(key, '@')) != NULL)
		e = conf_table_get(&table, at + 1);
	if (e != NULL)
		return strcmp(e->val, "-") == 0 ? "" : e->val;
	return conf_s("filters");
}

/* Run chain over *spool: NULL to go on (*spool may be a new fd, *eightbit
 * set from its contents), else the reply. Logs the verdict, unless quiet
 * and it passed. */
const char *
sfilter_run(const char *chain, int *spool, const struct filter_env *e,
    const char *sid, const char *tmpdir, int quiet, unsigned long long max,
    int *eightbit)
{
	static char line[SMTP_CMD_MAX];
	struct filter_opt o;
	struct filter_res r;
	struct logl l;

	o.tmpdir = tmpdir;
	o.timeout = conf_u("filter-timeout");
	o.max = max + FILTER_ROOM;      /* room for the fields it adds */
	filter_chain(chain, spool, e, &o, &r);
	log_start(&l, "filter");
	log_kv(&l, "sid", sid);
	if (e->qid)
		log_kv(&l, "qid", e->qid);
	log_kv(&l, "result", r.status == FILTER_PASS ? "pass" :
	    r.status == FILTER_REJECT ? "reject" : "defer");
	if (r.stage[0])
		log_kv(&l, "stage", r.stage);
	if (r.why[0])
		log_kv(&l, "why", r.why);
	if (r.err[0])
		log_kv(&l, "error", r.err);
	if (r.note[0])
		log_kv(&l, "note", r.note);
	if (!quiet || r.status != FILTER_PASS)
		log_end(&l);
	if (r.status == FILTER_PASS) {
		*eightbit = r.eightbit;
		return NULL;
	}
	return filter_reply(&r, line, sizeof line);
}
