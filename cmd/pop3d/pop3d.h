/*
 * pop3d: declarations private to cmd/pop3d (postel-pop3d(8)).
 *
 * parse.c   the command parser: no I/O, no state (fuzz/pop3d_cmd.c)
 * drop.c    the maildrop: lock, list, send and remove Maildir messages
 * session.c the TRANSACTION and UPDATE states, over a pair of bios
 * front.c   the connection: TLS, the AUTHORIZATION state, the relay
 * main.c    configuration, the split into processes, the root checker
 *
 * main.c owns struct pop3 (one per process, filled before any client
 * input); the others read it.
 */
#ifndef POSTEL_POP3D_H
#define POSTEL_POP3D_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "bio.h"
#include "mailbox.h"

#define POP3_LINE_MAX   255     /* a command with its CRLF (RFC 2449) */
#define POP3_AUTH_MAX   1024    /* an AUTH continuation line */
#define DROP_MAX        100000  /* messages listed in one session */

/* parse.c ------------------------------------------------------------ */

enum verb {
	V_UNKNOWN, V_CAPA, V_STLS, V_USER, V_PASS, V_AUTH, V_STAT, V_LIST,
	V_UIDL, V_RETR, V_TOP, V_DELE, V_RSET, V_NOOP, V_QUIT
};

struct pcmd {
	enum verb verb;
	char name[8];           /* the verb as sent, upper case, cut */
	const char *arg;        /* after one space; "" if none */
	size_t alen;
};
/* Split a line without its CRLF. NULL, or why it is refused (a control
 * octet, no verb, a verb over 4 letters). */
const char *pcmd_split(struct pcmd *c, const char *line, size_t n);
/* 1 if the verb takes no argument (CAPA, STLS, STAT, RSET, NOOP,
 * QUIT). */
int pcmd_noarg(enum verb v);
/* A message number: 1 to max, decimal, nothing else. 0 or -1. */
int parse_msgno(const char *s, size_t n, unsigned long max,
    unsigned long *v);
/* TOP's "msg n": 0 or -1. */
int parse_top(const char *s, size_t n, unsigned long max,
    unsigned long *msg, unsigned long long *lines);

/* drop.c ------------------------------------------------------------- */

struct dmsg {
	unsigned long long size;        /* octets as sent (CRLF) */
	long long t;                    /* the name's leading seconds */
	size_t name;                    /* offset of the name in names */
	int dele;
	int gone;                       /* removed by another reader */
	int seen;                       /* rescan found it */
};

struct drop {
	int dirfd, curfd;               /* -1: no Maildir (empty) */
	struct dmsg *m;
	size_t n, cap;
	char *names;                    /* NUL-ended names, packed */
	size_t nlen, ncap;
	unsigned long long octets;      /* of the messages not marked */
	size_t moved;                   /* taken from new/ */
	size_t skipped;                 /* files that could not be */
	size_t more;                    /* left for a later session */
};

/* Open and lock the Maildir at path, move new/ to cur/ and list cur/.
 * 0; -1 with errno (EWOULDBLOCK: another session holds the lock). */
int drop_open(struct drop *d, const char *path);
const char *drop_name(const struct drop *d, size_t i);
/* The unique-id of message i into uid (72 octets). */
void drop_uid(const struct drop *d, size_t i, char *uid);
/* Open message i for reading (found again by its base name if another
 * reader renamed it): an fd, or -1 (ENOENT: it is gone). */
int drop_msgfd(struct drop *d, size_t i);
/* Send message i as RETR (lines < 0) or TOP (header and lines lines of
 * the body) does: CRLF line ends, dot-stuffed, ".CRLF" at the end.
 * 0; -1 with errno (a write failed: the session is over). */
int drop_send(struct bio *out, int fd, long long lines);
/* Remove the marked messages and sync cur/: how many could not be. */
size_t drop_commit(struct drop *d);
void drop_close(struct drop *d);

/* session.c ---------------------------------------------------------- */

/* Serve the TRANSACTION state for m over in/out: the reply to the login
 * first (+OK, or -ERR when the maildrop cannot be had), then commands
 * until QUIT (UPDATE), the end of input or a limit. The exit code:
 * 0 after QUIT, 111 otherwise. */
int session_run(const struct mailbox *m, struct bio *in, struct bio *out);

/* front.c ------------------------------------------------------------ */

/* The AUTHORIZATION state on fds 0 and 1 (TLS included), then either
 * session_run in this process (single) or the relay to the session's
 * socket (split). Never returns. */
_Noreturn void front_run(void);

/* main.c, check.c ------------------------------------------------------------- */

struct pop3 {
	char sid[40];
	char ip[64];
	char me[256];
	int split;                      /* started as root: three processes */
	int loopback;                   /* the client is on loopback */
	int plain;                      /* auth-plaintext */
	int tls_offer;                  /* tls-cert and tls-key loaded */
	int tls;                        /* TLS is on (the front's) */
	int pop3s;                      /* POP3S=1: TLS from the start */
	unsigned long long timeout;     /* ms of silence allowed */
	unsigned long long max_cmds, max_errors;
	long long deadline;             /* the session's end, monotonic ms */
	int creds;                      /* split: the checker's socket */
	int relay;                      /* split: the session's socket */
};
extern struct pop3 pop3;

/* io.c -------------------------------------------------------------- */

/* Set b's deadline for its next wait: pop3d-timeout, never past the
 * session's end. */
void pop3_wait(struct bio *b);
/* A reply line: fmt's text and CRLF (cut at 600 octets). pop3_err puts
 * "-ERR " first and counts an error towards max-errors. */
void pop3_put(struct bio *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void pop3_err(struct bio *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Read a line into line (size octets), its line end cut: 1, 0 at EOF,
 * -1 error (ETIMEDOUT), 2 overlong (drained). */
int pop3_line(struct bio *in, char *line, size_t size, size_t *n);
/* The next command into c: 1; 2 refused already (-ERR sent); 0 EOF; -1
 * error, timeout, or max-errors or pop3d-max-commands reached (EMLINK,
 * after a last -ERR). */
int pop3_cmd(struct bio *in, struct bio *out, char *line, size_t size,
    struct pcmd *c);
/* CAPA's answer, before (authed 0) or after login. */
void pop3_capa(struct bio *out, int authed);
/* split mode: the commands and errors so far, from the front to the
 * session (16 octets on the relay socket before anything else). 0 or
 * -1 with errno. */
int pop3_counts_write(int fd);
int pop3_counts_read(int fd);
/* Whether USER, PASS and AUTH PLAIN may be used now. */
int pop3_login_ok(void);
/* Ask whoever checks passwords: 'y' good (in split mode the session is
 * started), 'n' bad (after the delay), 't' temporary, 'p' a mailbox
 * this process cannot serve. In split mode over fd creds, else here. */
int pop3_check(int creds, const char *user, const char *pass);
/* split mode, as root: answer the front on fd creds until a login is
 * good, then start the session on fd relay and wait for the front.
 * Returns the exit code. */
int pop3_checker(int creds, int relay, pid_t front);
/* The TLS credentials, for the front's handshake. */
struct tls_server_cred;
const struct tls_server_cred *pop3_tls(void);
/* single mode: the mailbox pop3_check found */
const struct mailbox *pop3_mailbox(void);

#endif
