/* sasl: see sasl.h. */
#define _GNU_SOURCE             /* crypt() in unistd.h, where crypt.h is not */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#if defined(__has_include)
#if __has_include(<crypt.h>)
#include <crypt.h>
#endif
#endif

#include "sasl.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
sasl_b64_decode(void *dst, size_t size, size_t *len, const char *src,
    size_t n)
{
	unsigned char *d = dst;
	size_t i, o = 0;

	*len = 0;
	if (n % 4 != 0) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i += 4) {
		int v[4], k, pad = 0;
		unsigned long w;

		for (k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)src[i + k];
			/* '=' only at the end: "xx==" or "xxx=" */
			if (c == '=' && i + 4 == n && k >= 2 &&
			    (k == 3 || src[i + 3] == '=')) {
				v[k] = 0;
				pad++;
			} else if (pad || (v[k] = b64val(c)) < 0) {
				errno = EINVAL;
				return -1;
			}
		}
		w = (unsigned long)v[0] << 18 | (unsigned long)v[1] << 12 |
		    (unsigned long)v[2] << 6 | (unsigned long)v[3];
		/* the bits under the padding must be zero (RFC 4648 3.5) */
		if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff))) {
			errno = EINVAL;
			return -1;
		}
		if (o + 3 - (size_t)pad > size) {
			errno = EMSGSIZE;
			return -1;
		}
		d[o++] = (unsigned char)(w >> 16);
		if (pad < 2)
			d[o++] = (unsigned char)(w >> 8);
		if (pad < 1)
			d[o++] = (unsigned char)w;
	}
	*len = o;
	return 0;
}

int
sasl_b64_encode(char *dst, size_t size, const void *src, size_t n)
{
	const unsigned char *s = src;
	size_t i, o = 0;

	if (n > (size - 1) / 4 * 3 || size == 0) {
		errno = EMSGSIZE;
		return -1;
	}
	for (i = 0; i < n; i += 3) {
		unsigned long w = (unsigned long)s[i] << 16;
		if (i + 1 < n)
			w |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < n)
			w |= s[i + 2];
		dst[o++] = b64[w >> 18 & 63];
		dst[o++] = b64[w >> 12 & 63];
		dst[o++] = i + 1 < n ? b64[w >> 6 & 63] : '=';
		dst[o++] = i + 2 < n ? b64[w & 63] : '=';
	}
	dst[o] = '\0';
	return 0;
}

const char *
sasl_login(char *dst, size_t *dlen, const void *p, size_t n)
{
	if (n == 0)
		return "empty";
	if (n > SASL_NAME_MAX)
		return "too long";
	if (memchr(p, '\0', n))
		return "NUL inside";
	memcpy(dst, p, n);
	dst[n] = '\0';
	*dlen = n;
	return NULL;
}

const char *
sasl_plain(struct sasl_cred *c, const void *p, size_t n)
{
	const char *s = p, *e = s + n, *z1, *z2;
	const char *why;

	if ((z1 = memchr(s, '\0', n)) == NULL)
		return "no NUL after the authorization identity";
	if ((z2 = memchr(z1 + 1, '\0', (size_t)(e - z1 - 1))) == NULL)
		return "no NUL after the user name";
	if ((why = sasl_login(c->user, &c->ulen, z1 + 1,
	    (size_t)(z2 - z1 - 1))) != NULL)
		return why[0] == 'e' ? "empty user name" : why[0] == 't' ?
		    "user name too long" : "NUL in the user name";
	if ((why = sasl_login(c->pass, &c->plen, z2 + 1,
	    (size_t)(e - z2 - 1))) != NULL) {
		sasl_wipe(c);
		return why[0] == 'e' ? "empty password" : why[0] == 't' ?
		    "password too long" : "NUL in the password";
	}
	if (z1 != s && ((size_t)(z1 - s) != c->ulen ||
	    memcmp(s, c->user, c->ulen) != 0)) {
		sasl_wipe(c);
		return "authorization identity differs from the user name";
	}
	return NULL;
}

static int
hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

int
sasl_xtext_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '+') {
			if (i + 2 >= n || !hex(s[i + 1]) || !hex(s[i + 2]))
				return 0;
			i += 2;
		} else if (c < 33 || c > 126 || c == '=')
			return 0;
	}
	return n > 0;
}

void
sasl_wipe(struct sasl_cred *c)
{
	explicit_bzero(c, sizeof *c);
}

/* Equal strings, in time that does not depend on where they differ. */
static int
same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

int
sasl_users_check(const char *file, const struct sasl_cred *c)
{
	char line[1024], iobuf[4096];
	FILE *f;
	int found = 0, good = 0, e;
	const char *h;

	if ((f = fopen(file, "re")) == NULL)
		return -1;
	/* the file's hashes pass through a buffer we can wipe, not one
	 * stdio frees for the next malloc (a forked child's) to find */
	if (setvbuf(f, iobuf, _IOFBF, sizeof iobuf) != 0) {
		fclose(f);
		errno = ENOMEM;
		return -1;
	}
	while (!found && fgets(line, sizeof line, f)) {
		char *colon, *nl = strchr(line, '\n');
		if (nl == NULL && !feof(f)) {   /* overlong: skip it */
			int ch;
			while ((ch = getc(f)) != EOF && ch != '\n')
				;
			continue;
		}
		if (nl)
			*nl = '\0';
		if (line[0] == '#' || (colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		if ((size_t)(colon - line) != c->ulen ||
		    memcmp(line, c->user, c->ulen) != 0)
			continue;
		found = 1;
		h = crypt(c->pass, colon + 1);
		good = h != NULL && h[0] != '*' && same(h, colon + 1);
	}
	e = ferror(f) ? EIO : 0;
	explicit_bzero(line, sizeof line);
	fclose(f);
	explicit_bzero(iobuf, sizeof iobuf);
	if (e) {
		errno = e;
		return -1;
	}
	if (!found)     /* about the same time as for a known user */
		(void)crypt(c->pass, "$6$postel.nouser$");
	return good;
}
