/*
 * net: a TCP connection with a deadline, for the programs that dial out
 * (remote to MX hosts, the MTA-STS policy fetch of https.c).
 */
#ifndef POSTEL_NET_H
#define POSTEL_NET_H

#include "dns.h"

/* Connect to ip:port, waiting at most until deadline (monotonic ms, as
 * bio_now; 0 none): a non-blocking, close-on-exec socket, or -1 with
 * errno (ETIMEDOUT past the deadline, else connect's). */
int net_connect(const struct dns_ip *ip, unsigned port, long long deadline);

#endif
