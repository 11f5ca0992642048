/*
 * dkim_key: libFuzzer target for the DKIM tag=value list parser
 * (lib/taglist.c, RFC 6376 3.2) and the DKIM key record parser on it
 * (lib/dkimkey.c, 3.6.1): the input is a TXT record or a header field's
 * value. Checks: every tag lies inside the input, its name is a letter
 * then letters, digits or '_', its value neither starts nor ends with
 * white space and holds no ';', no name comes twice; a key that parses
 * fits its buffer, a revoked one has no bytes, and k=/h= give known
 * values.
 */
#include <stdint.h>
#include <string.h>

#include "dkimkey.h"
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
	return 0;
}
