/* fuzz target: the DNS reply parsers (lib/dns.c: MX, A, AAAA, TXT, PTR,
 * the rdata of any type, the AD bit) on arbitrary bytes. */
#include <arpa/nameser.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns.h"

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
	static struct dns_txt t;
	static char names[DNS_PTR_MAX][DNS_NAME_MAX + 1];
	if (dns_parse_txt(data, size, &t) >= 0) {
		size_t used = 0;
		for (size_t i = 0; i < t.n; i++) {
			if (strlen(t.rec[i]) > t.len[i] || t.len[i] > DNS_TXT_ONE)
				__builtin_trap();
			used += t.len[i] + 1;
		}
		if (used > DNS_TXT_SIZE)
			__builtin_trap();
	}
	n = dns_parse_ptr(data, size, names, DNS_PTR_MAX);
	for (int i = 0; i < n; i++)
		if (strlen(names[i]) > DNS_NAME_MAX)
			__builtin_trap();
	/* the rdata of any type (the last octet's) stays in the message */
	static struct dns_rr rr[8];
	n = dns_parse_rr(data, size, size ? data[size - 1] : 52, rr, 8);
	for (int i = 0; i < n; i++)
		if (rr[i].p < data || rr[i].len > size ||
		    (size_t)(rr[i].p - data) > size - rr[i].len)
			__builtin_trap();
	n = dns_reply_ad(data, size);
	if (n != (size >= NS_HFIXEDSZ && (data[2] & 0x80) ?
	    (data[3] & 0x20) != 0 : -1))
		__builtin_trap();
	return 0;
}
