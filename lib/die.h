/*
 * die: exit codes, fatal errors and the one temporary/permanent classifier.
 * Programs call die_init(name) first; messages go to stderr in the shape
 * "PROG: fatal: TEXT" (die_sys appends ": strerror(errno)").
 * Only cmd/ calls die*(); lib/ returns -1 with errno set.
 */
#ifndef POSTEL_DIE_H
#define POSTEL_DIE_H

enum { EXIT_OK = 0, EXIT_PERM = 100, EXIT_TEMP = 111 };

void die_init(const char *argv0);          /* program name for messages */
const char *die_prog(void);
_Noreturn void die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void die_sys(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* local and remote (postel-result(5)): from now on a fatal error also
 * writes "msg temp|perm DSN TEXT" to fd, so that the reason becomes the
 * recipients' result in qrun's log, mailq and a bounce. fd -1: no more. */
void die_result(int fd);
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_sys(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 1 when fd 2 is the very socket of fd 0 or fd 1, as inetd starts a
 * program: then die, warn and lib/log write to syslog(3) (facility mail,
 * ident the program's name) instead, so that no text of ours reaches the
 * peer. Checked at each call (one fstat when fd 2 is no socket). */
int die_stderr_is_peer(void);
/* From now on, for this process and the children it forks, take fd 2
 * for the peer whatever it is: for a program that found it so and then
 * moves its descriptors (pop3d's checker puts /dev/null on all three). */
void die_stderr_keep_peer(void);

/* 1 if errno value e means "try again later" (disk full, no memory, I/O
 * errors, network trouble); when unsure it says temporary. */
int err_temporary(int e);
/* EXIT_TEMP or EXIT_PERM for errno value e. */
int err_exitcode(int e);

#endif
