/*
 * pop3d: a POP3 server for one connection on fds 0 and 1
 * (postel-pop3d(8)). main reads the configuration and the TLS key before
 * any client input, then runs the front here (single mode) or splits:
 * the front as pop3d-user, this process as the root checker.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "log.h"
#include "pop3d.h"
#include "tls_server.h"
#include "user.h"

struct pop3 pop3;
static struct tls_server_cred tcred;

const struct tls_server_cred *
pop3_tls(void)
{
	return &tcred;
}

/* Before the greeting, trouble gets one -ERR line and the exit. */
static _Noreturn void
refuse(const char *text, const char *why)
{
	struct logl l;
	char line[300];

	log_start(&l, "fatal");
	log_kv(&l, "sid", pop3.sid);
	log_kv(&l, "error", why);
	log_end(&l);
	if (fmt_s(line, sizeof line, "-ERR [SYS/TEMP] %s\r\n", text) >= 0)
		(void)fd_write_all(1, line, strlen(line));
	exit(EXIT_TEMP);
}

/* Loopback, or not a socket at all (a local pipe). */
static int
on_loopback(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
	const unsigned char *a = s6->sin6_addr.s6_addr;
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		return errno == ENOTSOCK;
	if (ss.ss_family == AF_UNIX)
		return 1;
	if (ss.ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)&ss)->sin_addr.s_addr)
		    >> 24) == 127;
	if (ss.ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
		    (memcmp(a, mapped, 12) == 0 && a[12] == 127);
	return 0;
}

static void
config(void)
{
	const char *cert, *key, *e, *why = NULL;
	char cp[PATH_MAX], kp[PATH_MAX];
	struct logl l;

	if (conf_load() == -1 || user_init() == -1)
		refuse("configuration error, try again later", conf_error());
	cert = conf_s("tls-cert");
	key = conf_s("tls-key");
	fmt_s(pop3.me, sizeof pop3.me, "%s", *conf_s("me") ? conf_s("me") :
	    "localhost");
	pop3.timeout = conf_u("pop3d-timeout") * 1000;
	pop3.max_cmds = conf_u("pop3d-max-commands");
	pop3.max_errors = conf_u("max-errors");
	pop3.plain = conf_u("auth-plaintext") != 0;
	pop3.deadline = bio_now() + (long long)conf_u("pop3d-session-timeout")
	    * 1000;
	pop3.pop3s = (e = getenv("POP3S")) != NULL && strcmp(e, "1") == 0;
	e = getenv("TCPREMOTEIP");
	pop3.loopback = on_loopback(0);
	if (e == NULL || *e == '\0')
		e = getenv("REMOTE_ADDR");
	if (e == NULL || *e == '\0')
		e = "unknown";
	fmt_safe(pop3.ip, sizeof pop3.ip, e, strlen(e));
	if (*cert && *key) {
		if (conf_file(cp, sizeof cp, cert) == -1 ||
		    conf_file(kp, sizeof kp, key) == -1)
			why = "path too long";
		else if (tls_server_load(&tcred, cp, kp, &why) == 0) {
			pop3.tls_offer = 1;
			why = NULL;
		}
	} else if (*cert || *key)
		why = "tls-cert and tls-key must both be set";
	if (why) {
		log_start(&l, "notls");
		log_kv(&l, "sid", pop3.sid);
		log_kv(&l, "reason", why);
		log_end(&l);
	}
	if (pop3.pop3s && !pop3.tls_offer)
		refuse("TLS is not available", "POP3S without tls-cert and "
		    "tls-key");
}

/* The front's account: pop3d-user, which must not be root. */
static void
become_front(void)
{
	const char *name = conf_s("pop3d-user");
	struct passwd *pw = getpwnam(name);

	if (pw == NULL || pw->pw_uid == 0 || pw->pw_gid == 0)
		die(EXIT_TEMP, "pop3d-user %s: %s", name, pw ? "is root" :
		    "no such account");
	if (setgroups(1, &pw->pw_gid) == -1 || setgid(pw->pw_gid) == -1 ||
	    setuid(pw->pw_uid) == -1)
		die_sys(EXIT_TEMP, "unable to become %s", name);
	if (geteuid() == 0 || setuid(0) != -1)
		die(EXIT_TEMP, "unable to drop root");
}

/* split mode: fork the front; this process becomes the checker, which
 * holds no descriptor of the connection. */
static int
split(void)
{
	int c[2], r[2], null, peer;
	pid_t pid;
	struct passwd *pw = getpwnam(conf_s("pop3d-user"));

	if (pw == NULL || pw->pw_uid == 0)
		refuse("server misconfigured", "pop3d-user is not an "
		    "unprivileged account (postel-pop3d(8))");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, r) == -1)
		refuse("server trouble, try again later", strerror(errno));
	if ((pid = fork()) == -1)
		refuse("server trouble, try again later", strerror(errno));
	if (pid == 0) {
		close(c[0]);
		close(r[1]);
		become_front();
		pop3.creds = c[1];
		pop3.relay = r[0];
		front_run();
	}
	close(c[1]);
	close(r[0]);
	/* under inetd fd 2 is the connection too: from here the log goes
	 * to syslog (lib/die.h) and fd 2 to /dev/null */
	if ((peer = die_stderr_is_peer()))
		die_stderr_keep_peer();
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
	    dup2(null, 0) == -1 || dup2(null, 1) == -1 ||
	    (peer && dup2(null, 2) == -1))
		die_sys(EXIT_TEMP, "unable to let go of the connection");
	close(null);
	return pop3_checker(c[0], r[1], pid);
}

int
main(int argc, char **argv)
{
	struct logl l;

	die_init(argv[0]);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1)
		die(EXIT_PERM, "usage: pop3d (it takes no arguments)");
	fmt_s(pop3.sid, sizeof pop3.sid, "%llx.%ld",
	    (unsigned long long)time(NULL), (long)getpid());
	config();
	log_start(&l, "connect");
	log_kv(&l, "sid", pop3.sid);
	log_kv(&l, "ip", pop3.ip);
	log_kv(&l, "tls", pop3.pop3s ? "implicit" : pop3.tls_offer ? "stls" :
	    "no");
	log_end(&l);
	/* postel(7), invariant 3: as root, the network is the front's */
	pop3.split = geteuid() == 0;
	if (!pop3.split)
		front_run();
	return split();
}
