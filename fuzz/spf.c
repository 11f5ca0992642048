/*
 * spf: libFuzzer target for lib/spf.c (RFC 7208). The input is up to 8
 * strings separated by NUL: the first is the TXT record of the checked
 * domain f.test, the others the records of 1.f.test, 2.f.test, ...;
 * every other name answers from a hash of its name (NXDOMAIN, NODATA, a
 * temporary error, one of the strings, addresses that may hold the
 * client's, MX and PTR names under f.test). The first string also goes
 * through spf_record_check and spf_macro (as a domain-spec and as an
 * explanation). Checks: a result in range, printable NUL-terminated
 * why and exp, at most one lookup past the limit and one void past it;
 * a record that spf_record_check refuses gives permerror; a domain-spec
 * expands to a name of at most 253 octets without empty labels.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

#define PARTS 8

static const char *part[PARTS];
static size_t plen[PARTS], nparts;

static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)(*s | 0x20)) * 16777619u;
	return h;
}

static int
f_txt(void *ctx, const char *name, struct dns_txt *t)
{
	unsigned h = hash(name);
	size_t k = 0;

	(void)ctx;
	t->n = t->skipped = 0;
	if (strcmp(name, "f.test") == 0)
		k = 0;
	else if (name[0] >= '1' && name[0] <= '7' &&
	    strcmp(name + 1, ".f.test") == 0 &&
	    (size_t)(name[0] - '0') < nparts)
		k = (size_t)(name[0] - '0');
	else if (h % 4 == 0)
		return DNS_NXDOMAIN;
	else if (h % 4 == 1)
		return DNS_TEMP;
	else
		k = (h >> 4) % nparts;
	if (plen[k] > DNS_TXT_ONE) {
		t->skipped = 1;
		return DNS_OK;
	}
	memcpy(t->buf, part[k], plen[k]);
	t->buf[plen[k]] = '\0';
	t->rec[0] = t->buf;
	t->len[0] = plen[k];
	t->n = 1;
	return DNS_OK;
}

static int
f_addr(void *ctx, const char *host, int family, struct dns_ip *ip,
    size_t max, size_t *n)
{
	unsigned h = hash(host);
	size_t i, want = (h >> 3) % 4;

	(void)ctx;
	*n = 0;
	if (h % 8 == 0)
		return DNS_TEMP;
	if (h % 8 == 1)
		return DNS_NXDOMAIN;
	for (i = 0; i < want && *n < max; i++) {
		memset(&ip[*n], 0, sizeof ip[*n]);
		ip[*n].family = family;
		ip[*n].a[0] = 192;
		ip[*n].a[1] = (unsigned char)(i ? h >> 8 : 0);
		ip[*n].a[2] = 2;
		ip[*n].a[3] = (unsigned char)(i + 1);
		if (family == AF_INET6) {
			ip[*n].a[0] = 0x20;
			ip[*n].a[1] = 0x01;
			ip[*n].a[15] = (unsigned char)(i + 1);
		}
		++*n;
	}
	return *n ? DNS_OK : DNS_NONE;
}

static int
f_mx(void *ctx, const char *domain, struct dns_mx *mx, size_t max,
    size_t *n)
{
	unsigned h = hash(domain);
	size_t i, want = (h >> 3) % 13;

	(void)ctx;
	*n = 0;
	if (h % 8 == 0)
		return DNS_TEMP;
	for (i = 0; i < want && *n < max; i++) {
		mx[*n].pref = (unsigned)i;
		snprintf(mx[*n].host, sizeof mx[*n].host, "%s%zu.f.test",
		    i == 3 ? "" : "mx", i);
		if (i == 5)
			mx[*n].host[0] = '\0';          /* a null MX */
		++*n;
	}
	return *n ? DNS_OK : DNS_NONE;
}

static int
f_ptr(void *ctx, const struct dns_ip *ip, char (*name)[DNS_NAME_MAX + 1],
    size_t max, size_t *n)
{
	size_t i, want = ip->a[3] % 12;

	(void)ctx;
	*n = 0;
	if (ip->a[3] == 7)
		return DNS_TEMP;
	for (i = 0; i < want && *n < max; i++)
		snprintf(name[(*n)++], DNS_NAME_MAX + 1, "h%zu.f.test", i);
	return *n ? DNS_OK : DNS_NXDOMAIN;
}

static const struct dns_ops fdns = { f_txt, f_addr, f_mx, f_ptr, NULL };

static void
printable(const char *s, size_t size)
{
	const char *end = memchr(s, '\0', size);

	if (end == NULL)
		__builtin_trap();
	for (; s < end; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static char rec[DNS_TXT_ONE + 1];
	struct spf_req r;
	struct spf_out o;
	const char *s = (const char *)p, *end = s + n, *why, *z;
	char out[300];
	size_t i, label;
	int res;

	if (n > 4 * DNS_TXT_ONE)
		return 0;
	for (nparts = 0; nparts < PARTS; nparts++) {
		part[nparts] = s;
		z = memchr(s, '\0', (size_t)(end - s));
		plen[nparts] = z ? (size_t)(z - s) : (size_t)(end - s);
		if (z == NULL) {
			nparts++;
			break;
		}
		s = z + 1;
	}
	memset(&r, 0, sizeof r);
	r.ip.family = AF_INET;
	memcpy(r.ip.a, "\xc0\x00\x02", 3);
	r.ip.a[3] = (unsigned char)(n % 4);
	if (n % 3 == 0) {
		r.ip.family = AF_INET6;
		memset(r.ip.a, 0, 16);
		r.ip.a[0] = 0x20;
		r.ip.a[1] = 0x01;
		r.ip.a[15] = (unsigned char)(n % 4);
	}
	r.sender = n % 5 ? "strong-bad@f.test" : "";
	r.helo = "f.test";
	r.domain = "f.test";
	r.receiver = "mx.example.net";
	r.now = 1234567890;

	res = spf_check(&r, &fdns, &o);
	if (res != o.result || res < SPF_NONE || res > SPF_PERMERROR)
		__builtin_trap();
	printable(o.why, sizeof o.why);
	printable(o.exp, sizeof o.exp);
	if (o.lookups > SPF_LOOKUPS_MAX + 1 || o.voids > SPF_VOIDS_MAX + 1)
		__builtin_trap();
	if (o.exp[0] && res != SPF_FAIL)
		__builtin_trap();
	if (plen[0] <= DNS_TXT_ONE) {
		memcpy(rec, part[0], plen[0]);
		rec[plen[0]] = '\0';
		why = spf_record_check(rec, plen[0]);
		if (why && plen[0] >= 6 && strncasecmp(rec, "v=spf1", 6) == 0 &&
		    (plen[0] == 6 || rec[6] == ' ') && !memchr(rec, '\0',
		    plen[0]) && res != SPF_PERMERROR)
			__builtin_trap();
	}
	if (spf_macro(part[0], plen[0], &r, "f.test", 0, out, sizeof out,
	    &why) == 0) {
		size_t len = strlen(out);
		if (len == 0 || len > 253 || out[0] == '.' ||
		    out[len - 1] == '.')
			__builtin_trap();
		for (i = 0, label = 0; i < len; i++) {
			if (out[i] == '.' && label == 0)
				__builtin_trap();
			label = out[i] == '.' ? 0 : label + 1;
			if (label > 63)
				__builtin_trap();
		}
	} else if (why == NULL)
		__builtin_trap();
	if (spf_macro(part[0], plen[0], &r, "f.test", 1, out, sizeof out,
	    &why) == 0 && memchr(out, '\0', sizeof out) == NULL)
		__builtin_trap();
	return 0;
}
