/*
 * qrun bounces: RFC 3464 delivery status notifications, queued with the
 * null sender through enqueue (postel-qrun(8), BOUNCES): per message at
 * most one failure report, one success notice (RFC 3461 NOTIFY=SUCCESS)
 * and, while it waits, one delay warning, each listing the recipients
 * whose NOTIFY asks for it. A notice never asks for notices itself.
 * A failed bounce (null sender) goes to the postmaster as a double bounce,
 * sent from double-bounce@ME; a failed message from that sender is dropped
 * with a log line. The sender, unlike the origin line, survives forwards
 * and aliases (local re-queues with the original sender), so however the
 * postmaster's mail is routed, one message makes at most one bounce and
 * one double bounce: bounces never loop.
 * For a message that needed SMTPUTF8 the notification is an RFC 6533 one
 * (message/global-delivery-status, message/global-headers, utf-8 address
 * types), itself queued as SMTPUTF8.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "log.h"
#include "qrun.h"
#include "result.h"
#include "submit.h"

#define DOUBLE_ORIGIN "qrun double-bounce"   /* queue files of before */
#define DOUBLE_LOCAL "double-bounce"

/* ME, or localhost when unset: the domain of postel's own addresses */
static const char *
own_domain(void)
{
	const char *s = conf_s("me");

	return *s ? s : "localhost";
}

/* 1 if from is the double-bounce sender: DOUBLE_LOCAL@ME, the domain in
 * any case (RFC 5321 2.4) */
static int
double_sender(const char *from)
{
	size_t n = strlen(DOUBLE_LOCAL);

	return strncmp(from, DOUBLE_LOCAL, n) == 0 && from[n] == '@' &&
	    strcasecmp(from + n + 1, own_domain()) == 0;
}

/* The original message from the queue file into b: whole (1) when full
 * is asked and it fits in BOUNCE_FULL_MAX, else its header section (0),
 * at most BOUNCE_HDR_MAX; -1 if the file cannot be opened. */
static int
orig_message(int qd, const struct msg *m, int full, struct buf *b)
{
	char tmp[4096];
	size_t start = b->len;
	size_t lim = b->len + (full ? BOUNCE_FULL_MAX + 1 : BOUNCE_HDR_MAX);
	int fd, eof = 0;
	ssize_t r;

	if ((fd = queue_open_body(qd, m->id, m->env->body)) == -1)
		return -1;
	while (b->len < lim) {
		size_t n;
		if ((r = read(fd, tmp, sizeof tmp)) <= 0) {
			eof = r == 0;
			break;
		}
		n = (size_t)r;
		if (b->len + n > lim)
			n = lim - b->len;
		if (buf_catb(b, tmp, n) == -1)
			break;
	}
	close(fd);
	if (full && eof)
		return 1;
	if (b->len - start > BOUNCE_HDR_MAX)
		b->len = start + BOUNCE_HDR_MAX;
	/* keep the header section only: up to the first empty line */
	if (b->len > start && b->p[start] == '\n') {
		b->len = start;
		return 0;
	}
	for (size_t i = start + 1; i < b->len; i++)
		if (b->p[i] == '\n' && b->p[i - 1] == '\n') {
			b->len = i;
			return 0;
		}
	/* no body or cut: end on a whole line */
	while (b->len > start && b->p[b->len - 1] != '\n')
		b->len--;
	return 0;
}

/* 1 if a line of h starts with "--" and the boundary b */
static int
in_headers(const struct buf *h, const char *b)
{
	size_t i, bl = strlen(b);

	for (i = 0; i + 2 + bl <= h->len; i++)
		if ((i == 0 || h->p[i - 1] == '\n') && h->p[i] == '-' &&
		    h->p[i + 1] == '-' && memcmp(h->p + i + 2, b, bl) == 0)
			return 1;
	return 0;
}

static int
cat(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
cat(struct buf *b, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof line)
		n = (int)sizeof line - 1;
	return buf_catb(b, line, (size_t)n);
}

/* 1 if s has an octet outside ASCII. */
static int
nonascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/* RFC 3464 2.3.6: a remote server's reply is an "smtp" diagnostic and
 * names the Remote-MTA (2.3.5); remote(8) writes it as
 * "HOST [IP] said: CODE TEXT". Anything else is postel's own words. */
static void
diagnostic(struct buf *b, const char *text)
{
	const char *said = strstr(text, " said: ");
	const char *sp = strchr(text, ' ');

	if (said && sp && said[7] >= '2' && said[7] <= '5' &&
	    said[8] >= '0' && said[8] <= '9' && said[9] >= '0' &&
	    said[9] <= '9') {
		cat(b, "Remote-MTA: dns; %.*s\n", (int)(sp - text), text);
		cat(b, "Diagnostic-Code: smtp; %.300s\n", said + 7);
	} else
		cat(b, "Diagnostic-Code: X-Postel; %.300s\n", text);
}

