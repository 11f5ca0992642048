/* dnssec_probe: a driver for t/5401-dnssec-harness.t, not a unit test of
 * its own: it runs lib/dns's and lib/tlsa's secure lookups against the
 * resolver of resolv.conf (under libresolv-wrapper) and prints what they
 * found, for the script to compare:
 *
 *   dnssec_probe mx NAME         status=ok ad=1, then "PREF HOST" lines
 *   dnssec_probe ip NAME         status=ok ad=1, then one address a line
 *   dnssec_probe tlsa HOST       status=ok ad=1 class=usable, then
 *                                  "USAGE SELECTOR MTYPE HEX" lines
 *   dnssec_probe match HOST DER  match=N: how many of HOST's TLSA
 *                                  records the certificate DER matches
 *
 * The Makefile builds it as build/t/drivers/dnssec_probe, without .t,
 * so that prove does not take it for a test. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "tlsa.h"

static const char *
status(int r)
{
	switch (r) {
	case DNS_OK:
		return "ok";
	case DNS_NONE:
		return "none";
	case DNS_NXDOMAIN:
		return "nxdomain";
	default:
		return "temp";
	}
}

static int
mx(const char *name)
{
	static struct dns_mx m[DNS_MX_MAX];
	size_t n, i;
	int ad, r = dns_mx_sec(name, m, DNS_MX_MAX, &n, &ad);

	printf("status=%s ad=%d\n", status(r), ad);
	for (i = 0; i < n; i++)
		printf("%u %s\n", m[i].pref, m[i].host);
	return 0;
}

static int
ip(const char *name)
{
	struct dns_ip a[DNS_IP_MAX];
	char s[64];
	size_t n, i;
	int ad, r = dns_ip_sec(name, a, DNS_IP_MAX, &n, &ad);

	printf("status=%s ad=%d\n", status(r), ad);
	for (i = 0; i < n; i++)
		printf("%s\n", dns_ip_fmt(&a[i], s, sizeof s));
	return 0;
}

static int
tlsa(const char *host)
{
	static const char *cls[] = { "none", "unusable", "usable" };
	static struct tlsa_set s;
	size_t i, k;
	int ad, r = tlsa_lookup(host, &s, &ad);

	printf("status=%s ad=%d class=%s\n", status(r), ad,
	    cls[tlsa_class(&s)]);
	for (i = 0; i < s.n; i++) {
		printf("%u %u %u ", s.r[i].usage, s.r[i].selector,
		    s.r[i].mtype);
		for (k = 0; k < s.r[i].len && !s.r[i].toolong; k++)
			printf("%02x", s.r[i].data[k]);
		printf("\n");
	}
	return 0;
}

static int
match(const char *host, const char *file)
{
	static struct tlsa_set s;
	static unsigned char der[65536];
	size_t n = 0, i;
	ssize_t got = 0;
	int fd, ad, hits = 0;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "dnssec_probe: %s: %s\n", file,
		    strerror(errno));
		return 1;
	}
	while (n < sizeof der &&
	    (got = read(fd, der + n, sizeof der - n)) > 0)
		n += (size_t)got;
	if (got == -1 || close(fd) == -1)
		return 1;
	if (tlsa_lookup(host, &s, &ad) != DNS_OK)
		return 1;
	for (i = 0; i < s.n; i++)
		if (tlsa_match(&s.r[i], der, n) == 1)
			hits++;
	printf("match=%d\n", hits);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "mx") == 0)
		return mx(argv[2]);
	if (argc == 3 && strcmp(argv[1], "ip") == 0)
		return ip(argv[2]);
	if (argc == 3 && strcmp(argv[1], "tlsa") == 0)
		return tlsa(argv[2]);
	if (argc == 4 && strcmp(argv[1], "match") == 0)
		return match(argv[2], argv[3]);
	fprintf(stderr, "usage: dnssec_probe mx|ip|tlsa NAME | "
	    "match HOST DER\n");
	return 100;
}
