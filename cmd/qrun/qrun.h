/*
 * qrun: private declarations shared by the files of cmd/qrun.
 * main.c   argv, the lock, the event loop, signals; owns the struct qrun
 * heap.c   the waiting messages, a binary heap ordered by next attempt
 * msg.c    a message's life: scanned, loaded, started, done, freed
 * job.c    running local and remote, applying their result lines
 * spawn.c  the root spawner of local (postel-security(7)), reporting
 *          exits as events
 * bounce.c RFC 3464 bounces and delay warnings, queued through enqueue
 * ctl.c    settings, requests on the trigger FIFO (flush, reload),
 *          SIGHUP, hold
 * A struct msg is in the heap (waiting) or in the active list (loaded,
 * jobs running or due); its envelope and state are in memory only while
 * it is active, so a large queue costs one small struct per message.
 * Every piece of mutable state is in the struct qrun that main.c owns
 * and passes down; a message is freed in one place, msg_free, once no
 * job refers to it (njobs is its reference count).
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
#define QRUN_RETRY_MAX 64       /* entries of retry-schedule */
/* Messages per run of local or remote (postel-result(5), Batches). */
#define QRUN_BATCH_MAX 64
/* Removals of delivered messages share one sync (postel-queue(5) step
 * 5): at most this many, waiting at most this long. */
#define QRUN_COMMIT_MAX 64
#define QRUN_COMMIT_MS 20

struct msg {
	char id[QUEUE_ID_MAX];
	long long next;         /* earliest due time; 0 = unknown, look now */
	size_t hi;              /* heap index while waiting, else SIZE_MAX */
	int loaded;
	struct qenv *env;       /* while loaded, else NULL */
	struct qstate *st;
	long long warned;
	unsigned char *busy;    /* per recipient: a job is running for it */
	int njobs;              /* jobs that refer to it: none, or not freed */
	int blocked;            /* due recipients wait for a free slot: */
#define WAIT_LOCAL 1            /* of local */
#define WAIT_REMOTE 2           /* of remote */
	int flush;              /* flushed while waiting: all todo due now */
	int held;               /* seen held (queue/hold/ID), logged once */
	struct msg *anext;      /* active list, or parked list */
};

/* One message's share of a job: the recipients it delivers. */
struct part {
	struct msg *m;
	size_t *idx;            /* recipient indexes (0-based) */
	size_t n;
};

