/*
 * remote: REQUIRETLS (RFC 8689) for the messages that ask for it, and
 * the TLS-Required: No header field for those that waive the recipient
 * domain's TLS policies. See remote.h and postel-remote(8), REQUIRETLS.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hdr.h"
#include "remote.h"
#include "smtpreply.h"

const char *
session_authenticated(const struct tlsauth *a)
{
	if (!a->tls)
		return NULL;
	if (a->dane)
		return "dane";
	if (a->sts)
		return "sts";
	if (a->verify)
		return "verify";
	return NULL;
}

int
requiretls_check(struct delivery *j, const struct tlsauth *a, unsigned ext,
    const char *peer)
{
	/* 4.2.1: TLS with an authenticated certificate, then a next hop
	 * that itself promises to keep the requirement */
	if (!a->tls)
		result_set(&j->res, OUTCOME_PERM, "5.7.30", "REQUIRETLS: %s "
		    "was reached without TLS; the message needs TLS with an "
		    "authenticated server (RFC 8689)", peer);
	else if (session_authenticated(a) == NULL)
		result_set(&j->res, OUTCOME_PERM, "5.7.30", "REQUIRETLS: the "
		    "certificate of %s was not authenticated by DANE, "
		    "MTA-STS or a verifying route (RFC 8689)", peer);
	else if (!(ext & EHLO_REQUIRETLS))
		result_set(&j->res, OUTCOME_PERM, "5.7.30", "REQUIRETLS: %s "
		    "does not offer REQUIRETLS, which this message needs "
		    "(RFC 8689)", peer);
	else
		return 0;
	return -1;
}

/* The header section is read this far at most. */
#define HEADER_MAX (256 * 1024)

/* 1 if the field value v (n octets, folding included) is "No". */
static int
value_no(const char *v, size_t n)
{
	while (n && strchr(" \t\r\n", v[0])) {
		v++;
		n--;
	}
	while (n && strchr(" \t\r\n", v[n - 1]))
		n--;
	return n == 2 && strncasecmp(v, "no", 2) == 0;
}

int
requiretls_header_no(int fd, long long off)
{
	static char hb[HEADER_MAX];
	size_t len = 0, start, flen;
	ssize_t r;

	while (len < sizeof hb) {
		r = pread(fd, hb + len, sizeof hb - len, (off_t)off +
		    (off_t)len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	/* the one header walk of lib/hdr: to the empty line, obsolete
	 * white space before the colon included (RFC 5322 4.5) */
	for (start = 0; hdr_field_next(hb, len, start, &flen); start += flen)
		if (hdr_name_is(hb + start, flen, "TLS-Required")) {
			const char *c = memchr(hb + start, ':', flen);
			return c != NULL && value_no(c + 1,
			    (size_t)(hb + start + flen - c - 1));
		}
	return 0;
}

int
requiretls_relaxed(const struct delivery *m, size_t nm)
{
	size_t k;

	for (k = 0; k < nm; k++)
		if (m[k].requiretls || !m[k].tlsreq_no)
			return 0;
	return nm > 0;
}
