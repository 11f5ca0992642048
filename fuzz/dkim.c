/*
 * dkim: libFuzzer target for the DKIM tag=value list parser
 * (lib/taglist.c, RFC 6376 3.2) and the two parsers on it, of key
 * records (lib/dkimkey.c, 3.6.1) and of DKIM-Signature values
 * (lib/dkimsig.c, 3.5): the input is a TXT record or a header field's
 * value. Checks: every tag lies inside the input, its name is a letter
 * then letters, digits or '_', its value neither starts nor ends with
 * white space and holds no ';', no name comes twice; a key that parses
 * fits its buffer, a revoked one has no bytes, k=/h= give known values;
 * a signature that parses has a known a= and c=, b= and bh= that fit,
 * a lower-case d=, an i= in d= and an h= inside the input.
 *
 * The same input also goes through lib/dkim: as a DER public key
 * (dkimkey_rsa: the modulus and exponent lie inside it, the size is the
 * modulus's), as a header field and as a body to canonicalize (relaxed:
 * no WSP run, no WSP before a CRLF; every form ends in CRLF but an empty
 * relaxed body), and as a whole message to verify, each key lookup
 * answered from memory with one 1024-bit test key (a selector starting
 * with 't' fails for now): at most DKIM_SIGS_MAX results, each a known
 * result with NUL-terminated strings.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "dkim.h"
#include "dkimkey.h"
#include "dkimsig.h"
#include "taglist.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static const char key1024[] = "v=DKIM1; k=rsa; p="
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDVcGE1g4YLjJXSwbaTtgm/khCA"
    "e1z6DA2RQxwKPKVAvUBAA8VLUib1zGJzUSzSmcEB2LGNNXb3JGwek598x8uX+/MK"
    "XYU97L1JgSzHK2fMtS7kvfZ57bpWdeM4HmAdDgHorENmkRJudqOjT7M1gW+0/Spr"
    "LQfRKCyY6LjCZXTC6QIDAQAB";

static int
mem_txt(void *ctx, const char *name, struct dns_txt *t)
{
	(void)ctx;
	t->n = t->skipped = 0;
	if (name[0] == 't')
		return DNS_TEMP;
	memcpy(t->buf, key1024, sizeof key1024);
	t->rec[0] = t->buf;
	t->len[0] = sizeof key1024 - 1;
	t->n = 1;
	return DNS_OK;
}
static const struct dns_ops mem = { mem_txt, NULL, NULL, NULL, NULL };

static int
wsp(char c)
{
	return c == ' ' || c == '\t';
}

static void
canon_checks(const char *s, size_t n)
{
	struct buf b = BUF_INIT(1 << 22);
	size_t i;
	int c;

	for (c = DKIM_SIMPLE; c <= DKIM_RELAXED; c++) {
		b.len = 0;
		if (dkim_canon_body(c, s, n, &b) == 0) {
			if (b.len == 0 ? c == DKIM_SIMPLE : b.len < 2 ||
			    memcmp(b.p + b.len - 2, "\r\n", 2) != 0)
				__builtin_trap();
			for (i = 1; c == DKIM_RELAXED && i < b.len; i++)
				if (wsp(b.p[i - 1]) && (wsp(b.p[i]) ||
				    (b.p[i] == '\r' && i + 1 < b.len &&
				    b.p[i + 1] == '\n')))
					__builtin_trap();
		}
		b.len = 0;
		if (dkim_canon_header(c, s, n, &b) == 0 && n > 0) {
			if (b.len < 2 || memcmp(b.p + b.len - 2, "\r\n", 2))
				__builtin_trap();
			/* the name keeps what it holds; the value is
			 * squeezed and unfolded */
			const char *colon = memchr(b.p, ':', b.len);
			i = colon ? (size_t)(colon - b.p) + 2 : b.len;
			for (; c == DKIM_RELAXED && i < b.len; i++)
				if ((wsp(b.p[i - 1]) && wsp(b.p[i])) ||
				    (b.p[i] == '\n' && i + 1 != b.len))
					__builtin_trap();
		}
	}
	buf_free(&b);
}

