/* unit tests for lib/dkim.c: canonical forms (RFC 6376 3.4), signing and
 * verifying with keys served from memory, and every way a signature
 * fails. The keys are throw-away test keys (openssl genrsa). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dkim.h"
#include "dkimkey.h"
#include "dkimsig.h"
#include "sasl.h"
#include "../tap.h"

static const char pem2048[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDHDHAsElj47Har\n"
    "LeeYOIdWdEWpQZKwR21c/QB6ZtTTBjfWoDq1vQSqk+ol8Okd2TGBw4anHklZ5P9L\n"
    "XhvnDqh1IDOj9jWADS+znCE9Huge4sK4vagVpH+c/oqAXZOZYvLGBMiixhcsYMHa\n"
    "FWj3ZJ646CMtK0kJ1phz6QMjGmI2UObvbVtmgm6mSa5h2ZKIYFuK0F+xhlR1KzHg\n"
    "xLlouYm3eyTQ0VkQPUHKT1kiNSM9GWN8GOjyUX9/uj7zlTaVr+OFOMeheVhdMWhV\n"
    "09UjjBOjqapbf3wGWdpIy73pW3zeT5DLCE/2TshFGq64cX7l4GjVbBpChBOZfvfM\n"
    "5u0tzM83AgMBAAECggEAXbInrT83vXkFxT9XCKr3XgVeczVoOO1ud/qqOnPkU69W\n"
    "IoQLDth6dVcqPZDhEwlViglBfbI+gf/PAqm6hbG7L2Mom9I+TdgnL6tbZBuD1WIV\n"
    "mgPAtutXnM2e4Zzq6SWQNRE0ZpbLerrTFXbFkcq+AjlXsZ/yAh0PZ2R0cxYsy/bE\n"
    "P1m0hFpzDegw9upHe80kyEwgD8datWRbzbJrsKbU7EU/OBfvTevpcY423FdrEP8p\n"
    "EsS4j7pBxgLczqnWR/ONjjqAFalo3ksbftQFHkuI+DjMGon9OwbLvxu08rKksKx3\n"
    "s0wySEuMn6JPRXt9mTF3O8sEV7LwXUvJaF/djL34aQKBgQD9pR2mlav9sDozq6yo\n"
    "abz2V+C5PxzDD0MbqwkRHUN57fsOeqTXb3cpyCAucicEk/58pHT4/gzMK6x1p3tk\n"
    "QtvvosWyS/dEK89RZmje4rrgJ7GVbCFSO64eRs72SmNz2RG6uy3PJ8xxmIPjmasY\n"
    "IS+02fMZcVkiWNtwbvDJ8U71iQKBgQDI5Y2b5TTMZdMkocas722JzsFK6JozV67C\n"
    "l1Hd5sofk/l88nJ3afg96VmhTtu/4bO9fPQb7oTkc81eIuPajIk66Gc0rxBg9qKb\n"
    "XGETK5r3DKPr3RtFq3xD/D/fGQlxJDOOOZyXtt9nvxt8IDM84HB8o3Ihi0GFjOY9\n"
    "3xCheV0uvwKBgGeGhiShAFMKI6dFUbJnff3Z/ln9vYKL7ysS0x+OHyVcEdVmD3Pz\n"
    "BeMi0KfEZdKDiSJciXW7U4Pd64UV99IDS/tyJ1jPkrvbWcHyl6kpR3cIHH5NZQhI\n"
    "XZfz9LMnx5HYLllV3qunpdVTl7lE1kWB/hPFxWhEEEpplB8+2L7D5CNpAoGAHKrl\n"
    "MkHa7u/42VlciIECGJAwdQgMORdiENKXFBtC7I6pI3NVckTk77DE4YfnQ9JpW7jg\n"
    "/Ltkq1T7EVvZN+6mBonzcEkrBSssuQ7Nq3alfmuHWLkMkzyNVwY/9w4TktmfocQG\n"
    "3H90EdHrkiLmLOG6K48HUlIU34HjuSCDtwcijPECgYEA4ibXPlcXxW+2VbD3Cz0F\n"
    "WyXHCIeErqzF3BPMRe2O0xgCj6wsoXyrMEpA6t3M32WrRDAvhwy/SRCM9N0MKxUM\n"
    "AokUAIOL4n0MC/pMupUgCkUzhFpyMaUXrwl7qETtJ2xMvd3uKYb4yv2hVD9vclvW\n"
    "NPJ3j6Wea9UvQvcIKia//3s=\n"
    "-----END PRIVATE KEY-----\n";
static const char pub2048[] =
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxwxwLBJY+Ox2qy3nmDiH"
    "VnRFqUGSsEdtXP0AembU0wY31qA6tb0EqpPqJfDpHdkxgcOGpx5JWeT/S14b5w6o"
    "dSAzo/Y1gA0vs5whPR7oHuLCuL2oFaR/nP6KgF2TmWLyxgTIosYXLGDB2hVo92Se"
    "uOgjLStJCdaYc+kDIxpiNlDm721bZoJupkmuYdmSiGBbitBfsYZUdSsx4MS5aLmJ"
    "t3sk0NFZED1Byk9ZIjUjPRljfBjo8lF/f7o+85U2la/jhTjHoXlYXTFoVdPVI4wT"
    "o6mqW398BlnaSMu96Vt83k+QywhP9k7IRRquuHF+5eBo1WwaQoQTmX73zObtLczP"
    "NwIDAQAB";
static const char pem1024[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBANVwYTWDhguMldLB\n"
    "tpO2Cb+SEIB7XPoMDZFDHAo8pUC9QEADxUtSJvXMYnNRLNKZwQHYsY01dvckbB6T\n"
    "n3zHy5f78wpdhT3svUmBLMcrZ8y1LuS99nntulZ14zgeYB0OAeisQ2aREm52o6NP\n"
    "szWBb7T9KmstB9EoLJjouMJldMLpAgMBAAECgYEAgoFcbuQkqhsj4OIhSOAdxc0B\n"
    "2g2UJDAKe6+VDY1XXeZZysqDcDKjL9fwuqH/ziXFJePhbH4sZ6EVmvyYoCtqCD5U\n"
    "8B0bXnY5hsjomBmmaVYV+ZugE+9QAfhNgV2hSfL7gaGPkH31KsiK0I1QX1lvVizm\n"
    "nMUdIrKGu2XKp3AHdKECQQDuSncQnKvPTlS1VfuWM/eSJbN3v6JfzNEKxT60bWO3\n"
    "kv62A/x09Prmsrf58nRQINFQhRVbUpxKBCiSiN9DfW7PAkEA5U0aHDs9n43yYOzQ\n"
    "/GYnpcZLRyysoKjF0AH02GAmHomQFOemIF85AdM38e7gGfXPgsH/A5O7YuBWs+Fn\n"
    "LbpgxwJAUtEMinh4+eaWaCOG+c/71g5GTnMKwtLTQDQHM/vksTNkVOwTvK472Rv5\n"
    "9uN96y9Mr/hg0MloSg0h8LOjLLiWXwJAefflJ5crVC+A+aV+FIOSG0+6wwU0XdDo\n"
    "R5iC0IV0QVIS3cvKRfXgsOPVIk9ZzPU/h+IA77opNpL2C4CeDWjSCQJAHqhxzlPz\n"
    "O8aQDOjfYAEbfYfVU8l5hWjU8ZGHFILNoJfPf4V363qkjN44pA8/MV6/f5J6gcL3\n"
    "aTcnB3/hWKFHew==\n"
    "-----END PRIVATE KEY-----\n";
static const char pem512[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAvncwWcDRemTnwZr8\n"
    "NG4tlwexbhT8Kc1MXkkTKNfhvj2lIeK+yHxPZoxW6aQ5rKKbjeB4stlQgSPqb6LM\n"
    "kKfU2wIDAQABAkA+ASEtZtcLCERmQ6UtEF0pGKkLVCuPFDVzUEi7eCQWQPwRuNuK\n"
    "ePdLfy54rHKev4wU3qI1YAZsYbDSB5PHBG75AiEA/coGXCiE8tNxEKEBHlLd7CLA\n"
    "faojAI7xSTmZ9vUUb0cCIQDAH/I1WTOivVZoA8yrBmu56aJr5aj71vuHEYdRn3X/\n"
    "zQIgK6py5bBjD5Spw36wPpNrc5GXJQf89b+ibELo5sDMP0kCIQCFSSRlcl7qNeRu\n"
    "AMTKmYe+0KEHrapQHNMe30A7lh7suQIhAIPcdOcW/gsLvFzRiPspEWdt5tueNZ0c\n"
    "2ItKOpCbglyb\n"
    "-----END PRIVATE KEY-----\n";
static const char pub512[] =
    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAL53MFnA0Xpk58Ga/DRuLZcHsW4U/CnN"
    "TF5JEyjX4b49pSHivsh8T2aMVumkOayim43geLLZUIEj6m+izJCn1NsCAwEAAQ==";

/* --- DNS from memory: one name, one answer --- */
static const char *zone_name = "sel1._domainkey.example.org";
static const char *zone_rec[4];
static int zone_rc = DNS_OK;
static int lookups;

