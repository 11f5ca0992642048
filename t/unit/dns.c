/* unit tests for lib/dns.c: the reply parsers on hand-made messages */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "../tap.h"
#include "dnsmsg.h"

static void
start(const char *q, unsigned type, unsigned an)
{
	reply_start(q, 0x8180, type, an);       /* NOERROR */
}

static void
mx(const char *owner, unsigned pref, const char *host)
{
	unsigned char rd[300];
	size_t save = mlen, n;

	/* encode the exchange with name() into m, then move it to rd */
	name(host);
	n = mlen - save;
	rd[0] = (unsigned char)(pref >> 8);
	rd[1] = (unsigned char)pref;
	memcpy(rd + 2, m + save, n);
	mlen = save;
	rr(owner, ns_t_mx, rd, n + 2);
}

static void
cname(const char *owner, const char *target)
{
	unsigned char rd[300];
	size_t save = mlen, n;

	name(target);
	n = mlen - save;
	memcpy(rd, m + save, n);
	mlen = save;
	rr(owner, ns_t_cname, rd, n);
}

static void
ptr(const char *owner, const char *target)
{
	unsigned char rd[300];
	size_t save = mlen, n;

	name(target);
	n = mlen - save;
	memcpy(rd, m + save, n);
	mlen = save;
	rr(owner, ns_t_ptr, rd, n);
}

static struct dns_txt txt;

/* dns_reply_ad and dns_parse_rr: the DNSSEC status of a reply and the
 * rdata of a type lib/dns does not know (TLSA, 52) */
static void
sec_tests(void)
{
	struct dns_rr r[2];

	start("_25._tcp.mx.test", 52, 2);
	rr("_25._tcp.mx.test", 52, "\x03\x01\x01\xab", 4);
	rr("other.test", 52, "\x03\x01\x01\xcd", 4);
	is_int(dns_reply_ad(m, mlen), 0, "RD RA NOERROR: AD clear");
	m[3] |= 0x20;
	is_int(dns_reply_ad(m, mlen), 1, "AD set");
	is_int(dns_reply_ad(m, 12), 1, "the header alone is enough");
	is_int(dns_reply_ad(m, 11), -1, "less than a header is not");
	m[2] &= 0x7f;
	is_int(dns_reply_ad(m, mlen), -1, "nor a query (QR clear)");
	m[2] |= 0x80;
	ok(dns_parse_rr(m, mlen, 52, r, 2) == 1 && r[0].len == 4 &&
	    r[0].p[3] == 0xab, "the rdata of the name's record only");
	is_int(dns_parse_rr(m, mlen, 52, r, 0), -1,
	    "more records than room: -1, not a cut set");
	is_int(dns_parse_rr(m, mlen, ns_t_mx, r, 2), 0, "none of another type");
	is_int(dns_parse_rr(m, mlen - 1, 52, r, 2), -1, "a cut reply: -1");
}

