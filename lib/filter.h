/*
 * filter: run a chain of message filters, the Unix-pipe way
 * (postel-filter(8) is the contract).
 *
 * A chain is one line, "prog arg ... | prog arg ...": no shell, blanks
 * split arguments, a program without '/' is found by conf_prog(). Each
 * filter reads the message (queue form, LF line ends) on stdin, the
 * envelope in its environment and one recipient per line on fd 3, and
 * writes the message, possibly rewritten, on stdout: exit 0 passes it to
 * the next stage, 100 rejects it, 111 defers it, with the first line of
 * its stderr as the reason. Anything else (a signal, another exit code, a
 * timeout, output that is empty, oversized or not a message) is a
 * temporary failure: mail is never lost or passed unfiltered.
 *
 * The caller owns the fds; outputs are unlinked files in opt->tmpdir.
 */
#ifndef POSTEL_FILTER_H
#define POSTEL_FILTER_H

#include <stddef.h>

#define FILTER_MAX     16       /* stages in one chain */
#define FILTER_ARGS    32       /* words in one stage */
#define FILTER_WHY_MAX 200      /* reason text kept from a filter */

enum { FILTER_PASS = 0, FILTER_REJECT = 100, FILTER_DEFER = 111 };

/* The envelope given to filters; NULL members are left out. */
struct filter_env {
	const char *sender;             /* "" for the null sender */
	const char *const *rcpt;
	size_t nrcpt;
	const char *client_ip, *helo, *auth_user, *qid, *tls;
	int relay;                      /* the client may relay (RELAYCLIENT,
	                                   relay-clients, AUTH, local) */
};

struct filter_opt {
	const char *tmpdir;             /* for the unlinked output files */
	unsigned long long timeout;     /* seconds each filter may take */
	unsigned long long max;         /* output size limit, octets */
};

struct filter_res {
	int status;                     /* FILTER_PASS, _REJECT, _DEFER */
	int eightbit;                   /* final output has octets > 127 */
	char why[FILTER_WHY_MAX + 1];   /* the filter's own line, or "" */
	char err[FILTER_WHY_MAX + 64];  /* what went wrong, for the log */
	char stage[64];                 /* program that decided, or "" */
	char note[2 * FILTER_WHY_MAX];  /* filter_chain: the lines of the
	                                   stages that passed, for the log */
};

/* The SMTP reply for a reject or defer: the filter's line when it
 * begins with its own code and enhanced status of the right class
 * ("550 5.7.23 ..." for a reject, "451 4.7.24 ..." for a defer), else
 * 554 5.7.1 or 451 4.7.1 and the line. Fills line; returns it. */
const char *filter_reply(const struct filter_res *r, char *line,
    size_t size);

/* Check a chain's syntax: NULL, or a reason. */
const char *filter_check(const char *chain);

/* Run chain over *fd (read from offset 0). On FILTER_PASS *fd is the
 * final output at offset 0 (the old fd closed if a new one replaced it);
 * otherwise *fd is unchanged. Always fills res; returns res->status. */
int filter_chain(const char *chain, int *fd, const struct filter_env *e,
    const struct filter_opt *o, struct filter_res *res);

/* One stage: argv[0] is a path. On FILTER_PASS *out is a new fd and
 * res->why the filter's line, if it wrote one (a note for the log). */
int filter_run(char *const argv[], int in, int *out,
    const struct filter_env *e, const struct filter_opt *o,
    struct filter_res *res);

/* The check of a filter's output, fed in pieces: a message in queue form
 * is not empty, begins with a header field name and ':', holds no NUL
 * and no CR, and ends in LF. */
struct filter_val {
	int state, bad, eightbit;
	size_t namelen;
	char last;
};
void filter_vinit(struct filter_val *v);
void filter_vfeed(struct filter_val *v, const char *p, size_t n);
/* NULL if the message is valid, else what is wrong with it. */
const char *filter_vend(struct filter_val *v);

#endif
