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
#include <limits.h>
#include <signal.h>
#include <stddef.h>
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
#include "array.h"
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
#include "auth.h"
#include "sasl.h"
#include "submit.h"
#include "tls.h"
#include "tls_server.h"
#include "user.h"
#include "smtpd.h"

/* Where the session is, as bits so that the verb table can list several;
 * in this order, so that a verb's refusal can say "too early" or "too
 * late" (see struct verb). */
#define S_START 0x01            /* before EHLO/HELO */
#define S_IDLE  0x02            /* greeted, no transaction */
#define S_MAIL  0x04            /* MAIL accepted */
#define S_BDAT  0x08            /* inside a BDAT transaction */
#define S_ANY   0x0f

#define TOO_LONG "500 5.5.2 Line too long"

static struct bio in, out;
static char inbuf[16384], outbuf[4096];
/* STARTTLS: the key, read before any client input, and the engine with
 * its buffer, once per process (smtpd serves one connection). */
static struct tls_server_cred tcred;
static struct tls_server srv;

/* smtpd's state has three lifetimes: the configuration, read once before
 * the greeting; the session, one connection; the transaction, from MAIL
 * to the end of its message, or to RSET, EHLO/HELO or STARTTLS. */

static struct config {
	int local;                      /* -l: sendmail -bs, not the network */
	const char *me;
	unsigned long long timeout, maxsize, maxrcpt, maxerr, maxhops;
	/* STARTTLS and AUTH */
	int tls_conf, tls_offer;        /* configured, key loaded */
	int tls_require, auth_require, auth_plain, auth_conf;
	const char *cp_prog;
	unsigned long long fail_delay;
	/* a configuration with problems: the session goes on, but no mail
	 * is taken (postel-smtpd(8)); confwhy is the first problem */
	int confbad;
	/* the large and rarely used last, away from the fields every
	 * session reads */
	char users[PATH_MAX];
	char confwhy[CONF_LINE_MAX + 300];
} cfg;

static struct session {
	char ip[64];
	char sid[40];
	long long deadline;             /* smtpd-session-timeout */
	unsigned long errors, msgs;
	/* forgotten by STARTTLS (RFC 3207 4.2) */
	int greeted, ehlo;              /* EHLO or HELO; which */
	char helo[ADDR_DOMAIN_MAX + 1];
	int relay;
	int tls;
	int authed;
	char authuser[SASL_NAME_MAX + 1];
	unsigned long authfails;
} ses;

static struct tx {
	unsigned state;                 /* S_MAIL, S_BDAT, or 0 before MAIL */
	struct mailarg mail;
	struct buf rcpts;               /* NUL-separated mailboxes */
	unsigned long nrcpt;
	/* the recipients' NOTIFY and ORCPT (RFC 3461), by their place in
	 * rcpts: nrdsn is 0 until one of them has a request, then nrcpt;
	 * the array is kept for the next transaction, as rcpts is */
	struct qrdsn *rdsn;
	size_t nrdsn, rdsncap;
	const char *chain;              /* its filter chain, postel-filter(8) */
	char qid[QUEUE_ID_MAX];         /* made before Received: is written */
	/* the message: in an anonymous spool file (-1 if none), or written
	 * straight to the queue file qw (inqw) */
	int spool;
	int inqw;
	int bdat_failed;                /* refuse the rest of the chunks */
	struct data d;                  /* last: see tx_reset */
} tx;
/* tx's queue file: kept out of tx, so that tx_reset does not touch its
 * 64 KB buffer in a session that sends no mail */
static struct qw qw;

/* The state bit of the session. */
static unsigned
state(void)
{
	if (!ses.greeted)
		return S_START;
	return tx.state ? tx.state : S_IDLE;
}

/* Replies ----------------------------------------------------------- */

static _Noreturn void bye(const char *result);

static void wdeadline(void);

static void
put(const char *line)
{
	if (bio_buffered(&out) == 0)    /* the first line of a batch */
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
	    strncmp(line, "451", 3) && ++ses.errors >= cfg.maxerr) {
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
	return ses.tls ? tls_version(&srv.t) : "no";
}

static void
logmsg(const char *event, const char *qid, const char *result)
{
	struct logl l;
	char from[ADDR_MAX + 3];

	if (cfg.local)          /* quiet as sendmail: the caller's stderr */
		return;
	log_start(&l, event);
	log_kv(&l, "sid", ses.sid);
	log_kv(&l, "ip", ses.ip);
	if (qid)
		log_kv(&l, "qid", qid);
	fmt_s(from, sizeof from, "<%s>", tx.mail.a.s);
	log_kv(&l, "from", from);
	log_kvu(&l, "rcpts", tx.nrcpt);
	log_kvu(&l, "size", tx.d.size);
	if (result)
		log_kv(&l, "result", result);
	if (tx.mail.requiretls)
		log_kv(&l, "requiretls", "yes");
	log_kv(&l, "tls", tlsv());
	if (ses.authed)
		log_kv(&l, "auth", ses.authuser);
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
	if (cfg.local)
		_exit(0);
	log_start(&l, "disconnect");
	log_kv(&l, "sid", ses.sid);
	log_kv(&l, "ip", ses.ip);
	log_kv(&l, "helo", ses.helo);
	log_kvu(&l, "msgs", ses.msgs);
	log_kvu(&l, "errors", ses.errors);
	log_kv(&l, "result", result);
	log_kv(&l, "tls", tlsv());
	log_end(&l);
	if (ses.tls)
		tls_close(&srv.t, out.deadline);
	_exit(0);
}

/* Input ------------------------------------------------------------- */

/* Every read waits at most smtpd-timeout, and never past the session's
 * end (smtpd-session-timeout). */
static void
deadline(void)
{
	long long d = bio_now() + (long long)cfg.timeout * 1000;

	in.deadline = d < ses.deadline ? d : ses.deadline;
}

/* Writes get smtpd-timeout too (a client that never reads), even past
 * the session's end, so that the last 421 can go out. */
