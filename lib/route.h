/*
 * route: one route of conf/routes or the smarthost key, parsed (see
 * postel-routes(5)): "relay [tls=POLICY] [smtps] [auth=USER:PASSWORD
 * [auth-unverified]]". Shared by remote, which delivers by it, check,
 * which validates the file, and sendmail -bv, which says where mail would
 * go. route_parse does no I/O; route_find reads conf/routes once per
 * process (after conf_load). The caller owns the struct route; errors
 * come back as a reason string.
 */
#ifndef POSTEL_ROUTE_H
#define POSTEL_ROUTE_H

#include "addr.h"

/* TLS policies, weakest first. POL_DANE: TLS authenticated by DANE
 * (RFC 7672) for every host, never without. POL_STS: an MX route whose
 * domain must have an MTA-STS policy in enforce mode (RFC 8461); as a
 * default (remote-tls) for a relay host, it is POL_VERIFY. */
enum { POL_NONE, POL_OPPORTUNISTIC, POL_REQUIRE, POL_VERIFY, POL_DANE,
    POL_STS };

struct route {
	enum { ROUTE_MX, ROUTE_HOST, ROUTE_IP } kind;
	char host[ADDR_DOMAIN_MAX + 1]; /* relay host, or the domain for MX */
	unsigned port;
	int tls;
	int smtps;                      /* implicit TLS (port 465), no STARTTLS */
	char user[256], pass[256];      /* AUTH credentials; user "" = none */
	int auth_unverified;            /* credentials over unverified TLS */
	char from[300];                 /* where it came from, for messages */
};

/* A policy name (none, opportunistic, require, verify, dane, sts):
 * POL_*, or -1. */
int route_tls_policy(const char *s);
/* Parse the value part of a conf/routes line ("host[:port] opts...")
 * into r, whose tls member holds the default policy on entry; NULL or
 * what is wrong. */
const char *route_parse(struct route *r, const char *val, unsigned defport);
/* The route for domain: its conf/routes line (exact, then ".suffix",
 * then "*"), else the smarthost key, else MX; r->from says which. NULL,
 * or what is wrong with the configuration (temporary). */
const char *route_find(struct route *r, const char *domain);

#endif
