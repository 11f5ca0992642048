/*
 * result: the delivery outcome and the result lines of postel-result(5),
 * the one vocabulary local, remote and qrun share:
 *     rcpt N ok|temp|perm DSN TEXT
 *     msg ok|temp|perm DSN TEXT
 *     action N delivered|relayed|expanded|passed
 * local and remote fill a struct result and print it with result_fmt;
 * qrun reads the lines back with result_parse. Nothing here does I/O.
 */
#ifndef POSTEL_RESULT_H
#define POSTEL_RESULT_H

#include <stdarg.h>
#include <stddef.h>

/* A recipient's outcome. OUTCOME_NONE (zero) is "no result yet". */
enum outcome { OUTCOME_NONE, OUTCOME_OK, OUTCOME_TEMP, OUTCOME_PERM };

#define RESULT_LINE_MAX 1000    /* a result line, LF included */
#define RESULT_TEXT_MAX RESULT_LINE_MAX     /* result_fmt cuts to fit */
#define RESULT_DSN_MAX 16

struct result {
	enum outcome status;
	char dsn[RESULT_DSN_MAX];       /* RFC 3463, class matching status */
	char text[RESULT_TEXT_MAX];     /* printable ASCII, maybe "" */
};

/* "ok", "temp", "perm" ("none" for OUTCOME_NONE): the words of the lines,
 * also used in logs. */
const char *outcome_word(enum outcome o);

/* Set r from a status, a DSN and printf-style text; what is not
 * printable ASCII in the text becomes '?'. */
void result_set(struct result *r, enum outcome status, const char *dsn,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void result_vset(struct result *r, enum outcome status, const char *dsn,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* The line for recipient n (from 1), or the msg line for n 0, with its
 * LF, into dst: the text is cut to fit RESULT_LINE_MAX. Its length, or
 * -1 if r has no outcome, a DSN of the wrong class, or dst is short. */
int result_fmt(char *dst, size_t size, size_t n, const struct result *r);

/* Parse one line (no LF) into *n (0 for a msg line) and r. 0, or -1 if
 * the line does not match the grammar. */
int result_parse(const char *line, size_t *n, struct result *r);

/* What became of a recipient reported ok, for the success notices of
 * RFC 3461 (postel-result(5), the action line). ACTION_NONE (zero): no
 * action line, read by qrun as delivered after local and relayed after
 * remote. */
enum action {
	ACTION_NONE,
	ACTION_DELIVERED,       /* in its mailbox here (RFC 3464 delivered) */
	ACTION_RELAYED,         /* to a next hop that takes no DSN request */
	ACTION_EXPANDED,        /* to several new recipients (RFC 3464) */
	ACTION_PASSED,          /* on with its DSN request: a later hop or
	                           the new message reports success */
};
/* "delivered", "relayed", "expanded", "passed" ("none" for NONE). */
const char *action_word(enum action a);
/* The action line of recipient n (from 1), LF included, into dst: its
 * length, or -1 if a is ACTION_NONE, n is 0 or dst is short. */
int result_action_fmt(char *dst, size_t size, size_t n, enum action a);
/* Parse an action line (no LF) into *n and *a: 0, or -1 if the line is
 * not one. */
int result_action_parse(const char *line, size_t *n, enum action *a);

/* 1 if s is an RFC 3463 status code: [245].d{1,3}.d{1,3} */
int result_dsn_ok(const char *s);

#endif
