/*
 * local: private declarations shared by the files of cmd/local.
 * A delivery function writes the message (the prefix lines Return-Path
 * and Delivered-To, then the queued message) to one destination and
 * returns 0, or -1 with a result: *temp set (1 temporary, 0 permanent),
 * an RFC 3463 code and text in the struct fail.
 */
#ifndef POSTEL_LOCAL_H
#define POSTEL_LOCAL_H

#include <limits.h>
#include <stddef.h>

#include "queue.h"

/* -m: at most this many messages in one run (postel-local(8)) */
#define LOCAL_BATCH_MAX 64

struct fail {
	int temp;
	char dsn[16];
	char text[400];
};

/* msgdata.flags: the envelope flags qrun passed (-u, -8) */
#define LOCAL_UTF8 0x01
#define LOCAL_8BIT 0x02

/* The Maildir new/ directories a batch has linked messages into and not
 * yet synced: each is fsync'd once, by dirsync_run, before the result of
 * any message delivered there is written. touched has bit i set when
 * the current message went into dir[i]. A full list means the sync is
 * not shared (it happens at once), so the list stays small. */
#define DIRSYNC_MAX 8
struct dirsync {
	char dir[DIRSYNC_MAX][PATH_MAX];
	size_t n;
	unsigned touched;
};

/* The DSN requests (RFC 3461) the recipient being delivered came with,
 * from its queue file's envelope (postel-queue(5)): what a forward
 * carries on to the new message. All zero: none given, or no envelope
 * (standard input that is not a queue file). */
struct dsn {
	unsigned notify;                    /* QN_ bits; 0 = none given */
	int ret;                            /* QR_ */
	char envid[QUEUE_ENVID_MAX + 1];    /* xtext; "" = none */
	char orcpt[QUEUE_ORCPT_MAX + 1];    /* as stored; "" = none */
	int requiretls;                     /* the requiretls flag (RFC
	                                       8689): a forward keeps it */
};
/* d from the envelope e for the recipient rcpt: its first rcpt line of
 * that address (its NOTIFY and ORCPT), and the message's RET and ENVID. */
void dsn_of_env(struct dsn *d, const struct qenv *e, const char *rcpt);
/* d from the queue file on fd, positioned at the message (the
 * one-message form): the envelope is read from offset 0 and fd put back
 * where it was. A pipe, or a file at offset 0, has no envelope: d all
 * zero. 0, or -1 (errno) if fd cannot be put back. */
int dsn_of_fd(struct dsn *d, int fd, const char *rcpt);
/* The request each new recipient of a forward of rcpt gets (RFC 3461
 * 5.2.7): d's NOTIFY, without SUCCESS when the recipient went to several
 * places (several), and d's ORCPT, or when none came the one RFC 3461
 * 4.2 lets a relay add, rfc822; and rcpt as xtext (none if rcpt is not
 * ASCII or too long). */
void dsn_next(const struct dsn *d, const char *rcpt, int several,
    struct qrdsn *r);

struct msgdata {
	const char *prefix;     /* Return-Path: and Delivered-To: lines */
	size_t prefixlen;
	const char *dt;         /* the Delivered-To: line alone */
	size_t dtlen;
	const char *body;       /* the message as queued */
	size_t bodylen;
	const char *sender;     /* "" = null sender */
	const char *rcpt;
	const char *local;      /* local part, extension, domain, home */
	const char *ext;
	const char *domain;
	const char *home;
	const char *user;
	const char *qid;
	unsigned flags;         /* LOCAL_UTF8, LOCAL_8BIT: what qrun passed */
	unsigned long long timeout;
	struct dirsync *ds;     /* NULL: each new/ synced as it is used */
	struct dsn dsn;         /* the recipient's DSN requests */
};

/* Fill f (errno e decides temporary or not); returns -1. */
int local_fail(struct fail *f, int e, const char *dsn, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

int maildir_deliver(const struct msgdata *md, const char *dir,
    struct fail *f, char *name, size_t namesize);
/* fsync every directory of ds and empty it: the bits of those that
 * failed (f says why, for the first), 0 when all are durable. */
unsigned dirsync_run(struct dirsync *ds, struct fail *f);
int mbox_deliver(const struct msgdata *md, const char *path, struct fail *f);
int pipe_deliver(const struct msgdata *md, const char *cmd, struct fail *f);
/* Re-queue the message to the n addresses to, with the DSN requests of
 * md->dsn (dsn_next: several, when the recipient went elsewhere too). */
int forward_deliver(const struct msgdata *md, char *const *to, size_t n,
    int several, struct fail *f);

#endif
