/*
 * result: the result lines that local and remote print for qrun, in the
 * grammar of postel-result(5):
 *     rcpt N ok|temp|perm DSN TEXT
 *     msg ok|temp|perm DSN TEXT
 * result_parse works in place on a NUL-terminated line (it cuts words);
 * nothing is allocated. It returns 0, or -1 if the line does not match.
 */
#ifndef POSTEL_RESULT_H
#define POSTEL_RESULT_H

#include <stddef.h>

enum { RESULT_OK, RESULT_TEMP, RESULT_PERM };

struct result {
	size_t rcpt;            /* N from 1; 0 for a msg line */
	int status;             /* RESULT_* */
	const char *dsn;        /* RFC 3463 code, class matching the status */
	const char *text;       /* the rest of the line, maybe "" */
};

int result_parse(char *line, struct result *r);
/* 1 if s is an RFC 3463 status code: [245].d{1,3}.d{1,3} */
int result_dsn_ok(const char *s);

#endif
