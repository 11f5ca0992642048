/*
 * smtpd: an ESMTP server on stdin/stdout, one connection per process,
 * for tcpserver, inetd or a systemd socket with Accept=yes. It checks
 * every command and recipient and writes DATA/BDAT with lib/queue, as
 * enqueue does, into an unnamed queue file that becomes visible in new/
 * only when complete and durable; 250 only then. A message for a filter
 * chain goes to an anonymous spool file first. With -l (sendmail -bs) it
 * serves its caller's own session as a local submission: it spools the
 * message and hands it to enqueue, which queues it with the caller's
 * rights. postel-smtpd(8) is the contract.
 */
#define _GNU_SOURCE             /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "bio.h"
#include "buf.h"
#include "conf.h"
#include "die.h"
#include "filter.h"
#include "fd.h"
#include "fmt.h"
#include "hdr.h"
#include "log.h"
#include "queue.h"
#include "sasl.h"
#include "submit.h"
#include "tls.h"
#include "tls_server.h"
#include "user.h"
#include "smtpd.h"

/* Session states, as bits so the verb table can list several. */
#define S_START 0x01            /* before EHLO/HELO */
#define S_IDLE  0x02            /* greeted, no transaction */
#define S_MAIL  0x04            /* MAIL accepted */
#define S_BDAT  0x08            /* inside a BDAT transaction */
#define S_ANY   0x0f

static struct bio in, out;
static char inbuf[16384], outbuf[4096];
/* STARTTLS: the key, read before any client input, and the engine with
 * its buffer, once per process (smtpd serves one connection). */
static struct tls_server_cred tcred;
static struct tls_server srv;

static struct {
	int state;
	int ehlo, relay;
	int local;                      /* -l: sendmail -bs, not the network */
	char helo[ADDR_DOMAIN_MAX + 1];
	char ip[64];
	char sid[40];
	const char *me;
	unsigned long long timeout, maxsize, maxrcpt, maxerr, maxhops;
	long long session_deadline;
	unsigned long errors, msgs;
	/* STARTTLS and AUTH */
	int tls_conf, tls_offer, tls;   /* configured, key loaded, active */
	int tls_require, auth_require, auth_plain, auth_conf, authed;
	const char *cp_prog;
	char users[4096];
	char authuser[SASL_NAME_MAX + 1];
	unsigned long long fail_delay;
	unsigned long authfails;
	/* a configuration with problems: the session goes on, but no mail
	 * is taken (postel-smtpd(8)); confwhy is the first problem */
	int confbad;
	char confwhy[CONF_LINE_MAX + 300];
	/* the transaction */
	struct mailarg mail;
	struct buf rcpts;               /* NUL-separated mailboxes */
	unsigned long nrcpt, badrcpt;
	int spool;                      /* anonymous spool file, -1 if none */
	int inqw;                       /* or written straight to qw */
	char qid[QUEUE_ID_MAX];         /* made before Received: is written */
	const char *chain;              /* its filter chain, postel-filter(8) */
	struct data d;
	int bdat_failed;                /* refuse the rest of the chunks */
} s;

/* Replies ----------------------------------------------------------- */

static _Noreturn void bye(const char *result);

static void wdeadline(void);

static void
put(const char *line)
{
	if (out.end == 0)
		wdeadline();
	if (bio_puts(&out, line) == -1 || bio_put(&out, "\r\n", 2) == -1)
		bye("write-error");
}

/* A final reply; 4xx and 5xx answers to the client's mistakes count
 * towards max-errors. */
static void
reply(const char *line)
{
	put(line);
	if ((line[0] == '5' || line[0] == '4') && strncmp(line, "452", 3) &&
	    strncmp(line, "451", 3) && ++s.errors >= s.maxerr) {
		put("421 4.7.0 Too many errors, closing connection");
		bye("errors");
	}
}

/* reply with a + b + c */
static void
reply3(const char *a, const char *b, const char *c)
{
	char line[SMTP_CMD_MAX];

	if (fmt_s(line, sizeof line, "%s%s%s", a, b, c) == -1)
		fmt_s(line, sizeof line, "451 4.3.0 Reply too long");
	reply(line);
}

static const char *
tlsv(void)
{
	return s.tls ? tls_version(&srv.t) : "no";
}

static void
logmsg(const char *event, const char *qid, const char *result)
{
	struct logl l;
	char from[ADDR_MAX + 3];

	if (s.local)            /* quiet as sendmail: the caller's stderr */
		return;
	log_start(&l, event);
	log_kv(&l, "sid", s.sid);
	log_kv(&l, "ip", s.ip);
	if (qid)
		log_kv(&l, "qid", qid);
	fmt_s(from, sizeof from, "<%s>", s.mail.a.s);
	log_kv(&l, "from", from);
	log_kvu(&l, "rcpts", s.nrcpt);
	log_kvu(&l, "size", s.d.size);
	if (result)
		log_kv(&l, "result", result);
	log_kv(&l, "tls", tlsv());
	if (s.authed)
		log_kv(&l, "auth", s.authuser);
	log_end(&l);
}

static void msg_drop(void);

static _Noreturn void
bye(const char *result)
{
	struct logl l;

	/* a message being received or refused is not kept: in the named
	 * tmp/ID fallback, the file would otherwise stay for tmp-grace */
	msg_drop();
	wdeadline();
	bio_flush(&out);
	if (s.local)
		_exit(0);
	log_start(&l, "disconnect");
	log_kv(&l, "sid", s.sid);
	log_kv(&l, "ip", s.ip);
	log_kv(&l, "helo", s.helo);
	log_kvu(&l, "msgs", s.msgs);
	log_kvu(&l, "errors", s.errors);
	log_kv(&l, "result", result);
	log_kv(&l, "tls", tlsv());
	log_end(&l);
	if (s.tls)
		tls_close(&srv.t, out.deadline);
	_exit(0);
}

/* Input ------------------------------------------------------------- */

/* Every read waits at most smtpd-timeout, and never past the session's
 * end (smtpd-session-timeout). */
static void
deadline(void)
{
	long long d = bio_now() + (long long)s.timeout * 1000;

	in.deadline = d < s.session_deadline ? d : s.session_deadline;
}

/* Writes get smtpd-timeout too (a client that never reads), even past
 * the session's end, so that the last 421 can go out. */
static void
wdeadline(void)
{
	out.deadline = bio_now() + (long long)(s.timeout ? s.timeout : 60) *
	    1000;
}

static void
readfail(void)
{
	if (errno == ETIMEDOUT) {
		put("421 4.4.2 Timeout, closing connection");
		bye("timeout");
	}
	bye(errno ? "read-error" : "eof");
}

