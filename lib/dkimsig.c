/* dkimsig: see dkimsig.h. */
#include <string.h>
#include <strings.h>

#include "dkimsig.h"
#include "taglist.h"

/* A value copied as a C string (lower-cased if low): 0, or -1 when it
 * is empty, too long, or holds white space. */
static int
word(const struct tag *t, char *dst, size_t size, int low)
{
	size_t i;

	if (t->vlen == 0 || t->vlen >= size)
		return -1;
	for (i = 0; i < t->vlen; i++) {
		char c = t->val[i];
		if (strchr(" \t\r\n", c))
			return -1;
		dst[i] = low && c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	dst[i] = '\0';
	return 0;
}

/* A decimal number of at most 18 digits (l=, t=, x=), or -1. */
static long long
number(const struct tag *t)
{
	long long v = 0;
	size_t i;

	if (t->vlen == 0 || t->vlen > 18)
		return -1;
	for (i = 0; i < t->vlen; i++) {
		if (t->val[i] < '0' || t->val[i] > '9')
			return -1;
		v = v * 10 + (t->val[i] - '0');
	}
	return v;
}

static const char *
canon(struct dkimsig *g, const struct tag *c)
{
	const char *slash = memchr(c->val, '/', c->vlen);
	struct tag hd = *c, bd = *c;

	if (slash) {
		hd.vlen = (size_t)(slash - c->val);
		bd.val = slash + 1;
		bd.vlen = c->vlen - hd.vlen - 1;
	} else {
		bd.val = "simple";
		bd.vlen = 6;
	}
	g->hcanon = taglist_is(&hd, "relaxed") ? DKIM_RELAXED : taglist_is(&hd, "simple") ?
	    DKIM_SIMPLE : -1;
	g->bcanon = taglist_is(&bd, "relaxed") ? DKIM_RELAXED : taglist_is(&bd, "simple") ?
	    DKIM_SIMPLE : -1;
	return g->hcanon < 0 || g->bcanon < 0 ? "unknown canonicalization (c=)" :
	    NULL;
}

/* i= must be in d= or a subdomain of it (RFC 6376 3.5, i=). */
static int
in_domain(const char *i, const char *d)
{
	const char *at = strrchr(i, '@');
	size_t il, dl = strlen(d);

	if (at == NULL)
		return 0;
	at++;
	il = strlen(at);
	if (il < dl || strcasecmp(at + il - dl, d) != 0)
		return 0;
	return il == dl || at[il - dl - 1] == '.';
}

const char *
dkimsig_parse(struct dkimsig *g, const char *s, size_t n)
{
	static const char *const need[] = { "v", "a", "b", "bh", "d", "h",
	    "s" };
	struct taglist l;
	const struct tag *t;
	const char *why;
	size_t k;

	memset(g, 0, sizeof *g);
	g->l = g->t = g->x = -1;
	if ((why = taglist_parse(&l, s, n)) != NULL)
		return why;
	for (k = 0; k < sizeof need / sizeof need[0]; k++)
		if (taglist_get(&l, need[k]) == NULL)
			return "a required tag is missing (v, a, b, bh, d, h, s)";
	if (!taglist_is(taglist_get(&l, "v"), "1"))
		return "v= is not 1";
	t = taglist_get(&l, "a");
	g->alg = taglist_is(t, "rsa-sha256") ? DKIM_RSA_SHA256 : taglist_is(t, "rsa-sha1") ?
	    DKIM_RSA_SHA1 : taglist_is(t, "ed25519-sha256") ? DKIM_ED25519_SHA256 : 0;
	if (g->alg == 0)
		return "unknown algorithm (a=)";
	if ((t = taglist_get(&l, "c")) != NULL && (why = canon(g, t)) != NULL)
		return why;
	if (taglist_b64(taglist_get(&l, "b"), g->b, sizeof g->b, &g->blen)
	    == -1 || g->blen == 0)
		return "b= is empty, not base64 or too long";
	if (taglist_b64(taglist_get(&l, "bh"), g->bh, sizeof g->bh,
	    &g->bhlen) == -1 || g->bhlen == 0)
		return "bh= is empty, not base64 or too long";
	if (word(taglist_get(&l, "d"), g->d, sizeof g->d, 1) == -1)
		return "bad domain (d=)";
	if (word(taglist_get(&l, "s"), g->s, sizeof g->s, 0) == -1)
		return "bad selector (s=)";
	t = taglist_get(&l, "h");
	g->h = t->val;
	g->hlen = t->vlen;
	if (!taglist_item(t, "from", 1))
		return "From is not signed (h=)";
	if ((t = taglist_get(&l, "i")) != NULL) {
		if (word(t, g->i, sizeof g->i, 0) == -1 || !in_domain(g->i, g->d))
			return "i= is not in d=";
	} else {
		g->i[0] = '@';
		memcpy(g->i + 1, g->d, strlen(g->d) + 1);
	}
	if ((t = taglist_get(&l, "q")) != NULL &&
	    !taglist_item(t, "dns/txt", 0))
		return "no query method this verifier knows (q=)";
	if ((t = taglist_get(&l, "l")) != NULL && (g->l = number(t)) < 0)
		return "bad body length (l=)";
	if ((t = taglist_get(&l, "t")) != NULL && (g->t = number(t)) < 0)
		return "bad time (t=)";
	if ((t = taglist_get(&l, "x")) != NULL && (g->x = number(t)) < 0)
		return "bad expiry (x=)";
	if (g->t >= 0 && g->x >= 0 && g->x <= g->t)
		return "x= is not after t=";
	return NULL;
}
