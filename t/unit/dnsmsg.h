/*
 * dnsmsg: DNS replies made by hand, for the unit tests of lib/dns and
 * lib/tlsa (included by t/unit/dns.c and t/unit/tlsa.c): the message in
 * m[0..mlen), names written uncompressed.
 */
#ifndef POSTEL_T_DNSMSG_H
#define POSTEL_T_DNSMSG_H

#include <arpa/nameser.h>
#include <string.h>

static unsigned char m[70000];
static size_t mlen;

static void
put16(unsigned v)
{
	m[mlen++] = (unsigned char)(v >> 8);
	m[mlen++] = (unsigned char)v;
}

static void
name(const char *s)
{
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		m[mlen++] = (unsigned char)l;
		memcpy(m + mlen, s, l);
		mlen += l;
		s += l + (dot != NULL);
	}
	m[mlen++] = 0;
}

/* A reply's header with these flags (0x8180: response, RD, RA,
 * NOERROR), an answer count, and the question q of this type. */
static void
reply_start(const char *q, unsigned flags, unsigned type, unsigned an)
{
	mlen = 0;
	put16(0x1234);
	put16(flags);
	put16(1);
	put16(an);
	put16(0);
	put16(0);
	name(q);
	put16(type);
	put16(ns_c_in);
}

/* One answer record. */
static void
rr(const char *owner, unsigned type, const void *rdata, size_t n)
{
	name(owner);
	put16(type);
	put16(ns_c_in);
	put16(0);
	put16(300);
	put16((unsigned)n);
	memcpy(m + mlen, rdata, n);
	mlen += n;
}

#endif
