/*
 * filter-dmarc: sender authentication for mail from outside
 * (postel-filter-dmarc(8)). check.c evaluates SPF, DKIM and DMARC for
 * one message and writes the Authentication-Results field; main.c reads
 * the message, decides by the admin's policy and writes the message on.
 */
#ifndef FDMARC_H
#define FDMARC_H

#include <stddef.h>

#include "buf.h"
#include "dkim.h"
#include "dmarc.h"
#include "spf.h"

/* What the checks found for one message; check_all fills it. */
struct checks {
	int have_ip;                    /* CLIENT_IP was given */
	struct spf_out spf;             /* the MAIL FROM identity */
	struct spf_out helo;            /* the HELO identity */
	int helo_checked;
	char heloname[256];             /* the HELO name it checked */
	char mailfrom[300];             /* for smtp.mailfrom: the sender,
	                                   or postmaster@helo */
	char spfdomain[256];            /* the domain SPF checked */
	struct dkim_result dkim[DKIM_SIGS_MAX];
	size_t ndkim;
	int from_ok;                    /* one From: with one domain */
	char from[256];                 /* its domain, lower case */
	char fromwhy[80];
	struct dmarc_out dmarc;
	int dmarc_checked;
	int temp;                       /* SPF or DKIM failed for now for an
	                                   identity that could align */
};

/* Run the checks over msg[0..n) with the envelope from the environment.
 * dns answers; load(NULL) gives the public suffix list, loaded only when
 * an organizational domain is needed (it costs more than the rest). */
void check_all(struct checks *c, const char *msg, size_t n,
    const char *me, const struct dns_ops *dns,
    const struct psl *(*load)(void *));

/* The field "Authentication-Results: me; ...\n", folded, into out:
 * 0, or -1 with errno from buf. */
int check_authres(const struct checks *c, const char *me, struct buf *out);

/* One line for the log: "spf=pass dkim=pass dmarc=pass from=..." */
void check_summary(const struct checks *c, char *dst, size_t size);

/* The From: domain of a header section: 1 found (one field, one
 * mailbox, a domain), 0 not, with why. */
int check_from(const char *msg, size_t n, char *dom, size_t size,
    char *why, size_t wsize);

#endif
