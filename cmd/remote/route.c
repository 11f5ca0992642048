/* route: a route into the addresses to try. See remote.h and
 * postel-routes(5); lib/route finds the route and parses its line. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "conf.h"
#include "fmt.h"
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

static void
add(struct target *t, size_t max, size_t *n, const char *name,
    const struct dns_ip *ip, unsigned port)
{
	if (*n >= max)
		return;
	fmt_s(t[*n].name, sizeof t[*n].name, "%s", name);
	t[*n].ip = *ip;
	t[*n].port = port;
	(*n)++;
}

static int
plan_mx(const struct route *r, const struct delivery *j, struct target *t,
    size_t max, size_t *n, struct result *res)
{
	static struct dns_mx mx[DNS_MX_MAX];
	struct dns_ip ip[DNS_IP_MAX];
	size_t nmx = 0, nip, i, k;
	unsigned cut = ~0u;
	int rc, temp = 0, implicit = 0;

	rc = dns_mx(r->host, mx, DNS_MX_MAX, &nmx);
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
	/* We may be one of the MX hosts: only better ones may be used. */
	for (i = 0; i < nmx; i++)
		if (addr_domain_eq(mx[i].host, j->me) && mx[i].pref < cut)
			cut = mx[i].pref;
	for (i = 0; i < nmx && mx[i].pref < cut; i++) {
		if (mx[i].host[0] == '\0')
			continue;
		rc = dns_ip(mx[i].host, ip, DNS_IP_MAX, &nip);
		if (rc == DNS_TEMP)
			temp = 1;
		if (rc != DNS_OK)
			continue;
		for (k = 0; k < nip; k++)
			if (is_local_ip(&ip[k]) && mx[i].pref < cut)
				cut = mx[i].pref;
		if (mx[i].pref >= cut)
			break;
		for (k = 0; k < nip; k++)
			add(t, max, n, mx[i].host, &ip[k], r->port);
	}
	if (*n)
		return 0;
	if (cut != ~0u && cut <= mx[0].pref)
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
route_plan(const struct route *r, const struct delivery *j, struct target *t,
    size_t max, size_t *n, struct result *res)
{
	struct dns_ip ip[DNS_IP_MAX];
	size_t nip, k;
	int rc;

	*n = 0;
	if (r->kind == ROUTE_IP) {
		if (dns_ip_parse(r->host, &ip[0]) == -1) {
			result_set(res, OUTCOME_PERM, "5.1.2", "bad address literal "
			    "[%s]", r->host);
			return -1;
		}
		add(t, max, n, r->host, &ip[0], r->port);
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
		add(t, max, n, lit, &ip[0], r->port);
		return 0;
	}
	if (r->kind == ROUTE_MX)
		return plan_mx(r, j, t, max, n, res);
	rc = dns_ip(r->host, ip, DNS_IP_MAX, &nip);
	if (rc != DNS_OK) {
		/* a relay that does not resolve is the admin's to fix */
		result_set(res, OUTCOME_TEMP, "4.4.3", "relay host %s (%s): %s",
		    r->host, r->from, rc == DNS_TEMP ?
		    "temporary DNS failure" : "no address found");
		return -1;
	}
	for (k = 0; k < nip; k++)
		add(t, max, n, r->host, &ip[k], r->port);
	return 0;
}