static void
wdeadline(void)
{
	out.deadline = bio_now() + (long long)(cfg.timeout ? cfg.timeout : 60) *
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

/* One line from the client into line (size octets), without its CRLF,
 * *len set: 0, or -1 after a reply (toolong for a line over size). EOF,
 * an error or a timeout ends the session. */
static int
readline(char *line, size_t size, size_t *len, const char *toolong)
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
		reply(toolong);
		return -1;
	}
	if (*len < 2 || line[*len - 2] != '\r') {
		reply("500 5.5.2 Lines must end in CRLF");
		return -1;
	}
	*len -= 2;
	return 0;
}

/* The transaction ---------------------------------------------------- */

static int qdir = -1;           /* the queue directory, once opened */

/* Drop the message being received: nothing is left behind. */
static void
msg_drop(void)
{
	if (tx.spool != -1)
		close(tx.spool);        /* anonymous */
	tx.spool = -1;
	if (tx.inqw)
		qw_abort(&qw);          /* unnamed, or tmp/ID removed */
	tx.inqw = 0;
}

/* Forget the transaction; the recipients' buffers are kept for the
 * next. The DATA machine's output buffer holds nothing between messages,
 * and clearing it would only bring its pages in: all but it is cleared. */
static void
tx_reset(void)
{
	struct buf rcpts = tx.rcpts;
	struct qrdsn *rdsn = tx.rdsn;
	size_t rdsncap = tx.rdsncap;

	msg_drop();
	memset(&tx, 0, offsetof(struct tx, d.out));
	tx.spool = -1;
	tx.rcpts = rcpts;
	tx.rcpts.len = 0;
	tx.rdsn = rdsn;
	tx.rdsncap = rdsncap;
}

static int
spool_write(void *ctx, const char *p, size_t n)
{
	return fd_write_all(*(int *)ctx, p, n);
}

/* Where spool files go: the queue's tmp/, or TMPDIR (else /tmp) for a
 * local submission, whose caller may not write the queue (as
 * sendmail's). */
static int
spool_dir(char *dir, size_t size)
{
	const char *t = getenv("TMPDIR");

	if (!cfg.local)
		return queue_tmppath(dir, size);
	return fmt_s(dir, size, "%s", t && *t ? t : "/tmp") < 0 ? -1 : 0;
}

/* An unnamed file in the spool directory: whatever happens to this
 * process, it leaves nothing behind, and the queue sees only a finished
 * message. */
static int
spool_open(void)
{
	char dir[PATH_MAX];

	if (spool_dir(dir, sizeof dir) == -1)
		return -1;
	return fd_tmpfile(dir);
}

/* Received: (RFC 5321 4.4). The "id" is the queue ID the message will
 * get: smtpd makes it now and queues the message under it. */
static void
received(void)
{
	char hdr[1024], date[FMT_DATE_MAX], lit[80], tls[128] = "";
	const char *proto;

	fmt_date(date, sizeof date, (long long)time(NULL));
	if (strchr(ses.ip, ':'))
		fmt_s(lit, sizeof lit, "[IPv6:%s]", ses.ip);
	else
		fmt_s(lit, sizeof lit, "[%s]", ses.ip);
	proto = !ses.ehlo ? "SMTP" : tx.mail.utf8 ? "UTF8SMTP" : "ESMTP";
	if (cfg.local) {
		/* no address, and no ID yet: enqueue picks it, and adds its
		 * own line above this one when it is setgid */
		if (fmt_s(hdr, sizeof hdr, "Received: from %s (uid %lu)\n"
		    "\tby %s (postel) with %s;\n\t%s\n", ses.helo,
		    (unsigned long)getuid(), cfg.me, proto, date) == -1)
			fmt_s(hdr, sizeof hdr, "Received: (uid %lu);\n\t%s\n",
			    (unsigned long)getuid(), date);
		data_raw(&tx.d, hdr, strlen(hdr));
		return;
	}
	if (ses.tls)
		fmt_s(tls, sizeof tls, "\n\t(using %s with cipher %s)",
		    tls_version(&srv.t), tls_cipher(&srv.t));
	/* RFC 3848: ESMTPS with TLS, ESMTPA after AUTH, ESMTPSA with both;
	 * after HELO plain SMTP, as no SMTPS is registered (AUTH needs EHLO) */
	if (fmt_s(hdr, sizeof hdr, "Received: from %s (%s)%s\n"
	    "\tby %s (postel) with %s%s%s id %s;\n\t%s\n",
	    ses.helo, lit, tls, cfg.me, proto, ses.tls && ses.ehlo ? "S" : "",
	    ses.authed && ses.ehlo ? "A" : "", tx.qid, date) == -1)
		fmt_s(hdr, sizeof hdr,
		    "Received: by %s (postel) id %s;\n\t%s\n", cfg.me, tx.qid,
		    date);
	data_raw(&tx.d, hdr, strlen(hdr));
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
	return (tx.mail.utf8 ? QF_UTF8 : 0) |
	    (tx.mail.body == BODY_8BIT || (tx.d.flags & DATA_8BIT) ?
	    QF_8BIT : 0) | (tx.mail.requiretls ? QF_REQUIRETLS : 0);
}

/* The recipients as a NULL-ended array into tx.rcpts (free it only). */
static char **
rcpt_list(void)
{
	char **v;
	size_t i, off;

	if ((v = calloc(tx.nrcpt + 1, sizeof *v)) == NULL)
		return NULL;
	for (i = 0, off = 0; i < tx.nrcpt; i++) {
		v[i] = tx.rcpts.p + off;
		off += strlen(tx.rcpts.p + off) + 1;
	}
	return v;
}

/* The recipients' DSN requests for the envelope, one per recipient, or
 * NULL when none made any. */
static const struct qrdsn *
rdsn_list(void)
{
	return tx.nrdsn ? tx.rdsn : NULL;
}

