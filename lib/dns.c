/* dns: see dns.h. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "dns.h"
#include "fmt.h"

#define DNS_MSG_MAX 65536
#define DNS_ALIAS_MAX 8                 /* CNAME chain length we follow */

/* The question's name and its CNAME aliases found in the answer. */
struct names {
	char n[DNS_ALIAS_MAX + 1][NS_MAXDNAME];
	size_t count;
};

static int
known(const struct names *nm, const char *s)
{
	size_t i;

	for (i = 0; i < nm->count; i++)
		if (strcasecmp(nm->n[i], s) == 0)
			return 1;
	return 0;
}

/* Open msg and collect the question's name and its aliases. */
static int
open_msg(const unsigned char *msg, size_t n, ns_msg *h, struct names *nm)
{
	ns_rr rr;
	int i, count, grew;

	if (n > DNS_MSG_MAX || ns_initparse(msg, (int)n, h) == -1)
		return -1;
	if (ns_msg_count(*h, ns_s_qd) != 1 ||
	    ns_parserr(h, ns_s_qd, 0, &rr) == -1)
		return -1;
	fmt_s(nm->n[0], sizeof nm->n[0], "%s", ns_rr_name(rr));
	nm->count = 1;
	count = ns_msg_count(*h, ns_s_an);
	/* Aliases may come in any order: repeat until nothing is added. */
	do {
		grew = 0;
		for (i = 0; i < count; i++) {
			char target[NS_MAXDNAME];
			if (ns_parserr(h, ns_s_an, i, &rr) == -1)
				return -1;
			if (ns_rr_type(rr) != ns_t_cname ||
			    !known(nm, ns_rr_name(rr)))
				continue;
			if (dn_expand(ns_msg_base(*h), ns_msg_end(*h),
			    ns_rr_rdata(rr), target, sizeof target) < 0)
				return -1;
			if (known(nm, target))
				continue;
			if (nm->count > DNS_ALIAS_MAX)
				return -1;
			fmt_s(nm->n[nm->count++], sizeof nm->n[0], "%s",
			    target);
			grew = 1;
		}
	} while (grew);
	return count;
}

int
dns_parse_mx(const unsigned char *msg, size_t n, struct dns_mx *mx,
    size_t max)
{
	static struct names nm;
	ns_msg h;
	ns_rr rr;
	int i, count;
	size_t found = 0;

	if ((count = open_msg(msg, n, &h, &nm)) == -1)
		return -1;
	for (i = 0; i < count; i++) {
		char host[NS_MAXDNAME];
		if (ns_parserr(&h, ns_s_an, i, &rr) == -1)
			return -1;
		if (ns_rr_type(rr) != ns_t_mx || !known(&nm, ns_rr_name(rr)))
			continue;
		if (ns_rr_rdlen(rr) < 3)
			return -1;
		if (dn_expand(ns_msg_base(h), ns_msg_end(h),
		    ns_rr_rdata(rr) + 2, host, sizeof host) < 0)
			return -1;
		/* past max, the best by preference are kept, not the first
		 * in the answer: the best MX must be tried, and remote's own
		 * place in the list must not be cut off (RFC 5321 5.1) */
		unsigned pref = ns_get16(ns_rr_rdata(rr));
		size_t k = found, w;
		if (found == max) {
			if (max == 0)
				continue;
			for (w = 0, k = 1; k < max; k++)
				if (mx[k].pref > mx[w].pref)
					w = k;
			if (pref >= mx[w].pref)
				continue;
			k = w;
		}
		mx[k].pref = pref;
		if (fmt_s(mx[k].host, sizeof mx[k].host, "%s", host) < 0)
			return -1;
		if (k == found)
			found++;
	}
	return (int)found;
}

int
dns_parse_ip(const unsigned char *msg, size_t n, int type,
    struct dns_ip *ip, size_t max)
{
	static struct names nm;
	ns_msg h;
	ns_rr rr;
	int i, count;
	size_t found = 0, len = type == ns_t_a ? 4 : 16;

	if ((count = open_msg(msg, n, &h, &nm)) == -1)
		return -1;
	for (i = 0; i < count; i++) {
		if (ns_parserr(&h, ns_s_an, i, &rr) == -1)
			return -1;
		if ((int)ns_rr_type(rr) != type || !known(&nm, ns_rr_name(rr)))
			continue;
		if (ns_rr_rdlen(rr) != len)
			return -1;
		if (found < max) {
			ip[found].family = len == 4 ? AF_INET : AF_INET6;
			memcpy(ip[found].a, ns_rr_rdata(rr), len);
			found++;
		}
	}
	return (int)found;
}

/* 1 if the character-strings p[0..end) joined start with want (any
 * case). */
