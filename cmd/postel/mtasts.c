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
#include "mtasts.h"
#include "stsget.h"
#include "postel.h"

#define FETCH_SECONDS 60        /* RFC 8461 3.3: a bounded fetch */

int
cmd_mta_sts(int argc, char **argv)
{
	static char body[MTASTS_POLICY_MAX];
	static struct mtasts_policy p;
	static const char *const modes[] = { "none", "testing", "enforce" };
	struct tls_anchors a = { NULL, 0, 0 };
	char id[MTASTS_ID_MAX + 1];
	const char *why, *ca;
	int temp, i;
	size_t k, blen;

	if (argc < 2)
		die(EXIT_PERM, "usage: postel mta-sts DOMAIN [HOST...]");
	if (!dns_name_ok(argv[1]))
		die(EXIT_PERM, "bad domain %s", argv[1]);
	if (conf_load() == -1)
		die(EXIT_TEMP, "unable to read configuration: %s",
		    conf_error());
	switch (stsget_record(argv[1], id, &why)) {
	case 1: break;
	case -1: die(EXIT_TEMP, "DNS lookup of _mta-sts.%s: %s", argv[1], why);
	default: die(EXIT_PERM, "no MTA-STS policy: _mta-sts.%s: %s", argv[1],
		    why);
	}
	ca = conf_s("remote-ca-file");
	if (tls_anchors_load(&a, ca) == -1)
		die_sys(EXIT_TEMP, "unable to load trust anchors from %s", ca);
	why = stsget_policy(argv[1], &a, bio_now() + FETCH_SECONDS * 1000,
	    body, &blen, &p, &temp);
	tls_anchors_free(&a);
	if (why != NULL)
		die(temp ? EXIT_TEMP : EXIT_PERM, "no MTA-STS policy: %s", why);
	printf("id %s\nmode %s\nmax_age %lu\n", id, modes[p.mode], p.max_age);
	for (k = 0; k < p.nmx; k++)
		printf("mx %s\n", p.mx[k]);
	for (i = 2; i < argc; i++)
		printf("host %s %s\n", argv[i], mtasts_mx_match(&p, argv[i]) ?
		    "allowed" : "refused");
	return fflush(stdout) == EOF ? EXIT_TEMP : 0;
}