static void
verify_checks(const char *s, size_t n)
{
	static struct dkim_result r[DKIM_SIGS_MAX + 1];
	size_t k, i;

	memset(r, 0, sizeof r);
	k = dkim_verify(s, n, &mem, 1700000000, r, DKIM_SIGS_MAX + 1);
	if (k > DKIM_SIGS_MAX || r[DKIM_SIGS_MAX].res != 0)
		__builtin_trap();
	for (i = 0; i < k; i++)
		if (r[i].res < DKIM_PASS || r[i].res > DKIM_PERMERROR ||
		    !memchr(r[i].d, 0, sizeof r[i].d) ||
		    !memchr(r[i].s, 0, sizeof r[i].s) ||
		    !memchr(r[i].i, 0, sizeof r[i].i) ||
		    !memchr(r[i].b, 0, sizeof r[i].b) ||
		    !memchr(r[i].why, 0, sizeof r[i].why) ||
		    (r[i].res == DKIM_PASS && r[i].bits != 1024))
			__builtin_trap();
}

static void
der_checks(const uint8_t *p, size_t n)
{
	br_rsa_public_key pk;
	unsigned bits;

	if (dkimkey_rsa(p, n, &pk, &bits) != NULL)
		return;
	if (pk.nlen == 0 || pk.elen == 0 || pk.n < p || pk.n + pk.nlen >
	    p + n || pk.e < p || pk.e + pk.elen > p + n || pk.n[0] == 0 ||
	    bits <= (pk.nlen - 1) * 8 || bits > pk.nlen * 8)
		__builtin_trap();
}

static int
ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static struct dkimkey k;
	static struct dkimsig g;
	struct taglist l;
	const char *s = (const char *)p;
	size_t i, j, c;

	if (taglist_parse(&l, s, n) == NULL) {
		if (l.n == 0 || l.n > TAGLIST_MAX)
			__builtin_trap();
		for (i = 0; i < l.n; i++) {
			const struct tag *t = &l.t[i];
			if (t->name < s || t->name + t->nlen > s + n ||
			    t->val < s || t->val + t->vlen > s + n ||
			    t->nlen == 0)
				__builtin_trap();
			for (c = 0; c < t->nlen; c++) {
				char ch = t->name[c];
				int al = (ch >= 'a' && ch <= 'z') ||
				    (ch >= 'A' && ch <= 'Z');
				if (!al && (c == 0 || !((ch >= '0' &&
				    ch <= '9') || ch == '_')))
					__builtin_trap();
			}
			if (t->vlen && (ws(t->val[0]) ||
			    ws(t->val[t->vlen - 1]) ||
			    memchr(t->val, ';', t->vlen)))
				__builtin_trap();
			for (j = 0; j < i; j++)
				if (l.t[j].nlen == t->nlen &&
				    memcmp(l.t[j].name, t->name, t->nlen) == 0)
					__builtin_trap();
		}
	}
	if (dkimkey_parse(&k, s, n) == NULL) {
		if (k.keylen > sizeof k.key || (k.revoked && k.keylen) ||
		    (!k.revoked && k.keylen == 0) || k.type < DKIMKEY_RSA ||
		    k.type > DKIMKEY_OTHER ||
		    (k.hashes & ~(unsigned)(DKIMKEY_SHA1 | DKIMKEY_SHA256)))
			__builtin_trap();
	}
	if (dkimsig_parse(&g, s, n) == NULL) {
		size_t dl = strlen(g.d), il = strlen(g.i);
		if (g.alg < DKIM_RSA_SHA256 || g.alg > DKIM_ED25519_SHA256 ||
		    g.hcanon < 0 || g.hcanon > 1 || g.bcanon < 0 ||
		    g.bcanon > 1 || g.blen == 0 || g.blen > sizeof g.b ||
		    g.bhlen == 0 || g.bhlen > sizeof g.bh || dl == 0 ||
		    g.h < s || g.h + g.hlen > s + n || il <= dl ||
		    strncasecmp(g.i + il - dl, g.d, dl) != 0 ||
		    !memchr(g.i, '@', il))
			__builtin_trap();
		for (i = 0; i < dl; i++)
			if (g.d[i] >= 'A' && g.d[i] <= 'Z')
				__builtin_trap();
	}
	der_checks(p, n);
	canon_checks(s, n);
	verify_checks(s, n);
	return 0;
}
