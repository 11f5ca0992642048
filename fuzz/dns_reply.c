/* fuzz target: remote's DNS reply parsers (cmd/remote/dns.c: MX, A,
 * AAAA) on arbitrary bytes. */
#include <arpa/nameser.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "remote/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_mx mx[DNS_MX_MAX];
	struct dns_ip ip[DNS_IP_MAX];
	int n;

	n = dns_parse_mx(data, size, mx, DNS_MX_MAX);
	if (n > 0) {
		for (int i = 0; i < n; i++)
			if (strlen(mx[i].host) > DNS_NAME_MAX)
				__builtin_trap();
		dns_mx_sort(mx, (size_t)n);
	}
	(void)dns_parse_ip(data, size, ns_t_a, ip, DNS_IP_MAX);
	(void)dns_parse_ip(data, size, ns_t_aaaa, ip, 2);
	return 0;
}
