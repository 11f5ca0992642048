/* stsget: see stsget.h. */
#include <string.h>

#include "dns.h"
#include "fmt.h"
#include "https.h"
#include "stsget.h"

int
stsget_record(const char *domain, char id[MTASTS_ID_MAX + 1],
    const char **why)
{
	static struct dns_txt t;
	char name[DNS_NAME_MAX + 16];
	const char *bad = NULL;
	size_t i, found = 0;

	if (fmt_s(name, sizeof name, "_mta-sts.%s", domain) < 0) {
		*why = "domain too long";
		return 0;
	}
	memset(&t, 0, sizeof t);
	t.want = "v=STSv1";
	switch (dns_txt(name, &t)) {
	case DNS_OK: break;
	case DNS_TEMP: *why = "TXT lookup failed for now"; return -1;
	default: *why = "no TXT record"; return 0;
	}
	/* 3.1: records that do not start with v=STSv1 are not counted;
	 * more than one that does means no policy */
	for (i = 0; i < t.n; i++) {
		if (t.len[i] < 7 || memcmp(t.rec[i], "v=STSv1", 7) != 0)
			continue;
		found++;
		bad = mtasts_txt_parse(t.rec[i], t.len[i], id);
	}
	if (found != 1 || bad) {
		*why = found == 0 ? "no v=STSv1 record" : found > 1 ?
		    "more than one v=STSv1 record" : bad;
		return 0;
	}
	return 1;
}

const char *
stsget_policy(const char *domain, const struct tls_anchors *a,
    long long deadline, char *body, size_t *blen, struct mtasts_policy *p,
    int *temp)
{
	static char why[300];
	struct http_resp r;
	char host[DNS_NAME_MAX + 16];
	const char *w;

	*temp = 0;
	*blen = 0;
	if (fmt_s(host, sizeof host, "mta-sts.%s", domain) < 0)
		return "domain too long";
	if (https_get(host, 443, "/.well-known/mta-sts.txt", a, deadline, body,
	    MTASTS_POLICY_MAX, &r, &w, temp) == -1) {
		fmt_s(why, sizeof why, "unable to fetch the policy from "
		    "https://%s/.well-known/mta-sts.txt: %s", host, w);
		return why;
	}
	*temp = 0;              /* the server answered: what it said holds */
	/* 3.3: a 200 only (no redirect followed), of type text/plain */
	if (r.status != 200) {
		fmt_s(why, sizeof why, "https://%s/.well-known/mta-sts.txt "
		    "answered %d", host, r.status);
		return why;
	}
	if (strcmp(r.ctype, "text/plain") != 0) {
		fmt_s(why, sizeof why, "its media type is \"%.100s\", not "
		    "text/plain", r.ctype);
		return why;
	}
	*blen = r.blen;
	if ((w = mtasts_policy_parse(body, r.blen, p)) != NULL) {
		fmt_s(why, sizeof why, "the policy has %s", w);
		return why;
	}
	return NULL;
}
