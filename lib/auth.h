/*
 * auth: checking a user name and password, for smtpd's AUTH and pop3d's
 * logins: by the checkpassword interface (a program that reads
 * "user\0password\0timestamp\0" on fd 3 and exits 0 good, 1 bad, else
 * temporary) or against a users file of "user:crypt-hash" lines
 * (lib/sasl.h, sasl_users_check). No session state, nothing logged: the
 * caller decides what the answer means. The password is wiped from every
 * copy auth makes (explicit_bzero), the checker's child included.
 */
#ifndef POSTEL_AUTH_H
#define POSTEL_AUTH_H

struct sasl_cred;
/* Check credentials with the checkpassword program prog ("path [args]",
 * at most 8 words) if set, else against the users file. 1 good, 0 bad,
 * -1 with errno for a temporary failure (the checker failed, timed out
 * at deadline (monotonic ms, lib/bio), or the file is unreadable). */
int auth_check(const struct sasl_cred *c, const char *prog,
    const char *users, const char *stamp, long long deadline);

#endif
