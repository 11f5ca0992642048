/*
 * queue: the executable form of postel-queue(5), and the only code that
 * names the queue's directories. Writers (enqueue, smtpd) use struct qw;
 * the runner (qrun) takes messages with queue_take, opens them with
 * queue_open, keeps their state with qstate_read/qstate_write and removes
 * them with queue_remove; readers (qrun, mailq, postel) list them with
 * struct qscan and read envelopes with qenv_read. Functions return 0 or
 * -1 with errno set unless they say otherwise; parse problems set errno
 * EINVAL and *why.
 */
#ifndef POSTEL_QUEUE_H
#define POSTEL_QUEUE_H

#include <stddef.h>
#include <sys/types.h>

#include "addr.h"
#include "bio.h"

#define QUEUE_ID_MAX 48
#define QUEUE_TEXT_MAX 400      /* result text kept per recipient */

#define QF_UTF8 0x01
#define QF_8BIT 0x02
#define QF_REQUIRETLS 0x04      /* RFC 8689: deliver only over authenticated
                                   TLS to hops offering REQUIRETLS */
#define QF_LATER 0x80   /* qw_envelope: final flags come with qw_flags */

/* DSN requests (RFC 3461), kept in the envelope (postel-queue(5)). For
 * the message: the notify, ret and envid lines (notify as a default
 * for every recipient, given by sendmail -N). A zero struct is "none
 * given". */
#define QN_NEVER   0x01
#define QN_SUCCESS 0x02
#define QN_FAILURE 0x04
#define QN_DELAY   0x08
enum { QR_UNSET, QR_FULL, QR_HDRS };
#define QUEUE_ENVID_MAX 100     /* RFC 3461 4.4: xtext, at most 100 */
struct qdsn {
	unsigned notify;                    /* QN_ bits; 0 = not given */
	int ret;                            /* QR_ */
	char envid[QUEUE_ENVID_MAX + 1];    /* xtext; "" = not given */
};
/* For one recipient: the dsn N line. ORCPT is kept as it came, the
 * addr-type, ';' and the xtext, at most QUEUE_ORCPT_MAX bytes. */
#define QUEUE_ORCPT_MAX 500     /* RFC 3461 4.2 */
struct qrdsn {
	unsigned notify;                    /* QN_ bits; 0 = not given */
	char orcpt[QUEUE_ORCPT_MAX + 1];    /* "rfc822;bob@example.net" */
};
/* The value of a dsn line, "N [notify=WORDS] [orcpt=TYPE;XTEXT]", for
 * recipient n (from 1) into dst: its length, or -1 if d holds no
 * request, a bad value, or dst is short. */
int qrdsn_fmt(char *dst, size_t size, size_t n, const struct qrdsn *d);
/* Parse such a value strictly (enqueue -d): 0 with *n and *d set, or -1
 * if anything in it is wrong or it holds no request. */
int qrdsn_parse(const char *s, size_t *n, struct qrdsn *d);
/* "never", or a comma list of success, failure, delay (any case, no
 * blanks): 0 and *notify set, or -1. */
int qdsn_notify_parse(const char *s, unsigned *notify);
/* notify without SUCCESS, for a recipient that is to get no receipt
 * from here on: FAILURE and DELAY stay, and SUCCESS alone leaves NEVER
 * (an absent NOTIFY would ask for failures); 0 stays 0. */
unsigned qdsn_no_success(unsigned notify);
/* The envelope form of notify: "never" or the words in a fixed order;
 * 0, or -1 if it does not fit or notify is 0. */
int qdsn_notify_fmt(char *dst, size_t size, unsigned notify);
/* "full" or "hdrs" (any case): 0 and *ret set, or -1. */
int qdsn_ret_parse(const char *s, int *ret);
/* 1 if s is RFC 3461 xtext of 1 to QUEUE_ENVID_MAX bytes that encodes
 * printable ASCII (4.4). */
int qdsn_envid_ok(const char *s);
/* 1 if s is RFC 3461 xtext of 1 to max bytes (the syntax only). */
int qdsn_xtext_ok(const char *s, size_t max);
/* 1 if s is an ORCPT value, addr-type ";" xtext (RFC 3461 4.2; the
 * addr-type an RFC 5322 atom; the xtext encoding printable ASCII), of
 * at most QUEUE_ORCPT_MAX bytes. */