static int
mem_txt(void *ctx, const char *name, struct dns_txt *t)
{
	size_t i, off = 0;

	(void)ctx;
	lookups++;
	t->n = t->skipped = 0;
	if (zone_rc != DNS_OK)
		return zone_rc;
	if (strcmp(name, zone_name) != 0)
		return DNS_NXDOMAIN;
	for (i = 0; i < 4 && zone_rec[i]; i++) {
		size_t n = strlen(zone_rec[i]);
		memcpy(t->buf + off, zone_rec[i], n + 1);
		t->rec[t->n] = t->buf + off;
		t->len[t->n++] = n;
		off += n + 1;
	}
	return t->n ? DNS_OK : DNS_NONE;
}
static const struct dns_ops mem = { mem_txt, NULL, NULL, NULL, NULL };

static char rec2048[600], rec512[300];

static void
serve(const char *a, const char *b)
{
	zone_rec[0] = a;
	zone_rec[1] = b;
	zone_rec[2] = NULL;
	zone_rc = DNS_OK;
}

/* --- helpers --- */
static char canon[4096];

static const char *
ch(int c, const char *f)
{
	struct buf b = BUF_INIT(4096);

	if (dkim_canon_header(c, f, strlen(f), &b) == -1 || buf_0(&b) == -1)
		return "(error)";
	snprintf(canon, sizeof canon, "%s", b.p);
	buf_free(&b);
	return canon;
}

