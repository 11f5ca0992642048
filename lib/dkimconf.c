/* dkimconf: conf/dkim-sign. See dkimconf.h and postel-conf(5). */
#include <string.h>

#include "dkimconf.h"

/* One word of s at *p into dst (size bytes): its length, or -1 when it
 * does not fit; *p moves past it and the blanks after it. */
static long
word(const char **p, char *dst, size_t size)
{
	const char *s = *p;
	size_t n = strcspn(s, " \t");

	if (n >= size)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	s += n;
	s += strspn(s, " \t");
	*p = s;
	return (long)n;
}

/* A selector is a sub-domain (RFC 6376 3.1): labels of letters, digits
 * and hyphens. */
static const char *
selector_check(const char *s)
{
	if (*s == '[')
		return "the selector is not a DNS name";
	return addr_domain_check(s, strlen(s), 0);
}

const char *
dkimconf_parse(struct dkimconf *c, const struct conf_ent *e)
{
	const char *p = e->val, *why;
	char file[PATH_MAX];
	long n;

	memset(c, 0, sizeof *c);
	if (strcmp(e->key, "*") != 0 &&
	    (why = addr_domain_check(e->key, strlen(e->key), 0)) != NULL)
		return why;
	if (e->key[0] == '[')
		return "the From: domain is an address literal";
	if ((n = word(&p, c->sel, sizeof c->sel)) == -1)
		return "selector too long";
	if (n == 0)
		return "no selector and key file";
	if ((why = selector_check(c->sel)) != NULL)
		return why;
	if ((n = word(&p, file, sizeof file)) == -1)
		return "key file name too long";
	if (n == 0)
		return "no key file";
	if (conf_file(c->key, sizeof c->key, file) == -1)
		return "key file name too long";
	if (*p) {
		if (word(&p, c->d, sizeof c->d) == -1)
			return "signing domain too long";
		if (*p)
			return "junk after the signing domain";
		if (c->d[0] == '[' ||
		    (why = addr_domain_check(c->d, strlen(c->d), 0)) != NULL)
			return "bad signing domain";
	}
	return NULL;
}

const struct conf_ent *
dkimconf_find(const struct conf_table *t, const char *dom)
{
	char low[ADDR_DOMAIN_MAX + 1];
	const struct conf_ent *e;
	size_t i;

	for (i = 0; i < ADDR_DOMAIN_MAX && dom[i]; i++)
		low[i] = (dom[i] >= 'A' && dom[i] <= 'Z') ? dom[i] + 32 :
		    dom[i];
	low[i] = '\0';
	if (dom[i] == '\0' && (e = conf_table_get(t, low)) != NULL)
		return e;
	return conf_table_get(t, "*");
}
