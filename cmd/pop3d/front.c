/*
 * pop3d: the front (postel-pop3d(8), "Who runs what"). It holds the
 * connection: TLS, the AUTHORIZATION state (RFC 1939 4), and after a
 * good login either the session itself (single mode) or a relay of
 * octets between the client and the session's socket (split mode,
 * where the front runs as pop3d-user and never sees the mailbox).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "die.h"
#include "fd.h"
#include "log.h"
#include "pop3d.h"
#include "sasl.h"
#include "tls_server.h"

static struct tls_server srv;
static struct bio in, out;
static char inbuf[4096], outbuf[16384];
static char user[SASL_NAME_MAX + 1];

static _Noreturn void
bye(int code)
{
	bio_flush(&out);
	if (pop3.tls)
		tls_close(&srv.t, bio_now() + 5000);
	exit(code);
}

static int
handshake(void)
{
	struct logl l;
	long long dl = bio_now() + (long long)pop3.timeout;

	if (dl > pop3.deadline)
		dl = pop3.deadline;
	log_start(&l, "starttls");
	log_kv(&l, "sid", pop3.sid);
	if (tls_server_start(&srv, pop3_tls(), 0, dl) == -1) {
		log_kv(&l, "result", "failed");
		log_kv(&l, "error", errno == EPROTO ? tls_error(&srv.t) :
		    strerror(errno));
		log_end(&l);
		return -1;
	}
	pop3.tls = 1;
	/* renegotiation is off (lib/tls): the key is not needed again */
	tls_server_free((struct tls_server_cred *)pop3_tls());
	in.op = tls_bio_read;
	in.ctx = &srv.t;
	out.op = tls_bio_write;
	out.ctx = &srv.t;
	log_kv(&l, "result", "ok");
	log_kv(&l, "tls", tls_version(&srv.t));
	log_kv(&l, "cipher", tls_cipher(&srv.t));
	log_end(&l);
	return 0;
}

/* After a good login in split mode: octets both ways until either side
 * ends. The session's own timeouts come first (the front's idle limit
 * is its own plus 5 s), so that it can say goodbye. The session's
 * socket is non-blocking and what the client sent waits in up[] while
 * the session cannot take it: the front then reads the client no more
 * but still passes on what the session writes, so that a client that
 * pipelines more than the socket holds cannot stop both ends. */
static _Noreturn void
relay(int s)
{
	static char up[16384], down[16384];
	size_t upn = 0, upoff = 0;
	struct pollfd p[2];
	int eof = 0, shut = 0;          /* the client sent all it will */
	ssize_t n;

	if (fcntl(s, F_SETFL, O_NONBLOCK) == -1)
		exit(EXIT_TEMP);
	for (;;) {
		int net = !eof && upn == 0 && (bio_buffered(&in) > 0 ||
		    (pop3.tls && (br_ssl_engine_current_state(&srv.sc.eng) &
		    BR_SSL_RECVAPP)));
		long long now = bio_now(), dl = now + (long long)pop3.timeout
		    + 5000;

		if (dl > pop3.deadline + 5000)
			dl = pop3.deadline + 5000;
		if (eof && upn == 0 && !shut) {
			/* the session still answers what came before the
			 * end (a pipelined QUIT) */
			if (shutdown(s, SHUT_WR) == -1)
				exit(EXIT_TEMP);
			shut = 1;
		}
		p[0].fd = eof || upn ? -1 : 0;
		p[0].events = POLLIN;
		p[0].revents = 0;
		p[1].fd = s;
		p[1].events = POLLIN | (upn ? POLLOUT : 0);
		p[1].revents = 0;
		if (!net) {
			if (dl <= now)
				bye(EXIT_TEMP);
			n = poll(p, 2, (int)(dl - now));
			if (n == -1 && errno != EINTR)
				bye(EXIT_TEMP);
			if (n <= 0)
				continue;
			net = p[0].revents != 0;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(s, down, sizeof down);
			if (n == 0)
				bye(0);
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				bye(EXIT_TEMP);
			if (n > 0) {
				pop3_wait(&out);
				if (bio_put(&out, down, (size_t)n) == -1 ||
				    bio_flush(&out) == -1)
					exit(EXIT_TEMP);
			}
		}
		if (net) {
			in.deadline = dl;
			if ((n = bio_read(&in, up, sizeof up)) < 0)
				exit(EXIT_TEMP);
			if (n == 0)
				eof = 1;
			upn = (size_t)n;
			upoff = 0;
		}
		if (upn) {
			n = write(s, up + upoff, upn - upoff);
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				exit(EXIT_TEMP);
			if (n > 0 && (upoff += (size_t)n) == upn)
				upn = 0;
		}
	}
}

static _Noreturn void
logged_in(void)
{
	explicit_bzero(user, sizeof user);
	if (pop3.split) {
		if (pop3_counts_write(pop3.relay) == -1)
			exit(EXIT_TEMP);
		relay(pop3.relay);
	}
	bye(session_run(pop3_mailbox(), &in, &out));
}

/* PASS or AUTH PLAIN gave a password: ask, and act on the answer. */
static void
login(const char *u, const char *pass)
{
	switch (pop3_check(pop3.creds, u, pass)) {
	case 'y':
		logged_in();
	case 'n':
		pop3_err(&out, "[AUTH] invalid user name or password");
		break;
	case 'p':
		pop3_err(&out, "[SYS/PERM] this server cannot open that "
		    "mailbox");
		break;
	default:
		pop3_put(&out, "-ERR [SYS/TEMP] temporary authentication "
		    "failure, try again later");
	}
}

