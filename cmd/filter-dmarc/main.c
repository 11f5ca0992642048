/*
 * filter-dmarc: a postel filter (postel-filter(8)) that checks who sent
 * mail from outside: SPF, DKIM and DMARC, reported in one
 * Authentication-Results field at the top, after removing any that
 * claims this host's authserv-id (RFC 8601 5). The admin's options
 * decide what a failure does: reject, mark for quarantine, or only
 * annotate. A check that failed for now defers the message (451) where
 * its answer could change the outcome: never a pass, never a reject.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authres.h"
#include "conf.h"
#include "die.h"
#include "fd.h"
#include "fdmarc.h"
#include "fmt.h"
#include "hdr.h"
#include "queue.h"

#define QUARANTINE HDR_QUARANTINE

enum { DO_NONE, DO_QUARANTINE, DO_REJECT };     /* -d */

struct opts {
	int spf_reject;                 /* -S */
	int dmarc;                      /* -d */
	const char *id;                 /* -i, authserv-id */
	const char *psl;                /* -p */
};

static void
usage(void)
{
	die(EXIT_TEMP, "usage: filter-dmarc [-S] [-d reject|quarantine|none] "
	    "[-i authserv-id] [-p public-suffix-list]");
}

/* The verdict's line goes first on stderr: smtpd answers with it. */
static _Noreturn void
verdict(int code, const char *line)
{
	char b[600];
	size_t n;

	fmt_s(b, sizeof b, "%s\n", line);
	n = strlen(b);
	if (fd_write_all(2, b, n) == -1)
		_exit(EXIT_TEMP);
	exit(code);
}

static void
put(const char *p, size_t n)
{
	if (fd_write_all(1, p, n) == -1)
		die_sys(EXIT_TEMP, "unable to write the message");
}

/* Write msg with the fields a receiver must drop: Authentication-Results
 * claiming our id (or unreadable), and our own quarantine mark. */
static void
put_message(const char *msg, size_t n, const char *id)
{
	size_t off = 0, from = 0, len;

	while (hdr_field_next(msg, n, off, &len)) {
		const char *f = msg + off;
		int drop = 0;
		if (hdr_name_is(f, len, "Authentication-Results")) {
			const char *v = (const char *)memchr(f, ':', len) + 1;
			drop = authres_is_ours(v, len - (size_t)(v - f), id)
			    != 0;
		}
		else if (hdr_name_is(f, len, QUARANTINE))
			drop = 1;
		if (drop) {
			put(msg + from, off - from);
			from = off + len;
		}
		off += len;
	}
	put(msg + from, n - from);
}

/* What the result asks for, by the admin's options: 0 pass, 1 mark,
 * or no return (reject or defer). */
static int
decide(const struct checks *c, const struct opts *o, const char *sum)
{
	char line[512];
	int pol;

	if (o->spf_reject && c->spf.result == SPF_FAIL) {
		fmt_s(line, sizeof line, "550 5.7.23 SPF check of %s failed: "
		    "%s", c->spfdomain, c->spf.exp[0] ? c->spf.exp :
		    c->spf.why);
		verdict(EXIT_PERM, line);
	}
	if (o->spf_reject && c->spf.result == SPF_TEMPERROR) {
		fmt_s(line, sizeof line, "451 4.7.24 SPF check of %s failed "
		    "for now: %s", c->spfdomain, c->spf.why);
		verdict(EXIT_TEMP, line);
	}
	if (o->dmarc == DO_NONE)
		return 0;
	if (!c->from_ok && c->have_ip) {
		/* RFC 7489 6.6.1: without one From: domain DMARC cannot be
		 * applied, and several or hidden ones are how a forger gets
		 * past it; RFC 5322 3.6 asks for exactly one */
		if (o->dmarc == DO_QUARANTINE)
			return 1;
		fmt_s(line, sizeof line, "550 5.7.1 A message needs exactly "
		    "one From: address (%s)", c->fromwhy);
		verdict(EXIT_PERM, line);
	}
	if (!c->dmarc_checked)
		return 0;
	if (c->dmarc.result == DMARC_TEMPERROR) {
		fmt_s(line, sizeof line, "451 4.7.1 DMARC policy of %s could "
		    "not be read for now: %s", c->from, c->dmarc.why);
		verdict(EXIT_TEMP, line);
	}
	if (c->dmarc.result != DMARC_FAIL)
		return 0;
	pol = c->dmarc.policy;
	if (c->dmarc.sampled_out && pol > DMARC_P_NONE)
		pol--;                  /* pct=: the next policy down */
	if (pol == DMARC_P_NONE)
		return 0;
	/* a check that could not finish might have passed */
	if (c->temp) {
		fmt_s(line, sizeof line, "451 4.7.1 Sender checks for %s "
		    "failed for now (%s), try again later", c->from, sum);
		verdict(EXIT_TEMP, line);
	}
	if (pol == DMARC_P_REJECT && o->dmarc == DO_REJECT) {
		fmt_s(line, sizeof line, "550 5.7.1 Rejected by the DMARC "
		    "policy of %s (%s)", c->from, sum);
		verdict(EXIT_PERM, line);
	}
	return 1;
}