static void
txt_tests(void)
{
	unsigned char rd[1300];
	char (*names)[DNS_NAME_MAX + 1] = (char (*)[DNS_NAME_MAX + 1])malloc(
	    4 * sizeof *names);
	int i;

	start("t.test", ns_t_txt, 4);
	rr("t.test", ns_t_txt, "\x06" "v=spf1" "\x05" " -all", 13);
	rr("other.test", ns_t_txt, "\x03" "bad", 4);
	rr("t.test", ns_t_txt, "", 0);
	for (i = 0; i < 5; i++) {               /* 5 strings of 200 = 1000 */
		rd[i * 201] = 200;
		memset(rd + i * 201 + 1, 'a' + i, 200);
	}
	rr("t.test", ns_t_txt, rd, 1005);
	is_int(dns_parse_txt(m, mlen, &txt), 3, "three TXT records of the name");
	is_str(txt.rec[0], "v=spf1 -all", "strings joined without a blank");
	ok(txt.len[1] == 0 && txt.rec[1][0] == '\0', "an empty record");
	ok(txt.len[2] == 1000 && txt.rec[2][200] == 'b' &&
	    txt.rec[2][999] == 'e', "a long record joined whole");
	start("t.test", ns_t_txt, 1);
	rr("t.test", ns_t_txt, "\x09" "short", 6);
	is_int(dns_parse_txt(m, mlen, &txt), -1, "a string past its rdata");
	start("big.test", ns_t_txt, 6);
	for (i = 0; i < 6; i++) {
		size_t k, len = 0;
		for (k = 0; k < 6; k++) {       /* 6 * 201 = 1206 rdata */
			rd[k * 201] = 200;
			memset(rd + k * 201 + 1, 'x', 200);
			len += 201;
		}
		if (mlen + 1300 > sizeof m)
			break;
		rr("big.test", ns_t_txt, rd, len);
	}
	dns_parse_txt(m, mlen, &txt);
	ok(txt.n + txt.skipped == (size_t)i && txt.n * 1201 <= DNS_TXT_SIZE,
	    "records beyond the room are counted, not kept");
	/* 40 verification records, then the SPF record: past the count
	 * limit, unless the reader says what it wants */
	start("many.test", ns_t_txt, 41);
	for (i = 0; i < 40; i++) {
		memset(rd, 'v', 31);
		rd[0] = 30;
		rr("many.test", ns_t_txt, rd, 31);
	}
	rr("many.test", ns_t_txt, "\x03" "V=s" "\x08" "pf1 -all", 13);
	ok(dns_parse_txt(m, mlen, &txt) == DNS_TXT_MAX &&
	    txt.skipped == 9, "without want: 32 kept, 9 counted");
	txt.want = "v=spf1";
	ok(dns_parse_txt(m, mlen, &txt) == 1 && txt.skipped == 0 &&
	    strcmp(txt.rec[0], "V=spf1 -all") == 0,
	    "with want: the record wanted, across strings, any case");
	txt.want = "v=spf10";
	ok(dns_parse_txt(m, mlen, &txt) == 0 && txt.skipped == 0,
	    "a want longer than every record keeps none");
	txt.want = NULL;

	start("7.2.0.192.in-addr.arpa", ns_t_ptr, 2);
	ptr("7.2.0.192.in-addr.arpa", "mail.example.test");
	ptr("elsewhere.arpa", "evil.test");
	ok(dns_parse_ptr(m, mlen, names, 4) == 1 &&
	    strcmp(names[0], "mail.example.test") == 0, "PTR target");
	free(names);
}