int qdsn_orcpt_ok(const char *s);
/* Encode printable ASCII text as xtext into dst: 0, or -1 if s holds
 * anything else or the result does not fit in QUEUE_ENVID_MAX. */
int qdsn_envid_encode(char *dst, size_t size, const char *s);
/* Encode printable ASCII text as xtext into dst (of size bytes, NUL
 * included): 0, or -1 if s holds anything else or dst is short. */
int qdsn_xtext_encode(char *dst, size_t size, const char *s);
/* Encode a UTF-8 address (valid UTF-8, no control characters) as RFC
 * 6533 3's utf-8-addr-xtext into dst: printable ASCII but space, '\',
 * '+' and '=' stays, anything else is \x{HEX} of its code point. 0, or
 * -1 if s is not such an address or dst is short. */
int qdsn_utf8_xtext(char *dst, size_t size, const char *s);
/* Decode xtext s into dst: 0, or -1 if s is not xtext, decodes to a
 * byte outside printable ASCII and space, or dst is short. */
int qdsn_xtext_decode(char *dst, size_t size, const char *s);

/* The queue's entries (postel-queue(5)), for the code that makes them
 * (setup) and the code that names them (here). */
enum qdir { QDIR_TMP, QDIR_NEW, QDIR_CUR, QDIR_STATE, QDIR_HOLD, QDIR_N };
/* "tmp", "new", "cur", "state", "hold" */
const char *queue_dirname(enum qdir d);
/* The layout setup makes, in order: name, the mode of a system
 * instance, and the type: a directory, the FIFO trigger or the plain
 * file lock. Ends with a NULL name. */
struct qlayout {
	const char *name;
	unsigned mode;          /* permission bits */
	char type;              /* 'd' directory, 'p' FIFO, 'f' file */
};
extern const struct qlayout queue_layout[];

/* open $POSTEL_ROOT/queue as a directory fd (O_CLOEXEC) */
int queue_dir(void);
/* the same, as queue/ in the directory rootfd (conf_root_open); a
 * symbolic link there is refused */
int queue_dir_at(int rootfd);
/* fsync directory d of the queue dir qd */
int queue_syncdir(int qd, enum qdir d);
/* An unnamed file in the queue's tmp/ (fd_tmpfile): for a message that
 * is being put together before enqueue reads it (bounces). */
int queue_tmpfile(void);
/* The path of the queue's tmp/, for programs that spool there. */
int queue_tmppath(char *dst, size_t size);
/* The runner's lock file, open read-write; the trigger FIFO, open with
 * flags (O_RDONLY or O_WRONLY) and O_NONBLOCK. Both close-on-exec. */
int queue_lockfile(int qd);
int queue_fifo(int qd, int flags);
/* wake a running qrun; never blocks, never fails the caller */
void queue_trigger(int qd);

/* Writing one new message. */
struct qw {
	int qd, fd;
	int anon;                   /* fd is an unnamed O_TMPFILE file */
	off_t flagoff;              /* where the reserved flags go; 0 = none */
	unsigned flags, wrote;      /* final flags; the flags reserved */
	char id[QUEUE_ID_MAX];
	char tmp[QUEUE_ID_MAX + 8];
	char buf[65536];
	struct bio out;             /* buffered writes to fd, over buf */
	unsigned long long size;    /* message bytes written so far */
	unsigned long long max;     /* limit on message bytes; 0 = none */
};
/* What the queue takes past max-size: the header fields postel's own
 * programs add on the way (Received:, Delivered-To:, a filter's), so
 * that a message the front door took at max-size is never refused later
 * for them, at smtpd's queue write after a filter or by enqueue from a
 * filtering sendmail or a forward. The front doors hold what a client
 * sends to max-size itself. */
#define QUEUE_ROOM 65536
/* Filters may use half of it; the rest stays for what later hops add
 * (the Delivered-To: of each forward), so that a message a filter grew
 * to its limit can still be forwarded. */
