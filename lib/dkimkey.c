/* dkimkey: see dkimkey.h. */
#include <string.h>

#include "dkimkey.h"
#include "sasl.h"
#include "taglist.h"

static int
is(const struct tag *t, const char *word)
{
	return t->vlen == strlen(word) && memcmp(t->val, word, t->vlen) == 0;
}

/* p=: base64 with FWS anywhere, decoded into k. */
static const char *
key_bytes(struct dkimkey *k, const struct tag *p)
{
	char b64[DKIMKEY_MAX / 3 * 4 + 8];
	size_t i, n = 0;

	for (i = 0; i < p->vlen; i++) {
		if (strchr(" \t\r\n", p->val[i]))
			continue;
		if (n == sizeof b64)
			return "the key (p=) is too long";
		b64[n++] = p->val[i];
	}
	if (n == 0) {
		k->revoked = 1;
		return NULL;
	}
	if (sasl_b64_decode(k->key, sizeof k->key, &k->keylen, b64, n) == -1)
		return "the key (p=) is not base64";
	return NULL;
}

const char *
dkimkey_parse(struct dkimkey *k, const char *s, size_t n)
{
	struct taglist l;
	const struct tag *t;
	const char *why;

	memset(k, 0, sizeof *k);
	if ((why = taglist_parse(&l, s, n)) != NULL)
		return why;
	if ((t = taglist_get(&l, "v")) != NULL &&
	    (t != &l.t[0] || !is(t, "DKIM1")))
		return "v= is not DKIM1 or not the first tag";
	k->type = DKIMKEY_RSA;
	if ((t = taglist_get(&l, "k")) != NULL)
		k->type = is(t, "rsa") ? DKIMKEY_RSA : is(t, "ed25519") ?
		    DKIMKEY_ED25519 : DKIMKEY_OTHER;
	k->hashes = DKIMKEY_SHA1 | DKIMKEY_SHA256;
	if ((t = taglist_get(&l, "h")) != NULL)
		k->hashes = (taglist_item(t, "sha1", 0) ? DKIMKEY_SHA1 : 0) |
		    (taglist_item(t, "sha256", 0) ? DKIMKEY_SHA256 : 0);
	if ((t = taglist_get(&l, "s")) != NULL && !taglist_item(t, "*", 0) &&
	    !taglist_item(t, "email", 0))
		return "the key is not for email (s=)";
	if ((t = taglist_get(&l, "t")) != NULL) {
		k->testing = taglist_item(t, "y", 0);
		k->strict = taglist_item(t, "s", 0);
	}
	if ((t = taglist_get(&l, "p")) == NULL)
		return "no key (p=)";
	return key_bytes(k, t);
}