int
main(void)
{
	struct dns_mx x[8];
	struct dns_ip ip[8];
	char s[64];
	unsigned char a4[4] = { 192, 0, 2, 7 };
	unsigned char a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	int n, i, seen_b_first = 0, seen_c_first = 0;

	plan(46);
	txt_tests();
	start("example.test", ns_t_mx, 3);
	mx("example.test", 20, "mx2.example.test");
	mx("example.test", 10, "mx1.example.test");
	mx("other.test", 5, "evil.test");
	n = dns_parse_mx(m, mlen, x, 8);
	is_int(n, 2, "two MX records for the name, the stranger ignored");
	dns_mx_sort(x, (size_t)n);
	ok(x[0].pref == 10 && strcmp(x[0].host, "mx1.example.test") == 0,
	    "sorted by preference");
	is_int(dns_parse_mx(m, mlen, x, 1), 1, "stores at most max");
	ok(x[0].pref == 10, "and keeps the best, not the first in the answer");
	start("many.test", ns_t_mx, 12);
	for (i = 0; i < 11; i++) {
		snprintf(s, sizeof s, "w%d.many.test", i);
		mx("many.test", 100 + (unsigned)i, s);
	}
	mx("many.test", 1, "best.many.test");
	n = dns_parse_mx(m, mlen, x, 8);
	dns_mx_sort(x, (size_t)n);
	ok(n == 8 && x[0].pref == 1 && x[7].pref == 106,
	    "more than max: the best by preference are kept");
	is_int(dns_parse_mx(m, mlen - 3, x, 8), -1, "truncated reply");
	is_int(dns_parse_mx(m, 5, x, 8), -1, "header only");

	start("null.test", ns_t_mx, 1);
	mx("null.test", 0, "");
	n = dns_parse_mx(m, mlen, x, 8);
	ok(n == 1 && x[0].pref == 0 && x[0].host[0] == '\0',
	    "null MX: preference 0, root exchange");

	start("alias.test", ns_t_mx, 2);
	mx("real.test", 10, "mx.real.test");
	cname("alias.test", "real.test");
	n = dns_parse_mx(m, mlen, x, 8);
	ok(n == 1 && strcmp(x[0].host, "mx.real.test") == 0,
	    "CNAME followed, in any order");

	start("loop.test", ns_t_a, 2);
	cname("loop.test", "loop2.test");
	cname("loop2.test", "loop.test");
	is_int(dns_parse_ip(m, mlen, ns_t_a, ip, 8), 0, "CNAME loop ends");

	start("h.test", ns_t_a, 1);
	rr("h.test", ns_t_a, a4, 4);
	n = dns_parse_ip(m, mlen, ns_t_a, ip, 8);
	ok(n == 1 && ip[0].family == AF_INET, "A record");
	is_str(dns_ip_fmt(&ip[0], s, sizeof s), "192.0.2.7", "A formatted");
	start("h.test", ns_t_a, 1);
	rr("h.test", ns_t_a, a4, 3);
	is_int(dns_parse_ip(m, mlen, ns_t_a, ip, 8), -1, "short A rdata");

	start("h.test", ns_t_aaaa, 1);
	rr("h.test", ns_t_aaaa, a6, 16);
	n = dns_parse_ip(m, mlen, ns_t_aaaa, ip, 8);
	ok(n == 1 && ip[0].family == AF_INET6, "AAAA record");
	is_str(dns_ip_fmt(&ip[0], s, sizeof s), "2001:db8::1", "AAAA formatted");
	is_int(dns_parse_ip(m, mlen, ns_t_a, ip, 8), 0, "AAAA is not A");

	ok(dns_ip_parse("IPv6:::1", &ip[0]) == 0 && ip[0].family == AF_INET6,
	    "IPv6: literal");
	ok(dns_ip_parse("127.0.0.1", &ip[0]) == 0 && ip[0].family == AF_INET,
	    "IPv4 literal");
	ok(dns_ip_parse("300.1.1.1", &ip[0]) == -1, "bad IPv4 literal");
	ok(dns_ip_parse("example.test", &ip[0]) == -1, "name is no literal");
	ok(dns_name_ok("sel._domainkey.example.test"), "a name to ask for");
	ok(!dns_name_ok("a..b.test") && !dns_name_ok(".b.test") &&
	    !dns_name_ok("a\\046b.test"), "empty labels and escapes are not");
	ok(!dns_name_ok("x.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaa.test"), "nor a label of 64 octets");

	/* equal preferences come out in both orders over many sorts */
	for (i = 0; i < 200; i++) {
		x[0].pref = 10;
		memcpy(x[0].host, "a", 2);
		x[1].pref = 5;
		memcpy(x[1].host, "b", 2);
		x[2].pref = 5;
		memcpy(x[2].host, "c", 2);
		dns_mx_sort(x, 3);
		if (x[0].host[0] == 'b')
			seen_b_first = 1;
		if (x[0].host[0] == 'c')
			seen_c_first = 1;
		if (x[2].host[0] != 'a')
			break;
	}
	is_int(i, 200, "lower preference always first");
	ok(seen_b_first && seen_c_first, "equal preferences shuffled");
	start("empty.test", ns_t_mx, 0);
	is_int(dns_parse_mx(m, mlen, x, 8), 0, "no answer: no records");
	m[5] = 2;               /* two questions */
	is_int(dns_parse_mx(m, mlen, x, 8), -1, "two questions refused");
	sec_tests();
	return done();
}
