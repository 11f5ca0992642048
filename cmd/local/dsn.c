/* local's DSN requests (RFC 3461): see local.h. */
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fmt.h"
#include "local.h"
#include "queue.h"

/* The position of rcpt among e's recipients: its first exact match,
 * else its first match in any case (qrun passes the envelope's own
 * string; a hand-made call may differ in case); e->nrcpt if none. */
static size_t
rcpt_index(const struct qenv *e, const char *rcpt)
{
	size_t i;

	for (i = 0; i < e->nrcpt; i++)
		if (strcmp(e->rcpt[i], rcpt) == 0)
			return i;
	for (i = 0; i < e->nrcpt; i++)
		if (strcasecmp(e->rcpt[i], rcpt) == 0)
			return i;
	return e->nrcpt;
}

void
dsn_of_env(struct dsn *d, const struct qenv *e, const char *rcpt)
{
	size_t i = rcpt_index(e, rcpt);

	memset(d, 0, sizeof *d);
	d->ret = e->dsn.ret;
	d->requiretls = (e->flags & QF_REQUIRETLS) != 0;
	fmt_s(d->envid, sizeof d->envid, "%s", e->dsn.envid);
	/* not listed: the message's own notify line still speaks for it,
	 * as for a recipient without a dsn line */
	if (i == e->nrcpt) {
		d->notify = e->dsn.notify;
		return;
	}
	d->notify = qenv_notify(e, i);
	fmt_s(d->orcpt, sizeof d->orcpt, "%s", qenv_orcpt(e, i));
}

int
dsn_of_fd(struct dsn *d, int fd, const char *rcpt)
{
	struct qenv e;
	const char *why;
	off_t off;

	memset(d, 0, sizeof *d);
	/* a pipe, or a message file given alone: no envelope to read */
	if ((off = lseek(fd, 0, SEEK_CUR)) <= 0)
		return 0;
	/* the queue file only if its envelope ends where the message
	 * starts; a file that is not one gets no requests */
	if (qenv_read(fd, &e, &why) == 0 && e.body == off)
		dsn_of_env(d, &e, rcpt);
	qenv_free(&e);          /* safe after a failed read too */
	return lseek(fd, off, SEEK_SET) == -1 ? -1 : 0;
}

void
dsn_next(const struct dsn *d, const char *rcpt, int several,
    struct qrdsn *r)
{
	/* room for the xtext after "rfc822;" within QUEUE_ORCPT_MAX */
	char x[QUEUE_ORCPT_MAX + 1 - 7];

	memset(r, 0, sizeof *r);
	r->notify = d->notify;
	/* RFC 3461 5.2.7.3: a recipient expanded to several gets one
	 * "expanded" notice here; the new recipients keep FAILURE and
	 * DELAY but not SUCCESS, so that one receipt does not become
	 * many. SUCCESS alone leaves nothing, which is NEVER (an absent
	 * NOTIFY would ask for failures). */
	if (several)
		r->notify = qdsn_no_success(r->notify);
	if (d->orcpt[0]) {
		fmt_s(r->orcpt, sizeof r->orcpt, "%s", d->orcpt);
		return;
	}
	/* RFC 3461 4.2: a relay may add the ORCPT that did not come, and
	 * it is then the recipient as this MTA received it, so that a
	 * later notice names the address the sender used */
	if (qdsn_xtext_encode(x, sizeof x, rcpt) == -1 ||
	    fmt_s(r->orcpt, sizeof r->orcpt, "rfc822;%s", x) < 0 ||
	    !qdsn_orcpt_ok(r->orcpt))
		r->orcpt[0] = '\0';
}
