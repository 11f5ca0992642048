/*
 * submit: hand one message to enqueue (postel-enqueue(8)), the one way a
 * local submission reaches the queue: the message from a descriptor on
 * enqueue's stdin, the envelope on its command line, the queue ID read
 * back from its stdout. enqueue, setgid to the queue group when
 * installed, decides what the caller may claim (postel-security(7)).
 * Nothing is kept and nothing printed, but the line of a child that could
 * not run enqueue; enqueue's own error line goes to the caller's stderr.
 */
#ifndef POSTEL_SUBMIT_H
#define POSTEL_SUBMIT_H

#include <stddef.h>

#include "queue.h"

struct submit {
	const char *from;               /* envelope sender, "" for <> */
	char *const *rcpt;              /* nrcpt recipients */
	size_t nrcpt;
	const char *origin;             /* -o, e.g. "sendmail uid=1000" */
	unsigned flags;                 /* QF_UTF8 gives -u, QF_8BIT -8,
	                                   QF_REQUIRETLS -T */
	const struct qdsn *dsn;         /* -N -R -V; NULL for none */
	const struct qrdsn *rdsn;       /* -d, one per recipient; NULL none */
	int sig;                        /* out: signal that ended enqueue */
	char id[QUEUE_ID_MAX];          /* out: the queue ID, "" if unknown */
};

/* Run enqueue with fd, read from its start, on stdin: 0 once it queued
 * the message, EXIT_PERM (100) if it refused the message for good,
 * EXIT_TEMP (111) for any other end, a signal included; -1 with errno if
 * it could not be started or waited for. */
int submit_enqueue(struct submit *s, int fd);

#endif