/* Fill the input buffer; on EOF, error or timeout the session ends. */
static void
fill(void)
{
	ssize_t r;

	deadline();
	r = bio_fill(&in);
	if (r <= 0) {
		if (r == 0)
			errno = 0;
		readfail();
	}
}

/* The transaction ---------------------------------------------------- */

static struct qw qw;            /* the message, when s.inqw */
static int qdir = -1;           /* the queue directory, once opened */

/* Drop the message being received: nothing is left behind. */
static void
msg_drop(void)
{
	if (s.spool != -1)
		close(s.spool);         /* anonymous */
	s.spool = -1;
	if (s.inqw)
		qw_abort(&qw);          /* unnamed, or tmp/ID removed */
	s.inqw = 0;
}

static void
txn_reset(void)
{
	msg_drop();
	memset(&s.mail, 0, sizeof s.mail);
	s.rcpts.len = 0;
	s.nrcpt = s.badrcpt = 0;
	s.chain = NULL;
	s.bdat_failed = 0;
	s.d.size = 0;
	if (s.state & (S_MAIL | S_BDAT))
		s.state = S_IDLE;
}

static int
spool_write(void *ctx, const char *p, size_t n)
{
	return fd_write_all(*(int *)ctx, p, n);
}

/* Where spool files go: queue/tmp, or TMPDIR (else /tmp) for a local
 * submission, whose caller may not write the queue (as sendmail's). */
static int
spool_dir(char *dir, size_t size)
{
	const char *t = getenv("TMPDIR");

	if (!s.local)
		return conf_path(dir, size, "queue/tmp");
	return fmt_s(dir, size, "%s", t && *t ? t : "/tmp") < 0 ? -1 : 0;
}

/* An unnamed file in the spool directory: whatever happens to this
 * process, it leaves nothing behind, and the queue sees only a finished
 * message. */
static int
spool_open(void)
{
	char dir[4096];

	if (spool_dir(dir, sizeof dir) == -1)
		return -1;
	return fd_tmpfile(dir);
}

/* Received: (RFC 5321 4.4). The "id" is the queue ID the message will
 * get: smtpd makes it now and queues the message under it. */
static void
received(void)
{
	char hdr[1024], date[64], lit[80], tls[128] = "";
	const char *proto;
	struct tm tm;
	time_t now = time(NULL);

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z", &tm) == 0)
		fmt_s(date, sizeof date, "Thu, 01 Jan 1970 00:00:00 +0000");
	if (strchr(s.ip, ':'))
		fmt_s(lit, sizeof lit, "[IPv6:%s]", s.ip);
	else
		fmt_s(lit, sizeof lit, "[%s]", s.ip);
	proto = !s.ehlo ? "SMTP" : s.mail.utf8 ? "UTF8SMTP" : "ESMTP";
	if (s.local) {
		/* no address, and no ID yet: enqueue picks it, and adds its
		 * own line above this one when it is setgid */
		if (fmt_s(hdr, sizeof hdr, "Received: from %s (uid %lu)\n"
		    "\tby %s (postel) with %s;\n\t%s\n", s.helo,
		    (unsigned long)getuid(), s.me, proto, date) == -1)
			fmt_s(hdr, sizeof hdr, "Received: (uid %lu);\n\t%s\n",
			    (unsigned long)getuid(), date);
		data_raw(&s.d, hdr, strlen(hdr));
		return;
	}
	if (s.tls)
		fmt_s(tls, sizeof tls, "\n\t(using %s with cipher %s)",
		    tls_version(&srv.t), tls_cipher(&srv.t));
	/* RFC 3848: ESMTPS with TLS, ESMTPA after AUTH, ESMTPSA with both;
	 * after HELO plain SMTP, as no SMTPS is registered (AUTH needs EHLO) */
	if (fmt_s(hdr, sizeof hdr, "Received: from %s (%s)%s\n"
	    "\tby %s (postel) with %s%s%s id %s;\n\t%s\n",
	    s.helo, lit, tls, s.me, proto, s.tls && s.ehlo ? "S" : "",
	    s.authed && s.ehlo ? "A" : "", s.qid, date) == -1)
		fmt_s(hdr, sizeof hdr, "Received: by %s (postel) id %s;\n\t%s\n",
		    s.me, s.qid, date);
	data_raw(&s.d, hdr, strlen(hdr));
}

/* The reply for a queue or spool failure with errno e. */
static const char *
queue_error(int e)
{
	if (e == EMSGSIZE)
		return "552 5.3.4 Message too big for the queue";
	if (e == ENOSPC || e == EDQUOT)
		return "452 4.3.1 Insufficient system storage";
	return "451 4.3.0 Temporary queue failure, try again later";
}

static unsigned
queue_flags(void)
{
	return (s.mail.utf8 ? QF_UTF8 : 0) |
	    (s.mail.body == BODY_8BIT || (s.d.flags & DATA_8BIT) ? QF_8BIT : 0);
}

/* The recipients as a NULL-ended array into s.rcpts (free it only). */
static char **
rcpt_list(void)
{
	char **v;
	size_t i, off;

	if ((v = calloc(s.nrcpt + 1, sizeof *v)) == NULL)
		return NULL;
	for (i = 0, off = 0; i < s.nrcpt; i++) {
		v[i] = s.rcpts.p + off;
		off += strlen(s.rcpts.p + off) + 1;
	}
	return v;
}

/* The envelope, with flags; -1 and errno on failure. */
static int
envelope(struct qw *w, unsigned flags)
{
	char origin[96], **rcpt;
	int r;

	fmt_s(origin, sizeof origin, "smtpd %s", s.ip);
	if ((rcpt = rcpt_list()) == NULL)
		return -1;
	r = qw_envelope(w, s.mail.a.s, rcpt, s.nrcpt, flags, origin);
	free(rcpt);
	return r;
}

static int
queue_write(void *ctx, const char *p, size_t n)
{
	return qw_write(ctx, p, n);
}

/* Start storing a message: 0, or -1 after a reply was sent. Without a
 * filter chain it goes straight into a queue file under the ID that
 * Received: names (the size limit is smtpd's own, max-size); for a chain,
 * into an anonymous spool that the filters may replace. */
