/* dkimkey: see dkimkey.h. */
#include <string.h>

#include "dkimkey.h"
#include "taglist.h"

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
	    (t != &l.t[0] || !taglist_is(t, "DKIM1")))
		return "v= is not DKIM1 or not the first tag";
	k->type = DKIMKEY_RSA;
	if ((t = taglist_get(&l, "k")) != NULL)
		k->type = taglist_is(t, "rsa") ? DKIMKEY_RSA : taglist_is(t, "ed25519") ?
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
	if (taglist_b64(t, k->key, sizeof k->key, &k->keylen) == -1)
		return "the key (p=) is not base64 or too long";
	k->revoked = k->keylen == 0;
	return NULL;
}