static void
do_user(const struct pcmd *c)
{
	if (c->alen == 0 || c->alen > SASL_NAME_MAX) {
		pop3_err(&out, "usage: USER name (at most %d octets)",
		    SASL_NAME_MAX);
		return;
	}
	memcpy(user, c->arg, c->alen);
	user[c->alen] = '\0';
	pop3_put(&out, "+OK send PASS");
}

static void
do_pass(const struct pcmd *c)
{
	char pass[SASL_NAME_MAX + 1];

	if (user[0] == '\0') {
		pop3_err(&out, "USER first");
		return;
	}
	if (c->alen == 0 || c->alen > SASL_NAME_MAX) {
		user[0] = '\0';
		pop3_err(&out, "[AUTH] invalid user name or password");
		return;
	}
	memcpy(pass, c->arg, c->alen);
	pass[c->alen] = '\0';
	login(user, pass);
	explicit_bzero(pass, sizeof pass);
	user[0] = '\0';
}

/* AUTH PLAIN [initial-response] (RFC 5034, RFC 4616). */
static void
do_auth(const struct pcmd *c)
{
	static char line[POP3_AUTH_MAX + 1];
	unsigned char dec[POP3_AUTH_MAX];
	struct sasl_cred cr;
	const char *ir = NULL, *why;
	size_t irlen = 0, dlen, n;
	int r;

	if (c->alen == 0) {
		pop3_put(&out, "+OK");
		bio_puts(&out, "PLAIN\r\n.\r\n");
		return;
	}
	if (c->alen < 5 || strncasecmp(c->arg, "PLAIN", 5) != 0 ||
	    (c->alen > 5 && c->arg[5] != ' ')) {
		pop3_err(&out, "only AUTH PLAIN is offered");
		return;
	}
	if (c->alen > 6) {
		ir = c->arg + 6;
		irlen = c->alen - 6;
	} else {
		pop3_put(&out, "+ ");
		if ((r = pop3_line(&in, line, sizeof line, &n)) == 0 ||
		    r == -1)
			bye(EXIT_TEMP);
		if (r == 2) {
			pop3_err(&out, "AUTH line too long (at most %d "
			    "octets)", POP3_AUTH_MAX);
			return;
		}
		ir = line;
		irlen = n;
	}
	if (irlen == 1 && ir[0] == '*') {
		pop3_err(&out, "AUTH cancelled");
		return;
	}
	if (irlen == 1 && ir[0] == '=')         /* an empty response */
		irlen = 0;
	memset(&cr, 0, sizeof cr);
	if (sasl_b64_decode(dec, sizeof dec, &dlen, ir, irlen) == -1)
		why = "not base64";
	else
		why = sasl_plain(&cr, dec, dlen);
	explicit_bzero(line, sizeof line);
	explicit_bzero(dec, sizeof dec);
	if (why) {
		sasl_wipe(&cr);
		pop3_err(&out, "[AUTH] bad PLAIN response: %s", why);
		return;
	}
	login(cr.user, cr.pass);
	sasl_wipe(&cr);
}

static void
do_stls(void)
{
	if (pop3.tls)
		pop3_err(&out, "TLS is already on");
	else if (!pop3.tls_offer)
		pop3_err(&out, "TLS is not available");
	else {
		pop3_put(&out, "+OK begin TLS negotiation");
		if (bio_flush(&out) == -1)
			bye(EXIT_TEMP);
		/* octets sent before TLS are not trusted: RFC 2595 4 */
		bio_skip(&in, bio_buffered(&in));
		user[0] = '\0';
		if (handshake() == -1)
			exit(EXIT_TEMP);
	}
}

/* After a password went by: the line and what the input buffer held of
 * it (the octets read so far). */
static void
wipe_input(char *line)
{
	explicit_bzero(line, POP3_LINE_MAX + 1);
	explicit_bzero(in.p, in.start);
}

_Noreturn void
front_run(void)
{
	char line[POP3_LINE_MAX + 1];
	struct pcmd c;
	int r;

	bio_init(&in, 0, bio_fdread, inbuf, sizeof inbuf);
	bio_init(&out, 1, bio_fdwrite, outbuf, sizeof outbuf);
	in.flush = &out;
	if (pop3.pop3s && handshake() == -1)
		exit(EXIT_TEMP);
	pop3_put(&out, "+OK %s POP3 server ready", pop3.me);
	for (;;) {
		if ((r = pop3_cmd(&in, &out, line, sizeof line, &c)) <= 0)
			bye(EXIT_TEMP);
		if (r == 2)
			continue;
		if (!pop3_login_ok() && (c.verb == V_USER ||
		    c.verb == V_PASS || c.verb == V_AUTH)) {
			pop3_err(&out, "[AUTH] %s", pop3.tls_offer ?
			    "a login needs TLS: use STLS first" :
			    "a login needs TLS, and TLS is not configured");
			continue;
		}
		switch (c.verb) {
		case V_CAPA:
			pop3_capa(&out, 0);
			break;
		case V_STLS:
			do_stls();
			break;
		case V_USER:
			do_user(&c);
			break;
		case V_PASS:
			do_pass(&c);
			wipe_input(line);
			break;
		case V_AUTH:
			do_auth(&c);
			wipe_input(line);
			break;
		case V_QUIT:
			pop3_put(&out, "+OK %s POP3 server signing off",
			    pop3.me);
			bye(0);
		case V_UNKNOWN:
			pop3_err(&out, "unknown command");
			break;
		default:
			pop3_err(&out, "log in first");
		}
	}
}