/* One running local or remote, for one message or a batch. */
struct job {
	int remote;
	struct part *part;      /* one per message */
	size_t np;
	size_t n;               /* deliveries in all: result lines 1..n */
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

struct heap {
	struct msg **v;
	size_t n, cap;
};

/* The settings qrun keeps from postel.conf: all of them or none change
 * at a reload (ctl.c, settings). */
struct settings {
	unsigned long long max_local, max_remote;
	unsigned long long timeout_s, lifetime, blifetime, warn_after;
	long long retry[QRUN_RETRY_MAX], retry_max;
	size_t nretry;
};

struct qrun {
	int qd;                         /* the queue directory */
	int once, force;                /* -1; -f (or -F) */
	const struct qsel *only;        /* -1 -F: just these */
	struct settings set;
	unsigned long long cap_local;   /* what the spawner was sized for */
	unsigned long long nlocal, nremote;     /* running jobs */
	struct job *jobs;
	struct heap wait;               /* waiting messages */
	struct msg *active;             /* loaded messages */
	size_t nactive;
	/* waiting for a slot of local (0) or remote (1), not loaded */
	struct msg *parked[2], **parked_tail[2];
	size_t nparked[2];
	size_t batch[2];                /* messages a local, remote job takes */
	/* messages unlinked from cur/, waiting for msg_commit's sync */
	char gone[QRUN_COMMIT_MAX][QUEUE_ID_MAX];
	size_t ngone;
	long long gone_at;              /* mono_ms() of the first */
};

long long now_s(void);          /* wall clock: arrival, retries, state */
long long mono_s(void);         /* monotonic: deadlines and intervals */
long long mono_ms(void);

/* heap.c */
void heap_push(struct heap *h, struct msg *m);
struct msg *heap_top(const struct heap *h);
struct msg *heap_pop(struct heap *h);
void heap_due(struct heap *h, struct msg *m);   /* waiting m: due now */

/* msg.c */
int msg_scan(struct qrun *q, enum qdir d);      /* cur/ at start, new/ */
int msg_load(struct qrun *q, struct msg *m);    /* 0 ok, -1 dealt with */
int msg_start(struct qrun *q, struct msg *m);   /* WAIT_* it waits for */
int msg_channels(const struct qrun *q, const struct msg *m);
const char *domain_of(const char *rcpt);       /* after the last '@' */
void msg_park(struct qrun *q, struct msg *m);
void msg_unpark(struct qrun *q, int channel, size_t n);
void msg_done(struct qrun *q, struct msg *m);   /* its last job is done */
void msg_wait(struct qrun *q, struct msg *m, long long next);
void msg_free(struct msg *m);
void msg_commit(struct qrun *q);        /* sync the removals, forget them */
int msg_delete(struct qrun *q, const char *id); /* qrun -d */

/* job.c */
struct child;
/* child_spawn's hooks for local and remote: QID into the environment
 * (arg is the queue ID); a program that cannot run says so as a msg
 * result line */
int job_child_setup(const struct child *c);
void job_child_failed(const struct child *c, int err);
/* Start local or remote for the parts p[0..np), which it owns: one part
 * runs the one-message form, more the batch form (postel-result(5)). */
int job_spawn(struct qrun *q, int remote, struct part *p, size_t np);
/* Free slots of a channel (0 local, 1 remote) under its concurrency. */
size_t job_slots(const struct qrun *q, int remote);
void job_read(struct job *j);
void job_reap(struct qrun *q);
void job_exited(struct qrun *q, unsigned token, int status);
void job_finish(struct qrun *q, struct job *j); /* apply results, free */
void job_kill(struct job *j, const char *why);

/* spawn.c: the privileged step that starts local (postel-security(7)) */
/* As root with qrun-user: fork the spawner of local (if spawner_too,
 * sized for maxkids at once), then become qrun-user. */
void spawn_init(int spawner_too, size_t maxkids);
int spawn_on(void);
int spawn_fd(void);
/* Start local with the message descriptors msgfd[0..nmsg) as its 0, 3,
 * 4, ... and outfd as its stdout. */
int spawn_start(unsigned *token, const int *msgfd, size_t nmsg, int outfd,
    const char *const *argv);
void spawn_kill(unsigned token);
/* The next exit the spawner reported: 1 and *token, *status (a wait(2)
 * status); 0 when there is none now. */
int spawn_event(unsigned *token, int *status);

/* ctl.c */
const char *settings(struct qrun *q);   /* conf values into q->set */
void ctl_read(struct qrun *q, int fd);  /* the trigger: wake-ups, requests */
void ctl_reload(struct qrun *q, const char *by);  /* old conf on error */
void ctl_stamp(void);                   /* note the conf files' times */
int ctl_changed(void);                  /* 1 if they changed since */
void ctl_only(struct qrun *q);          /* drop messages not matching */
int ctl_held(struct qrun *q, struct msg *m);    /* 1: held, dealt with */

/* bounce.c: the reports of RFC 3464, queued through enqueue. A kind:
 * a failure report (bounce), a delay warning, a success notice. */
enum { BOUNCE_FAIL, BOUNCE_DELAY, BOUNCE_SUCCESS };
/* 1 if recipient i of m is listed in a report of that kind: its state
 * fits and its NOTIFY asks for it (RFC 3461 4.1; none given: failures
 * and delays, as postel always sent). */
int bounce_lists(const struct msg *m, size_t i, int kind);
/* The report of that kind for m: 0 queued, 1 none was owed (no one
 * listed, or nobody to tell), -1 failed (retry later). */
int bounce_send(struct qrun *q, struct msg *m, int kind);
#define BOUNCE_HDR_MAX 65536    /* original headers attached, at most */
#define BOUNCE_MAX (BOUNCE_HDR_MAX * 2 + 65536)         /* a whole report */
/* RET=FULL: a failure report returns the whole message up to this size,
 * else its header section only */
#define BOUNCE_FULL_MAX (4 * 1024 * 1024)
/* The report of that kind for the recipients of m it lists, to to, into
 * b (of a max of at least BOUNCE_MAX + BOUNCE_FULL_MAX); the original
 * message is read from the queue qd. */
int bounce_build(int qd, const struct msg *m, int kind, const char *to,
    struct buf *b);

#endif
