/*
 * qrun bounces: one RFC 3464 delivery status notification per message,
 * queued with the null sender through enqueue (postel-qrun(8), BOUNCES).
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

/* The original header section, read from the queue file. */
static int
orig_headers(int qd, const struct msg *m, struct buf *b)
{
	char tmp[4096];
	size_t start = b->len, lim = b->len + BOUNCE_HDR_MAX;
	int fd;
	ssize_t r;

	if ((fd = queue_open_body(qd, m->id, m->env->body)) == -1)
		return -1;
	while (b->len < lim && (r = read(fd, tmp, sizeof tmp)) > 0) {
		size_t n = (size_t)r;
		if (b->len + n > lim)
			n = lim - b->len;
		if (buf_catb(b, tmp, n) == -1)
			break;
	}
	close(fd);
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
bounce_build(int qd, const struct msg *m, int delayed, const char *to,
    struct buf *b)
{
	const char *me = own_domain();
	char date[FMT_DATE_MAX], boundary[96];
	long long now = now_s();
	struct buf h = BUF_INIT(BOUNCE_HDR_MAX);
	size_t i;
	unsigned k;
	int hok = 1, g = (m->env->flags & QF_UTF8) != 0;

	fmt_date(date, sizeof date, now);
	/* The sender wrote the attached headers: RFC 2046 5.1.1 wants a
	 * boundary that occurs nowhere inside, so a header line can never
	 * end a part or forge one. */
	if (orig_headers(qd, m, &h) == -1)
		hok = 0;
	fmt_s(boundary, sizeof boundary, "postel-%s", m->id);
	for (k = 1; hok && in_headers(&h, boundary); k++)
		fmt_s(boundary, sizeof boundary, "postel-%s.%u", m->id, k);
	cat(b, "From: Mail Delivery System <MAILER-DAEMON@%s>\n", me);
	cat(b, "To: <%s>\n", to);
	cat(b, "Subject: %s\n", delayed ? "Delivery delayed: still trying" :
	    "Undelivered mail returned to sender");
	cat(b, "Date: %s\n", date);
	cat(b, "Message-ID: <%s.%s@%s>\n", m->id, delayed ? "delay" :
	    "bounce", me);
	cat(b, "Auto-Submitted: auto-replied\n");
	cat(b, "MIME-Version: 1.0\n");
	/* RFC 6522 section 3: report-type names the second part's subtype */
	cat(b, "Content-Type: multipart/report; report-type=%sdelivery-status;"
	    "\n\tboundary=\"%s\"\n\n", g ? "global-" : "", boundary);
	cat(b, "This is a MIME-encapsulated message.\n\n--%s\n", boundary);
	cat(b, "Content-Type: text/plain; charset=%s\n\n",
	    g ? "utf-8" : "us-ascii");
	if (delayed)
		cat(b, "This is the mail system at %s.\n\nYour message could "
		    "not be delivered yet to the recipients below. The mail\n"
		    "system will keep trying; you do not need to resend it.\n"
		    "\n", me);
	else
		cat(b, "This is the mail system at %s.\n\nYour message could "
		    "not be delivered to the recipients below.\n\n", me);
	for (i = 0; i < m->env->nrcpt; i++) {
		const struct qstate *q = &m->st[i];
		if (q->status != (delayed ? QS_TODO : QS_FAIL))
			continue;
		cat(b, "<%s>: %s %.300s\n", m->env->rcpt[i], q->dsn, q->text);
	}
	cat(b, "\n--%s\nContent-Type: message/%sdelivery-status\n\n", boundary,
	    g ? "global-" : "");
	/* per-message fields, RFC 3464 section 2.2 */
	cat(b, "Reporting-MTA: dns; %s\n", me);
	cat(b, "X-Postel-Queue-ID: %s\n", m->id);
	fmt_date(date, sizeof date, m->env->arrival);
	cat(b, "Arrival-Date: %s\n", date);
	fmt_date(date, sizeof date, now);
	for (i = 0; i < m->env->nrcpt; i++) {
		const struct qstate *q = &m->st[i];
		if (q->status != (delayed ? QS_TODO : QS_FAIL))
			continue;
		/* per-recipient fields, RFC 3464 section 2.3 */
		/* RFC 6533 section 3: a UTF-8 address has type utf-8 */
		cat(b, "\nFinal-Recipient: %s; %s\n", g &&
		    nonascii(m->env->rcpt[i], strlen(m->env->rcpt[i])) ?
		    "utf-8" : "rfc822", m->env->rcpt[i]);
		cat(b, "Action: %s\n", delayed ? "delayed" : "failed");
		cat(b, "Status: %s\n", q->dsn[0] == '-' ? (delayed ?
		    "4.0.0" : "5.0.0") : q->dsn);
		diagnostic(b, q->text);
		cat(b, "Last-Attempt-Date: %s\n", date);
	}
	cat(b, "\n--%s\nContent-Type: %s\n\n", boundary,
	    g ? "message/global-headers" : "text/rfc822-headers");
	if (!hok || buf_catb(b, h.p, h.len) == -1)
		cat(b, "X-Postel-Note: original headers unavailable\n");
	buf_free(&h);
	return cat(b, "\n--%s--\n", boundary);
}

/* Queue b for to through lib/submit, the one hand-off to enqueue: -u
 * when the bounced message needed SMTPUTF8, -8 when b has 8-bit octets
 * (a sender's header in the attached part). enqueue reads a file, left
 * nowhere: an unnamed one in queue/tmp. 0 once enqueue has it. */
static int
enqueue(const char *from, const char *origin, const char *to,
    const struct buf *b, int utf8)
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
	s.flags = (utf8 ? QF_UTF8 : 0) | (nonascii(b->p, b->len) ? QF_8BIT : 0);
	r = submit_enqueue(&s, fd);
	close(fd);
	return r == 0 ? 0 : -1;
}

int
bounce_send(struct qrun *q, struct msg *m, int delayed)
{
	struct buf b = BUF_INIT(BOUNCE_MAX);
	char origin[QUEUE_ID_MAX + 32], pm[ADDR_MAX + 1], from[ADDR_MAX + 1];
	const char *to = m->env->from, *kind = delayed ? "delay" : "bounce";
	struct logl l;
	int r;

	from[0] = '\0';
	if (double_sender(to) || strncmp(m->env->origin, DOUBLE_ORIGIN,
	    strlen(DOUBLE_ORIGIN)) == 0) {
		/* A double bounce failed, or is late: no one is left to
		 * tell, and telling anyone could start a loop. */
		if (delayed)
			return 0;
		log_start(&l, "dropped");
		log_kv(&l, "qid", m->id);
		log_kv(&l, "why", "double bounce failed");
		log_end(&l);
		return 0;
	}
	if (!*to) {
		if (delayed)
			return 0;
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
		kind = "double-bounce";
		if (fmt_s(from, sizeof from, "%s@%s", DOUBLE_LOCAL,
		    own_domain()) < 0)
			return -1;
	}
	fmt_s(origin, sizeof origin, "qrun %s %s", kind, m->id);
	r = bounce_build(q->qd, m, delayed, to, &b) == -1 ? -1 :
	    enqueue(from, origin, to, &b, (m->env->flags & QF_UTF8) != 0);
	buf_free(&b);
	log_start(&l, r == 0 ? kind : "bounce-failed");
	log_kv(&l, "qid", m->id);
	log_kv(&l, "to", to);
	log_end(&l);
	return r;
}
