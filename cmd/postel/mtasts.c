/*
 * postel mta-sts DOMAIN [HOST...]: the MTA-STS policy (RFC 8461) that a
 * sender finds for DOMAIN: its _mta-sts TXT record, then the policy
 * fetched from https://mta-sts.DOMAIN/.well-known/mta-sts.txt with the
 * certificate checked against remote-ca-file, parsed (lib/mtasts); for
 * each HOST, whether the policy allows it as an MX. Prints "key value"
 * lines. Exit 0 with a valid policy, 100 when the domain has none (no
 * record, several, or a policy that is not valid, which a sender treats
 * as none), 111 when DNS or the fetch failed for now.
 */
#include <stdio.h>
#include <string.h>

#include "bio.h"
#include "conf.h"
#include "die.h"
#include "dns.h"
#include "fmt.h"
#include "https.h"
#include "mtasts.h"
#include "postel.h"

#define FETCH_SECONDS 60        /* RFC 8461 3.3: a bounded fetch */

/* The id of DOMAIN's one STSv1 record, or die. */
static void
record(const char *domain, char id[MTASTS_ID_MAX + 1])
{
	static struct dns_txt t;
	char name[DNS_NAME_MAX + 2], one[MTASTS_ID_MAX + 1];
	const char *why = NULL;
	size_t i, found = 0;

	if (fmt_s(name, sizeof name, "_mta-sts.%s", domain) < 0)
		die(EXIT_PERM, "domain too long");
	t.want = "v=STSv1";
	switch (dns_txt(name, &t)) {
	case DNS_OK: break;
	case DNS_TEMP: die(EXIT_TEMP, "DNS lookup of %s failed for now", name);
	default: die(EXIT_PERM, "no MTA-STS policy: no TXT record at %s",
		    name);
	}
	/* 3.1: records that do not start with v=STSv1 are not counted;
	 * more than one that does means no policy */
	for (i = 0; i < t.n; i++) {
		if (t.len[i] < 7 || memcmp(t.rec[i], "v=STSv1", 7) != 0)
			continue;
		found++;
		if ((why = mtasts_txt_parse(t.rec[i], t.len[i], one)) == NULL)
			memcpy(id, one, sizeof one);
	}
	if (found == 0)
		die(EXIT_PERM, "no MTA-STS policy: no v=STSv1 record at %s",
		    name);
	if (found > 1)
		die(EXIT_PERM, "no MTA-STS policy: %zu v=STSv1 records at %s",
		    found, name);
	if (why != NULL)
		die(EXIT_PERM, "no MTA-STS policy: the record at %s has %s",
		    name, why);
}

int
cmd_mta_sts(int argc, char **argv)
{
	static char body[MTASTS_POLICY_MAX];
	static struct mtasts_policy p;
	static const char *const modes[] = { "none", "testing", "enforce" };
	struct tls_anchors a = { NULL, 0, 0 };
	struct http_resp r;
	char id[MTASTS_ID_MAX + 1], host[DNS_NAME_MAX + 2];
	const char *why, *ca;
	int temp, i;
	size_t k;

	if (argc < 2)
		die(EXIT_PERM, "usage: postel mta-sts DOMAIN [HOST...]");
	if (!dns_name_ok(argv[1]))
		die(EXIT_PERM, "bad domain %s", argv[1]);
	if (conf_load() == -1)
		die(EXIT_TEMP, "unable to read configuration: %s",
		    conf_error());
	record(argv[1], id);
	ca = conf_s("remote-ca-file");
	if (tls_anchors_load(&a, ca) == -1)
		die_sys(EXIT_TEMP, "unable to load trust anchors from %s", ca);
	if (fmt_s(host, sizeof host, "mta-sts.%s", argv[1]) < 0)
		die(EXIT_PERM, "domain too long");
	if (https_get(host, 443, "/.well-known/mta-sts.txt", &a,
	    bio_now() + FETCH_SECONDS * 1000, body, sizeof body, &r, &why,
	    &temp) == -1)
		die(temp ? EXIT_TEMP : EXIT_PERM, "unable to fetch the policy "
		    "from https://%s/.well-known/mta-sts.txt: %s", host, why);
	tls_anchors_free(&a);
	/* 3.3: only a 200 counts, no redirect is followed, and the
	 * media type is text/plain */
	if (r.status != 200)
		die(EXIT_PERM, "no MTA-STS policy: https://%s/.well-known/"
		    "mta-sts.txt answered %d", host, r.status);
	if (strcmp(r.ctype, "text/plain") != 0)
		die(EXIT_PERM, "no MTA-STS policy: its media type is \"%s\", "
		    "not text/plain", r.ctype);
	if ((why = mtasts_policy_parse(r.body, r.blen, &p)) != NULL)
		die(EXIT_PERM, "no MTA-STS policy: the policy has %s", why);
	printf("id %s\nmode %s\nmax_age %lu\n", id, modes[p.mode], p.max_age);
	for (k = 0; k < p.nmx; k++)
		printf("mx %s\n", p.mx[k]);
	for (i = 2; i < argc; i++)
		printf("host %s %s\n", argv[i], mtasts_mx_match(&p, argv[i]) ?
		    "allowed" : "refused");
	return fflush(stdout) == EOF ? EXIT_TEMP : 0;
}