static int
msg_begin(int chunked)
{
	int e;

	s.qid[0] = '\0';               /* a local submission's comes later */
	if (!s.local && queue_id_make(s.qid, sizeof s.qid) == -1) {
		reply("451 4.3.0 Local error in processing");
		return -1;
	}
	if (!s.local && (s.chain == NULL || *s.chain == '\0')) {
		if ((qdir == -1 && (qdir = queue_dir()) == -1) ||
		    qw_begin_id(&qw, qdir, 0, s.qid) == -1) {
			reply(queue_error(errno));
			return -1;
		}
		s.inqw = 1;
		if (envelope(&qw, queue_flags() | QF_LATER) == -1) {
			e = errno;
			msg_drop();
			reply(queue_error(e));
			return -1;
		}
		data_init(&s.d, chunked, s.maxsize, queue_write, &qw);
	} else {
		if ((s.spool = spool_open()) == -1) {
			reply(err_temporary(errno) && (errno == ENOSPC ||
			    errno == EDQUOT) ? "452 4.3.1 Insufficient system "
			    "storage" : "451 4.3.0 Unable to create a spool file");
			return -1;
		}
		data_init(&s.d, chunked, s.maxsize, spool_write, &s.spool);
	}
	received();
	return 0;
}

/* A local submission (-l) is queued by enqueue with its caller's rights,
 * as sendmail's messages are: the setgid enqueue records the caller's
 * uid whatever origin we ask for (postel-security(7)). Its queue ID goes
 * into s.qid. NULL, or a reply. */
static const char *
local_enqueue(void)
{
	struct submit sub;
	char origin[64], **v;
	int r;

	if ((v = rcpt_list()) == NULL)
		return "451 4.3.0 Out of memory";
	memset(&sub, 0, sizeof sub);
	fmt_s(origin, sizeof origin, "sendmail uid=%lu",
	    (unsigned long)getuid());
	sub.from = s.mail.a.s;
	sub.rcpt = v;
	sub.nrcpt = s.nrcpt;
	sub.origin = origin;
	sub.flags = queue_flags();
	r = submit_enqueue(&sub, s.spool);
	free(v);
	if (r == -1)
		warn_sys("unable to run enqueue");
	else if (sub.sig)
		warn("enqueue died by signal %d", sub.sig);
	if (r == 0) {
		fmt_s(s.qid, sizeof s.qid, "%s", sub.id[0] ? sub.id : "?");
		msg_drop();
		return NULL;
	}
	if (r == EXIT_PERM)
		return "554 5.3.0 The queue refused the message";
	return "451 4.3.0 Temporary queue failure, try again later";
}

/* Make the message durable and visible in the queue: NULL, or a reply.
 * Straight in qw, that is the final flags and the commit; from the spool
 * (after filters), a copy into a new queue file first. */
static const char *
enqueue(void)
{
	struct qw *w = &qw;
	int e;

	if (s.local)
		return local_enqueue();
	if (qdir == -1 && (qdir = queue_dir()) == -1)
		return queue_error(errno);
	if (!s.inqw) {
		if (lseek(s.spool, 0, SEEK_SET) == -1 ||
		    qw_begin_id(w, qdir, s.maxsize + QUEUE_ROOM, s.qid) == -1)
			return queue_error(errno);
		s.inqw = 1;
		if (envelope(w, queue_flags()) == -1 ||
		    qw_copy(w, s.spool) == -1)
			goto fail;
	}
	qw_flags(w, queue_flags());
	if (qw_commit(w) == -1)
		goto fail;
	s.inqw = 0;
	queue_trigger(qdir);
	return NULL;
fail:
	e = errno;
	msg_drop();
	return queue_error(e);
}

/* The filter chain over the spool (postel-filter(8)): NULL or a reply. */
static const char *
filters(void)
{
	struct filter_env e;
	const char *why;
	char **v, dir[4096];
	int eight = 0;

	if ((v = rcpt_list()) == NULL)
		return "451 4.3.0 Out of memory";
	memset(&e, 0, sizeof e);
	e.sender = s.mail.a.s;
	e.rcpt = (const char **)v;
	e.nrcpt = s.nrcpt;
	e.client_ip = s.local ? NULL : s.ip;
	e.helo = s.helo;
	e.auth_user = s.authed ? s.authuser : NULL;
	e.qid = s.local ? NULL : s.qid;         /* enqueue's is not known */
	e.tls = tlsv();
	if (spool_dir(dir, sizeof dir) == -1) {
		free(v);
		return "451 4.3.0 Local error in processing";
	}
	why = sfilter_run(s.chain, &s.spool, &e, s.sid, dir, s.local,
	    s.maxsize, &eight);
	if (eight)
		s.d.flags |= DATA_8BIT;         /* the queue's 8bit flag */
	free(v);
	return why;
}

/* A local submission's header names without a domain get "@me", as
 * sendmail's do (RFC 5322 3.4.1: From: root (Cron Daemon)): the spool
 * is copied into a new one. NULL, or a reply. */
static const char *
qualify(void)
{
	int fd;

	if ((fd = spool_open()) == -1 ||
	    hdr_qualify_copy(s.spool, fd, conf_s("me")) == -1) {
		warn_sys("unable to qualify the header of a local submission");
		if (fd != -1)
			close(fd);
		return "451 4.3.0 Local error in processing";
	}
	close(s.spool);
	s.spool = fd;
	return NULL;
}

/* The message is complete: check it, queue it, answer for it. */
static void
msg_end(void)
{
	char line[SMTP_CMD_MAX];
	const char *why;

	data_end(&s.d);
	why = data_reply(&s.d);
	if (*why == '\0' && s.d.hops >= s.maxhops)
		why = "554 5.4.6 Too many hops: mail loop?";
	if (*why == '\0' && s.local && (why = qualify()) == NULL)
		why = "";
	if (*why == '\0' && s.chain != NULL && *s.chain != '\0' &&
	    (why = filters()) == NULL)
		why = "";
	if (*why == '\0')
		why = enqueue();
	if (why == NULL) {
		s.msgs++;
		logmsg("accepted", s.qid, NULL);
		fmt_s(line, sizeof line, "250 2.0.0 Ok: queued as %s", s.qid);
		put(line);
	} else {
		logmsg("rejected", NULL, why);
		reply(why);
	}
	txn_reset();
}

/* Verbs -------------------------------------------------------------- */

