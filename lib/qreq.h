/*
 * qreq: requests to a running qrun over queue/trigger, and the selectors
 * that name queued messages; postel-queue(5) is the contract.
 * Writers of the FIFO still write single NUL bytes as wake-ups; a request
 * is one line, "flush SELECTOR" or "reload", written with one write(2) of
 * at most QREQ_LINE_MAX bytes (less than PIPE_BUF, so it never mixes with
 * another writer's bytes). A selector is "all", "id ID", "to DOMAIN",
 * "to ADDRESS" or "from ADDRESS" ("from <>": the null sender).
 * Parsers return NULL or a constant string saying what is wrong; nothing
 * here allocates.
 */
#ifndef POSTEL_QREQ_H
#define POSTEL_QREQ_H

#include <stddef.h>

#include "addr.h"
#include "queue.h"

#define QREQ_LINE_MAX 512       /* a request line, newline included */

enum { QSEL_ALL = 1, QSEL_ID, QSEL_TO, QSEL_FROM };
struct qsel {
	int kind;
	char arg[ADDR_MAX + 1];  /* ID, domain or address; "" = null sender */
};

enum { QREQ_FLUSH = 1, QREQ_RELOAD };
struct qreq {
	int kind;
	struct qsel sel;         /* QREQ_FLUSH */
};

/* Parse a selector ("id 1.2.3") or a request line (without its newline). */
const char *qsel_parse(struct qsel *s, const char *text);
const char *qreq_parse(struct qreq *r, const char *line);
/* The selector's text as qsel_parse reads it: 0, or -1 if it does not fit */
int qsel_fmt(char *dst, size_t size, const struct qsel *s);
/* 1 if matching needs the message's envelope (to, from) */
int qsel_needs_env(const struct qsel *s);
/* 1 if message id, with envelope e (may be NULL unless qsel_needs_env),
 * is selected; "to" matches when any recipient does. Domains and
 * addresses compare without regard to ASCII case. */
int qsel_match(const struct qsel *s, const char *id, const struct qenv *e);
/* qsel_match for message id in new/ or cur/ (d) of the queue qd, reading
 * its envelope only when s needs it: 1, or 0 (no match, or the message
 * is gone or unreadable). */
int qsel_match_file(int qd, enum qdir d, const struct qsel *s,
    const char *id);
/* Write line and a newline to queue/trigger of qd in one write, without
 * blocking: 0, or -1 with errno (ENXIO: no qrun reads the FIFO; EAGAIN:
 * it is full; EMSGSIZE: the line is too long). */
int qreq_send(int qd, const char *line);

#endif
