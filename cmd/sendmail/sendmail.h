/* sendmail: private declarations shared by the files of cmd/sendmail. */
#ifndef POSTEL_SENDMAIL_H
#define POSTEL_SENDMAIL_H

#include <stddef.h>
#include <sysexits.h>       /* what the callers of sendmail expect */

#include "addr.h"
#include "queue.h"

struct rcpts {
	char **v;
	size_t n, cap;
};
int rcpts_add(struct rcpts *r, const char *s, size_t n);

struct msgopt {
	int dot;                /* a lone "." ends the input (no -i) */
	int hdr_rcpts;          /* -t */
	const char *from;       /* envelope sender, "" = null */
	const char *fullname;   /* -F, or NULL */
	const char *user;       /* invoking user's login name */
	const char *me;         /* host name for Message-ID and bare names */
};

/* What the command line asks for (opt.c). */
enum { M_SEND, M_LIST, M_SMTP, M_QUEUE, M_VERIFY, M_ALIASES };
struct args {
	int mode, verbose, kv;
	struct msgopt m;
	unsigned flags;                 /* QF_8BIT from -B8BITMIME */
	struct qdsn dsn;                /* -N -R -V */
	char qsel[16 + ADDR_MAX];       /* -q: flush selector; "" = -q<time> */
	const char *qarg;               /* -q as given, for messages */
	char **rcpt;
	int nrcpt;
};
/* Parse argv as sendmail and Postfix do (getopt-style bundles, values
 * attached or next); name is the program's name (mailq, newaliases).
 * A usage error prints one line and exits EX_USAGE. */
void args_parse(int argc, char **argv, const char *name, struct args *a);
_Noreturn void usage(const char *why, const char *arg);

/* run.c: start the program of a mode and wait for it; its exit code as
 * sysexits. queue_flush: -q, a flush request through enqueue -F, or
 * with no runner (root, the queue's owner) one pass of qrun -1 -F. */
int run_mode(const char *name, char *const av[]);
int queue_flush(const struct args *a);

/* Give a bare name "@me"; strip <> (main.c). NULL: out of memory. */
char *qualify(const char *s, const char *me);

/* verify.c: -bv, one line per address, 0, EX_NOUSER or EX_TEMPFAIL;
 * -bi (newaliases), file:line per problem, 0, EX_CONFIG or EX_TEMPFAIL. */
int verify(char **addr, int n, const char *me);
int aliases_check(void);

/* Read the message from fd 0, fix up its header and write it in Unix form
 * to the spool fd; with -t add header recipients to r. Returns 0, or a
 * sysexits code after printing one line on stderr. */
int msg_spool(int spool, const struct msgopt *o, struct rcpts *r,
    unsigned long long *taken);
/* mailq: list the queue; kv selects the key=value form. */
int mailq(int kv);

#endif