static int
txt_starts(const unsigned char *p, const unsigned char *end,
    const char *want)
{
	size_t k = 0, i;

	for (; p < end && want[k]; p += 1 + *p)
		for (i = 1; i <= *p && want[k]; i++, k++)
			if (tolower(p[i]) != tolower((unsigned char)want[k]))
				return 0;
	return want[k] == '\0';
}

int
dns_parse_txt(const unsigned char *msg, size_t n, struct dns_txt *t)
{
	static struct names nm;
	ns_msg h;
	ns_rr rr;
	int i, count;
	size_t used = 0;

	t->n = t->skipped = 0;
	if ((count = open_msg(msg, n, &h, &nm)) == -1)
		return -1;
	for (i = 0; i < count; i++) {
		const unsigned char *p, *end;
		size_t len = 0, room;
		char *dst;

		if (ns_parserr(&h, ns_s_an, i, &rr) == -1)
			return -1;
		if (ns_rr_type(rr) != ns_t_txt || !known(&nm, ns_rr_name(rr)))
			continue;
		p = ns_rr_rdata(rr);
		end = p + ns_rr_rdlen(rr);
		/* the strings' lengths add up to at most the rdata's */
		for (; p < end; p += 1 + *p) {
			if (p + 1 + *p > end)
				return -1;
			len += *p;
		}
		if (t->want && !txt_starts(ns_rr_rdata(rr), end, t->want))
			continue;
		room = sizeof t->buf - used;
		if (len > DNS_TXT_ONE || len + 1 > room || t->n == DNS_TXT_MAX) {
			t->skipped++;
			continue;
		}
		dst = t->buf + used;
		t->rec[t->n] = dst;
		t->len[t->n] = len;
		for (p = ns_rr_rdata(rr); p < end; p += 1 + *p) {
			memcpy(dst, p + 1, *p);
			dst += *p;
		}
		*dst = '\0';
		used += len + 1;
		t->n++;
	}
	return (int)t->n;
}

int
dns_parse_ptr(const unsigned char *msg, size_t n,
    char (*name)[DNS_NAME_MAX + 1], size_t max)
{
	static struct names nm;
	ns_msg h;
	ns_rr rr;
	int i, count;
	size_t found = 0;

	if ((count = open_msg(msg, n, &h, &nm)) == -1)
		return -1;
	for (i = 0; i < count && found < max; i++) {
		char host[NS_MAXDNAME];
		if (ns_parserr(&h, ns_s_an, i, &rr) == -1)
			return -1;
		if (ns_rr_type(rr) != ns_t_ptr || !known(&nm, ns_rr_name(rr)))
			continue;
		if (dn_expand(ns_msg_base(h), ns_msg_end(h), ns_rr_rdata(rr),
		    host, sizeof host) < 0)
			return -1;
		if (fmt_s(name[found], sizeof name[found], "%s", host) < 0)
			continue;               /* longer than a name may be */
		found++;
	}
	return (int)found;
}

int
dns_parse_rr(const unsigned char *msg, size_t n, int type,
    struct dns_rr *rr, size_t max)
{
	static struct names nm;
	ns_msg h;
	ns_rr r;
	int i, count;
	size_t found = 0;

	if ((count = open_msg(msg, n, &h, &nm)) == -1)
		return -1;
	for (i = 0; i < count; i++) {
		if (ns_parserr(&h, ns_s_an, i, &r) == -1)
			return -1;
		if ((int)ns_rr_type(r) != type || !known(&nm, ns_rr_name(r)))
			continue;
		if (found == max)
			return -1;      /* more than the caller can judge */
		rr[found].p = ns_rr_rdata(r);
		rr[found].len = ns_rr_rdlen(r);
		found++;
	}
	return (int)found;
}

static unsigned
rnd(unsigned n)
{
	unsigned r;

	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
		r = (unsigned)random();
	return n ? r % n : 0;
}

static int
prefcmp(const void *a, const void *b)
{
	const struct dns_mx *x = a, *y = b;
	return x->pref < y->pref ? -1 : x->pref > y->pref;
}

void
dns_mx_sort(struct dns_mx *mx, size_t n)
{
	size_t i, j, k;

	if (n < 2)
		return;
	qsort(mx, n, sizeof *mx, prefcmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && mx[j].pref == mx[i].pref; j++)
			;
		for (k = j - 1; k > i; k--) {   /* Fisher-Yates in [i, j) */
			size_t r = i + rnd((unsigned)(k - i + 1));
			struct dns_mx t = mx[k];
			mx[k] = mx[r];
			mx[r] = t;
		}
	}
}

/* One query; the reply into ans. DNS_OK with *len set, or a failure.
 * With ad, the resolver is asked for the AD bit and glibc told to keep
 * it (RES_TRUSTAD, glibc 2.31; without it glibc clears AD unless
 * resolv.conf says "options trust-ad"), and *ad reports it for the
 * answers that have a reply: DNS_OK, and DNS_NONE and DNS_NXDOMAIN, so
 * that a denial can be known secure too. */