static void
options(int argc, char **argv, struct opts *o)
{
	int ch;

	memset(o, 0, sizeof *o);
	o->dmarc = DO_REJECT;
	while ((ch = getopt(argc, argv, "Sd:i:p:")) != -1)
		switch (ch) {
		case 'S': o->spf_reject = 1; break;
		case 'd':
			if (strcmp(optarg, "reject") == 0)
				o->dmarc = DO_REJECT;
			else if (strcmp(optarg, "quarantine") == 0)
				o->dmarc = DO_QUARANTINE;
			else if (strcmp(optarg, "none") == 0)
				o->dmarc = DO_NONE;
			else
				usage();
			break;
		case 'i': o->id = optarg; break;
		case 'p': o->psl = optarg; break;
		default: usage();
		}
	if (optind != argc)
		usage();
}

static const char *psl_name;            /* -p, or NULL */
static struct psl *psl;

/* The public suffix list, read on first need; a list that cannot be
 * read is the admin's to mend: 111. */
static const struct psl *
load_psl(void *ctx)
{
	static char path[4096];
	const char *why = NULL;

	(void)ctx;
	if (psl != NULL)
		return psl;
	if (psl_path(path, sizeof path, psl_name) == -1)
		die_sys(EXIT_TEMP, "unable to find the public suffix list");
	if (psl_load(&psl, path, &why) == -1) {
		if (why)
			die(EXIT_TEMP, "unable to read %s: %s", path, why);
		die_sys(EXIT_TEMP, "unable to read %s", path);
	}
	return psl;
}

int
main(int argc, char **argv)
{
	static struct checks c;
	struct buf msg, ar;
	struct opts o;
	char sum[300], host[256];
	int mark;

	die_init("filter-dmarc");
	signal(SIGPIPE, SIG_IGN);
	options(argc, argv, &o);
	if (conf_load() == -1)
		die(EXIT_TEMP, "%s", conf_error());
	if (o.id == NULL) {
		o.id = conf_s("me");
		if (*o.id == '\0') {
			if (gethostname(host, sizeof host) == -1)
				die_sys(EXIT_TEMP, "unable to get the host name");
			host[sizeof host - 1] = '\0';
			o.id = host;
		}
	}
	buf_init(&msg, conf_u("max-size") + QUEUE_ROOM);
	if (buf_catfd(&msg, 0) == -1)
		die_sys(EXIT_TEMP, "unable to read the message");
	if (getenv("RELAYCLIENT") != NULL) {
		/* this site's own users: nothing to check (postel-filter(8)) */
		put_message(msg.p, msg.len, o.id);
		verdict(0, "not checked: a client that may relay");
	}
	psl_name = o.psl;
	check_all(&c, msg.p, msg.len, o.id, &dns_ops_real, load_psl);
	check_summary(&c, sum, sizeof sum);
	mark = decide(&c, &o, sum);
	buf_init(&ar, 64 * 1024);
	if (check_authres(&c, o.id, &ar) == -1)
		die_sys(EXIT_TEMP, "unable to format Authentication-Results");
	if (mark && !c.from_ok && buf_cats(&ar, QUARANTINE
	    ": dmarc=permerror (no single From: domain)\n") == -1)
		die_sys(EXIT_TEMP, "unable to format the quarantine mark");
	if (mark && c.from_ok && (buf_cats(&ar, QUARANTINE
	    ": dmarc=fail policy=") == -1 ||
	    buf_cats(&ar, dmarc_policy_name(c.dmarc.policy)) == -1 ||
	    buf_cats(&ar, " header.from=") == -1 ||
	    buf_cats(&ar, c.from) == -1 || buf_catc(&ar, '\n') == -1))
		die_sys(EXIT_TEMP, "unable to format the quarantine mark");
	put(ar.p, ar.len);
	put_message(msg.p, msg.len, o.id);
	psl_free(psl);
	buf_free(&msg);
	buf_free(&ar);
	if (mark) {
		size_t n = strlen(sum);
		fmt_s(sum + n, sizeof sum - n, " quarantine=yes");
	}
	verdict(0, sum);
}
