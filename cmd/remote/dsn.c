/* dsn: the RFC 3461 requests remote passes on to a next hop that offers
 * DSN, and the ORCPT it adds when none came with the message. See
 * remote.h and postel-remote(8). */
#include <string.h>

#include "addr.h"
#include "fmt.h"
#include "queue.h"
#include "remote.h"

/* The ORCPT for an address as this hop received it into dst: 0, or -1
 * (dst "") when it cannot be made within QUEUE_ORCPT_MAX. */
static int
orcpt_make(char *dst, size_t size, const char *addr)
{
	const char *p;
	size_t l = strlen(addr);

	for (p = addr; *p && (unsigned char)*p < 0x80; p++)
		;
	if (size > 0)
		dst[0] = '\0';
	if (size < 8 || l == 0)
		return -1;
	if (*p == '\0') {               /* RFC 3461 4.2: rfc822 */
		memcpy(dst, "rfc822;", 7);
		if (qdsn_xtext_encode(dst + 7, size - 7, addr) == -1)
			goto fail;
	} else {                        /* RFC 6533 3: utf-8 */
		memcpy(dst, "utf-8;", 6);
		if (qdsn_utf8_xtext(dst + 6, size - 6, addr) == -1)
			goto fail;
	}
	if (qdsn_orcpt_ok(dst))
		return 0;
fail:
	dst[0] = '\0';
	return -1;
}

void
dsn_rcpt_init(struct rcpt *r, unsigned notify, const char *orcpt)
{
	r->notify = notify;
	r->orcpt[0] = '\0';
	if (orcpt && *orcpt && qdsn_orcpt_ok(orcpt))
		(void)fmt_s(r->orcpt, sizeof r->orcpt, "%s", orcpt);
	else if (r->addr)
		(void)orcpt_make(r->orcpt, sizeof r->orcpt, r->addr);
}

int
dsn_mail_params(char *dst, size_t size, const struct delivery *j)
{
	size_t k = 0;
	int n;

	if (size == 0)
		return -1;
	dst[0] = '\0';
	if (j->dsn.ret != QR_UNSET) {
		n = fmt_s(dst, size, " RET=%s", j->dsn.ret == QR_HDRS ? "HDRS" :
		    "FULL");
		if (n < 0)
			return -1;
		k = (size_t)n;
	}
	if (j->dsn.envid[0] && qdsn_envid_ok(j->dsn.envid) &&
	    fmt_s(dst + k, size - k, " ENVID=%s", j->dsn.envid) < 0) {
		dst[0] = '\0';         /* all or nothing */
		return -1;
	}
	return 0;
}

int
dsn_rcpt_params(char *dst, size_t size, const struct rcpt *r)
{
	char w[64];
	size_t k = 0, i;
	int n;

	if (size == 0)
		return -1;
	dst[0] = '\0';
	if (r->notify && qdsn_notify_fmt(w, sizeof w, r->notify) == 0) {
		/* the words as RFC 3461 4.1 writes them */
		for (i = 0; w[i]; i++)
			if (w[i] >= 'a' && w[i] <= 'z')
				w[i] = (char)(w[i] - 'a' + 'A');
		if ((n = fmt_s(dst, size, " NOTIFY=%s", w)) < 0)
			return -1;
		k = (size_t)n;
	}
	if (r->orcpt[0] && fmt_s(dst + k, size - k, " ORCPT=%s", r->orcpt) < 0) {
		dst[0] = '\0';         /* all or nothing */
		return -1;
	}
	return 0;
}
