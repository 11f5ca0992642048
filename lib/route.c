/* route: see route.h and postel-routes(5). */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "fmt.h"
#include "route.h"
#include "scan.h"

int
route_tls_policy(const char *s)
{
	if (strcmp(s, "none") == 0)
		return POL_NONE;
	if (strcmp(s, "opportunistic") == 0)
		return POL_OPPORTUNISTIC;
	if (strcmp(s, "require") == 0)
		return POL_REQUIRE;
	if (strcmp(s, "verify") == 0)
		return POL_VERIFY;
	if (strcmp(s, "dane") == 0)
		return POL_DANE;
	if (strcmp(s, "sts") == 0)
		return POL_STS;
	return -1;
}

/* An address literal as remote reads it (dns_ip_parse in cmd/remote):
 * IPv4, IPv6, or "IPv6:" and IPv6. */
static int
ip_literal(const char *s)
{
	unsigned char a[16];

	if (strncasecmp(s, "IPv6:", 5) == 0)
		return inet_pton(AF_INET6, s + 5, a) == 1;
	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* "host", "host:port", "[ip]", "[ip]:port" */
static const char *
relay(struct route *r, const char *s, size_t n, unsigned defport)
{
	const char *colon = NULL, *host = s;
	size_t hl = n, i;
	unsigned long long port = defport;
	char num[8];

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
		if (scan_ulong(num, 1, 65535, &port) == -1)
			return "bad port";
	}
	r->port = (unsigned)port;
	if (hl == 0 || hl > ADDR_DOMAIN_MAX)
		return "bad host";
	memcpy(r->host, host, hl);
	r->host[hl] = '\0';
	if (r->kind == ROUTE_IP) {
		if (!ip_literal(r->host))
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
	int t, given = -1;

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
			if ((t = route_tls_policy(v + 4)) == -1)
				return "tls= must be none, opportunistic, "
				    "require, verify, dane or sts";
			r->tls = t;
			given = t;
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
	/* DANE needs a name whose TLSA records can be looked up */
	if (r->tls == POL_DANE && r->kind == ROUTE_IP)
		return "tls=dane needs mx or a host name, not an address";
	/* MTA-STS is a recipient domain's policy for its MX hosts: named
	 * for a relay it is wrong, as a default it means verify */
	if (given == POL_STS && r->kind != ROUTE_MX)
		return "tls=sts needs mx";
	if (r->tls == POL_STS && r->kind != ROUTE_MX)
		r->tls = POL_VERIFY;
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
	char key[ADDR_DOMAIN_MAX + 2];
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
	int t = route_tls_policy(conf_s("remote-tls"));

	memset(r, 0, sizeof *r);
	if (t == -1)
		return "conf/postel.conf: remote-tls must be none, "
		    "opportunistic, require, verify, dane or sts";
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
