/*
 * maildir: facts about Maildir message names and sizes that the writer
 * (local) and the reader (pop3d) must agree on.
 *
 * A name is "base[:info]"; base never changes while the message exists
 * (readers such as Dovecot rename only the info, ":2,FLAGS"). Fields
 * ",S=n" (octets in the file) and ",W=n" (octets with every bare LF
 * counted as CRLF: the size a POP3 or IMAP client sees) may appear in
 * base, as postel-local(8) and Dovecot write them.
 * No I/O, no allocation.
 */
#ifndef POSTEL_MAILDIR_H
#define POSTEL_MAILDIR_H

#include <stddef.h>

/* Length of the base of name (up to ':' or the end). */
size_t maildir_baselen(const char *name);
/* The value of field ",c=n" (c is 'S' or 'W') in the base of name: 0
 * with *v set, -1 if absent or not a number. */
int maildir_field(const char *name, char c, unsigned long long *v);

/* The octets LF-to-CRLF adds to a stream, counted chunk by chunk: a LF
 * not after a CR adds one. Start with a zeroed struct. */
struct maildir_crlf {
	unsigned long long added;       /* octets added so far */
	int cr;                         /* the last octet seen was CR */
};
void maildir_crlf_count(struct maildir_crlf *w, const char *p, size_t n);

#endif
