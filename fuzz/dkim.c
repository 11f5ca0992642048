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
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "dkimkey.h"
#include "dkimsig.h"
#include "taglist.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

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
	return 0;
}
