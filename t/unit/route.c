/* unit tests for lib/route: route_parse, which check and sendmail -bv
 * share with remote */
#include <string.h>

#include "route.h"
#include "../tap.h"

static const char *
parse(struct route *r, const char *val)
{
	memset(r, 0, sizeof *r);
	r->tls = POL_OPPORTUNISTIC;
	return route_parse(r, val, 25);
}

int
main(void)
{
	struct route r;
	char big[ADDR_DOMAIN_MAX + 2];

	plan(15);
	ok(parse(&r, "[192.0.2.1]:2525") == NULL && r.kind == ROUTE_IP &&
	    r.port == 2525, "IPv4 literal and port");
	ok(parse(&r, "[IPv6:2001:db8::1]") == NULL && r.kind == ROUTE_IP &&
	    r.port == 25, "IPv6 literal with its tag");
	ok(parse(&r, "[::1]") == NULL, "IPv6 literal without its tag");
	is_str(parse(&r, "[300.1.1.1]"), "bad IP address", "bad IPv4");
	is_str(parse(&r, "[IPv6:192.0.2.1]"), "bad IP address",
	    "IPv6 tag on an IPv4 address");
	is_str(parse(&r, "[mx.example.net]"), "bad IP address",
	    "a name is no literal");
	ok(parse(&r, "mx.example.net:587") == NULL && r.kind == ROUTE_HOST &&
	    strcmp(r.host, "mx.example.net") == 0, "host and port");
	ok(parse(&r, "mx") == NULL && r.kind == ROUTE_MX, "mx");
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	is_str(parse(&r, big), "bad host", "a name past 255 bytes");
	big[ADDR_DOMAIN_MAX] = '\0';
	ok(parse(&r, big) == NULL, "a name of 255 bytes");
	ok(parse(&r, "mx tls=dane") == NULL && r.tls == POL_DANE,
	    "tls=dane on an MX route");
	ok(parse(&r, "[192.0.2.1] tls=dane") != NULL,
	    "tls=dane on an address: refused, no name to look up TLSA for");
	ok(parse(&r, "mx tls=sts") == NULL && r.tls == POL_STS,
	    "tls=sts on an MX route");
	ok(parse(&r, "relay.example.net tls=sts") != NULL,
	    "tls=sts on a relay host: refused, it needs mx");
	ok(route_tls_policy("dane") == POL_DANE &&
	    route_tls_policy("daNe") == -1, "remote-tls dane");
	return done();
}