static const char *
cb(int c, const char *body)
{
	struct buf b = BUF_INIT(4096);

	if (dkim_canon_body(c, body, strlen(body), &b) == -1 ||
	    buf_0(&b) == -1)
		return "(error)";
	snprintf(canon, sizeof canon, "%s", b.p ? b.p : "");
	buf_free(&b);
	return canon;
}

static struct dkim_result res[DKIM_SIGS_MAX + 2];

/* One verification at time now: the first result, its count in *n. */
static struct dkim_result *
V(const char *msg, long long now, size_t *n)
{
	static size_t dummy;

	memset(res, 0, sizeof res);
	*(n ? n : &dummy) = dkim_verify(msg, strlen(msg), &mem, (time_t)now,
	    res, DKIM_SIGS_MAX + 2);
	return &res[0];
}

static int
is(const struct dkim_result *r, int want, const char *why)
{
	if (r->res == want && strcmp(r->why, why) == 0)
		return 1;
	printf("#   got %s (%s), want %s (%s)\n", dkim_result_name(r->res),
	    r->why, dkim_result_name(want), why);
	return 0;
}

static char *
cat2(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	char *s = malloc(n + m + 1);

	if (s == NULL)
		exit(2);
	memcpy(s, a, n);
	memcpy(s + n, b, m + 1);
	return s;
}