/* The envelope, with flags; -1 and errno on failure. */
static int
envelope(struct qw *w, unsigned flags)
{
	char origin[96], **rcpt;
	struct qextra x;
	int r;

	fmt_s(origin, sizeof origin, "smtpd %s", ses.ip);
	if ((rcpt = rcpt_list()) == NULL)
		return -1;
	/* the auth line tells remote the mail is a user's of this host,
	 * which it signs (postel-remote(8), DKIM); RET and ENVID go into
	 * the ret and envid lines, NOTIFY and ORCPT into the dsn lines
	 * (postel-queue(5)) */
	x.dsn = &tx.mail.dsn;
	x.rdsn = rdsn_list();
	x.auth = ses.authed ? ses.authuser : NULL;
	r = qw_envelope_x(w, tx.mail.a.s, rcpt, tx.nrcpt, flags, origin, &x);
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

	tx.qid[0] = '\0';               /* a local submission's comes later */
	if (!cfg.local && queue_id_make(tx.qid, sizeof tx.qid) == -1) {
		reply("451 4.3.0 Local error in processing");
		return -1;
	}
	if (!cfg.local && (tx.chain == NULL || *tx.chain == '\0')) {
		if ((qdir == -1 && (qdir = queue_dir()) == -1) ||
		    qw_begin_id(&qw, qdir, 0, tx.qid) == -1) {
			reply(queue_error(errno));
			return -1;
		}
		tx.inqw = 1;
		if (envelope(&qw, queue_flags() | QF_LATER) == -1) {
			e = errno;
			msg_drop();
			reply(queue_error(e));
			return -1;
		}
		data_init(&tx.d, chunked, cfg.maxsize, queue_write, &qw);
	} else {
		if ((tx.spool = spool_open()) == -1) {
			reply(errno == ENOSPC || errno == EDQUOT ?
			    "452 4.3.1 Insufficient system storage" :
			    "451 4.3.0 Unable to create a spool file");
			return -1;
		}
		data_init(&tx.d, chunked, cfg.maxsize, spool_write, &tx.spool);
	}
	received();
	return 0;
}

/* A local submission (-l) is queued by enqueue with its caller's rights,
 * as sendmail's messages are: the setgid enqueue records the caller's
 * uid whatever origin we ask for (postel-security(7)). Its queue ID goes
 * into tx.qid. NULL, or a reply. */
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
	sub.from = tx.mail.a.s;
	sub.rcpt = v;
	sub.nrcpt = tx.nrcpt;
	sub.origin = origin;
	sub.flags = queue_flags();
	sub.dsn = &tx.mail.dsn;         /* enqueue -R, -V */
	sub.rdsn = rdsn_list();         /* enqueue -d */
	r = submit_enqueue(&sub, tx.spool);
	free(v);
	if (r == -1)
		warn_sys("unable to run enqueue");
	else if (sub.sig)
		warn("enqueue died by signal %d", sub.sig);
	if (r == 0) {
		fmt_s(tx.qid, sizeof tx.qid, "%s", sub.id[0] ? sub.id : "?");
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

	if (cfg.local)
		return local_enqueue();
	if (qdir == -1 && (qdir = queue_dir()) == -1)
		return queue_error(errno);
	if (!tx.inqw) {
		if (lseek(tx.spool, 0, SEEK_SET) == -1 ||
		    qw_begin_id(w, qdir, cfg.maxsize + QUEUE_ROOM, tx.qid) ==
		    -1)
			return queue_error(errno);
		tx.inqw = 1;
		if (envelope(w, queue_flags()) == -1 ||
		    qw_copy(w, tx.spool) == -1)
			goto fail;
	}
	qw_flags(w, queue_flags());
	if (qw_commit(w) == -1)
		goto fail;
	tx.inqw = 0;
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
	char **v, dir[PATH_MAX];
	int eight = 0;

	if ((v = rcpt_list()) == NULL)
		return "451 4.3.0 Out of memory";
	memset(&e, 0, sizeof e);
	e.sender = tx.mail.a.s;
	e.rcpt = (const char **)v;
	e.nrcpt = tx.nrcpt;
	e.client_ip = cfg.local ? NULL : ses.ip;
	e.helo = ses.helo;
	e.auth_user = ses.authed ? ses.authuser : NULL;
	e.qid = cfg.local ? NULL : tx.qid;      /* enqueue's is not known */
	e.tls = tlsv();
	e.relay = ses.relay;
	if (spool_dir(dir, sizeof dir) == -1) {
		free(v);
		return "451 4.3.0 Local error in processing";
	}
	why = sfilter_run(tx.chain, &tx.spool, &e, ses.sid, dir, cfg.local,
	    cfg.maxsize, &eight);
	if (eight)
		tx.d.flags |= DATA_8BIT;        /* the queue's 8bit flag */
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
	    hdr_qualify_copy(tx.spool, fd, conf_s("me")) == -1) {
		warn_sys("unable to qualify the header of a local submission");
		if (fd != -1)
			close(fd);
		return "451 4.3.0 Local error in processing";
	}
	close(tx.spool);
	tx.spool = fd;
	return NULL;
}

/* The message is complete: check it, queue it, answer for it. */
static void
msg_end(void)
{
	char line[SMTP_CMD_MAX];
	const char *why;

	data_end(&tx.d);
	why = data_reply(&tx.d);
	if (*why == '\0' && tx.d.hops >= cfg.maxhops)
		why = "554 5.4.6 Too many hops: mail loop?";
	if (*why == '\0' && cfg.local && (why = qualify()) == NULL)
		why = "";
	if (*why == '\0' && tx.chain != NULL && *tx.chain != '\0' &&
	    (why = filters()) == NULL)
		why = "";
	if (*why == '\0')
		why = enqueue();
	if (why == NULL) {
		ses.msgs++;
		logmsg("accepted", tx.qid, NULL);
		fmt_s(line, sizeof line, "250 2.0.0 Ok: queued as %s", tx.qid);
		put(line);
	} else {
		logmsg("rejected", NULL, why);
		reply(why);
	}
	tx_reset();
}

/* Verbs -------------------------------------------------------------- */

/* EHLO or HELO: a new greeting ends any transaction. */
static void
greet(struct cmd *c, int ehlo)
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
	tx_reset();
	memcpy(ses.helo, safe, i + 1);
	ses.greeted = 1;
	ses.ehlo = ehlo;
	if (!ehlo) {
		reply3("250 ", cfg.me, "");
		return;
	}
	{
		char sz[32];
		fmt_s(sz, sizeof sz, "%llu", cfg.maxsize);
		reply3("250-", cfg.me, "");
		put("250-PIPELINING");
		reply3("250-SIZE ", sz, "");
		put("250-8BITMIME");
		put("250-SMTPUTF8");
		put("250-ENHANCEDSTATUSCODES");
		put("250-DSN");
		/* RFC 8689 2: offered over TLS only, where MAIL may use it */
		if (ses.tls)
			put("250-REQUIRETLS");
		if (cfg.tls_offer && !ses.tls)
			put("250-STARTTLS");
		if (cfg.auth_conf && (ses.tls || cfg.auth_plain) && !ses.authed)
			put("250-AUTH PLAIN LOGIN");
		put("250 CHUNKING");
	}
}

