/*
 * taglist: the tag=value lists of DKIM (RFC 6376 3.2), which DKIM-Signature
 * header fields, DKIM key records and DMARC records (RFC 7489 6.4) share:
 *
 *   tag-list  = tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec  = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *   tag-name  = ALPHA *( ALPHA / DIGIT / "_" )
 *   tag-value = [ tval *( 1*(WSP / FWS) tval ) ],  tval = 1*(%x21-3A / %x3C-7E)
 *
 * Pure: no I/O, no allocation. A parsed list points into the caller's
 * text, which must outlive it. Names compare case-sensitively, as the RFC
 * says; a name twice makes the whole list invalid (3.2). A value keeps
 * the white space inside it (FWS, CRLF included), without the white
 * space around it; consumers that ignore it (b=, h=, p=) drop it.
 */
#ifndef POSTEL_TAGLIST_H
#define POSTEL_TAGLIST_H

#include <stddef.h>

#define TAGLIST_MAX 32          /* tags in one list; more is invalid */

struct tag {
	const char *name, *val;
	size_t nlen, vlen;
};

struct taglist {
	struct tag t[TAGLIST_MAX];
	size_t n;
};

/* Parse s[0..n) into l: NULL, or why the list is invalid. */
const char *taglist_parse(struct taglist *l, const char *s, size_t n);
/* The tag called name (a C string), or NULL. */
const struct tag *taglist_get(const struct taglist *l, const char *name);
/* Whether t's value, a list separated by ':' (h=, q=, s=, t= of DKIM),
 * holds w as an item, white space around items ignored; in any case
 * of letters when nocase. */
int taglist_item(const struct tag *t, const char *w, int nocase);
/* Whether t's value is exactly w. */
int taglist_is(const struct tag *t, const char *w);
/* Decode t's value, base64 with FWS anywhere in it (b=, bh=, p=), into
 * dst (size octets), *len set (0 for an empty value). 0, or -1 with
 * EINVAL (not base64) or EMSGSIZE (longer than 4096 characters or than
 * dst). */
int taglist_b64(const struct tag *t, void *dst, size_t size, size_t *len);

#endif
