/* log: quoting keeps a line one line and machine-readable; a line never
 * goes to the peer when stderr is the connection (inetd). */
#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "die.h"
#include "log.h"
#include "../tap.h"

static const char *
Q(const char *s, size_t n)
{
	static char out[256];
	size_t k = log_quote(out, sizeof out - 1, s, n);
	out[k] = '\0';
	return out;
}

/* Log one line with fds 0, 1 and 2 set to in, out and err (-1: leave
 * it), then put them back; returns what reached peer (the other end of
 * the socket pair), or -1 with errno EAGAIN when nothing did. */
static ssize_t
log_with(int in, int out, int err, int peer, char *got, size_t size)
{
	int want[3] = { in, out, err }, save[3], fd;
	struct logl l;
	ssize_t n;

	fflush(stdout);
	for (fd = 0; fd < 3; fd++) {
		save[fd] = dup(fd);
		if (want[fd] != -1 && dup2(want[fd], fd) == -1)
			return -2;
	}
	log_start(&l, "connect");
	log_kv(&l, "sid", "1.2");
	log_end(&l);
	for (fd = 0; fd < 3; fd++) {
		if (dup2(save[fd], fd) == -1)
			return -2;
		close(save[fd]);
	}
	n = recv(peer, got, size - 1, MSG_DONTWAIT);
	got[n > 0 ? n : 0] = '\0';
	return n;
}

int
main(void)
{
	int a[2], b[2];
	char got[256];
	ssize_t n;

	char big[5000];
	struct logl l;

	plan(12);
	is_str(Q("<a@b.c>", 7), "<a@b.c>", "bare value");
	is_str(Q("two words", 9), "\"two words\"", "space quoted");
	is_str(Q("a\"b\\c", 5), "\"a\\\"b\\\\c\"", "quote and backslash escaped");
	is_str(Q("a\nb\r\x7f", 5), "\"a\\x0ab\\x0d\\x7f\"", "controls hex-escaped");
	is_str(Q("", 0), "\"\"", "empty value quoted");
	memset(big, 'x', sizeof big);
	log_start(&l, "test");
	log_kvb(&l, "k", big, sizeof big);
	ok(l.cut && l.len < LOG_LINE_MAX, "overlong line is cut");
	log_start(&l, "test");
	log_kvu(&l, "n", 42);
	ok(memcmp(l.s + l.len - 5, " n=42", 5) == 0, "number key");

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, a) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, b) == -1)
		return 1;
	/* inetd: the connection is fds 0, 1 and 2 */
	n = log_with(a[1], -1, a[1], a[0], got, sizeof got);
	ok(n == -1 && errno == EAGAIN, "stderr = stdin = a socket: nothing "
	    "reaches the peer");
	n = log_with(-1, a[1], a[1], a[0], got, sizeof got);
	ok(n == -1 && errno == EAGAIN, "stderr = stdout = a socket: nothing "
	    "reaches the peer");
	/* systemd: the connection on 0 and 1, a socket to journald on 2 */
	n = log_with(a[1], a[1], b[1], b[0], got, sizeof got);
	is_str(got, "postel: connect sid=1.2\n", "stderr a socket of its own: the "
	    "line is written there");
	n = recv(a[0], got, sizeof got, MSG_DONTWAIT);
	ok(n == -1 && errno == EAGAIN, "and not to the connection");
	/* pop3d's checker found the peer on fd 2, then moved its fds: the
	 * socket on fd 2 now is not the peer, but the choice was kept */
	die_stderr_keep_peer();
	n = log_with(a[1], a[1], b[1], b[0], got, sizeof got);
	ok(n == -1 && errno == EAGAIN, "after die_stderr_keep_peer: nothing "
	    "written to fd 2 at all");
	return done();
}
