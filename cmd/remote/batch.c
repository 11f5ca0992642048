/* batch: the messages of "remote -m", read from their envelopes. See
 * remote.h and postel-remote(8); the argv and descriptor contract is
 * postel-result(5)'s. */
#include <errno.h>
#include <string.h>

#include "addr.h"
#include "conf.h"
#include "queue.h"
#include "remote.h"
#include "scan.h"

/* Where the recipients' addresses and the senders are kept: bounded by
 * the batch limits, whatever the envelopes hold. */
static char addrs[REMOTE_RCPT_MAX][ADDR_MAX + 1];
static char froms[REMOTE_BATCH_MAX][ADDR_MAX + 1];
static size_t pos[REMOTE_RCPT_MAX];     /* N of each recipient */

/* "QID:N,N,...": the qid into m->qid, the Ns into pos[*n...]. The
 * argument is cut in place. NULL, or what is wrong. */
static const char *
parse_arg(struct delivery *m, char *arg, size_t *n)
{
	char *p = strchr(arg, ':'), *next;
	unsigned long long v;

	if (p == NULL)
		return "a message argument is not QID:N[,N...]";
	*p++ = '\0';
	if (!queue_id_ok(arg) || strlen(arg) >= QUEUE_ID_MAX)
		return "bad queue id in a message argument";
	m->qid = arg;
	m->nrcpt = 0;
	for (; p; p = next) {
		if ((next = strchr(p, ',')) != NULL)
			*next++ = '\0';
		if (scan_ulong(p, 1, 1000000, &v) == -1)
			return "bad recipient number in a message argument";
		if (*n >= REMOTE_RCPT_MAX)
			return "more than 100 recipients in a batch";
		pos[(*n)++] = (size_t)v;
		m->nrcpt++;
	}
	return NULL;
}

/* Every recipient of m gets r: the message cannot be sent. */
static void
fail_all(struct delivery *m, enum outcome o, const char *dsn,
    const char *what, const char *why)
{
	size_t i;

	for (i = 0; i < m->nrcpt; i++)
		result_set(&m->rcpt[i].r, o, dsn, "%s of queue file %s: %s",
		    what, m->qid, why);
}

/* The recipients of m, named by pos[first...], from envelope e, with
 * their DSN requests. */
static void
take_rcpts(struct delivery *m, const struct qenv *e, size_t first)
{
	const char *why;
	struct addr a;
	size_t i, len;

	for (i = 0; i < m->nrcpt; i++) {
		struct rcpt *r = &m->rcpt[i];
		size_t p = pos[first + i];
		if (p > e->nrcpt) {
			result_set(&r->r, OUTCOME_TEMP, "4.3.0", "queue file "
			    "%s has no recipient %zu", m->qid, p);
			continue;
		}
		len = strlen(e->rcpt[p - 1]);
		/* checked here, so no CR or LF can reach an SMTP command */
		if (len > ADDR_MAX || (why = addr_parse(&a, e->rcpt[p - 1],
		    len, ADDR_UTF8)) != NULL) {
			result_set(&r->r, OUTCOME_PERM, "5.1.3", "bad recipient "
			    "address in queue file %s", m->qid);
			continue;
		}
		memcpy(addrs[first + i], e->rcpt[p - 1], len + 1);
		r->addr = addrs[first + i];
		if (a.flags & ADDR_UTF8)
			m->utf8 = 1;
		dsn_rcpt_init(r, qenv_notify(e, p - 1), qenv_orcpt(e, p - 1));
	}
}

/* Message m (the k-th) from its envelope on fd. */
static void
read_one(struct delivery *m, size_t k, int fd, size_t first)
{
	struct qenv e;
	struct addr a;
	const char *why;

	memset(&a, 0, sizeof a);        /* read only after addr_parse */
	m->fd = fd;
	if (qenv_read(fd, &e, &why) == -1) {
		int err = errno;
		qenv_free(&e);
		fail_all(m, OUTCOME_TEMP, "4.3.0", "unable to read the "
		    "envelope", err == EINVAL && why ? why : strerror(err));
		return;
	}
	memcpy(froms[k], e.from, sizeof froms[k]);
	m->sender = froms[k];
	m->utf8 = (e.flags & QF_UTF8) != 0;
	m->eightbit = (e.flags & QF_8BIT) != 0;
	m->requiretls = (e.flags & QF_REQUIRETLS) != 0;
	m->off = (long long)e.body;
	m->sign = sign_wanted(e.origin, e.auth);
	m->dsn = e.dsn;
	if (*m->sender && (why = addr_parse(&a, m->sender, strlen(m->sender),
	    ADDR_UTF8)) != NULL)
		fail_all(m, OUTCOME_PERM, "5.1.7", "bad sender", why);
	else if (remote_crlf_size(fd, m->off, &m->size) == -1)
		fail_all(m, OUTCOME_TEMP, "4.3.0", "unable to read the message",
		    strerror(errno));
	else {
		if (*m->sender && (a.flags & ADDR_UTF8))
			m->utf8 = 1;
		m->tlsreq_no = requiretls_header_no(fd, m->off);
		take_rcpts(m, &e, first);
	}
	qenv_free(&e);
}

const char *
batch_init(struct delivery *m, size_t *nm, struct rcpt *rcpt, int argc,
    char **argv, const char *domain)
{
	const char *why;
	size_t k, n = 0, first;

	if (argc < 1)
		return "no message in the batch";
	if (argc > REMOTE_BATCH_MAX)
		return "more than 64 messages in a batch";
	/* all of argv first: a usage error is found before any reading */
	for (k = 0; k < (size_t)argc; k++) {
		first = n;
		if ((why = parse_arg(&m[k], argv[k], &n)) != NULL)
			return why;
		m[k].rcpt = rcpt + first;
	}
	for (k = 0, first = 0; k < (size_t)argc; k++) {
		m[k].domain = domain;
		m[k].me = conf_s("me");
		/* the k-th message (from 1) is on fd 0, then 3, 4, ... */
		read_one(&m[k], k, k == 0 ? 0 : (int)k + 2, first);
		first += m[k].nrcpt;
	}
	*nm = (size_t)argc;
	return NULL;
}