#define FILTER_ROOM (QUEUE_ROOM / 2)
int qw_begin(struct qw *w, int qd, unsigned long long max);
/* The same with an ID the caller made with queue_id_make (smtpd does, to
 * name it in Received:); fails with EEXIST if it is taken. */
int qw_begin_id(struct qw *w, int qd, unsigned long long max, const char *id);
/* A fresh ID "seconds.microseconds.pid" into dst. */
int queue_id_make(char *dst, size_t size);
/* 1 if id has the form of a queue ID (digits and dots, no path tricks). */
int queue_id_ok(const char *id);
/* envelope: sender ("" = null), recipients, QF_ flags, origin text.
 * With QF_LATER the flags line is reserved at full width, and qw_flags
 * may still change it (smtpd learns of 8-bit data only while writing). */
int qw_envelope(struct qw *w, const char *from, char *const *rcpt,
    size_t nrcpt, unsigned flags, const char *origin);
/* The same with the DSN requests of dsn (NULL: none). */
int qw_envelope_dsn(struct qw *w, const char *from, char *const *rcpt,
    size_t nrcpt, unsigned flags, const char *origin,
    const struct qdsn *dsn);
/* The same with the user an SMTP client authenticated as (smtpd; NULL
 * or "": none), as the auth line (postel-queue(5)); its printable ASCII
 * is kept, at most QUEUE_AUTH_MAX bytes, anything else made '?'. */
#define QUEUE_AUTH_MAX 255
int qw_envelope_auth(struct qw *w, const char *from, char *const *rcpt,
    size_t nrcpt, unsigned flags, const char *origin, const char *auth);
/* Everything an envelope may carry besides the addresses, flags and
 * origin; a NULL member is "none". rdsn, if not NULL, has one entry per
 * recipient (an entry with notify 0 and orcpt "" writes no line). */
struct qextra {
	const struct qdsn *dsn;
	const struct qrdsn *rdsn;
	const char *auth;
};
int qw_envelope_x(struct qw *w, const char *from, char *const *rcpt,
    size_t nrcpt, unsigned flags, const char *origin,
    const struct qextra *x);
void qw_flags(struct qw *w, unsigned flags);
/* message bytes; EMSGSIZE past max */
int qw_write(struct qw *w, const void *p, size_t n);
/* the rest of fd, to its end, as message bytes (EINTR retried) */
int qw_copy(struct qw *w, int fd);
/* make it durable and visible in new/ (postel-queue(5) steps 1-2);
 * fails with EEXIST if new/ID is taken */
int qw_commit(struct qw *w);
void qw_abort(struct qw *w);                /* unlink tmp; keeps errno */

/* Reading a message file's envelope. */
struct qenv {
	long long arrival;
	char from[ADDR_MAX + 1];
	char **rcpt;
	size_t nrcpt;
	unsigned flags;
	char origin[256];
	char auth[QUEUE_AUTH_MAX + 1];  /* the auth line's user; "" = none */
	struct qdsn dsn;            /* a bad notify/ret/envid value: unset */
	struct qrdsn *rdsn;         /* per recipient, or NULL: no dsn lines */
	size_t nrdsn;               /* entries of rdsn */
	off_t body;                 /* offset of the message */
};
/* Read the envelope from fd (at offset 0); leaves fd at e->body. */
int qenv_read(int fd, struct qenv *e, const char **why);
void qenv_free(struct qenv *e);
/* The NOTIFY of recipient i (from 0): its dsn line's, else the
 * message's notify line's, else 0 (none given: RFC 3461 4.1 lets the
 * MTA report failures and delays, as postel always did). */
unsigned qenv_notify(const struct qenv *e, size_t i);
/* The ORCPT of recipient i as stored, or "" if none was given. */
const char *qenv_orcpt(const struct qenv *e, size_t i);

/* Per-recipient state (state/ID). */
enum { QS_TODO, QS_OK, QS_FAIL };
struct qstate {
	int status;
	unsigned attempts;
	long long next;
	char dsn[16];
	char text[QUEUE_TEXT_MAX];
	int notice;             /* an ok recipient's success notice still owed:
	                           an enum action of result.h, 0 none */
};
/* Fill st[0..n) from state/ID; a missing file means all todo, 0 tries.
 * *finished (if not NULL) is set when the state says all is done, its
 * bounces sent, and only the removal of the message failed. */