static void
do_mail(struct cmd *c)
{
	const char *why;

	if (cfg.tls_require && !ses.tls) {
		reply("530 5.7.0 Must issue a STARTTLS command first");
		return;
	}
	if (cfg.auth_require && !ses.authed) {  /* RFC 6409 4.1, RFC 4954 6 */
		reply("530 5.7.0 Authentication required");
		return;
	}
	if ((why = parse_mail(&tx.mail, c->arg, c->alen, ses.ehlo)) != NULL) {
		memset(&tx.mail, 0, sizeof tx.mail);
		reply(why);
		return;
	}
	if (tx.mail.requiretls && !ses.tls) {
		/* not offered in plaintext (RFC 8689 2): as any parameter
		 * this session does not support */
		memset(&tx.mail, 0, sizeof tx.mail);
		reply("555 5.5.4 Unsupported parameter");
		return;
	}
	if (tx.mail.size > cfg.maxsize) {       /* RFC 1870 6.1 */
		memset(&tx.mail, 0, sizeof tx.mail);
		reply("552 5.3.4 Message size exceeds fixed maximum");
		return;
	}
	tx.state = S_MAIL;
	reply("250 2.1.0 Ok");
}

/* Who may receive: a known user of a local domain, or anyone when the
 * client may relay. The domain after the last unquoted '@' decides, so
 * '%', '!' and quoted '@' stay in the local part of a local domain and
 * are unknown users there (postel(7), invariant 5). */
