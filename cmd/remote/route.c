/* route: a route into the addresses to try. See remote.h and
 * postel-routes(5); lib/route finds the route and parses its line. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <resolv.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "conf.h"
#include "fmt.h"
#include "log.h"
#include "remote.h"

/* 1 if ip is an address of a non-loopback interface of this host. */
static int
is_local_ip(const struct dns_ip *ip)
{
	static struct ifaddrs *ifa;
	static int done;
	struct ifaddrs *i;

	if (!done) {
		if (getifaddrs(&ifa) == -1)
			ifa = NULL;
		done = 1;
	}
	for (i = ifa; i; i = i->ifa_next) {
		if (i->ifa_addr == NULL || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (i->ifa_addr->sa_family == AF_INET && ip->family == AF_INET &&
		    memcmp(&((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr,
		    ip->a, 4) == 0)
			return 1;
		if (i->ifa_addr->sa_family == AF_INET6 &&
		    ip->family == AF_INET6 &&
		    memcmp(&((struct sockaddr_in6 *)(void *)i->ifa_addr)
		    ->sin6_addr, ip->a, 16) == 0)
			return 1;
	}
	return 0;
}

/* What DNSSEC says of one host, for its addresses: dane, the TLSA set
 * of a DANE_USABLE host (static, one per host of a plan), and base. */
struct hostsec {
	int dane;
	int sts;                        /* STS_* applied to the host */
	const struct tlsa_set *tlsa;
	char base[DNS_NAME_MAX + 1];
};

static void
add(struct target *t, size_t max, size_t *n, const char *name,
    const struct dns_ip *ip, unsigned port, const struct hostsec *h)
{
	if (*n >= max)
		return;
	memset(&t[*n], 0, sizeof t[*n]);
	fmt_s(t[*n].name, sizeof t[*n].name, "%s", name);
	t[*n].ip = *ip;
	t[*n].port = port;
	if (h) {
		t[*n].dane = h->dane;
		t[*n].tlsa = h->tlsa;
		t[*n].sts = h->sts;
		fmt_s(t[*n].base, sizeof t[*n].base, "%s", h->base);
	}
	(*n)++;
}

/* The name host is an alias of, through the CNAMEs of a secure answer
 * to its A query, into dst; dst is host when it is none. */
static void
expand(const char *host, char *dst, size_t size)
{
	static unsigned char ans[DNS_REPLY_MAX];
	char cur[DNS_NAME_MAX + 1], nm[NS_MAXDNAME];
	size_t len;
	ns_msg m;
	ns_rr rr;
	int ad, i, hops, moved;

	fmt_s(dst, size, "%s", host);
	if (dns_query_sec(host, ns_t_a, ans, sizeof ans, &len, &ad) != DNS_OK ||
	    !ad || ns_initparse(ans, (int)len, &m) == -1)
		return;
	fmt_s(cur, sizeof cur, "%s", host);
	for (hops = 0, moved = 1; moved && hops < 8; hops++) {
		moved = 0;
		for (i = 0; i < ns_msg_count(m, ns_s_an); i++) {
			if (ns_parserr(&m, ns_s_an, i, &rr) == -1)
				return;
			if (ns_rr_type(rr) != ns_t_cname ||
			    strcasecmp(ns_rr_name(rr), cur) != 0)
				continue;
			if (ns_name_uncompress(ns_msg_base(m), ns_msg_end(m),
			    ns_rr_rdata(rr), nm, sizeof nm) == -1)
				return;
			fmt_s(cur, sizeof cur, "%s", nm);
			moved = 1;
			break;
		}
	}
	fmt_s(dst, size, "%s", cur);
}

/* The TLSA records of host, whose name and addresses came securely
 * (RFC 7672 2.2): for an alias, those of the name it expands to first,
 * then its own (2.2.2). Into h, the set into s. */
static void
host_tlsa(const char *host, struct hostsec *h, struct tlsa_set *s)
{
	char exp[DNS_NAME_MAX + 1];
	int rc, ad, c;

	h->dane = DANE_NONE;
	h->tlsa = NULL;
	fmt_s(h->base, sizeof h->base, "%s", host);
	expand(host, exp, sizeof exp);
	if (strcasecmp(exp, host) != 0) {
		rc = tlsa_lookup(exp, s, &ad);
		if (rc == DNS_TEMP) {
			h->dane = DANE_TEMP;
			fmt_s(h->base, sizeof h->base, "%s", exp);
			return;
		}
		if (rc == DNS_OK && ad) {
			fmt_s(h->base, sizeof h->base, "%s", exp);
			goto found;
		}
	}
	rc = tlsa_lookup(host, s, &ad);
	if (rc == DNS_TEMP) {
		h->dane = DANE_TEMP;
		return;
	}
	if (rc != DNS_OK || !ad)
		return;         /* none, or not secure: no DANE */
found:
	c = tlsa_class(s);
	h->dane = c == TLSA_USABLE ? DANE_USABLE : c == TLSA_UNUSABLE ?
	    DANE_UNUSABLE : DANE_NONE;
	if (h->dane == DANE_USABLE)
		h->tlsa = s;
}

/* An sts event about host: what (skip, mismatch, fail), the mode, why. */
static void
sts_log(const struct delivery *j, const char *host, const char *what,
    int mode, const char *why)
{
	struct logl l;

	log_start(&l, "sts");
	if (j->qid)
		log_kv(&l, "qid", j->qid);
	log_kv(&l, "host", host);
	log_kv(&l, "mode", sts_mode_word(mode));
	log_kv(&l, "result", what);
	log_kv(&l, "reason", why);
	log_end(&l);
}

static int
plan_mx(const struct route *r, const struct delivery *j, int relaxed,
    struct target *t, size_t max, size_t *n, struct result *res)
{
	static struct dns_mx mx[DNS_MX_MAX];
	static struct tlsa_set set[DNS_MX_MAX];
	struct dns_ip ip[DNS_IP_MAX];
	struct hostsec h;
	const struct mtasts_policy *pol = NULL;
	size_t nmx = 0, nip, i, k, refused = 0;
	unsigned cut = ~0u;
	int rc, temp = 0, implicit = 0, mxad = 0, ipad = 0, sts = STS_NONE;

	rc = dns_mx_sec(r->host, mx, DNS_MX_MAX, &nmx, &mxad);
	if (rc == DNS_NXDOMAIN) {
		result_set(res, OUTCOME_PERM, "5.1.2", "domain %s does not exist",
		    r->host);
		return -1;
	}
	if (rc == DNS_TEMP) {
		result_set(res, OUTCOME_TEMP, "4.4.3",
		    "temporary DNS failure looking up MX of %s", r->host);
		return -1;
	}
	if (rc == DNS_NONE) {           /* implicit MX, RFC 5321 5.1 */
		nmx = 1;
		implicit = 1;
		mx[0].pref = 0;
		fmt_s(mx[0].host, sizeof mx[0].host, "%s", r->host);
	} else if (nmx == 1 && (mx[0].host[0] == '\0' ||
	    strcmp(mx[0].host, ".") == 0)) {
		result_set(res, OUTCOME_PERM, "5.1.10", "556 domain %s does not "
		    "accept mail (null MX, RFC 7505)", r->host);
		return -1;
	}
	/* MTA-STS (RFC 8461), unless the route wants no TLS or DANE for
	 * every host. A sender that waived the policies (RFC 8689 5) gets
	 * every MX and no requirement; the sessions log the waiver. */
	if (r->tls != POL_NONE && r->tls != POL_DANE)
		sts = sts_find(r->host, j->qid, &pol);
	if (r->tls == POL_STS && sts != STS_ENFORCE && !relaxed) {
		result_set(res, OUTCOME_TEMP, "4.7.5", "%s has no MTA-STS policy "
		    "in enforce mode, which the route requires (tls=sts)",
		    r->host);
		sts_log(j, r->host, "fail", sts, res->text);
		return -1;
	}
	/* We may be one of the MX hosts: only better ones may be used. */
	for (i = 0; i < nmx; i++)
		if (addr_domain_eq(mx[i].host, j->me) && mx[i].pref < cut)
			cut = mx[i].pref;
	for (i = 0; i < nmx && mx[i].pref < cut; i++) {
		if (mx[i].host[0] == '\0')
			continue;
		rc = dns_ip_sec(mx[i].host, ip, DNS_IP_MAX, &nip, &ipad);
		if (rc == DNS_TEMP)
			temp = 1;
		if (rc != DNS_OK)
			continue;
		for (k = 0; k < nip; k++)
			if (is_local_ip(&ip[k]) && mx[i].pref < cut)
				cut = mx[i].pref;
		if (mx[i].pref >= cut)
			break;
		/* DANE only for a host whose MX and addresses are secure,
		 * and not where the route wants no TLS */
		memset(&h, 0, sizeof h);
		if (mxad && ipad && r->tls != POL_NONE)
			host_tlsa(mx[i].host, &h, &set[i]);
		/* where DANE applies it decides (RFC 8461 2); elsewhere
		 * enforce tries only the hosts the policy names (4.1) */
		h.sts = h.dane == DANE_USABLE ? STS_NONE : sts;
		if (h.sts != STS_NONE && !mtasts_mx_match(pol, mx[i].host)) {
			sts_log(j, mx[i].host, h.sts == STS_ENFORCE ? "skip" :
			    "mismatch", h.sts, "not an mx of the MTA-STS policy");
			if (h.sts == STS_ENFORCE && !relaxed) {
				refused++;
				continue;
			}
		}
		for (k = 0; k < nip; k++)
			add(t, max, n, mx[i].host, &ip[k], r->port, &h);
	}
	if (*n)
		return 0;
	if (refused)
		result_set(res, OUTCOME_TEMP, "4.7.5", "no MX host of %s matches "
		    "its MTA-STS policy (enforce)", r->host);
	else if (cut != ~0u && cut <= mx[0].pref)
		result_set(res, OUTCOME_PERM, "5.4.6", "mail for %s loops back to "
		    "myself (%s is its best MX)", r->host, j->me);
	else if (implicit && !temp)
		result_set(res, OUTCOME_PERM, "5.1.2", "domain %s has no mail "
		    "server and no address", r->host);
	else
		result_set(res, OUTCOME_TEMP, "4.4.3", "no address found for the "
		    "mail servers of %s", r->host);
	return -1;
}

int
route_plan(const struct route *r, const struct delivery *j, int relaxed,
    struct target *t, size_t max, size_t *n, struct result *res)
{
	static struct tlsa_set set;
	struct dns_ip ip[DNS_IP_MAX];
	struct hostsec h;
	size_t nip, k;
	int rc, ad = 0;

	*n = 0;
	if (r->kind == ROUTE_IP) {
		if (dns_ip_parse(r->host, &ip[0]) == -1) {
			result_set(res, OUTCOME_PERM, "5.1.2", "bad address literal "
			    "[%s]", r->host);
			return -1;
		}
		add(t, max, n, r->host, &ip[0], r->port, NULL);
		return 0;
	}
	if (r->kind == ROUTE_MX && r->host[0] == '[') {   /* RFC 5321 4.1.3 */
		size_t l = strlen(r->host);
		char lit[DNS_NAME_MAX + 1];
		if (l < 3 || r->host[l - 1] != ']' || fmt_s(lit, sizeof lit,
		    "%.*s", (int)(l - 2), r->host + 1) < 0 ||
		    dns_ip_parse(lit, &ip[0]) == -1) {
			result_set(res, OUTCOME_PERM, "5.1.2", "bad address literal "
			    "%s", r->host);
			return -1;
		}
		if (is_local_ip(&ip[0])) {
			result_set(res, OUTCOME_PERM, "5.4.6", "mail for %s loops "
			    "back to myself", r->host);
			return -1;
		}
		add(t, max, n, lit, &ip[0], r->port, NULL);
		return 0;
	}
	if (r->kind == ROUTE_MX)
		return plan_mx(r, j, relaxed, t, max, n, res);
	rc = dns_ip_sec(r->host, ip, DNS_IP_MAX, &nip, &ad);
	if (rc != DNS_OK) {
		/* a relay that does not resolve is the admin's to fix */
		result_set(res, OUTCOME_TEMP, "4.4.3", "relay host %s (%s): %s",
		    r->host, r->from, rc == DNS_TEMP ?
		    "temporary DNS failure" : "no address found");
		return -1;
	}
	/* a relay host with secure addresses: its TLSA too (RFC 7672 2.2
	 * for a host named by configuration rather than by MX) */
	memset(&h, 0, sizeof h);
	if (ad && r->tls != POL_NONE)
		host_tlsa(r->host, &h, &set);
	for (k = 0; k < nip; k++)
		add(t, max, n, r->host, &ip[k], r->port, &h);
	return 0;
}
