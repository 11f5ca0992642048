/* sendmail: private declarations shared by the files of cmd/sendmail. */
#ifndef POSTEL_SENDMAIL_H
#define POSTEL_SENDMAIL_H

#include <stddef.h>

/* sysexits.h values, spelled out: the callers of sendmail expect them. */
enum {
	EX_OK_ = 0, EX_USAGE_ = 64, EX_DATAERR_ = 65, EX_NOINPUT_ = 66,
	EX_UNAVAILABLE_ = 69, EX_SOFTWARE_ = 70, EX_OSERR_ = 71,
	EX_IOERR_ = 74, EX_TEMPFAIL_ = 75, EX_NOPERM_ = 77, EX_CONFIG_ = 78
};

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

/* Read the message from fd 0, fix up its header and write it in Unix form
 * to the spool fd; with -t add header recipients to r. Returns 0, or a
 * sysexits code after printing one line on stderr. */
int msg_spool(int spool, const struct msgopt *o, struct rcpts *r,
    unsigned long long *taken);
/* mailq: list the queue; kv selects the key=value form. */
int mailq(int kv);

#endif