int
bounce_lists(const struct msg *m, size_t i, int kind)
{
	const struct qstate *q = &m->st[i];
	unsigned n = qenv_notify(m->env, i);

	switch (kind) {
	case BOUNCE_FAIL:
		return q->status == QS_FAIL && (n == 0 || (n & QN_FAILURE));
	case BOUNCE_DELAY:
		return q->status == QS_TODO && (n == 0 || (n & QN_DELAY));
	default:
		/* the notice owed was recorded when the result came
		 * (job.c), from the action and NOTIFY=SUCCESS */
		return q->status == QS_OK && (q->notice == ACTION_DELIVERED ||
		    q->notice == ACTION_RELAYED ||
		    q->notice == ACTION_EXPANDED);
	}
}

static const char *const subjects[] = {
	"Undelivered mail returned to sender",
	"Delivery delayed: still trying",
	"Successful mail delivery report",
};
static const char *const msgid_tags[] = { "bounce", "delay", "success" };

/* What became of recipient i, in plain words, for the text part. */
static const char *
plain_action(const struct msg *m, size_t i)
{
	switch (m->st[i].notice) {
	case ACTION_RELAYED:
		return "relayed to a system that does not send delivery "
		    "receipts: no further notice will come";
	case ACTION_EXPANDED:
		return "delivered to an alias or list and passed on to its "
		    "members";
	default:
		return "delivered to the mailbox";
	}
}

/* The first part: what happened, in words. */
static void
text_part(struct buf *b, const struct msg *m, int kind, const char *me)
{
	size_t i;

	cat(b, "This is the mail system at %s.\n\n", me);
	if (kind == BOUNCE_DELAY)
		cat(b, "Your message could not be delivered yet to the "
		    "recipients below. The mail\nsystem will keep trying; "
		    "you do not need to resend it.\n\n");
	else if (kind == BOUNCE_FAIL)
		cat(b, "Your message could not be delivered to the "
		    "recipients below.\n\n");
	else
		cat(b, "You asked to be told when your message reached the "
		    "recipients below:\n\n");
	for (i = 0; i < m->env->nrcpt; i++) {
		const struct qstate *q = &m->st[i];
		if (!bounce_lists(m, i, kind))
			continue;
		if (kind == BOUNCE_SUCCESS && q->notice == ACTION_RELAYED)
			cat(b, "<%s>: %s (%s %.300s)\n", m->env->rcpt[i],
			    plain_action(m, i), q->dsn, q->text);
		else if (kind == BOUNCE_SUCCESS)
			/* local's text names mailboxes and forwarding
			 * addresses: not for the sender (RFC 3461 5.2.7.4) */
			cat(b, "<%s>: %s\n", m->env->rcpt[i],
			    plain_action(m, i));
		else
			cat(b, "<%s>: %s %.300s\n", m->env->rcpt[i], q->dsn,
			    q->text);
	}
}

/* RFC 3464 2.3.1: the ORCPT of recipient i, its xtext decoded as RFC
 * 3461 (section 6) asks, as "type; address"; nothing if none was given
 * or it is not a valid one (the queue reader checks it: a second guard,
 * as the value goes into a header field). */
static void
original_recipient(struct buf *b, const struct msg *m, size_t i)
{
	const char *o = qenv_orcpt(m->env, i), *semi = strchr(o, ';');
	char addr[QUEUE_ORCPT_MAX + 1];

	if (!qdsn_orcpt_ok(o) || semi == NULL || qdsn_xtext_decode(addr,
	    sizeof addr, semi + 1) == -1)
		return;
	cat(b, "Original-Recipient: %.*s; %s\n", (int)(semi - o), o, addr);
}

/* The second part's fields: per message (RFC 3464 2.2), then per listed
 * recipient (2.3), each field group in the order of the grammar. */