static void
do_helo(struct cmd *c, int ehlo)
{
	char safe[ADDR_DOMAIN_MAX + 1];
	size_t i;

	if (c->alen == 0) {
		reply(ehlo ? "501 5.5.4 Syntax: EHLO hostname" :
		    "501 5.5.4 Syntax: HELO hostname");
		return;
	}
	/* Kept for Received: and logs; anything odd becomes '?'. */
	fmt_safe(safe, sizeof safe, c->arg, c->alen);
	for (i = 0; safe[i]; i++)
		if (strchr("()<>;\\\" \t", safe[i]))
			safe[i] = '?';
	txn_reset();
	memcpy(s.helo, safe, i + 1);
	s.ehlo = ehlo;
	s.state = S_IDLE;
	if (!ehlo) {
		reply3("250 ", s.me, "");
		return;
	}
	{
		char sz[32];
		fmt_s(sz, sizeof sz, "%llu", s.maxsize);
		reply3("250-", s.me, "");
		put("250-PIPELINING");
		reply3("250-SIZE ", sz, "");
		put("250-8BITMIME");
		put("250-SMTPUTF8");
		put("250-ENHANCEDSTATUSCODES");
		if (s.tls_offer && !s.tls)
			put("250-STARTTLS");
		if (s.auth_conf && (s.tls || s.auth_plain) && !s.authed)
			put("250-AUTH PLAIN LOGIN");
		put("250 CHUNKING");
	}
}

static void
do_mail(struct cmd *c)
{
	const char *why;

	if (s.state == S_START) {
		reply("503 5.5.1 Send EHLO or HELO first");
		return;
	}
	if (s.state != S_IDLE) {
		reply("503 5.5.1 Nested MAIL command");
		return;
	}
	if (s.tls_require && !s.tls) {
		reply("530 5.7.0 Must issue a STARTTLS command first");
		return;
	}
	if (s.auth_require && !s.authed) {       /* RFC 6409 4.1, RFC 4954 6 */
		reply("530 5.7.0 Authentication required");
		return;
	}
	if ((why = parse_mail(&s.mail, c->arg, c->alen, s.ehlo)) != NULL) {
		memset(&s.mail, 0, sizeof s.mail);
		reply(why);
		return;
	}
	if (s.mail.size > s.maxsize) {          /* RFC 1870 6.1 */
		memset(&s.mail, 0, sizeof s.mail);
		reply("552 5.3.4 Message size exceeds fixed maximum");
		return;
	}
	s.state = S_MAIL;
	reply("250 2.1.0 Ok");
}

/* Who may receive: a known user of a local domain, or anyone when the
 * client may relay. The domain after the last unquoted '@' decides, so
 * '%', '!' and quoted '@' stay in the local part of a local domain and
 * are unknown users there (invariant 5). */
static const char *
policy(const struct addr *a)
{
	struct user u;
	int r;

	if (!user_local_domain(addr_domain(a)))
		return s.relay ? NULL : "550 5.7.1 Relaying denied";
	r = user_lookup(a->s, &u);
	/* A system account (daemon, www-data, root...) that no alias names
	 * reads no mail: refused now, from the network, rather than taken
	 * and bounced later to a sender nobody checked. Local submission
	 * (sendmail -bs) reaches the admin, as sendmail does. */
	if (r == 1 && u.sysacct && !s.local)
		return "550 5.1.1 No such user here";
	if (r == 1)
		return NULL;
	if (r == 0 || errno == EINVAL)
		return "550 5.1.1 No such user here";
	return "451 4.3.0 Unable to look up the recipient, try again later";
}

/* Already a recipient of this transaction? The same mailbox twice would
 * be delivered twice. Domains compare in any case, and so do local parts
 * at a local domain, where the lookup ignores case. */
static int
rcpt_dup(const char *a)
{
	const char *at = strrchr(a, '@');
	size_t ll = at ? (size_t)(at - a) : strlen(a), off, rl;
	int local = at && user_local_domain(at + 1);

	for (off = 0; off < s.rcpts.len; off += rl + 1) {
		const char *r = s.rcpts.p + off, *rat = strrchr(r, '@');
		rl = strlen(r);
		if ((rat ? (size_t)(rat - r) : rl) != ll ||
		    (at == NULL) != (rat == NULL) ||
		    (at && strcasecmp(at, rat) != 0))
			continue;
		if (local ? strncasecmp(a, r, ll) == 0 : memcmp(a, r, ll) == 0)
			return 1;
	}
	return 0;
}

/* "TO:<postmaster>", any case, blanks allowed after the colon as for
 * other paths; no parameters (none is advertised that it could take). */
static int
bare_postmaster(const char *arg, size_t len)
{
	if (len < 3 || strncasecmp(arg, "TO:", 3) != 0)
		return 0;
	for (arg += 3, len -= 3; len && (*arg == ' ' || *arg == '\t'); len--)
		arg++;
	return len == 12 && strncasecmp(arg, "<postmaster>", 12) == 0;
}

static void
do_rcpt(struct cmd *c)
{
	struct mailarg m;
	const char *why, *chain;

	if (s.state != S_MAIL) {
		reply(s.state == S_BDAT ? "503 5.5.1 RCPT inside BDAT" :
		    "503 5.5.1 Need MAIL before RCPT");
		return;
	}
	if (bare_postmaster(c->arg, c->alen)) {
		/* RFC 5321 4.5.1: must be accepted without a domain; it goes
		 * to the configured postmaster, so it cannot relay. One that
		 * reaches no one is a configuration error: temporary, not a
		 * bounce after the 250. */
		const char *pm = conf_s("postmaster");
		memset(&m, 0, sizeof m);
		if (user_postmaster() != 1 ||
		    addr_parse(&m.a, pm, strlen(pm), ADDR_UTF8) != NULL) {
			put("451 4.3.0 No valid postmaster address configured");
			return;
		}
	} else if ((why = parse_rcpt(&m, c->arg, c->alen, s.mail.utf8)) !=
	    NULL) {
		s.badrcpt++;
		reply(why);
		return;
	} else if ((why = policy(&m.a)) != NULL) {
		s.badrcpt++;
		reply(why);
		return;
	}
	if (rcpt_dup(m.a.s)) {
		reply("250 2.1.5 Ok");          /* one copy is enough */
		return;
	}
	if (s.nrcpt >= s.maxrcpt) {             /* RFC 5321 4.5.3.1.10 */
		put("452 4.5.3 Too many recipients");
		return;
	}
	/* One message, one filter chain: the client sends the message
	 * again later for a recipient that needs another (4.5.3.1.10). */
	chain = s.local ? conf_s("filters-local") : sfilter_chain(m.a.s);
	if (s.nrcpt > 0 && strcmp(chain, s.chain) != 0) {
		put("452 4.5.3 Too many recipients for one filter chain");
		return;
	}
	if (buf_catb(&s.rcpts, m.a.s, strlen(m.a.s) + 1) == -1) {
		put("452 4.3.1 Insufficient system storage");
		return;
	}
	s.chain = chain;
	s.nrcpt++;
	reply("250 2.1.5 Ok");
}