/* s with the first "from" replaced by "to" (a fresh string) */
static char *
subst(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t n = strlen(s), f = strlen(from), t = strlen(to);
	char *r = malloc(n - f + t + 1);

	if (r == NULL || at == NULL)
		exit(2);
	memcpy(r, s, (size_t)(at - s));
	memcpy(r + (at - s), to, t);
	memcpy(r + (at - s) + t, at + f, n - (size_t)(at - s) - f + 1);
	return r;
}

static int
load_pem(struct dkim_key *k, const char *pem, const char **why)
{
	char path[] = "/tmp/dkim-unit.XXXXXX";
	int fd = mkstemp(path), rc;

	if (fd == -1 || write(fd, pem, strlen(pem)) != (ssize_t)strlen(pem) ||
	    close(fd) == -1)
		exit(2);
	rc = dkim_key_load(k, path, why);
	unlink(path);
	return rc;
}

/* The test's own signer, for what dkim_sign never writes (l=, x=,
 * rsa-sha1, other a=): relaxed/relaxed over From and Subject of msg
 * (one of each), extra tags in tags, a= in alg. */
static char *
tsign(const char *msg, const char *alg, const char *tags, long long l,
    const br_rsa_private_key *sk)
{
	const br_hash_class *hc = strcmp(alg, "rsa-sha1") == 0 ?
	    &br_sha1_vtable : &br_sha256_vtable;
	br_hash_compat_context h;
	struct buf b = BUF_INIT(1 << 20), f = BUF_INIT(8192);
	const char *body = strstr(msg, "\n\n") + 2, *p, *e;
	unsigned char d[64], x[512];
	char bh[100], sig[1024], *out;
	size_t hl = hc == &br_sha1_vtable ? 20 : 32, i;
	static const char *const names[] = { "From:", "Subject:" };

	dkim_canon_body(DKIM_RELAXED, body, strlen(body), &b);
	if (l >= 0 && (size_t)l < b.len)
		b.len = (size_t)l;
	hc->init(&h.vtable);
	hc->update(&h.vtable, b.p, b.len);
	hc->out(&h.vtable, d);
	sasl_b64_encode(bh, sizeof bh, d, hl);
	buf_cats(&f, "DKIM-Signature: v=1; a=");
	buf_cats(&f, alg);
	buf_cats(&f, "; c=relaxed/relaxed; d=example.org; s=sel1;\n\t");
	buf_cats(&f, tags);
	buf_cats(&f, " h=from:subject; bh=");
	buf_cats(&f, bh);
	buf_cats(&f, ";\n\tb=");
	b.len = 0;
	for (i = 0; i < 2; i++) {
		p = strstr(msg, names[i]);
		for (e = p; (e = strchr(e, '\n')) && (e[1] == ' ' ||
		    e[1] == '\t'); e++)
			;
		dkim_canon_header(DKIM_RELAXED, p, (size_t)(e - p) + 1, &b);
	}
	dkim_canon_header(DKIM_RELAXED, f.p, f.len, &b);
	hc->init(&h.vtable);
	hc->update(&h.vtable, b.p, b.len - 2);
	hc->out(&h.vtable, d);
	if (!br_rsa_pkcs1_sign_get_default()(hc == &br_sha1_vtable ?
	    BR_HASH_OID_SHA1 : BR_HASH_OID_SHA256, d, hl, sk, x))
		exit(2);
	sasl_b64_encode(sig, sizeof sig, x, (sk->n_bitlen + 7) / 8);
	buf_cats(&f, sig);
	buf_cats(&f, "\n");
	buf_0(&f);
	out = cat2(f.p, msg);
	buf_free(&b);
	buf_free(&f);
	return out;
}