int qstate_read(int qd, const char *id, struct qstate *st, size_t n,
    long long *warned, int *finished, const char **why);
/* Replace state/ID atomically and durably (postel-queue(5) step 4). */
int qstate_write(int qd, const char *id, const struct qstate *st, size_t n,
    long long warned, int finished);
const char *qstate_name(int status);

/* Listing the messages in new/ or cur/ (or the names in another queue
 * directory, for the cleanup): in directory order, dot files skipped.
 *	struct qscan s; const char *id;
 *	if (qscan_open(&s, qd, QDIR_CUR) == -1) fail;
 *	while ((id = qscan_next(&s)) != NULL) ...;
 *	if (qscan_close(&s) == -1) fail;   (a read error, errno)
 */
struct qscan {
	void *dir;              /* DIR * */
	int fd;                 /* its descriptor */
	int err;                /* errno of a failed read, or 0 */
	int dots;               /* also names starting with '.' */
};
int qscan_open(struct qscan *s, int qd, enum qdir d);
const char *qscan_next(struct qscan *s);
int qscan_close(struct qscan *s);

/* Where message id is: QDIR_NEW or QDIR_CUR; -1 with errno ENOENT if in
 * neither (a message only moves from new/ to cur/, so cur/ is looked at
 * again after new/). */
int queue_where(int qd, const char *id);
/* 1 if cur/ID is there, 0 if it is gone, -1 on another error */
int queue_has(int qd, const char *id);
/* Open message id in d (read-only), at offset 0. */
int queue_open(int qd, enum qdir d, const char *id);
/* Open message id wherever it is, into *where (if not NULL): as
 * queue_where looks; ENOENT if it is in neither place. */
int queue_find(int qd, const char *id, enum qdir *where);
/* Open cur/ID positioned at body, the first byte of the message. */
int queue_open_body(int qd, const char *id, off_t body);

/* postel-queue(5) step 3: take new/ID into cur/ID, never over an existing
 * cur/ID (that is another message, whose ID came back with a clock set
 * back: EEXIST). Not synced: after a crash the message is in new/ or
 * cur/, and the runner looks in both. */
int queue_take(int qd, const char *id);

/* postel-queue(5) step 5, the runner's removal in two steps, so that one
 * sync serves many messages: queue_drop unlinks cur/ID (1 done, 0 it was
 * not there, -1 error); queue_commit syncs cur/, then new/, which makes
 * every take and drop before it durable. Only then is a drop the record
 * of a delivery, and only then may queue_forget remove the state. */
int queue_drop(int qd, const char *id);
int queue_commit(int qd);

/* postel-queue(5) step 5 for qrun -d, which takes only a queue ID
 * (EINVAL otherwise): remove message id from new/ or cur/, sync both
 * (queue_commit), then its state file and its hold marker. 0: all done;
 * 1: the message is gone but a later step failed (errno; what is left is
 * an orphan queue_clean removes); -1: the message is still there (errno;
 * ENOENT: it was in neither place). The runner removes the messages it
 * delivered with queue_drop and queue_commit. */
int queue_remove(int qd, const char *id);
/* Remove the state file and hold marker of a message already gone. */
int queue_forget(int qd, const char *id);

/* 1 if message id is held: its marker hold/ID exists (postel-queue(5));
 * 0 if not, or if the queue has no hold/ at all. */
int queue_held(int qd, const char *id);
/* Make (on 1) or remove (on 0) the hold marker of id; hold/ is made if
 * a queue from before it lacks it. 1 if it changed, 0 if it was already
 * so, -1 with errno. queue_hold_sync makes the changes durable. */
int queue_hold(int qd, const char *id, int on);
int queue_hold_sync(int qd);

/* Remove tmp/ files older than grace seconds, and state/ files and hold
 * markers whose message is gone; returns the number removed or -1. */
int queue_clean(int qd, long long grace);

#endif