static void
do_data(struct cmd *c)
{
	size_t used;

	if (c->alen) {
		reply("501 5.5.4 Syntax: DATA takes no argument");
		return;
	}
	if (s.state != S_MAIL) {
		reply(s.state == S_BDAT ? "503 5.5.1 DATA inside BDAT" :
		    "503 5.5.1 Need MAIL before DATA");
		return;
	}
	if (s.nrcpt == 0) {                     /* RFC 2920 3.1 */
		reply("554 5.5.1 No valid recipients");
		return;
	}
	if (msg_begin(0) == -1)
		return;
	put("354 End data with <CR><LF>.<CR><LF>");
	for (;;) {
		fill();
		if (data_feed(&s.d, in.p + in.start, in.end - in.start,
		    &used) == 1) {
			in.start += used;
			break;
		}
		in.start += used;
	}
	msg_end();
}

/* BDAT n [LAST] (RFC 3030): exactly n octets follow the command line.
 * They are always read, even when refused, to stay in step. */
static void
do_bdat(struct cmd *c)
{
	unsigned long long n;
	const char *a = c->arg, *sp;
	size_t alen = c->alen, nl;
	int last = 0, ok = 1;
	char num[24];
	const char *why = NULL;

	sp = memchr(a, ' ', alen);
	nl = sp ? (size_t)(sp - a) : alen;
	if (sp) {
		const char *l = sp;
		while (l < a + alen && *l == ' ')
			l++;
		if ((size_t)(a + alen - l) == 4 && strncasecmp(l, "LAST", 4) == 0)
			last = 1;
		else
			ok = 0;
	}
	if (nl == 0 || nl >= sizeof num)
		ok = 0;
	else {
		memcpy(num, a, nl);
		num[nl] = '\0';
		if (fmt_ulong(num, 0, 1ULL << 62, &n) == -1)
			ok = 0;
	}
	if (!ok) {
		/* Unknown length: the stream cannot be followed any more. */
		put("501 5.5.4 Syntax: BDAT size [LAST]");
		bye("bad-bdat");
	}
	if (s.state == S_MAIL && s.nrcpt == 0)
		why = "554 5.5.1 No valid recipients";
	else if (s.state != S_MAIL && s.state != S_BDAT)
		why = "503 5.5.1 Need MAIL and RCPT before BDAT";
	else if (s.bdat_failed)
		why = "503 5.5.1 Transaction failed, send RSET";
	else if (s.state == S_MAIL) {
		if (msg_begin(1) == -1) {
			s.bdat_failed = 1;
			why = "";
		} else
			s.state = S_BDAT;
	}
	while (n) {
		size_t avail, take;
		fill();
		avail = in.end - in.start;
		take = avail < n ? avail : (size_t)n;
		if (why == NULL) {
			size_t used;
			data_feed(&s.d, in.p + in.start, take, &used);
		}
		in.start += take;
		n -= take;
	}
	if (why != NULL) {
		if (*why)
			reply(why);
		return;
	}
	if (last) {
		msg_end();
		return;
	}
	if (s.d.flags & (DATA_BIG | DATA_WERR)) {
		/* no point in taking more; RFC 3030 4.2 */
		s.bdat_failed = 1;
		logmsg("rejected", NULL, data_reply(&s.d));
		reply(data_reply(&s.d));
		msg_drop();
		return;
	}
	fmt_s(num, sizeof num, "%llu", s.d.wire);   /* as sent */
	reply3("250 2.0.0 ", num, " octets received");
}

static void
do_rset(struct cmd *c)
{
	(void)c;
	txn_reset();
	put("250 2.0.0 Ok");
}

static void do_ehlo(struct cmd *c) { do_helo(c, 1); }
static void do_helo0(struct cmd *c) { do_helo(c, 0); }

static void
do_noop(struct cmd *c)
{
	(void)c;
	put("250 2.0.0 Ok");
}

static void
do_vrfy(struct cmd *c)
{
	/* never a user list (RFC 5321 3.5.3) */
	if (c->alen == 0) {
		reply("501 5.5.4 Syntax: VRFY address");
		return;
	}
	put("252 2.0.0 Cannot verify, but will try to deliver");
}

static void
do_help(struct cmd *c)
{
	(void)c;
	put("214 2.0.0 Commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA BDAT "
	    "RSET NOOP VRFY HELP QUIT");
}

static void
do_quit(struct cmd *c)
{
	(void)c;
	reply3("221 2.0.0 ", s.me, " closing connection");
	bye("quit");
}

static void
do_noimpl(struct cmd *c)
{
	(void)c;
	reply("502 5.5.1 Command not implemented");
}

static void
do_unknown(struct cmd *c)
{
	(void)c;
	reply("500 5.5.1 Unknown command");
}

/* STARTTLS (RFC 3207) ------------------------------------------------- */

/* Handshake on the connection; on success the bios read and write
 * through TLS. discarded: plaintext octets dropped after STARTTLS. */
static int
tls_handshake(size_t discarded)
{
	struct logl l;
	long long dl = bio_now() + (long long)s.timeout * 1000;

	if (dl > s.session_deadline)
		dl = s.session_deadline;
	/* fd 0 is read and written: tcpserver, inetd and systemd give smtpd
	 * one socket as stdin and stdout */
	if (tls_server_start(&srv, &tcred, 0, dl) == -1) {
		log_start(&l, "starttls");
		log_kv(&l, "sid", s.sid);
		log_kv(&l, "ip", s.ip);
		log_kv(&l, "result", "failed");
		log_kv(&l, "error", errno == EPROTO ? tls_error(&srv.t) :
		    strerror(errno));
		log_end(&l);
		return -1;
	}
	s.tls = 1;
	in.op = tls_bio_read;
	in.ctx = &srv.t;
	out.op = tls_bio_write;
	out.ctx = &srv.t;
	log_start(&l, "starttls");
	log_kv(&l, "sid", s.sid);
	log_kv(&l, "ip", s.ip);
	log_kv(&l, "result", "ok");
	log_kv(&l, "tls", tls_version(&srv.t));
	log_kv(&l, "cipher", tls_cipher(&srv.t));
	log_kv(&l, "sni", *tls_server_sni(&srv) ? tls_server_sni(&srv) : "-");
	log_kvu(&l, "discarded", discarded);
	log_end(&l);
	return 0;
}

