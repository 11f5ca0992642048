/*
 * dmarc: libFuzzer target for lib/dmarc (RFC 7489) and lib/psl. The
 * first octet chooses what the rest is:
 *   0  a DMARC TXT record: dmarc_parse, and dmarc_check with that record
 *      at _dmarc.<From: domain> and an SPF pass of the From: domain
 *   1  a domain name: psl_org on a small fixed list
 *   2  a public suffix list: psl_load, then psl_org of a few names
 * Checks: a parsed record has its fields in range and is a DMARC record;
 * with an SPF pass of the organizational domain the check passes exactly
 * when the record parses and asks for relaxed SPF alignment, fails
 * when it asks for strict, and finds no policy without a record; an
 * organizational domain is the name or a suffix of it
 * after a dot, in lower case.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmarc.h"
#include "psl.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static const char *rec;
static size_t reclen;

static int
txt(void *ctx, const char *name, struct dns_txt *t)
{
	(void)ctx;
	memset(t, 0, sizeof *t);
	if (strcmp(name, "_dmarc.mail.example.co.uk") != 0)
		return DNS_NXDOMAIN;
	if (reclen >= DNS_TXT_ONE) {
		t->skipped = 1;
		return DNS_OK;
	}
	memcpy(t->buf, rec, reclen);
	t->buf[reclen] = '\0';
	t->rec[0] = t->buf;
	t->len[0] = reclen;
	t->n = 1;
	return DNS_OK;
}

/* A list file at path with s[0..n): a private file, written again. */
static struct psl *
load(const char *s, size_t n)
{
	static char path[] = "/tmp/postel-fuzz-psl.XXXXXX";
	static int fd = -1;
	struct psl *l;
	const char *why;

	if (fd == -1 && (fd = mkstemp(path)) == -1)
		abort();
	if (ftruncate(fd, 0) == -1 || pwrite(fd, s, n, 0) != (ssize_t)n)
		abort();
	return psl_load(&l, path, &why) == 0 ? l : NULL;
}

static void
org(const struct psl *l, const char *name)
{
	char out[256], low[256];
	size_t i, nl = strlen(name), ol;

	if (psl_org(l, name, out, sizeof out) == -1)
		return;
	if (nl >= sizeof low)
		__builtin_trap();
	for (i = 0; i <= nl; i++)
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
		    name[i] + 32 : name[i]);
	ol = strlen(out);
	if (ol == 0 || ol > nl || strcmp(low + nl - ol, out) != 0 ||
	    (ol < nl && low[nl - ol - 1] != '.'))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static struct psl *fixed;
	static const char list[] = "com\nuk\nco.uk\n*.ck\n!www.ck\n"
	    "\xe5\x85\xac\xe5\x8f\xb8.cn\n";
	const char *s = (const char *)p + 1;
	char name[300];
	struct dmarc_rec r;
	struct dmarc_in in = { .from = "mail.example.co.uk",
	    .spf = { 1, "Example.CO.uk" } };
	struct dmarc_out o;
	struct psl *l;
	int res, good;

	if (fixed == NULL && (fixed = load(list, sizeof list - 1)) == NULL)
		abort();
	if (n == 0)
		return 0;
	n--;
	switch (p[0] % 3) {
	case 0:
		good = dmarc_parse(&r, s, n) == NULL;
		if (good && (r.p < 0 || r.p > 2 || r.sp < 0 || r.sp > 2 ||
		    r.pct > 100 || (r.adkim_strict & ~1) ||
		    (r.aspf_strict & ~1) || !dmarc_is_record(s, n)))
			__builtin_trap();
		good = good && n < DNS_TXT_ONE;
		rec = s;
		reclen = n;
		res = dmarc_check(&in, fixed, &(struct dns_ops){ .txt = txt },
		    &o);
		if (res != (!good ? (dmarc_is_record(s, n) && n < DNS_TXT_ONE ?
		    DMARC_PERMERROR : DMARC_NONE) : r.aspf_strict ? DMARC_FAIL :
		    DMARC_PASS) ||
		    strcmp(o.org, "example.co.uk") != 0 ||
		    memchr(o.why, 0, sizeof o.why) == NULL)
			__builtin_trap();
		break;
	case 1:
		if (n >= sizeof name)
			return 0;
		memcpy(name, s, n);
		name[n] = '\0';
		org(fixed, name);
		break;
	default:
		if ((l = load(s, n)) == NULL)
			return 0;
		org(l, "a.b.c.example.com");
		org(l, "www.ck");
		org(l, "x.y.xn--55qx5d.cn");
		psl_free(l);
	}
	return 0;
}
