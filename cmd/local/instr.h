/*
 * instr: where local sends one recipient's mail, read from the lines of
 * a user's instruction file (.postel, postel-dot-postel(5)) or from the
 * targets of an alias (postel-conf(5)). No I/O, so that fuzz/local_instr
 * drives it directly. The destinations point into the caller's buffer,
 * which is cut in place; only a bare alias name made a full address is
 * allocated, and local exits without freeing it.
 */
#ifndef POSTEL_LOCAL_INSTR_H
#define POSTEL_LOCAL_INSTR_H

#include <stddef.h>
#include <stdint.h>

#define INSTR_MAX      65536    /* bytes of an instruction file */
#define INSTR_DEST_MAX 64       /* destinations of one recipient */
/* More than INSTR_DEST_MAX: the mail waits, none is dropped with "ok". */
#define INSTR_TOO_MANY SIZE_MAX

/* Cut s at any byte of seps into destinations, blanks trimmed, empty
 * ones and # comments left out; their count, or INSTR_TOO_MANY. */
size_t instr_split(char *s, const char *seps, char **dest);
/* An alias's targets, copied into buf (cut at size) and split at
 * commas, or at blanks when there is no comma and they do not start
 * with | (a lone |command keeps its blanks); a bare name becomes
 * name@domain. 0 with *n set (maybe INSTR_TOO_MANY), or -1 (ENOMEM). */
int instr_alias(const char *alias, const char *domain, char *buf,
    size_t size, char **dest, size_t *n);

#endif
