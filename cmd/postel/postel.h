/*
 * postel: the administrator's command (postel-admin(8)). main.c holds the
 * table of subcommands and the drop to the queue owner; the others:
 *   select.c  ID... | all | --from A | --to D, resolved against the queue
 *   list.c    postel queue, postel cat
 *   ctl.c     postel flush, hold, release, delete, reload
 * check and log run the programs that do that job (check, logsum), and
 * delete ends in qrun -d, so that removing a message has one home.
 */
#ifndef POSTEL_POSTEL_H
#define POSTEL_POSTEL_H

#include <stddef.h>

#include "qreq.h"
#include "queue.h"

/* main.c */
extern unsigned long caller;    /* the uid that ran postel, for the log */
int open_queue(void);           /* as the queue's owner; dies on error */
/* run program name (conf_prog) with av and wait: its exit code, or 111
 * when it cannot be run or dies */
int run_prog(const char *name, char *const av[]);
_Noreturn void exec_prog(const char *name, char *const av[]);

/* select.c: what a subcommand's arguments name */
struct sel {
	struct qsel q;          /* QSEL_ALL, QSEL_TO, QSEL_FROM; 0 = ids */
	char *const *ids;
	size_t nids;
};
/* argv after the subcommand; empty means all when empty_all, else a
 * usage error (dies) */
void sel_parse(struct sel *s, int argc, char **argv, int empty_all);
/* The queued messages s selects, sorted, into *ids (free with
 * sel_free); an ID given but not queued is reported and counted in
 * *missing. 0, or -1 with errno. */
int sel_ids(int qd, const struct sel *s, char ***ids, size_t *n,
    size_t *missing);
void sel_free(char **ids, size_t n);
/* sel_parse, then the queue (as its owner) and sel_ids on it: the
 * queue's descriptor; dies on error. */
int sel_open(struct sel *s, int argc, char **argv, int empty_all,
    char ***ids, size_t *n, size_t *missing);

/* the subcommands */
int cmd_queue(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_flush(int argc, char **argv);
int cmd_hold(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_reload(int argc, char **argv);
/* sender authentication (issue 20): dkim.c, dkimtool.c, spf.c, dmarc.c */
int cmd_dkim_keygen(int argc, char **argv);
int cmd_dkim_sign(int argc, char **argv);
int cmd_dkim_verify(int argc, char **argv);
int cmd_spf(int argc, char **argv);
int cmd_dmarc(int argc, char **argv);
/* outbound TLS policy (issue 22): mtasts.c */
int cmd_mta_sts(int argc, char **argv);
/* tlsrpt.c: the day's TLS reports (RFC 8460) */
int cmd_tlsrpt(int argc, char **argv);

#endif