static int
query_ad(const char *name, int type, unsigned char *ans, size_t size,
    int *len, int *ad)
{
	struct __res_state rs;
	int r, e;

	if (ad)
		*ad = 0;
	memset(&rs, 0, sizeof rs);
	if (res_ninit(&rs) == -1)
		return DNS_TEMP;
	rs.options |= RES_USE_EDNS0;
	if (ad)
		rs.options |= RES_TRUSTAD;
	/* a failed query may leave ans alone: no stale header is read */
	memset(ans, 0, size < NS_HFIXEDSZ ? size : NS_HFIXEDSZ);
	r = res_nquery(&rs, name, ns_c_in, type, ans, (int)size);
	e = rs.res_h_errno;
	res_nclose(&rs);
	if (r >= 0) {
		*len = r;
		if (ad)
			*ad = dns_reply_ad(ans, (size_t)r) == 1;
		return DNS_OK;
	}
	/* HOST_NOT_FOUND and NO_DATA come only from a reply, whose header
	 * res_nquery leaves in ans */
	if (ad && (e == HOST_NOT_FOUND || e == NO_DATA))
		*ad = dns_reply_ad(ans, size < NS_HFIXEDSZ ? size :
		    NS_HFIXEDSZ) == 1;
	if (e == HOST_NOT_FOUND)
		return DNS_NXDOMAIN;
	if (e == NO_DATA)
		return DNS_NONE;
	return DNS_TEMP;                /* TRY_AGAIN, NO_RECOVERY, ... */
}

static int
query(const char *name, int type, unsigned char *ans, size_t size, int *len)
{
	return query_ad(name, type, ans, size, len, NULL);
}

int
dns_reply_ad(const unsigned char *msg, size_t n)
{
	/* RFC 1035 4.1.1: QR is the top bit of octet 2; RFC 4035 3.2.3:
	 * AD is bit 0x20 of octet 3 */
	if (n < NS_HFIXEDSZ || !(msg[2] & 0x80))
		return -1;
	return (msg[3] & 0x20) != 0;
}

static int
mx_lookup(const char *domain, struct dns_mx *mx, size_t max, size_t *n,
    int *ad)
{
	static unsigned char ans[DNS_MSG_MAX];
	int len, r, c;

	*n = 0;
	r = query_ad(domain, ns_t_mx, ans, sizeof ans, &len, ad);
	if (r != DNS_OK)
		return r;
	if ((c = dns_parse_mx(ans, (size_t)len, mx, max)) == -1)
		return DNS_TEMP;
	*n = (size_t)c;
	if (c == 0)
		return DNS_NONE;
	dns_mx_sort(mx, *n);
	return DNS_OK;
}

int
dns_mx(const char *domain, struct dns_mx *mx, size_t max, size_t *n)
{
	return mx_lookup(domain, mx, max, n, NULL);
}

int
dns_mx_sec(const char *domain, struct dns_mx *mx, size_t max, size_t *n,
    int *ad)
{
	return mx_lookup(domain, mx, max, n, ad);
}

/* With ad, *ad is 1 only if both replies carried AD. */
static int
ip_lookup(const char *host, struct dns_ip *ip, size_t max, size_t *n,
    int *ad)
{
	static unsigned char ans[DNS_MSG_MAX];
	static const int types[] = { ns_t_aaaa, ns_t_a };
	int len, r, c, nx = 0, temp = 0, sec = 1, one;
	size_t i;

	*n = 0;
	for (i = 0; i < 2; i++) {
		r = query_ad(host, types[i], ans, sizeof ans, &len,
		    ad ? &one : NULL);
		if (ad && !one)
			sec = 0;
		if (r == DNS_NXDOMAIN)
			nx++;
		if (r == DNS_TEMP)
			temp++;
		if (r != DNS_OK)
			continue;
		c = dns_parse_ip(ans, (size_t)len, types[i], ip + *n,
		    max - *n);
		if (c == -1)
			temp++;
		else
			*n += (size_t)c;
	}
	if (ad)
		*ad = sec;
	if (*n)
		return DNS_OK;
	if (temp)
		return DNS_TEMP;
	return nx ? DNS_NXDOMAIN : DNS_NONE;
}

int
dns_ip(const char *host, struct dns_ip *ip, size_t max, size_t *n)
{
	return ip_lookup(host, ip, max, n, NULL);
}

int
dns_ip_sec(const char *host, struct dns_ip *ip, size_t max, size_t *n,
    int *ad)
{
	return ip_lookup(host, ip, max, n, ad);
}