static const char *
policy(const struct addr *a)
{
	struct user u;
	int r;

	if (!user_local_domain(addr_domain(a)))
		return ses.relay ? NULL : "550 5.7.1 Relaying denied";
	r = user_lookup(a->s, &u);
	/* A system account (daemon, www-data, root...) that no alias names
	 * reads no mail: refused now, from the network, rather than taken
	 * and bounced later to a sender nobody checked. Local submission
	 * (sendmail -bs) reaches the admin, as sendmail does. */
	if (r == 1 && u.sysacct && !cfg.local)
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

	for (off = 0; off < tx.rcpts.len; off += rl + 1) {
		const char *r = tx.rcpts.p + off, *rat = strrchr(r, '@');
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

/* Keep recipient i's DSN requests d: 0, or -1 with errno. Until one
 * recipient has some, none is kept; from then on every recipient has an
 * entry, all zero for one without requests, so that entry i is for the
 * i-th rcpt line, whatever RCPTs were refused in between. At most
 * max-recipients entries are in use, as recipients are. */
static int
rdsn_keep(size_t i, const struct qrdsn *d)
{
	struct qrdsn *np;

	if (tx.nrdsn == 0 && d->notify == 0 && d->orcpt[0] == '\0')
		return 0;
	if ((np = array_grow(tx.rdsn, &tx.rdsncap, i + 1, sizeof *np)) ==
	    NULL)
		return -1;
	tx.rdsn = np;
	memset(np + tx.nrdsn, 0, (i - tx.nrdsn) * sizeof *np);
	np[i] = *d;
	tx.nrdsn = i + 1;
	return 0;
}

static void
do_rcpt(struct cmd *c)
{
	struct mailarg m;
	const char *why, *chain;

	if ((why = parse_rcpt(&m, c->arg, c->alen, ses.ehlo, tx.mail.utf8)) !=
	    NULL) {
		reply(why);
		return;
	}
	if (m.postmaster) {
		/* RFC 5321 4.5.1: must be accepted without a domain; it goes
		 * to the configured postmaster, so it cannot relay. One that
		 * reaches no one is a configuration error: temporary, not a
		 * bounce after the 250. */
		const char *pm = conf_s("postmaster");
		if (user_postmaster() != 1 ||
		    addr_parse(&m.a, pm, strlen(pm), ADDR_UTF8) != NULL) {
			put("451 4.3.0 No valid postmaster address configured");
			return;
		}
	} else if ((why = policy(&m.a)) != NULL) {
		reply(why);
		return;
	}
	if (rcpt_dup(m.a.s)) {
		reply("250 2.1.5 Ok");          /* one copy is enough */
		return;
	}
	if (tx.nrcpt >= cfg.maxrcpt) {  /* RFC 5321 4.5.3.1.10 */
		put("452 4.5.3 Too many recipients");
		return;
	}
	/* One message, one filter chain: the client sends the message
	 * again later for a recipient that needs another (4.5.3.1.10). */
	chain = cfg.local ? conf_s("filters-local") : sfilter_chain(m.a.s);
	if (tx.nrcpt > 0 && strcmp(chain, tx.chain) != 0) {
		put("452 4.5.3 Too many recipients for one filter chain");
		return;
	}
	/* A receipt goes to whatever MAIL FROM says: for a client that
	 * is not this site's own (logged in, RELAYCLIENT, local) it would
	 * reflect the client's words to a forged address, so SUCCESS is
	 * dropped; FAILURE and DELAY stay, NOTIFY=SUCCESS alone is NEVER
	 * (postel-smtpd(8), DSN). */
	if (!ses.relay)
		m.rdsn.notify = qdsn_no_success(m.rdsn.notify);
	/* the DSN entry first: until the address is added too, the entry
	 * past nrcpt is not counted */
	if (rdsn_keep(tx.nrcpt, &m.rdsn) == -1 ||
	    buf_catb(&tx.rcpts, m.a.s, strlen(m.a.s) + 1) == -1) {
		if (tx.nrdsn > tx.nrcpt)
			tx.nrdsn = tx.nrcpt;
		put("452 4.3.1 Insufficient system storage");
		return;
	}
	tx.chain = chain;
	tx.nrcpt++;
	reply("250 2.1.5 Ok");
}

/* What DATA needs before the state matters: NULL, or the refusal. */
static const char *
data_ok(const struct cmd *c)
{
	return c->alen ? "501 5.5.4 Syntax: DATA takes no argument" : NULL;
}

static void
do_data(struct cmd *c)
{
	const char *p;
	size_t n, used;
	int end;

	(void)c;
	if (tx.nrcpt == 0) {            /* RFC 2920 3.1 */
		reply("554 5.5.1 No valid recipients");
		return;
	}
	if (msg_begin(0) == -1)
		return;
	put("354 End data with <CR><LF>.<CR><LF>");
	do {
		fill();
		p = bio_peek(&in, &n);
		end = data_feed(&tx.d, p, n, &used);
		bio_skip(&in, used);    /* after the end: the next command */
	} while (!end);
	msg_end();
}

/* BDAT n [LAST] (RFC 3030): exactly n octets follow the command line.
 * They are always read, even when refused, to stay in step: bdat_arg
 * parses the argument before the verb table's state check, and the
 * dispatcher reads the chunk of a refused BDAT. */
static struct bdat bdat;

static const char *
bdat_arg(const struct cmd *c)
{
	if (parse_bdat(&bdat, c->arg, c->alen) == -1) {
		/* Unknown length: the stream cannot be followed any more. */
		put("501 5.5.4 Syntax: BDAT size [LAST]");
		bye("bad-bdat");
	}
	return NULL;
}

/* Read the chunk, handing it to the message unless refused. */
static void
chunk_read(int keep)
{
	unsigned long long n = bdat.size;
	const char *p;
	size_t avail, take, used;

	while (n) {
		fill();
		p = bio_peek(&in, &avail);
		take = avail < n ? avail : (size_t)n;
		if (keep)
			data_feed(&tx.d, p, take, &used);
		bio_skip(&in, take);
		n -= take;
	}
}

static void
do_bdat(struct cmd *c)
{
	const char *why = NULL;
	char num[24];

	(void)c;
	if (tx.state == S_MAIL && tx.nrcpt == 0)
		why = "554 5.5.1 No valid recipients";
	else if (tx.bdat_failed)
		why = "503 5.5.1 Transaction failed, send RSET";
	else if (tx.state == S_MAIL) {
		if (msg_begin(1) == -1) {
			tx.bdat_failed = 1;
			why = "";
		} else
			tx.state = S_BDAT;
	}
	chunk_read(why == NULL);
	if (why != NULL) {
		if (*why)
			reply(why);
		return;
	}
	if (bdat.last) {
		msg_end();
		return;
	}
	if (tx.d.flags & (DATA_BIG | DATA_WERR)) {
		/* no point in taking more; RFC 3030 4.2 */
		tx.bdat_failed = 1;
		logmsg("rejected", NULL, data_reply(&tx.d));
		reply(data_reply(&tx.d));
		msg_drop();
		return;
	}
	fmt_s(num, sizeof num, "%llu", tx.d.wire); /* as sent */
	reply3("250 2.0.0 ", num, " octets received");
}

static void
do_rset(struct cmd *c)
{
	(void)c;
	tx_reset();
	put("250 2.0.0 Ok");
}

static void do_ehlo(struct cmd *c) { greet(c, 1); }
static void do_helo(struct cmd *c) { greet(c, 0); }

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
	reply3("221 2.0.0 ", cfg.me, " closing connection");
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
	long long dl = bio_now() + (long long)cfg.timeout * 1000;

	if (dl > ses.deadline)
		dl = ses.deadline;
	/* fd 0 is read and written: tcpserver, inetd and systemd give smtpd
	 * one socket as stdin and stdout */
	if (tls_server_start(&srv, &tcred, 0, dl) == -1) {
		log_start(&l, "starttls");
		log_kv(&l, "sid", ses.sid);
		log_kv(&l, "ip", ses.ip);
		log_kv(&l, "result", "failed");
		log_kv(&l, "error", errno == EPROTO ? tls_error(&srv.t) :
		    strerror(errno));
		log_end(&l);
		return -1;
	}
	ses.tls = 1;
	in.op = tls_bio_read;
	in.ctx = &srv.t;
	out.op = tls_bio_write;
	out.ctx = &srv.t;
	log_start(&l, "starttls");
	log_kv(&l, "sid", ses.sid);
	log_kv(&l, "ip", ses.ip);
	log_kv(&l, "result", "ok");
	log_kv(&l, "tls", tls_version(&srv.t));
	log_kv(&l, "cipher", tls_cipher(&srv.t));
	log_kv(&l, "sni", *tls_server_sni(&srv) ? tls_server_sni(&srv) : "-");
	log_kvu(&l, "discarded", discarded);
	log_end(&l);
	return 0;
}

/* What STARTTLS needs before the state matters: NULL, or the refusal. */
static const char *
starttls_ok(const struct cmd *c)
{
	if (c->alen)
		return "501 5.5.4 Syntax: STARTTLS takes no argument";
	if (ses.tls)
		return "554 5.5.1 TLS already active";
	if (!cfg.tls_offer)
		return cfg.tls_conf ? "454 4.7.0 TLS not available" :
		    "502 5.5.1 Command not implemented";
	return NULL;
}

static void
do_starttls(struct cmd *c)
{
	size_t junk;

	(void)c;
	put("220 2.0.0 Ready to start TLS");
	wdeadline();
	if (bio_flush(&out) == -1)
		bye("write-error");
	/* Whatever the client sent after STARTTLS in plaintext is dropped,
	 * never read as a command once TLS is up (CVE-2011-0411). */
	bio_peek(&in, &junk);
	bio_skip(&in, junk);
	if (tls_handshake(junk) == -1)
		bye("tls-error");
	/* RFC 3207 4.2: forget everything learnt before TLS */
	tx_reset();
	ses.greeted = 0;
	ses.ehlo = 0;
	ses.authed = 0;
	ses.relay = getenv("RELAYCLIENT") != NULL;
	fmt_s(ses.helo, sizeof ses.helo, "-");
}

/* AUTH (RFC 4954) ----------------------------------------------------- */

#define AUTH_LINE_MAX 2048      /* a PLAIN response is at most ~1 KB */

/* One response line of the exchange, without CRLF: 0, or -1 after a
 * reply ('*' cancels, RFC 4954 4). */
static int
auth_line(char *line, size_t size, size_t *len)
{
	if (readline(line, size, len,
	    "500 5.5.6 Authentication exchange line is too long") == -1)
		return -1;
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
	log_kv(&l, "sid", ses.sid);
	log_kv(&l, "ip", ses.ip);
	log_kv(&l, "user", user);
	log_kv(&l, "result", result);
	if (why)
		log_kv(&l, "error", why);
	log_kv(&l, "tls", tlsv());
	log_end(&l);
}

/* One response of the exchange decoded into dec (*dlen octets): the
 * initial response ir if the client sent one, else its answer to the
 * challenge, read into line. 0, or -1 after a reply. */
static int
auth_response(const char *challenge, const char *ir, size_t irlen,
    char *line, size_t lsize, unsigned char *dec, size_t dsize, size_t *dlen)
{
	if (ir == NULL) {
		put(challenge);
		if (auth_line(line, lsize, &irlen) == -1)
			return -1;
		ir = line;
	}
	return auth_b64(ir, irlen, dec, dsize, dlen);
}

/* Read and decode the credentials of mechanism mech: 0, or -1 after a
 * reply. The buffers that held them are wiped by the caller. */
static int
auth_read(struct sasl_cred *cr, const char *mech, size_t mlen,
    const char *ir, size_t irlen, char *line, size_t lsize,
    unsigned char *dec, size_t dsize)
{
	size_t dlen;
	const char *why;

	if (mlen == 5 && strncasecmp(mech, "PLAIN", 5) == 0) {
		if (auth_response("334 ", ir, irlen, line, lsize, dec, dsize,
		    &dlen) == -1)
			return -1;
		if ((why = sasl_plain(cr, dec, dlen)) != NULL) {
			authlog("-", "failed", why);
			reply("501 5.5.2 Bad PLAIN response");
			return -1;
		}
		return 0;
	}
	if (mlen == 5 && strncasecmp(mech, "LOGIN", 5) == 0) {
		/* "Username:", then "Password:" */
		if (auth_response("334 VXNlcm5hbWU6", ir, irlen, line, lsize,
		    dec, dsize, &dlen) == -1)
			return -1;
		if (sasl_login(cr->user, &cr->ulen, dec, dlen) != NULL) {
			reply("501 5.5.2 Bad user name");
			return -1;
		}
		if (auth_response("334 UGFzc3dvcmQ6", NULL, 0, line, lsize,
		    dec, dsize, &dlen) == -1)
			return -1;
		if (sasl_login(cr->pass, &cr->plen, dec, dlen) != NULL) {
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
	unsigned long long ms = cfg.fail_delay;
	unsigned long k = ses.authfails > 6 ? 5 : ses.authfails - 1;

	ms <<= k;
	/* a sleep: poll(2) on no descriptor until the time is up (bio
	 * retries it after a signal) */
	bio_wait(-1, 0, bio_now() + (long long)ms);
}

/* What AUTH needs before the state matters: NULL, or the refusal. */
static const char *
auth_ok(const struct cmd *c)
{
	(void)c;
	if (!cfg.auth_conf)
		return "502 5.5.1 Command not implemented";
	if (!ses.tls && !cfg.auth_plain)
		return "538 5.7.11 Encryption required for requested "
		    "authentication mechanism";
	if (!ses.ehlo)                  /* an ESMTP extension */
		return "503 5.5.1 Send EHLO first";
	if (ses.authed)
		return "503 5.5.1 Already authenticated";
	return NULL;
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
	fmt_s(stamp, sizeof stamp, "<%s@%s>", ses.sid, cfg.me);
	r = auth_check(&cr, cfg.cp_prog, cfg.users, stamp, bio_now() +
	    (long long)cfg.timeout * 1000);
	sasl_wipe(&cr);
	if (r == 1) {
		ses.authed = 1;
		ses.relay = 1;          /* like RELAYCLIENT */
		memcpy(ses.authuser, user, sizeof user);
		authlog(user, "ok", NULL);
		put("235 2.7.0 Authentication successful");
	} else if (r == 0) {
		ses.authfails++;
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
	if (++ses.errors >= cfg.maxerr) {
		put("421 4.7.0 Too many errors, closing connection");
		bye("errors");
	}
}

#define V_CONF  0x01            /* refused while the configuration is bad */
#define V_CHUNK 0x02            /* octets follow the line (BDAT) */
#define V_LONG  0x04            /* its line may hold SMTP_PARAM_LINE_MAX */

/* What a verb needs whatever the state: its syntax, an extension on
 * offer (see check). */
enum { CK_NONE, CK_DATA, CK_BDAT, CK_STARTTLS, CK_AUTH };

/* A verb's refusal before or after the states it is allowed in. The
 * texts are arrays, not pointers, as is a verb's name in the table: the
 * table holds function pointers, so each process relocates it into
 * private memory, and there it should stay small. */
enum {
	RF_NONE, RF_HELO_FIRST, RF_NESTED_MAIL, RF_RCPT_EARLY, RF_RCPT_BDAT,
	RF_DATA_EARLY, RF_DATA_BDAT, RF_BDAT_EARLY, RF_TLS_IN_TX,
	RF_EHLO_FIRST, RF_AUTH_IN_TX
};
static const char refusals[][56] = {
	[RF_HELO_FIRST] = "503 5.5.1 Send EHLO or HELO first",
	[RF_NESTED_MAIL] = "503 5.5.1 Nested MAIL command",
	[RF_RCPT_EARLY] = "503 5.5.1 Need MAIL before RCPT",
	[RF_RCPT_BDAT] = "503 5.5.1 RCPT inside BDAT",
	[RF_DATA_EARLY] = "503 5.5.1 Need MAIL before DATA",
	[RF_DATA_BDAT] = "503 5.5.1 DATA inside BDAT",
	[RF_BDAT_EARLY] = "503 5.5.1 Need MAIL and RCPT before BDAT",
	[RF_TLS_IN_TX] =
	    "503 5.5.1 STARTTLS not permitted during a transaction",
	[RF_EHLO_FIRST] = "503 5.5.1 Send EHLO first",
	[RF_AUTH_IN_TX] = "503 5.5.1 AUTH not permitted during a transaction",
};

/* A verb is allowed in the states of its mask; before the first of them
 * (S_START < S_IDLE < S_MAIL < S_BDAT) it gets the refusal early, after
 * the last the refusal late. Checked before the state: V_CONF, then
 * check. */
static const struct verb {
	char name[9];
	unsigned char states;
	unsigned char flags;
	unsigned char check;            /* CK_* */
	unsigned char early, late;      /* RF_* */
	void (*fn)(struct cmd *);
} verbs[] = {
	{ "EHLO", S_ANY, 0, 0, 0, 0, do_ehlo },
	{ "HELO", S_ANY, 0, 0, 0, 0, do_helo },
	{ "MAIL", S_IDLE, V_CONF | V_LONG, 0, RF_HELO_FIRST, RF_NESTED_MAIL,
	    do_mail },
	{ "RCPT", S_MAIL, V_LONG, 0, RF_RCPT_EARLY, RF_RCPT_BDAT, do_rcpt },
	{ "DATA", S_MAIL, 0, CK_DATA, RF_DATA_EARLY, RF_DATA_BDAT, do_data },
	{ "BDAT", S_MAIL | S_BDAT, V_CHUNK, CK_BDAT, RF_BDAT_EARLY, 0,
	    do_bdat },
	{ "RSET", S_ANY, 0, 0, 0, 0, do_rset },
	{ "NOOP", S_ANY, 0, 0, 0, 0, do_noop },
	{ "VRFY", S_ANY, V_CONF, 0, 0, 0, do_vrfy },
	{ "HELP", S_ANY, 0, 0, 0, 0, do_help },
	{ "QUIT", S_ANY, 0, 0, 0, 0, do_quit },
	{ "STARTTLS", S_START | S_IDLE, V_CONF, CK_STARTTLS, 0, RF_TLS_IN_TX,
	    do_starttls },
	{ "AUTH", S_IDLE, V_CONF, CK_AUTH, RF_EHLO_FIRST, RF_AUTH_IN_TX,
	    do_auth },
	{ "EXPN", S_ANY, 0, 0, 0, 0, do_noimpl },
	{ "ETRN", S_ANY, 0, 0, 0, 0, do_noimpl },
	{ "TURN", S_ANY, 0, 0, 0, 0, do_noimpl },
	{ "", S_ANY, 0, 0, 0, 0, do_unknown },  /* sentinel: 500 5.5.1 */
};

/* NULL, or why the verb cannot run whatever the state. */
static const char *
check(int ck, const struct cmd *c)
{
	switch (ck) {
	case CK_DATA:
		return data_ok(c);
	case CK_BDAT:
		return bdat_arg(c);
	case CK_STARTTLS:
		return starttls_ok(c);
	case CK_AUTH:
		return auth_ok(c);
	}
	return NULL;
}

/* Why verb v may not run now: NULL if it may. */
static const char *
refusal(const struct verb *v, const struct cmd *c)
{
	const char *why;
	unsigned st = state();

	if ((why = check(v->check, c)) != NULL)
		return why;
	if (v->states & st)
		return NULL;
	/* below the first state it is allowed in, or above */
	return refusals[st < (v->states & -v->states) ? v->early : v->late];
}

/* Run the command c with its verb from the table. */
static void
dispatch(struct cmd *c)
{
	const struct verb *v;
	const char *why;

	for (v = verbs; v->name[0]; v++)
		if (strcasecmp(v->name, c->verb) == 0)
			break;
	/* 4.5.3.1.4: only the extensions of MAIL and RCPT make a line
	 * longer than 512 octets */
	if (c->len + 2 > SMTP_CMD_MAX && !(v->flags & V_LONG)) {
		reply(TOO_LONG);
		return;
	}
	if (cfg.confbad && (v->flags & V_CONF)) {
		conf_refuse();
		return;
	}
	if ((why = refusal(v, c)) == NULL) {
		v->fn(c);
		return;
	}
	if (v->flags & V_CHUNK)
		chunk_read(0);          /* RFC 3030 2: read even when refused */
	reply(why);
}

/* Session ------------------------------------------------------------ */

/* Read the certificate and key before any client input. If they cannot
 * be read, STARTTLS is not offered and one line says why. */
static void
tls_setup(void)
{
	const char *cert = conf_s("tls-cert"), *key = conf_s("tls-key");
	const char *why = "tls-cert and tls-key must both be set";
	char cp[PATH_MAX], kp[PATH_MAX];
	struct logl l;
	int e = 0;

	if (*cert == '\0' && *key == '\0')
		return;
	cfg.tls_conf = 1;
	if (*cert && *key) {
		if (conf_file(cp, sizeof cp, cert) == -1 ||
		    conf_file(kp, sizeof kp, key) == -1) {
			why = "path too long";
		} else if (tls_server_load(&tcred, cp, kp, &why) == 0) {
			cfg.tls_offer = 1;
			return;
		} else
			e = errno;
	}
	log_start(&l, "notls");
	log_kv(&l, "sid", ses.sid);
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
	cfg.tls_require = conf_u("tls-require") != 0 ||
	    getenv("TLSREQUIRE") != NULL;
	cfg.auth_require = conf_u("auth-require") != 0 ||
	    getenv("AUTHREQUIRE") != NULL;
	cfg.auth_plain = conf_u("auth-plaintext") != 0;
	cfg.fail_delay = conf_u("auth-fail-delay");
	cfg.cp_prog = conf_s("auth-checkpassword");
	if (*u && conf_file(cfg.users, sizeof cfg.users, u) == -1)
		cfg.users[0] = '\0';
	cfg.auth_conf = *cfg.cp_prog || cfg.users[0];
}

static void
peer(void)
{
	const char *e = getenv("TCPREMOTEIP");
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (cfg.local) {                /* the caller's own session */
		fmt_s(ses.ip, sizeof ses.ip, "local");
		return;
	}
	if (e == NULL || *e == '\0')
		e = getenv("REMOTE_ADDR");
	if (e != NULL && *e) {
		fmt_safe(ses.ip, sizeof ses.ip, e, strlen(e));
		return;
	}
	fmt_s(ses.ip, sizeof ses.ip, "unknown");
	if (getpeername(0, (struct sockaddr *)&ss, &len) == -1)
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
		    ses.ip, sizeof ses.ip);
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
		    ses.ip, sizeof ses.ip);
}

static void
session(void)
{
	static char line[SMTP_PARAM_LINE_MAX];
	struct cmd c;
	size_t len;

	for (;;) {
		if (readline(line, sizeof line, &len, TOO_LONG) == -1)
			continue;
		if (cmd_split(&c, line, len) == -1) {
			reply(len + 2 > SMTP_CMD_MAX ? TOO_LONG :
			    "500 5.5.2 Invalid characters in command");
			continue;
		}
		dispatch(&c);
	}
}

/* conf_report's reporter: keep the first problem, count them all. A
 * problem NULL means file is already the whole text (conf_error's). */
static void
conf_problem(const char *file, unsigned line, const char *problem)
{
	if (cfg.confbad++ != 0)
		return;
	if (problem == NULL)
		fmt_s(cfg.confwhy, sizeof cfg.confwhy, "%s", file);
	else if (line == 0)
		fmt_s(cfg.confwhy, sizeof cfg.confwhy, "%s: %s", file, problem);
	else
		fmt_s(cfg.confwhy, sizeof cfg.confwhy, "%s:%u: %s", file, line,
		    problem);
}

/* Read the configuration, every file smtpd needs, going on past bad
 * lines; cfg.confbad says whether any problem was found. */
static void
conf_read(void)
{
	struct logl l;
	const char *g;

	conf_report(conf_problem);
	if (conf_load() == -1 || user_init() == -1)
		conf_problem(conf_error(), 0, NULL);
	if ((g = sfilter_init()) != NULL && !cfg.confbad)
		conf_problem(g, 0, NULL);
	conf_report(NULL);
	if (!cfg.confbad)
		return;
	if (cfg.local) { /* quiet as sendmail, but say this once */
		warn("configuration error: %s", cfg.confwhy);
		return;
	}
	log_start(&l, "conferror");
	log_kv(&l, "sid", ses.sid);
	log_kv(&l, "ip", ses.ip);
	log_kv(&l, "error", cfg.confwhy);
	log_kvu(&l, "problems", (unsigned long)cfg.confbad);
	log_end(&l);
}

/* The settings of the session, from the configuration just read. */
static void
config(void)
{
	static char host[256];

	cfg.me = conf_s("me");
	if (*cfg.me == '\0') {          /* conf_load stopped before it */
		if (gethostname(host, sizeof host) == -1)
			fmt_s(host, sizeof host, "localhost");
		host[sizeof host - 1] = '\0';
		cfg.me = host;
	}
	cfg.timeout = conf_u("smtpd-timeout");
	cfg.maxsize = conf_u("max-size");
	cfg.maxrcpt = conf_u("max-recipients");
	cfg.maxerr = conf_u("max-errors");
	cfg.maxhops = conf_u("max-hops");
	/* a local submission needs neither TLS nor AUTH over its caller's
	 * pipe */
	if (!cfg.local && !cfg.confbad) {
		auth_setup();
		tls_setup();
	} else if (!cfg.local && (conf_u("smtps") || getenv("SMTPS") != NULL))
		tls_setup();            /* the client speaks TLS first */
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
	long long now;
	int c;

	die_init(argv[0]);
	/* a caller's ignored SIGCHLD would reap our children before we
	 * wait for them (swaks, for one, ignores it) */
	signal(SIGCHLD, SIG_DFL);
	while ((c = getopt(argc, argv, "l")) != -1) {
		if (c != 'l')
			die(EXIT_PERM, "usage: smtpd [-l]");
		cfg.local = 1;
	}
	signal(SIGPIPE, SIG_IGN);
	tx.spool = -1;
	cfg.maxerr = 10;
	buf_init(&tx.rcpts, 0);
	bio_init(&in, 0, bio_fdread, inbuf, sizeof inbuf);
	bio_init(&out, 1, bio_fdwrite, outbuf, sizeof outbuf);
	in.flush = &out;                /* RFC 2920: flush only before a wait */
	/* -l serves the caller's own session (sendmail -bs): it may send
	 * anywhere, so it must never face the network, where it would be
	 * an open relay, and root's parse network input (postel(7),
	 * invariant 3). It gives no rights: enqueue queues with the
	 * caller's. */
	if (cfg.local && (on_network(0) || on_network(1)))
		refuse("refusing -l on a network connection: it is for "
		    "sendmail -bs, the caller's own session");
	/* postel(7), invariant 3: no network input is parsed by root. The
	 * supervisor must drop to the smtpd user (tcpserver -u/-g, User= in
	 * the systemd unit); tests running as root set POSTEL_ALLOW_ROOT=1.
	 * A local submission's input is its caller's, root's for root. */
	if (!cfg.local && geteuid() == 0 && !(getenv("POSTEL_ALLOW_ROOT") &&
	    strcmp(getenv("POSTEL_ALLOW_ROOT"), "1") == 0))
		refuse("refusing to run as root: start smtpd as an "
		    "unprivileged user (tcpserver -u/-g, or User= in the "
		    "systemd unit)");
	fmt_s(ses.sid, sizeof ses.sid, "%llx.%ld",
	    (unsigned long long)time(NULL), (long)getpid());
	fmt_s(ses.helo, sizeof ses.helo, "-");
	peer();
	/* A bad configuration does not close the door: the session goes
	 * on, answering 451 where mail would need it, so that clients
	 * queue their mail and retry rather than see a server that hangs
	 * up (postel-smtpd(8)). */
	conf_read();
	config();
	/* a local submission may send anywhere, as sendmail may */
	ses.relay = cfg.local || getenv("RELAYCLIENT") != NULL;
	buf_init(&tx.rcpts, cfg.maxrcpt * (ADDR_MAX + 1));
	now = bio_now();
	ses.deadline = now + (long long)conf_u("smtpd-session-timeout") *
	    1000;
	if (!cfg.local) {
		log_start(&l, "connect");
		log_kv(&l, "sid", ses.sid);
		log_kv(&l, "ip", ses.ip);
		log_kv(&l, "relay", ses.relay ? "yes" : "no");
		log_end(&l);
	}
	if (!cfg.local && (conf_u("smtps") || getenv("SMTPS") != NULL)) {
		/* implicit TLS (RFC 8314 3.3) */
		if (!cfg.tls_offer || tls_handshake(0) == -1)
			bye("tls-error");
	}
	g = conf_s("smtpd-greeting");
	if (fmt_s(gl, sizeof gl, "220 %s %s", cfg.me, *g ? g : "ESMTP postel")
	    == -1)
		fmt_s(gl, sizeof gl, "220 %s ESMTP postel", cfg.me);
	put(gl);
	session();
	return 0;
}