/* A 512-bit key, which dkim_key_load refuses, straight from its PEM. */
static struct {
	br_skey_decoder_context sc;
	unsigned char der[2048];
	size_t len;
} k512;

static void
k512_der(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	memcpy(k512.der + k512.len, p, n);
	k512.len += n;
}

static const br_rsa_private_key *
key512(void)
{
	br_pem_decoder_context pc;
	size_t i = 0, n = strlen(pem512);

	br_pem_decoder_init(&pc);
	while (i < n) {
		i += br_pem_decoder_push(&pc, pem512 + i, n - i);
		if (br_pem_decoder_event(&pc) == BR_PEM_BEGIN_OBJ)
			br_pem_decoder_setdest(&pc, k512_der, NULL);
	}
	br_skey_decoder_init(&k512.sc);
	br_skey_decoder_push(&k512.sc, k512.der, k512.len);
	return br_skey_decoder_get_rsa(&k512.sc);
}

static const char msg[] =
    "Received: from a by b; Thu, 3 Dec 2026 12:00:00 +0000\n"
    "From: Alice <alice@example.org>\n"
    "To: Bob <bob@example.net>,\n"
    "  Carol <carol@example.net>\n"
    "Subject: Hello   there\n"
    "Date: Thu, 03 Dec 2026 12:00:00 +0000\n"
    "Message-ID: <1@example.org>\n"
    "\n"
    "Hi  Bob,  \n"
    "\n"
    "a test.\n"
    "\n"
    "\n";