static int
addr_lookup(const char *host, int family, struct dns_ip *ip, size_t max,
    size_t *n, int *ad)
{
	static unsigned char ans[DNS_MSG_MAX];
	int type = family == AF_INET ? ns_t_a : ns_t_aaaa;
	int len, r, c;

	*n = 0;
	r = query_ad(host, type, ans, sizeof ans, &len, ad);
	if (r != DNS_OK)
		return r;
	if ((c = dns_parse_ip(ans, (size_t)len, type, ip, max)) == -1)
		return DNS_TEMP;
	*n = (size_t)c;
	return c ? DNS_OK : DNS_NONE;
}

int
dns_addr(const char *host, int family, struct dns_ip *ip, size_t max,
    size_t *n)
{
	return addr_lookup(host, family, ip, max, n, NULL);
}

int
dns_addr_sec(const char *host, int family, struct dns_ip *ip, size_t max,
    size_t *n, int *ad)
{
	return addr_lookup(host, family, ip, max, n, ad);
}

int
dns_query_sec(const char *name, int type, unsigned char *ans, size_t size,
    size_t *len, int *ad)
{
	int r, l = 0;

	*len = 0;
	if (size < NS_HFIXEDSZ || size > DNS_MSG_MAX) {
		*ad = 0;
		return DNS_TEMP;
	}
	if ((r = query_ad(name, type, ans, size, &l, ad)) == DNS_OK)
		*len = (size_t)l;
	return r;
}

int
dns_txt(const char *name, struct dns_txt *t)
{
	static unsigned char ans[DNS_MSG_MAX];
	int len, r;

	t->n = t->skipped = 0;
	if ((r = query(name, ns_t_txt, ans, sizeof ans, &len)) != DNS_OK)
		return r;
	if (dns_parse_txt(ans, (size_t)len, t) == -1)
		return DNS_TEMP;
	return t->n || t->skipped ? DNS_OK : DNS_NONE;
}

int
dns_ptr(const struct dns_ip *ip, char (*name)[DNS_NAME_MAX + 1],
    size_t max, size_t *n)
{
	static unsigned char ans[DNS_MSG_MAX];
	static const char hex[] = "0123456789abcdef";
	char q[80];
	size_t i, k = 0;
	int len, r, c;

	*n = 0;
	if (ip->family == AF_INET) {
		if (fmt_s(q, sizeof q, "%u.%u.%u.%u.in-addr.arpa", ip->a[3],
		    ip->a[2], ip->a[1], ip->a[0]) < 0)
			return DNS_TEMP;
	} else {
		for (i = 16; i-- > 0; ) {
			q[k++] = hex[ip->a[i] & 15];
			q[k++] = '.';
			q[k++] = hex[ip->a[i] >> 4];
			q[k++] = '.';
		}
		memcpy(q + k, "ip6.arpa", sizeof "ip6.arpa");
	}
	if ((r = query(q, ns_t_ptr, ans, sizeof ans, &len)) != DNS_OK)
		return r;
	if ((c = dns_parse_ptr(ans, (size_t)len, name, max)) == -1)
		return DNS_TEMP;
	*n = (size_t)c;
	return c ? DNS_OK : DNS_NONE;
}

int
dns_name_ok(const char *s)
{
	size_t n = strlen(s), label = 0, i;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (ch < 0x20 || ch == 0x7f || ch == '\\' || ++label > 63)
			return 0;
	}
	return label > 0;
}

int
dns_ip_parse(const char *s, struct dns_ip *ip)
{
	if (strncasecmp(s, "IPv6:", 5) == 0) {
		ip->family = AF_INET6;
		return inet_pton(AF_INET6, s + 5, ip->a) == 1 ? 0 : -1;
	}
	if (inet_pton(AF_INET, s, ip->a) == 1) {
		ip->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->a) == 1) {
		ip->family = AF_INET6;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

const char *
dns_ip_fmt(const struct dns_ip *ip, char *dst, size_t size)
{
	if (inet_ntop(ip->family, ip->a, dst, (socklen_t)size) == NULL)
		fmt_s(dst, size, "?");
	return dst;
}

static int
real_txt(void *ctx, const char *name, struct dns_txt *t)
{
	(void)ctx;
	return dns_txt(name, t);
}

static int
real_addr(void *ctx, const char *host, int family, struct dns_ip *ip,
    size_t max, size_t *n)
{
	(void)ctx;
	return dns_addr(host, family, ip, max, n);
}

static int
real_mx(void *ctx, const char *domain, struct dns_mx *mx, size_t max,
    size_t *n)
{
	(void)ctx;
	return dns_mx(domain, mx, max, n);
}

static int
real_ptr(void *ctx, const struct dns_ip *ip, char (*name)[DNS_NAME_MAX + 1],
    size_t max, size_t *n)
{
	(void)ctx;
	return dns_ptr(ip, name, max, n);
}

const struct dns_ops dns_ops_real = {
	real_txt, real_addr, real_mx, real_ptr, NULL
};