static void
do_starttls(struct cmd *c)
{
	size_t junk;

	if (c->alen) {
		reply("501 5.5.4 Syntax: STARTTLS takes no argument");
		return;
	}
	if (s.tls) {
		reply("554 5.5.1 TLS already active");
		return;
	}
	if (!s.tls_offer) {
		reply(s.tls_conf ? "454 4.7.0 TLS not available" :
		    "502 5.5.1 Command not implemented");
		return;
	}
	if (s.state & (S_MAIL | S_BDAT)) {
		reply("503 5.5.1 STARTTLS not permitted during a transaction");
		return;
	}
	put("220 2.0.0 Ready to start TLS");
	wdeadline();
	if (bio_flush(&out) == -1)
		bye("write-error");
	/* Whatever the client sent after STARTTLS in plaintext is dropped,
	 * never read as a command once TLS is up (CVE-2011-0411). */
	junk = in.end - in.start;
	in.start = in.end = 0;
	if (tls_handshake(junk) == -1)
		bye("tls-error");
	/* RFC 3207 4.2: forget everything learnt before TLS */
	txn_reset();
	s.state = S_START;
	s.ehlo = 0;
	s.authed = 0;
	s.relay = getenv("RELAYCLIENT") != NULL;
	fmt_s(s.helo, sizeof s.helo, "-");
}

/* AUTH (RFC 4954) ----------------------------------------------------- */

#define AUTH_LINE_MAX 2048      /* a PLAIN response is at most ~1 KB */

/* One response line of the exchange, without CRLF: 0, or -1 after a
 * reply ('*' cancels, RFC 4954 4). */
static int
auth_line(char *line, size_t size, size_t *len)
{
	int r;

	deadline();
	r = bio_getline(&in, line, size, len);
	if (r == -1)
		readfail();
	if (r == 0 || (r == 1 && line[*len - 1] != '\n')) {
		errno = 0;
		readfail();
	}
	if (r == 2) {
		reply("500 5.5.6 Authentication exchange line is too long");
		return -1;
	}
	if (*len < 2 || line[*len - 2] != '\r') {
		reply("500 5.5.2 Lines must end in CRLF");
		return -1;
	}
	*len -= 2;
	if (*len == 1 && line[0] == '*') {
		reply("501 5.7.0 Authentication cancelled");
		return -1;
	}
	return 0;
}

static int
auth_b64(const char *p, size_t n, unsigned char *dst, size_t size,
    size_t *dlen)
{
	if (n == 1 && p[0] == '=')      /* an empty initial response */
		n = 0;
	if (sasl_b64_decode(dst, size, dlen, p, n) == -1) {
		reply("501 5.5.2 Cannot decode the response");
		return -1;
	}
	return 0;
}

static void
authlog(const char *user, const char *result, const char *why)
{
	struct logl l;

	log_start(&l, "auth");
	log_kv(&l, "sid", s.sid);
	log_kv(&l, "ip", s.ip);
	log_kv(&l, "user", user);
	log_kv(&l, "result", result);
	if (why)
		log_kv(&l, "error", why);
	log_kv(&l, "tls", tlsv());
	log_end(&l);
}

/* Read and decode the credentials of mechanism mech: 0, or -1 after a
 * reply. The buffers that held them are wiped by the caller. */
static int
auth_read(struct sasl_cred *cr, const char *mech, size_t mlen,
    const char *ir, size_t irlen, char *line, size_t lsize,
    unsigned char *dec, size_t dsize)
{
	size_t len, dlen;
	const char *why;

	if (mlen == 5 && strncasecmp(mech, "PLAIN", 5) == 0) {
		if (ir == NULL) {
			put("334 ");
			if (auth_line(line, lsize, &len) == -1)
				return -1;
			ir = line;
			irlen = len;
		}
		if (auth_b64(ir, irlen, dec, dsize, &dlen) == -1)
			return -1;
		if ((why = sasl_plain(cr, dec, dlen)) != NULL) {
			authlog("-", "failed", why);
			reply("501 5.5.2 Bad PLAIN response");
			return -1;
		}
		return 0;
	}
	if (mlen == 5 && strncasecmp(mech, "LOGIN", 5) == 0) {
		if (ir == NULL) {
			put("334 VXNlcm5hbWU6");        /* "Username:" */
			if (auth_line(line, lsize, &len) == -1)
				return -1;
			ir = line;
			irlen = len;
		}
		if (auth_b64(ir, irlen, dec, dsize, &dlen) == -1)
			return -1;
		if ((why = sasl_login(cr->user, &cr->ulen, dec, dlen)) != NULL) {
			reply("501 5.5.2 Bad user name");
			return -1;
		}
		put("334 UGFzc3dvcmQ6");                /* "Password:" */
		if (auth_line(line, lsize, &len) == -1 ||
		    auth_b64(line, len, dec, dsize, &dlen) == -1)
			return -1;
		if ((why = sasl_login(cr->pass, &cr->plen, dec, dlen)) != NULL) {
			reply("501 5.5.2 Bad password");
			return -1;
		}
		return 0;
	}
	reply("504 5.5.4 Unrecognized authentication type");
	return -1;
}

/* Failures wait auth-fail-delay ms, doubling with each one (at most 32
 * times), so that guessing is slow; they count towards max-errors. */
