/* route: conf/routes and DNS into the addresses to try. See remote.h and
 * postel-routes(5). */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "conf.h"
#include "fmt.h"
#include "remote.h"

static int
tls_policy(const char *s)
{
	if (strcmp(s, "none") == 0)
		return POL_NONE;
	if (strcmp(s, "opportunistic") == 0)
		return POL_OPPORTUNISTIC;
	if (strcmp(s, "require") == 0)
		return POL_REQUIRE;
	if (strcmp(s, "verify") == 0)
		return POL_VERIFY;
	return -1;
}

/* "host", "host:port", "[ip]", "[ip]:port" */
static const char *
relay(struct route *r, const char *s, size_t n, unsigned defport)
{
	const char *colon = NULL, *host = s;
	size_t hl = n, i;
	unsigned long long port = defport;
	char num[8];
	struct dns_ip ip;

	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (close == NULL)
			return "missing ] in address literal";
		host = s + 1;
		hl = (size_t)(close - host);
		if (close + 1 < s + n) {
			if (close[1] != ':')
				return "junk after ]";
			colon = close + 1;
		}
		r->kind = ROUTE_IP;
	} else {
		colon = memchr(s, ':', n);
		hl = colon ? (size_t)(colon - s) : n;
		r->kind = ROUTE_HOST;
	}
	if (colon) {
		size_t pl = (size_t)(s + n - colon - 1);
		if (pl == 0 || pl >= sizeof num)
			return "bad port";
		memcpy(num, colon + 1, pl);
		num[pl] = '\0';
		if (fmt_ulong(num, 1, 65535, &port) == -1)
			return "bad port";
	}
	r->port = (unsigned)port;
	if (hl == 0 || hl > DNS_NAME_MAX)
		return "bad host";
	memcpy(r->host, host, hl);
	r->host[hl] = '\0';
	if (r->kind == ROUTE_IP) {
		if (dns_ip_parse(r->host, &ip) == -1)
			return "bad IP address";
		return NULL;
	}
	if (hl == 2 && strncasecmp(host, "mx", 2) == 0 && !colon) {
		r->kind = ROUTE_MX;
		return NULL;
	}
	for (i = 0; i < hl; i++)
		if (!(host[i] == '.' || host[i] == '-' ||
		    (host[i] >= '0' && host[i] <= '9') ||
		    ((host[i] | 0x20) >= 'a' && (host[i] | 0x20) <= 'z')))
			return "bad host name";
	return NULL;
}

const char *
route_parse(struct route *r, const char *val, unsigned defport)
{
	const char *p = val, *why;
	int t;

	while (*p == ' ' || *p == '\t')
		p++;
	for (val = p; *p && *p != ' ' && *p != '\t'; p++)
		;
	if ((why = relay(r, val, (size_t)(p - val), defport)) != NULL)
		return why;
	for (;;) {
		const char *w, *colon;
		size_t n;
		char v[600];

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (w = p; *p && *p != ' ' && *p != '\t'; p++)
			;
		n = (size_t)(p - w);
		if (n >= sizeof v)
			return "option too long";
		memcpy(v, w, n);
		v[n] = '\0';
		if (strncmp(v, "tls=", 4) == 0) {
			if ((t = tls_policy(v + 4)) == -1)
				return "tls= must be none, opportunistic, "
				    "require or verify";
			r->tls = t;
		} else if (strcmp(v, "smtps") == 0) {
			r->smtps = 1;
		} else if (strncmp(v, "auth=", 5) == 0) {
			if ((colon = strchr(v + 5, ':')) == NULL ||
			    colon == v + 5)
				return "auth= must be user:password";
			if (fmt_s(r->user, sizeof r->user, "%.*s",
			    (int)(colon - v - 5), v + 5) < 0 ||
			    fmt_s(r->pass, sizeof r->pass, "%s", colon + 1) < 0)
				return "auth= credentials too long";
			explicit_bzero(v, sizeof v);
		} else if (strcmp(v, "auth-unverified") == 0) {
			r->auth_unverified = 1;
		} else
			return "unknown option (tls=, auth=, auth-unverified "
			    "or smtps)";
	}
	/* port 465 is implicit TLS (RFC 8314) */
	if (r->kind != ROUTE_MX && r->port == 465)
		r->smtps = 1;
	if (r->smtps && r->kind == ROUTE_MX)
		return "smtps needs a relay host, not mx";
	if (r->smtps && r->tls < POL_REQUIRE)
		r->tls = POL_REQUIRE;
	/* Credentials are never sent in the clear, and by default only to a
	 * relay whose certificate verifies: over TLS that is merely
	 * encrypted, an active attacker in the middle collects them.
	 * auth-unverified settles for encryption (postel-routes(5)). */
	if (r->auth_unverified && !r->user[0])
		return "auth-unverified without auth=";
	if (r->user[0] && r->tls < (r->auth_unverified ? POL_REQUIRE :
	    POL_VERIFY))
		r->tls = r->auth_unverified ? POL_REQUIRE : POL_VERIFY;
	return NULL;
}

