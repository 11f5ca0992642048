/*
 * qrun: private declarations shared by the files of cmd/qrun.
 * main.c   argv, the lock, the event loop, signals
 * sched.c  the schedule (a heap ordered by next attempt), scanning new/
 *          and cur/, loading and finishing messages
 * job.c    running local and remote, reading their result lines
 * bounce.c RFC 3464 bounces and delay warnings, queued through enqueue
 * ctl.c    requests on the trigger FIFO (flush, reload), SIGHUP, hold
 * A struct msg is in the heap (waiting) or in the active list (loaded,
 * jobs running or due); its envelope and state are in memory only while
 * it is active, so a large queue costs one small struct per message.
 */
#ifndef POSTEL_QRUN_H
#define POSTEL_QRUN_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "qreq.h"
#include "queue.h"

/* Recipients per remote run; RFC 5321 4.5.3.1.8 asks servers for 100.
 * The rest of a domain's recipients go in further runs. */
#define QRUN_RCPT_MAX 100

struct msg {
	char id[QUEUE_ID_MAX];
	long long next;         /* earliest due time; 0 = unknown, look now */
	size_t hi;              /* heap index while waiting */
	int loaded;
	struct qenv env;
	struct qstate *st;
	long long warned;
	unsigned char *busy;    /* per recipient: a job is running for it */
	int njobs;
	int blocked;            /* due recipients wait for a free slot */
	int flush;              /* flushed while waiting: all todo due now */
	int held;               /* seen held (queue/hold/ID), logged once */
	struct msg *anext;      /* active list */
};

struct job {
	struct msg *m;
	int remote;
	size_t *idx;            /* recipient indexes (0-based) */
	size_t n;
	pid_t pid;
	unsigned token;         /* started by the spawner (spawn.c), or 0 */
	int out;                /* stdout pipe; -1 after EOF */
	int exited, status;
	int killed;             /* 1 at its deadline, 2 when qrun stops */
	long long start, deadline;      /* mono_s() */
	long long exited_at;    /* mono_s() of the exit, for a held pipe */
	struct buf buf;
	struct job *next;
};

/* main.c: settings and counters */
extern int qd;
extern int once, force;
extern unsigned long long max_local, max_remote, nlocal, nremote;
extern unsigned long long timeout_s, lifetime, blifetime, warn_after;
extern long long *retry, retry_max;
extern size_t nretry;
extern struct job *jobs;
long long now_s(void);          /* wall clock: arrival, retries, state */
long long mono_s(void);         /* monotonic: deadlines and intervals */

/* sched.c */
void sched_push(struct msg *m);
struct msg *sched_top(void);
void sched_pop(void);
size_t sched_size(void);
struct msg *sched_at(size_t i);         /* i < sched_size(), heap order */
void sched_due(struct msg *m);          /* waiting m becomes due now */
extern struct msg *active;
extern size_t nactive;
int sched_scan(const char *sub);        /* cur/ at start, new/ when woken */
int msg_load(struct msg *m);            /* 0 ok, -1 (m was dealt with) */
int msg_start(struct msg *m);           /* start jobs for due recipients */
void msg_done(struct msg *m);           /* all its jobs have finished */
void msg_free(struct msg *m);
void msg_unlink_active(struct msg *m);
int msg_delete(const char *id);         /* qrun -d */
int rcpt_local(const char *rcpt);

/* job.c */
int job_spawn(struct msg *m, int remote, const size_t *idx, size_t n);
void job_read(struct job *j);
void job_reap(void);
void job_finish(struct job *j);         /* apply results, free it */
void job_kill(struct job *j, const char *why);

/* spawn.c: the privileged step that starts local (postel-security(7)) */
/* As root with qrun-user: fork the spawner of local (if spawner_too),
 * then become qrun-user. */
void spawn_init(int spawner_too);
int spawn_on(void);
int spawn_fd(void);
int spawn_start(unsigned *token, int msgfd, int outfd,
    const char *const *argv);
void spawn_kill(unsigned token);
void spawn_read(void);                  /* mark exited jobs */

/* ctl.c */
extern const struct qsel *only;         /* qrun -1 -F: just these */
const char *settings(void);             /* conf values into the globals */
void ctl_read(int fd);                  /* the trigger: wake-ups, requests */
void ctl_reload(const char *by);        /* keeps the old conf on error */
void ctl_stamp(void);                   /* note the conf files' times */
int ctl_changed(void);                  /* 1 if they changed since */
void ctl_flush(const struct qsel *s);   /* matching messages due now */
void ctl_only(void);                    /* drop messages not matching only */
int ctl_held(struct msg *m);            /* 1: held, and m dealt with */

/* bounce.c: 0 sent (or dropped on purpose), -1 failed (retry later) */
int bounce_send(struct msg *m, int delayed);

#endif