static void
auth_delay(void)
{
	unsigned long long ms = s.fail_delay;
	unsigned long k = s.authfails > 6 ? 5 : s.authfails - 1;
	struct timespec ts;

	ms <<= k;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
do_auth(struct cmd *c)
{
	static char line[AUTH_LINE_MAX];
	unsigned char dec[AUTH_LINE_MAX];
	char user[SASL_NAME_MAX + 1], stamp[128];
	struct sasl_cred cr;
	const char *sp, *ir = NULL;
	size_t mlen, irlen = 0;
	int r;

	if (!s.auth_conf) {
		reply("502 5.5.1 Command not implemented");
		return;
	}
	if (!s.tls && !s.auth_plain) {
		reply("538 5.7.11 Encryption required for requested "
		    "authentication mechanism");
		return;
	}
	if (s.state == S_START || !s.ehlo) {    /* an ESMTP extension */
		reply("503 5.5.1 Send EHLO first");
		return;
	}
	if (s.authed) {
		reply("503 5.5.1 Already authenticated");
		return;
	}
	if (s.state != S_IDLE) {
		reply("503 5.5.1 AUTH not permitted during a transaction");
		return;
	}
	sp = memchr(c->arg, ' ', c->alen);
	mlen = sp ? (size_t)(sp - c->arg) : c->alen;
	if (sp) {
		ir = sp + 1;
		irlen = c->alen - mlen - 1;
	}
	memset(&cr, 0, sizeof cr);
	r = auth_read(&cr, c->arg, mlen, ir, irlen, line, sizeof line, dec,
	    sizeof dec);
	explicit_bzero(line, sizeof line);
	explicit_bzero(dec, sizeof dec);
	if (r == -1) {
		sasl_wipe(&cr);
		return;
	}
	fmt_safe(user, sizeof user, cr.user, cr.ulen);
	fmt_s(stamp, sizeof stamp, "<%s@%s>", s.sid, s.me);
	r = auth_check(&cr, s.cp_prog, s.users, stamp, bio_now() +
	    (long long)s.timeout * 1000);
	sasl_wipe(&cr);
	if (r == 1) {
		s.authed = 1;
		s.relay = 1;            /* like RELAYCLIENT */
		memcpy(s.authuser, user, sizeof user);
		authlog(user, "ok", NULL);
		put("235 2.7.0 Authentication successful");
	} else if (r == 0) {
		s.authfails++;
		authlog(user, "failed", "bad credentials");
		auth_delay();
		reply("535 5.7.8 Authentication credentials invalid");
	} else {
		authlog(user, "temp", strerror(errno));
		reply("454 4.7.0 Temporary authentication failure");
	}
}

/* With a bad configuration, the verbs that need it get this instead:
 * temporary, so that mail waits for the fix, and counted as an error, so
 * that a client that insists is closed as usual. */
static void
conf_refuse(void)
{
	put("451 4.3.5 configuration error, try again later");
	if (++s.errors >= s.maxerr) {
		put("421 4.7.0 Too many errors, closing connection");
		bye("errors");
	}
}

#define V_CONF 1                /* refused while the configuration is bad */

static const struct verb {
	const char *name;
	void (*fn)(struct cmd *);
	int flags;
} verbs[] = {
	{ "EHLO", do_ehlo, 0 }, { "HELO", do_helo0, 0 },
	{ "MAIL", do_mail, V_CONF }, { "RCPT", do_rcpt, 0 },
	{ "DATA", do_data, 0 }, { "BDAT", do_bdat, 0 },
	{ "RSET", do_rset, 0 }, { "NOOP", do_noop, 0 },
	{ "VRFY", do_vrfy, V_CONF }, { "HELP", do_help, 0 },
	{ "QUIT", do_quit, 0 },
	{ "STARTTLS", do_starttls, V_CONF }, { "AUTH", do_auth, V_CONF },
	{ "EXPN", do_noimpl, 0 },
	{ "ETRN", do_noimpl, 0 }, { "TURN", do_noimpl, 0 },
	{ NULL, do_unknown, 0 },        /* sentinel: 500 5.5.1 */
};

/* Session ------------------------------------------------------------ */

/* A conf path: absolute, or relative to $POSTEL_ROOT/conf. */
static int
confpath(char *dst, size_t size, const char *v)
{
	char rel[4096];

	if (v[0] == '/')
		return fmt_s(dst, size, "%s", v) < 0 ? -1 : 0;
	if (fmt_s(rel, sizeof rel, "conf/%s", v) < 0)
		return -1;
	return conf_path(dst, size, rel);
}

/* Read the certificate and key before any client input. If they cannot
 * be read, STARTTLS is not offered and one line says why. */
static void
tls_setup(void)
{
	const char *cert = conf_s("tls-cert"), *key = conf_s("tls-key");
	const char *why = "tls-cert and tls-key must both be set";
	char cp[4096], kp[4096];
	struct logl l;
	int e = 0;

	if (*cert == '\0' && *key == '\0')
		return;
	s.tls_conf = 1;
	if (*cert && *key) {
		if (confpath(cp, sizeof cp, cert) == -1 ||
		    confpath(kp, sizeof kp, key) == -1) {
			why = "path too long";
		} else if (tls_server_load(&tcred, cp, kp, &why) == 0) {
			s.tls_offer = 1;
			return;
		} else
			e = errno;
	}
	log_start(&l, "notls");
	log_kv(&l, "sid", s.sid);
	log_kv(&l, "reason", why);
	if (e)
		log_kv(&l, "error", strerror(e));
	log_end(&l);
}

static void
auth_setup(void)
{
	const char *u = conf_s("auth-users");

	/* the environment can ask for more than conf, per port: a
	 * submission service sets TLSREQUIRE and AUTHREQUIRE (and SMTPS
	 * for 465) */
	s.tls_require = conf_u("tls-require") != 0 ||
	    getenv("TLSREQUIRE") != NULL;
	s.auth_require = conf_u("auth-require") != 0 ||
	    getenv("AUTHREQUIRE") != NULL;
	s.auth_plain = conf_u("auth-plaintext") != 0;
	s.fail_delay = conf_u("auth-fail-delay");
	s.cp_prog = conf_s("auth-checkpassword");
	if (*u && confpath(s.users, sizeof s.users, u) == -1)
		s.users[0] = '\0';
	s.auth_conf = *s.cp_prog || s.users[0];
}

static void
peer(void)
{
	const char *e = getenv("TCPREMOTEIP");
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (s.local) {          /* the caller's own session */
		fmt_s(s.ip, sizeof s.ip, "local");
		return;
	}
	if (e == NULL || *e == '\0')
		e = getenv("REMOTE_ADDR");
	if (e != NULL && *e) {
		fmt_safe(s.ip, sizeof s.ip, e, strlen(e));
		return;
	}
	fmt_s(s.ip, sizeof s.ip, "unknown");
	if (getpeername(0, (struct sockaddr *)&ss, &len) == -1)
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
		    s.ip, sizeof s.ip);
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
		    s.ip, sizeof s.ip);
}

static void
session(void)
{
	static char line[SMTP_CMD_MAX];
	struct cmd c;
	const struct verb *v;
	size_t len;
	int r;

	for (;;) {
		deadline();
		r = bio_getline(&in, line, sizeof line, &len);
		if (r == -1)
			readfail();
		if (r == 0 || (r == 1 && line[len - 1] != '\n')) {
			errno = 0;
			readfail();
		}
		if (r == 2) {
			reply("500 5.5.2 Line too long");
			continue;
		}
		if (len < 2 || line[len - 2] != '\r') {
			reply("500 5.5.2 Lines must end in CRLF");
			continue;
		}
		if (cmd_split(&c, line, len - 2) == -1) {
			reply("500 5.5.2 Invalid characters in command");
			continue;
		}
		for (v = verbs; v->name; v++)
			if (strcasecmp(v->name, c.verb) == 0)
				break;
		if (s.confbad && (v->flags & V_CONF))
			conf_refuse();
		else
			v->fn(&c);
	}
}