static const char *
from_table(struct route *r, const char *domain, unsigned defport)
{
	static struct conf_table t;
	static int loaded;
	static char why[CONF_LINE_MAX + 64];
	const struct conf_ent *e = NULL;
	char key[DNS_NAME_MAX + 2];
	const char *d, *w;

	if (!loaded) {
		if (conf_table_load(&t, "routes", 1) == -1)
			return conf_error();
		loaded = 1;
	}
	if (fmt_s(key, sizeof key, "%s", domain) < 0)
		return "domain too long";
	for (char *q = key; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	e = conf_table_get(&t, key);
	for (d = strchr(key, '.'); e == NULL && d; d = strchr(d + 1, '.'))
		e = conf_table_get(&t, d);      /* ".example.org" */
	if (e == NULL)
		e = conf_table_get(&t, "*");
	if (e == NULL)
		return "";
	fmt_s(r->from, sizeof r->from, "conf/routes:%zu", e->line);
	if ((w = route_parse(r, e->val, defport)) != NULL) {
		fmt_s(why, sizeof why, "conf/routes:%zu: %s", e->line, w);
		return why;
	}
	return NULL;
}

const char *
route_find(struct route *r, const char *domain)
{
	static char why[300];
	unsigned defport = (unsigned)conf_u("remote-port");
	const char *w, *sh = conf_s("smarthost");
	int t = tls_policy(conf_s("remote-tls"));

	memset(r, 0, sizeof *r);
	if (t == -1)
		return "conf/postel.conf: remote-tls must be none, "
		    "opportunistic, require or verify";
	r->tls = t;
	r->port = defport;
	if ((w = from_table(r, domain, defport)) != NULL && *w)
		return w;
	if (w && *sh) {
		fmt_s(r->from, sizeof r->from, "smarthost");
		if ((w = route_parse(r, sh, defport)) != NULL) {
			fmt_s(why, sizeof why, "conf/postel.conf: smarthost: %s",
			    w);
			return why;
		}
	} else if (w) {
		r->kind = ROUTE_MX;
		fmt_s(r->from, sizeof r->from, "mx");
	}
	if (r->kind == ROUTE_MX &&
	    fmt_s(r->host, sizeof r->host, "%s", domain) < 0)
		return "domain too long";
	return NULL;
}

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
plan_mx(const struct route *r, const struct job *j, struct target *t,
    size_t max, size_t *n, struct result *res)
{
	static struct dns_mx mx[DNS_MX_MAX];
	struct dns_ip ip[DNS_IP_MAX];
	size_t nmx = 0, nip, i, k;
	unsigned cut = ~0u;
	int rc, temp = 0, implicit = 0;

	rc = dns_mx(r->host, mx, DNS_MX_MAX, &nmx);
	if (rc == DNS_NXDOMAIN) {
		result_set(res, RS_PERM, "5.1.2", "domain %s does not exist",
		    r->host);
		return -1;
	}
	if (rc == DNS_TEMP) {
		result_set(res, RS_TEMP, "4.4.3",
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
		result_set(res, RS_PERM, "5.1.10", "556 domain %s does not "
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
		result_set(res, RS_PERM, "5.4.6", "mail for %s loops back to "
		    "myself (%s is its best MX)", r->host, j->me);
	else if (implicit && !temp)
		result_set(res, RS_PERM, "5.1.2", "domain %s has no mail "
		    "server and no address", r->host);
	else
		result_set(res, RS_TEMP, "4.4.3", "no address found for the "
		    "mail servers of %s", r->host);
	return -1;
}

int
route_plan(const struct route *r, const struct job *j, struct target *t,
    size_t max, size_t *n, struct result *res)
{
	struct dns_ip ip[DNS_IP_MAX];
	size_t nip, k;
	int rc;

	*n = 0;
	if (r->kind == ROUTE_IP) {
		if (dns_ip_parse(r->host, &ip[0]) == -1) {
			result_set(res, RS_PERM, "5.1.2", "bad address literal "
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
			result_set(res, RS_PERM, "5.1.2", "bad address literal "
			    "%s", r->host);
			return -1;
		}
		if (is_local_ip(&ip[0])) {
			result_set(res, RS_PERM, "5.4.6", "mail for %s loops "
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
		result_set(res, RS_TEMP, "4.4.3", "relay host %s (%s): %s",
		    r->host, r->from, rc == DNS_TEMP ?
		    "temporary DNS failure" : "no address found");
		return -1;
	}
	for (k = 0; k < nip; k++)
		add(t, max, n, r->host, &ip[k], r->port);
	return 0;
}