static void
status_part(struct buf *b, const struct msg *m, int kind, const char *me,
    long long now)
{
	char date[FMT_DATE_MAX], envid[QUEUE_ENVID_MAX + 1];
	int g = (m->env->flags & QF_UTF8) != 0;
	size_t i;

	/* RFC 3464 2.2.1: the ENVID as the sender gave it, decoded */
	if (m->env->dsn.envid[0] && qdsn_xtext_decode(envid, sizeof envid,
	    m->env->dsn.envid) == 0)
		cat(b, "Original-Envelope-Id: %s\n", envid);
	cat(b, "Reporting-MTA: dns; %s\n", me);
	fmt_date(date, sizeof date, m->env->arrival);
	cat(b, "Arrival-Date: %s\n", date);
	cat(b, "X-Postel-Queue-ID: %s\n", m->id);
	fmt_date(date, sizeof date, now);
	for (i = 0; i < m->env->nrcpt; i++) {
		const struct qstate *q = &m->st[i];
		const char *st = q->dsn;
		if (!bounce_lists(m, i, kind))
			continue;
		cat(b, "\n");
		original_recipient(b, m, i);
		/* RFC 6533 section 3: a UTF-8 address has type utf-8 */
		cat(b, "Final-Recipient: %s; %s\n", g &&
		    nonascii(m->env->rcpt[i], strlen(m->env->rcpt[i])) ?
		    "utf-8" : "rfc822", m->env->rcpt[i]);
		cat(b, "Action: %s\n", kind == BOUNCE_DELAY ? "delayed" :
		    kind == BOUNCE_FAIL ? "failed" : action_word(q->notice));
		/* a success has a class 2 status (RFC 3464 2.3.4) */
		if (st[0] == '-' || (kind == BOUNCE_SUCCESS && st[0] != '2'))
			st = kind == BOUNCE_FAIL ? "5.0.0" :
			    kind == BOUNCE_DELAY ? "4.0.0" : "2.0.0";
		cat(b, "Status: %s\n", st);
		/* a local success says no more than its action: the
		 * text names mailboxes and forwards (RFC 3461 5.2.7.4) */
		if (kind != BOUNCE_SUCCESS || q->notice == ACTION_RELAYED)
			diagnostic(b, q->text);
		cat(b, "Last-Attempt-Date: %s\n", date);
	}
}

int
bounce_build(int qd, const struct msg *m, int kind, const char *to,
    struct buf *b)
{
	const char *me = own_domain();
	char date[FMT_DATE_MAX], boundary[96];
	long long now = now_s();
	struct buf h = BUF_INIT(BOUNCE_FULL_MAX + 1);
	unsigned k;
	int g = (m->env->flags & QF_UTF8) != 0, whole;

	if (kind < BOUNCE_FAIL || kind > BOUNCE_SUCCESS)
		return -1;
	fmt_date(date, sizeof date, now);
	/* RFC 3461 4.3: RET=FULL returns the whole message with a failure;
	 * RET=HDRS, no RET (as postel always did) and any report without a
	 * failure return the header section only. A REQUIRETLS message's
	 * body never comes back (RFC 8689 5): the report travels under
	 * REQUIRETLS too, but its path is not the one the sender chose. */
	whole = orig_message(qd, m, kind == BOUNCE_FAIL &&
	    m->env->dsn.ret == QR_FULL &&
	    !(m->env->flags & QF_REQUIRETLS), &h);
	/* The sender wrote the attached part: RFC 2046 5.1.1 wants a
	 * boundary that occurs nowhere inside, so a line of it can never
	 * end a part or forge one. */
	fmt_s(boundary, sizeof boundary, "postel-%s", m->id);
	for (k = 1; whole != -1 && in_headers(&h, boundary); k++)
		fmt_s(boundary, sizeof boundary, "postel-%s.%u", m->id, k);
	cat(b, "From: Mail Delivery System <MAILER-DAEMON@%s>\n", me);
	cat(b, "To: <%s>\n", to);
	cat(b, "Subject: %s\n", subjects[kind]);
	cat(b, "Date: %s\n", date);
	cat(b, "Message-ID: <%s.%s@%s>\n", m->id, msgid_tags[kind], me);
	cat(b, "Auto-Submitted: auto-replied\n");
	cat(b, "MIME-Version: 1.0\n");
	/* RFC 6522 section 3: report-type names the second part's subtype */
	cat(b, "Content-Type: multipart/report; report-type=%sdelivery-status;"
	    "\n\tboundary=\"%s\"\n\n", g ? "global-" : "", boundary);
	cat(b, "This is a MIME-encapsulated message.\n\n--%s\n", boundary);
	cat(b, "Content-Type: text/plain; charset=%s\n\n",
	    g ? "utf-8" : "us-ascii");
	text_part(b, m, kind, me);
	cat(b, "\n--%s\nContent-Type: message/%sdelivery-status\n\n", boundary,
	    g ? "global-" : "");
	status_part(b, m, kind, me, now);
	if (whole == 1)
		cat(b, "\n--%s\nContent-Type: %s\n%s\n", boundary,
		    g ? "message/global" : "message/rfc822",
		    nonascii(h.p, h.len) ?
		    "Content-Transfer-Encoding: 8bit\n" : "");
	else
		cat(b, "\n--%s\nContent-Type: %s\n\n", boundary,
		    g ? "message/global-headers" : "text/rfc822-headers");
	if (whole == -1 || buf_catb(b, h.p, h.len) == -1)
		cat(b, "X-Postel-Note: original headers unavailable\n");
	buf_free(&h);
	return cat(b, "\n--%s--\n", boundary);
}
/* Queue b for to through lib/submit, the one hand-off to enqueue: -u
 * when the bounced message needed SMTPUTF8, -T when it had REQUIRETLS
 * (RFC 8689 5: its report goes back under the same requirement), -8
 * when b has 8-bit octets
 * (a sender's header in the attached part). No -N, -R, -V or -d: a
 * report never asks for reports (RFC 3461 6.2). enqueue reads a file,
 * left nowhere: an unnamed one in queue/tmp. 0 once enqueue has it, and
 * its queue ID in id. */
