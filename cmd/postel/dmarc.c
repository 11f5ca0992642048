/*
 * postel dmarc: the DMARC policy (RFC 7489) that applies to a domain, as
 * filter-dmarc finds it: the organizational domain from the public
 * suffix list (psl_path: -l LIST, else the instance's
 * conf/public-suffix-list.dat, else Debian's, else the installed copy),
 * the record at _dmarc.DOMAIN or else at
 * _dmarc.<org>, and the policy for DOMAIN. With --spf and --dkim, the
 * result of a message whose From: domain is DOMAIN. With --org, only
 * organizational domains, without DNS. Exit 0 when a policy was found,
 * 100 when none (no record, two, or one that does not parse), 111 when
 * DNS failed for now or the list cannot be read.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "die.h"
#include "dmarc.h"
#include "dns.h"
#include "postel.h"
#include "psl.h"

#define DKIM_MAX 16

static const char usage[] = "usage: postel dmarc [-l LIST] [--spf "
    "RESULT:DOMAIN] [--dkim RESULT:DOMAIN]... DOMAIN\n"
    "       postel dmarc [-l LIST] --org NAME...";

/* RESULT:DOMAIN into id: a pass only when RESULT is "pass". */
static void
identity(struct dmarc_id *id, char *arg)
{
	char *c = strchr(arg, ':');

	if (c == NULL || c[1] == '\0')
		die(EXIT_PERM, "%s: want RESULT:DOMAIN", arg);
	*c = '\0';
	id->pass = strcmp(arg, "pass") == 0;
	id->domain = c + 1;
}

static struct psl *
list(const char *arg)
{
	char path[PATH_MAX];
	const char *why;
	struct psl *p;

	if (psl_path(path, sizeof path, arg) == -1)
		die_sys(EXIT_TEMP, "unable to find the public suffix list");
	if (psl_load(&p, path, &why) == -1) {
		if (why)
			die(EXIT_TEMP, "%s: %s", path, why);
		die_sys(EXIT_TEMP, "unable to read %s", path);
	}
	return p;
}

static int
orgs(const struct psl *p, int argc, char **argv)
{
	char org[256];
	int i, bad = 0;

	for (i = 0; i < argc; i++) {
		if (psl_org(p, argv[i], org, sizeof org) == -1) {
			warn("%s: not a domain name", argv[i]);
			bad = 1;
			continue;
		}
		printf("%s %s\n", argv[i], org);
	}
	if (fflush(stdout) == EOF)
		die_sys(EXIT_TEMP, "unable to write");
	return bad ? EXIT_PERM : 0;
}

static void
show(const char *domain, const struct dmarc_out *o, int whole)
{
	const struct dmarc_rec *r = &o->rec;
	int found = o->result == DMARC_PASS || o->result == DMARC_FAIL;

	printf("domain: %s\n", domain);
	printf("organizational-domain: %s\n", o->org[0] ? o->org : "-");
	if (o->record[0])
		printf("record-at: _dmarc.%s\nrecord: %s\n", o->at_org ?
		    o->org : domain, o->record);
	if (found) {
		printf("p: %s\nsp: %s\nadkim: %s\naspf: %s\npct: %u\n",
		    dmarc_policy_name(r->p), dmarc_policy_name(r->sp),
		    r->adkim_strict ? "s" : "r", r->aspf_strict ? "s" : "r",
		    r->pct);
		printf("policy: %s (%s)\n", dmarc_policy_name(o->policy),
		    o->at_org ? "sp" : "p");
	} else
		printf("policy: -\n");
	if (whole || !found) {
		printf("result: %s\n", dmarc_result_name(o->result));
		if (o->result == DMARC_FAIL)
			printf("sampled-out: %s\n", o->sampled_out ? "yes" :
			    "no");
		printf("why: %s\n", o->why);
	}
}

int
cmd_dmarc(int argc, char **argv)
{
	struct dmarc_id dkim[DKIM_MAX];
	struct dmarc_in in = { 0 };
	struct dmarc_out o;
	const char *lp = NULL;
	struct psl *p;
	int i, org = 0, whole = 0, r;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--org") == 0) {
			org = 1;
		} else if (i + 1 == argc) {
			die(EXIT_PERM, "%s", usage);
		} else if (strcmp(argv[i], "-l") == 0) {
			lp = argv[++i];
		} else if (strcmp(argv[i], "--spf") == 0) {
			identity(&in.spf, argv[++i]);
			whole = 1;
		} else if (strcmp(argv[i], "--dkim") == 0) {
			if (in.ndkim == DKIM_MAX)
				die(EXIT_PERM, "at most %d --dkim", DKIM_MAX);
			identity(&dkim[in.ndkim++], argv[++i]);
			whole = 1;
		} else
			die(EXIT_PERM, "%s", usage);
	}
	if (org ? i == argc || whole : i + 1 != argc)
		die(EXIT_PERM, "%s", usage);
	p = list(lp);
	if (org) {
		r = orgs(p, argc - i, argv + i);
		psl_free(p);
		return r;
	}
	in.from = argv[i];
	in.dkim = dkim;
	r = dmarc_check(&in, p, &dns_ops_real, &o);
	psl_free(p);
	show(argv[i], &o, whole);
	if (fflush(stdout) == EOF)
		die_sys(EXIT_TEMP, "unable to write");
	return r == DMARC_PASS || r == DMARC_FAIL ? 0 :
	    r == DMARC_TEMPERROR ? EXIT_TEMP : EXIT_PERM;
}