int
main(void)
{
	struct dkim_key key;
	struct dkim_sign o = { "example.org", "sel1", NULL, 1700000000, &key };
	struct buf out = BUF_INIT(1 << 20);
	struct dkimkey dk;
	br_rsa_public_key pk;
	const char *why = "", *line;
	char *signed_, *m, *m2;
	unsigned bits;
	size_t n, i;
	int longest;

	plan(60);
	snprintf(rec2048, sizeof rec2048, "v=DKIM1; k=rsa; p=%s", pub2048);
	snprintf(rec512, sizeof rec512, "v=DKIM1; k=rsa; p=%s", pub512);

	/* RFC 6376 3.4.6 */
	is_str(ch(DKIM_RELAXED, "A: X\n"), "a:X\r\n", "3.4.6 relaxed A");
	is_str(ch(DKIM_RELAXED, "B : Y\t\n\tZ  \n"), "b:Y Z\r\n",
	    "3.4.6 relaxed B: unfolded, WSP squeezed, none at the ends");
	is_str(ch(DKIM_SIMPLE, "B : Y\t\n\tZ  \n"), "B : Y\t\r\n\tZ  \r\n",
	    "3.4.6 simple B: as is, in CRLF");
	is_str(cb(DKIM_RELAXED, " C \nD \t E\n\n\n"), " C\r\nD E\r\n",
	    "3.4.6 relaxed body");
	is_str(cb(DKIM_SIMPLE, " C \nD \t E\n\n\n"), " C \r\nD \t E\r\n",
	    "3.4.6 simple body");
	/* edge cases */
	is_str(cb(DKIM_SIMPLE, ""), "\r\n", "simple: an empty body is CRLF");
	is_str(cb(DKIM_RELAXED, ""), "", "relaxed: an empty body stays empty");
	is_str(cb(DKIM_RELAXED, " \t\n\n"), "",
	    "relaxed: blank lines alone are an empty body");
	is_str(cb(DKIM_SIMPLE, "\n\n"), "\r\n", "simple: empty lines alone");
	is_str(cb(DKIM_SIMPLE, "a\n\nb"), "a\r\n\r\nb\r\n",
	    "a last line without LF gets CRLF; inner empty lines stay");
	is_str(ch(DKIM_RELAXED, "SUBJECT:\n\t hi \tthere\t\n"),
	    "subject:hi there\r\n", "relaxed: a value that starts on a fold");
	is_str(ch(DKIM_RELAXED, "X-A:  \n"), "x-a:\r\n",
	    "relaxed: an empty value");
	is_str(ch(DKIM_SIMPLE, "X-A: b"), "X-A: b\r\n",
	    "a field without its LF ends in CRLF all the same");

	/* keys */
	ok(load_pem(&key, pem512, &why) == -1, "a 512-bit key is refused");
	ok(load_pem(&key, pem1024, &why) == 0 && key.bits == 1024,
	    "a 1024-bit key loads");
	dkim_key_free(&key);
	ok(key.bits == 0 && key.sk.plen == 0, "dkim_key_free wipes it");
	ok(load_pem(&key, "-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n", &why) == -1, "not a key");
	ok(load_pem(&key, pem2048, &why) == 0 && key.bits == 2048,
	    "a 2048-bit key loads");
	ok(dkimkey_parse(&dk, rec2048, strlen(rec2048)) == NULL &&
	    dkimkey_rsa(dk.key, dk.keylen, &pk, &bits) == NULL &&
	    bits == 2048 && pk.nlen == 256 && pk.elen == 3,
	    "the DER reader finds modulus and exponent");
	ok(dkimkey_rsa(dk.key, dk.keylen - 1, &pk, &bits) != NULL,
	    "a truncated key is refused");
	ok(dkimkey_rsa(dk.key + 24, dk.keylen - 24, &pk, &bits) == NULL &&
	    bits == 2048, "a bare RSAPublicKey is read too");
	dk.key[6] = 0x2b;               /* the OID's first octet */
	ok(dkimkey_rsa(dk.key, dk.keylen, &pk, &bits) != NULL,
	    "another algorithm is refused");

	/* sign, then verify */
	ok(dkim_sign(&o, msg, sizeof msg - 1, &out, &why) == 0, "signs");
	buf_0(&out);
	line = out.p;
	ok(strncmp(out.p, "DKIM-Signature: v=1; a=rsa-sha256; "
	    "c=relaxed/relaxed; d=example.org; s=sel1;\n\tt=1700000000; "
	    "h=from:from:subject:date:to:message-id; bh=", 119) == 0,
	    "the field: tags in order, From oversigned");
	for (longest = 0, line = out.p; *line; line++) {
		const char *e = strchr(line, '\n');
		if ((int)(e - line) > longest)
			longest = (int)(e - line);
		if (e[1] != '\t' && e[1] != '\0')
			break;
		line = e;
	}
	ok(longest <= 78 && out.p[out.len - 1] == '\n' && !strchr(out.p,
	    '\r'), "folded at 78 columns with LF TAB, ends in LF");
	ok(strstr(out.p, " l=") == NULL && strstr(out.p, "\tl=") == NULL,
	    "no l=");
	signed_ = cat2(out.p, msg);
	serve(rec2048, NULL);
	ok(is(V(signed_, 1700000001, &n), DKIM_PASS, "") && n == 1,
	    "the signature verifies");
	ok(res[0].bits == 2048 && !strcmp(res[0].d, "example.org") &&
	    !strcmp(res[0].s, "sel1") && !strcmp(res[0].i, "@example.org") &&
	    res[0].alg == DKIM_RSA_SHA256, "bits, d=, s=, i=, a=");
	ok(strncmp(res[0].b, strstr(out.p, "b=") ? strstr(out.p, "\tb=") ?
	    strstr(out.p, "\tb=") + 3 : strstr(out.p, " b=") + 3 : "", 8) == 0
	    && strlen(res[0].b) == 8, "the first 8 characters of b=");
	m = subst(signed_, "Hello   there", "Hello   therE");
	ok(is(V(m, 1700000001, NULL), DKIM_FAIL, "signature did not verify"),
	    "a changed header byte fails");
	free(m);
	m = subst(signed_, "a test.", "a tesT.");
	ok(is(V(m, 1700000001, NULL), DKIM_FAIL, "body hash did not verify"),
	    "a changed body byte fails");
	free(m);
	m = subst(signed_, "Hello   there", "Hello there ");
	ok(is(V(m, 1700000001, NULL), DKIM_PASS, ""),
	    "relaxed: white space changes do not matter");
	free(m);
	m = cat2(signed_, "\n\n\n");
	ok(is(V(m, 1700000001, NULL), DKIM_PASS, ""),
	    "nor do empty lines added at the end");
	free(m);
	m = subst(signed_, "From: Alice", "From: Mallory <m@example.com>\n"
	    "From: Alice");
	ok(is(V(m, 1700000001, NULL), DKIM_FAIL, "signature did not verify"),
	    "an added From breaks the signature (oversigned)");
	free(m);
	m = subst(signed_, "Subject: Hello", "Subject: Buy now\nSubject: "
	    "Hello");
	ok(is(V(m, 1700000001, NULL), DKIM_PASS, ""),
	    "a Subject added above the signed one is not seen (bottom-up)");
	free(m);
	m = subst(signed_, "Received: from a by b", "Received: from c by d");
	ok(is(V(m, 1700000001, NULL), DKIM_PASS, ""),
	    "an unsigned field may change");
	free(m);
	out.len = 0;
	ok(dkim_sign(&o, "From: a@example.org\nSubject: x", 30, &out,
	    &why) == 0, "a message without a body signs");
	buf_0(&out);
	m = cat2(out.p, "From: a@example.org\nSubject: x");
	ok(is(V(m, 1700000001, NULL), DKIM_PASS, ""), "and verifies");
	free(m);

	/* the key and DNS */
	zone_rc = DNS_TEMP;
	ok(is(V(signed_, 1700000001, NULL), DKIM_TEMPERROR,
	    "key lookup failed for now"), "DNS failing for now: temperror");
	zone_rc = DNS_NXDOMAIN;
	ok(is(V(signed_, 1700000001, NULL), DKIM_PERMERROR, "no key"),
	    "no such name: permerror, no key");
	serve(NULL, NULL);
	ok(is(V(signed_, 1700000001, NULL), DKIM_PERMERROR, "no key"),
	    "no TXT record: no key");
	serve("v=spf1 -all", rec2048);
	ok(is(V(signed_, 1700000001, NULL), DKIM_PASS, ""),
	    "the first record that parses as a key is taken");
	serve("v=DKIM1; k=rsa; p=", NULL);
	ok(is(V(signed_, 1700000001, NULL), DKIM_PERMERROR, "key revoked"),
	    "a revoked key (empty p=): permerror");
	serve("v=DKIM1; k=ed25519; p=AAAA", NULL);
	ok(is(V(signed_, 1700000001, NULL), DKIM_PERMERROR,
	    "key is not an RSA key (k=)"), "the key's type must match a=");
	m = subst(rec2048, "k=rsa;", "k=rsa; h=sha1;");
	serve(m, NULL);
	ok(is(V(signed_, 1700000001, NULL), DKIM_PERMERROR,
	    "key does not allow the hash (h=)"), "the key's h= must allow it");
	free(m);
	m = subst(rec2048, "k=rsa;", "k=rsa; t=s;");
	serve(m, NULL);
	m2 = subst(signed_, "s=sel1;", "s=sel1; i=@mail.example.org;");
	ok(is(V(m2, 1700000001, NULL), DKIM_PERMERROR,
	    "i= is not d= and the key says t=s"), "t=s: i= must be d=");
	free(m);
	free(m2);
	m = subst(rec2048, "k=rsa;", "k=rsa; t=y;");
	serve(m, NULL);
	ok(is(V(signed_, 1700000001, NULL), DKIM_POLICY, "key in testing "
	    "mode (t=y)"), "t=y: a signer in testing mode is no pass");
	free(m);
	serve(rec2048, NULL);

	/* what dkim_sign never writes */
	m = tsign(msg, "rsa-sha256", "l=15;", 15, &key.sk);
	ok(is(V(m, 1, NULL), DKIM_POLICY, "l= leaves part of the body "
	    "unsigned"), "l= short of the body: verifies, but is no pass");
	m2 = cat2(m, "unsubscribe here\n");
	ok(is(V(m2, 1, NULL), DKIM_POLICY, "l= leaves part of the body "
	    "unsigned"), "l=: text added after it is not signed");
	free(m2);
	m2 = subst(m, "Hi  Bob", "Hi  Bib");
	ok(is(V(m2, 1, NULL), DKIM_FAIL, "body hash did not verify"),
	    "l=: a change inside it fails");
	free(m2);
	free(m);
	m = tsign(msg, "rsa-sha256", "t=1000; x=2000;", -1, &key.sk);
	ok(is(V(m, 1999, NULL), DKIM_PASS, ""), "x=: before it, pass");
	ok(is(V(m, 2001, NULL), DKIM_FAIL, "signature expired"),
	    "x=: after it, fail");
	free(m);
	m = tsign(msg, "rsa-sha1", "", -1, &key.sk);
	ok(is(V(m, 1, NULL), DKIM_POLICY, "rsa-sha1") && res[0].alg ==
	    DKIM_RSA_SHA1, "rsa-sha1 that verifies: policy (RFC 8301)");
	free(m);
	m = tsign(msg, "rsa-md5", "", -1, &key.sk);
	ok(is(V(m, 1, NULL), DKIM_PERMERROR, "unknown algorithm (a=)") &&
	    !strcmp(res[0].d, "example.org") && !strcmp(res[0].s, "sel1"),
	    "an unknown algorithm: permerror, d= and s= still reported");
	free(m);
	m = tsign(msg, "ed25519-sha256", "", -1, &key.sk);
	lookups = 0;
	ok(is(V(m, 1, NULL), DKIM_PERMERROR, "ed25519-sha256 not supported")
	    && lookups == 0, "ed25519-sha256: permerror, no lookup");
	free(m);
	serve(rec512, NULL);
	m = tsign(msg, "rsa-sha256", "", -1, key512());
	ok(is(V(m, 1, NULL), DKIM_FAIL, "key too short (512 bits)") &&
	    res[0].bits == 512, "a 512-bit key fails (RFC 8301)");
	free(m);
	serve(rec2048, NULL);
	m = subst(signed_, "h=from:from:", "h=subject:");
	ok(is(V(m, 1, NULL), DKIM_PERMERROR, "From is not signed (h=)"),
	    "h= without From: permerror");
	free(m);

	/* many signatures: only DKIM_SIGS_MAX are checked */
	m = cat2(out.p, "");
	for (i = 0; i < 30; i++) {
		m2 = cat2(out.p, m);
		free(m);
		m = m2;
	}
	m2 = cat2(m, "From: a@example.org\nSubject: x");
	lookups = 0;
	ok(V(m2, 1, &n) && n == DKIM_SIGS_MAX && lookups == DKIM_SIGS_MAX &&
	    res[DKIM_SIGS_MAX].res == DKIM_NONE && res[7].res == DKIM_PASS,
	    "31 signatures: 8 checked, 8 lookups");
	free(m);
	free(m2);
	ok(V(msg, 1, &n) && n == 0, "no signature: no result");
	is_str(dkim_result_name(DKIM_TEMPERROR), "temperror", "result names");

	dkim_key_free(&key);
	free(signed_);
	buf_free(&out);
	return done();
}