static int
enqueue(const char *from, const char *origin, const char *to,
    const struct buf *b, unsigned eflags, char *id, size_t idsize)
{
	char *rcpt[1];
	struct submit s;
	int fd, r;

	if ((fd = queue_tmpfile()) == -1)
		return -1;
	if (fd_write_all(fd, b->p, b->len) == -1) {
		close(fd);
		return -1;
	}
	rcpt[0] = (char *)to;
	memset(&s, 0, sizeof s);
	s.from = from;
	s.rcpt = rcpt;
	s.nrcpt = 1;
	s.origin = origin;
	s.flags = (eflags & (QF_UTF8 | QF_REQUIRETLS)) |
	    (nonascii(b->p, b->len) ? QF_8BIT : 0);
	r = submit_enqueue(&s, fd);
	close(fd);
	fmt_s(id, idsize, "%s", s.id);
	return r == 0 ? 0 : -1;
}

static const char *const kind_words[] = { "failure", "delay", "success" };

int
bounce_send(struct qrun *q, struct msg *m, int kind)
{
	struct buf b = BUF_INIT(BOUNCE_MAX + BOUNCE_FULL_MAX);
	char origin[QUEUE_ID_MAX + 32], pm[ADDR_MAX + 1], from[ADDR_MAX + 1];
	char id[QUEUE_ID_MAX];
	const char *to = m->env->from, *event;
	struct logl l;
	size_t i, n = 0;
	int r;

	for (i = 0; i < m->env->nrcpt; i++)
		n += (size_t)bounce_lists(m, i, kind);
	if (n == 0)
		return 1;       /* no one asked to be told (RFC 3461 4.1) */
	event = kind == BOUNCE_FAIL ? "bounce" : kind == BOUNCE_DELAY ?
	    "delay" : "notice";
	from[0] = '\0';
	id[0] = '\0';
	if (double_sender(to) || strncmp(m->env->origin, DOUBLE_ORIGIN,
	    strlen(DOUBLE_ORIGIN)) == 0) {
		/* A double bounce failed, or is late: no one is left to
		 * tell, and telling anyone could start a loop. */
		if (kind != BOUNCE_FAIL)
			return 1;
		log_start(&l, "dropped");
		log_kv(&l, "qid", m->id);
		log_kv(&l, "why", "double bounce failed");
		log_end(&l);
		return 0;
	}
	if (!*to) {
		/* a report, or a message no one may be told about */
		if (kind != BOUNCE_FAIL)
			return 1;
		/* A bounce failed: tell the postmaster. */
		fmt_s(pm, sizeof pm, "%s", conf_s("postmaster"));
		if (!pm[0] && conf_s("me")[0])
			fmt_s(pm, sizeof pm, "postmaster@%s", conf_s("me"));
		if (!pm[0] || double_sender(pm)) {
			log_start(&l, "dropped");
			log_kv(&l, "qid", m->id);
			log_kv(&l, "why", "bounce failed and no postmaster set");
			log_end(&l);
			return 0;
		}
		to = pm;
		event = "double-bounce";
		if (fmt_s(from, sizeof from, "%s@%s", DOUBLE_LOCAL,
		    own_domain()) < 0)
			return -1;
	}
	fmt_s(origin, sizeof origin, "qrun %s %s", event, m->id);
	r = bounce_build(q->qd, m, kind, to, &b) == -1 ? -1 :
	    enqueue(from, origin, to, &b, m->env->flags, id,
	    sizeof id);
	buf_free(&b);
	log_start(&l, r == 0 ? event : "bounce-failed");
	log_kv(&l, "qid", m->id);
	log_kv(&l, "to", to);
	log_kv(&l, "kind", kind_words[kind]);
	log_kvu(&l, "rcpts", n);
	if (r == 0 && id[0])
		log_kv(&l, "id", id);
	log_end(&l);
	return r;
}