/* conf_report's reporter: keep the first problem, count them all. A
 * problem NULL means file is already the whole text (conf_error's). */
static void
conf_problem(const char *file, unsigned line, const char *problem)
{
	if (s.confbad++ != 0)
		return;
	if (problem == NULL)
		fmt_s(s.confwhy, sizeof s.confwhy, "%s", file);
	else if (line == 0)
		fmt_s(s.confwhy, sizeof s.confwhy, "%s: %s", file, problem);
	else
		fmt_s(s.confwhy, sizeof s.confwhy, "%s:%u: %s", file, line,
		    problem);
}

/* Read the configuration, every file smtpd needs, going on past bad
 * lines; s.confbad says whether any problem was found. */
static void
conf_read(void)
{
	struct logl l;
	const char *g;

	conf_report(conf_problem);
	if (conf_load() == -1 || user_init() == -1)
		conf_problem(conf_error(), 0, NULL);
	if ((g = sfilter_init()) != NULL && !s.confbad)
		conf_problem(g, 0, NULL);
	conf_report(NULL);
	if (!s.confbad)
		return;
	if (s.local) {          /* quiet as sendmail, but say this once */
		warn("configuration error: %s", s.confwhy);
		return;
	}
	log_start(&l, "conferror");
	log_kv(&l, "sid", s.sid);
	log_kv(&l, "ip", s.ip);
	log_kv(&l, "error", s.confwhy);
	log_kvu(&l, "problems", (unsigned long)s.confbad);
	log_end(&l);
}

/* Answer 421 and exit before reading anything. */
static _Noreturn void
refuse(const char *why)
{
	wdeadline();
	if (bio_puts(&out, "421 4.3.0 Server misconfigured, try again "
	    "later\r\n") == 0)
		bio_flush(&out);
	die(EXIT_TEMP, "%s", why);
}

/* 1 if descriptor fd is an IPv4 or IPv6 socket. */
static int
on_network(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;               /* ENOTSOCK: a pipe, a file, a tty */
	return ss.ss_family == AF_INET || ss.ss_family == AF_INET6;
}

int
main(int argc, char **argv)
{
	struct logl l;
	const char *g;
	char gl[SMTP_CMD_MAX];
	static char host[256];
	long long now;
	int c;

	die_init(argv[0]);
	/* a caller's ignored SIGCHLD would reap our children before we
	 * wait for them (swaks, for one, ignores it) */
	signal(SIGCHLD, SIG_DFL);
	while ((c = getopt(argc, argv, "l")) != -1) {
		if (c != 'l')
			die(EXIT_PERM, "usage: smtpd [-l]");
		s.local = 1;
	}
	signal(SIGPIPE, SIG_IGN);
	s.spool = -1;
	s.maxerr = 10;
	buf_init(&s.rcpts, 0);
	bio_init(&in, 0, bio_fdread, inbuf, sizeof inbuf);
	bio_init(&out, 1, bio_fdwrite, outbuf, sizeof outbuf);
	in.flush = &out;                /* RFC 2920: flush only before a wait */
	/* -l serves the caller's own session (sendmail -bs): it may send
	 * anywhere, so it must never face the network, where it would be
	 * an open relay, and root's parse network input (invariant 3). It
	 * gives no rights: enqueue queues with the caller's. */
	if (s.local && (on_network(0) || on_network(1)))
		refuse("refusing -l on a network connection: it is for "
		    "sendmail -bs, the caller's own session");
	/* postel(7) invariant 3: no network input is parsed by root. The
	 * supervisor must drop to the smtpd user (tcpserver -u/-g, User= in
	 * the systemd unit); tests running as root set POSTEL_ALLOW_ROOT=1.
	 * A local submission's input is its caller's, root's for root. */
	if (!s.local && geteuid() == 0 && !(getenv("POSTEL_ALLOW_ROOT") &&
	    strcmp(getenv("POSTEL_ALLOW_ROOT"), "1") == 0))
		refuse("refusing to run as root: start smtpd as an "
		    "unprivileged user (tcpserver -u/-g, or User= in the "
		    "systemd unit)");
	fmt_s(s.sid, sizeof s.sid, "%llx.%ld", (unsigned long long)time(NULL),
	    (long)getpid());
	fmt_s(s.helo, sizeof s.helo, "-");
	peer();
	/* A bad configuration does not close the door: the session goes
	 * on, answering 451 where mail would need it, so that clients
	 * queue their mail and retry rather than see a server that hangs
	 * up (postel-smtpd(8)). */
	conf_read();
	s.me = conf_s("me");
	if (*s.me == '\0') {           /* conf_load stopped before it */
		if (gethostname(host, sizeof host) == -1)
			fmt_s(host, sizeof host, "localhost");
		host[sizeof host - 1] = '\0';
		s.me = host;
	}
	s.timeout = conf_u("smtpd-timeout");
	s.maxsize = conf_u("max-size");
	s.maxrcpt = conf_u("max-recipients");
	s.maxerr = conf_u("max-errors");
	s.maxhops = conf_u("max-hops");
	/* a local submission may send anywhere, as sendmail may, and needs
	 * neither TLS nor AUTH over its caller's pipe */
	s.relay = s.local || getenv("RELAYCLIENT") != NULL;
	if (!s.local && !s.confbad) {
		auth_setup();
		tls_setup();
	} else if (!s.local && (conf_u("smtps") || getenv("SMTPS") != NULL))
		tls_setup();            /* the client speaks TLS first */
	buf_init(&s.rcpts, s.maxrcpt * (ADDR_MAX + 1));
	now = bio_now();
	s.session_deadline = now + (long long)conf_u("smtpd-session-timeout") *
	    1000;
	if (!s.local) {
		log_start(&l, "connect");
		log_kv(&l, "sid", s.sid);
		log_kv(&l, "ip", s.ip);
		log_kv(&l, "relay", s.relay ? "yes" : "no");
		log_end(&l);
	}
	if (!s.local && (conf_u("smtps") || getenv("SMTPS") != NULL)) {
		/* implicit TLS (RFC 8314 3.3) */
		if (!s.tls_offer || tls_handshake(0) == -1)
			bye("tls-error");
	}
	g = conf_s("smtpd-greeting");
	if (fmt_s(gl, sizeof gl, "220 %s %s", s.me, *g ? g : "ESMTP postel")
	    == -1)
		fmt_s(gl, sizeof gl, "220 %s ESMTP postel", s.me);
	put(gl);
	session();
	return 0;
}
