/* psl: see psl.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "psl.h"

#ifndef POSTEL_SHARE
#define POSTEL_SHARE "/usr/local/share/postel"
#endif

/* What the list says about one suffix (the key): a rule that is the key
 * itself, a wildcard rule "*.key", an exception rule "!key". */
enum { PSL_RULE = 1, PSL_WILD = 2, PSL_EXC = 4 };

#define PSL_LABELS 128          /* labels in a name of 255 octets */
#define PSL_NAME 253            /* octets in a name without the root */
#define PSL_ALABEL 256          /* room for one rule in A-label form */

struct ent {
	uint32_t off;           /* key at p->text + off; 0: an empty slot */
	uint16_t len;
	uint8_t flags;
};

struct psl {
	char *text;             /* the file (rules NUL-terminated in place),
	                           then the rules converted to A-labels */
	size_t size, used;      /* of text */
	struct ent *tab;        /* open addressing, a power of two */
	size_t mask;
};

static char why_buf[96];

static uint32_t
hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;       /* FNV-1a */

	while (n--) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

static struct ent *
slot(const struct psl *p, const char *k, size_t n)
{
	size_t i = hash(k, n) & p->mask;

	for (;; i = (i + 1) & p->mask) {
		struct ent *e = &p->tab[i];
		if (e->off == 0 || (e->len == n &&
		    memcmp(p->text + e->off, k, n) == 0))
			return e;
	}
}

static unsigned
flags(const struct psl *p, const char *k, size_t n)
{
	const struct ent *e = slot(p, k, n);

	return e->off ? e->flags : 0;
}

/* The table has room for every key (load factor at most 1/2), so that
 * slot() always ends. */
static void
add(struct psl *p, const char *k, size_t n, unsigned f)
{
	struct ent *e = slot(p, k, n);

	if (e->off == 0) {
		e->off = (uint32_t)(k - p->text);
		e->len = (uint16_t)n;
	}
	e->flags |= (uint8_t)f;
}

/* One UTF-8 character from s[*i..n): its code point, or -1 for a
 * malformed, overlong or surrogate sequence. */
static long
utf8(const unsigned char *s, size_t n, size_t *i)
{
	unsigned char c = s[(*i)++];
	size_t k, more;
	long cp, min;

	if (c < 0x80)
		return c;
	if (c >= 0xc2 && c <= 0xdf)
		more = 1, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		more = 2, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		more = 3, cp = c & 0x07, min = 0x10000;
	else
		return -1;
	for (k = 0; k < more; k++) {
		if (*i >= n || (s[*i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[(*i)++] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	return cp;
}

static char
digit(unsigned d)
{
	return (char)(d < 26 ? 'a' + d : '0' + d - 26);
}

static unsigned
adapt(unsigned long delta, unsigned long npoints, int first)
{
	unsigned k = 0;

	delta = first ? delta / 700 : delta / 2;
	delta += delta / npoints;
	while (delta > ((36 - 1) * 26) / 2) {
		delta /= 36 - 1;
		k += 36;
	}
	return k + (unsigned)((36 * delta) / (delta + 38));
}

/* The Punycode (RFC 3492 6.3) of the label s[0..n) after "xn--", at
 * dst; the octets written, or 0 when it does not fit in max (a label has
 * at most 63) or s is not UTF-8. */
static size_t
puny(const char *s, size_t n, char *dst, size_t max)
{
	long cp[64];
	size_t ncp = 0, i = 0, o = 0, h, b, j;
	unsigned long m, delta = 0, q, nn = 0x80;
	unsigned bias = 72, k, t;

	while (i < n) {
		long c = utf8((const unsigned char *)s, n, &i);
		if (c < 0 || ncp == sizeof cp / sizeof cp[0])
			return 0;
		cp[ncp++] = c;
	}
	if (max < 4)
		return 0;
	memcpy(dst, "xn--", 4);
	o = 4;
	for (j = 0; j < ncp; j++)
		if (cp[j] < 0x80) {
			if (o == max)
				return 0;
			dst[o++] = (char)cp[j];
		}
	h = b = o - 4;
	if (b > 0) {
		if (o == max)
			return 0;
		dst[o++] = '-';
	}
	while (h < ncp) {
		m = 0x110000;
		for (j = 0; j < ncp; j++)
			if ((unsigned long)cp[j] >= nn &&
			    (unsigned long)cp[j] < m)
				m = (unsigned long)cp[j];
		delta += (m - nn) * (h + 1);    /* at most 64 * 0x110000 */
		nn = m;
		for (j = 0; j < ncp; j++) {
			if ((unsigned long)cp[j] < nn)
				delta++;
			if ((unsigned long)cp[j] != nn)
				continue;
			for (q = delta, k = 36;; k += 36) {
				t = k <= bias ? 1 : k >= bias + 26 ? 26 :
				    k - bias;
				if (q < t)
					break;
				if (o == max)
					return 0;
				dst[o++] = digit(t + (unsigned)((q - t) %
				    (36 - t)));
				q = (q - t) / (36 - t);
			}
			if (o == max)
				return 0;
			dst[o++] = digit((unsigned)q);
			bias = adapt(delta, h + 1, h == b);
			delta = 0;
			h++;
		}
		delta++;
		nn++;
	}
	return o;
}

/* The rule s[0..n) with each label that is not ASCII as an A-label, at
 * dst (room for PSL_ALABEL); its length, or 0 when it does not fit. */
static size_t
alabels(const char *s, size_t n, char *dst)
{
	size_t i = 0, o = 0;

	while (i <= n) {
		size_t a = i, j;
		int ascii = 1;

		while (i < n && s[i] != '.')
			i++;
		for (j = a; j < i; j++)
			if ((unsigned char)s[j] >= 0x80)
				ascii = 0;
		if (ascii) {
			if (o + (i - a) > PSL_NAME)
				return 0;
			memcpy(dst + o, s + a, i - a);
			o += i - a;
		} else {
			size_t l = puny(s + a, i - a, dst + o, 63);
			if (l == 0 || o + l > PSL_NAME)
				return 0;
			o += l;
		}
		if (i == n)
			break;
		dst[o++] = '.';
		i++;
	}
	return o;
}

static int
rulechar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	    c == '_' || c == '.' || c >= 0x80;
}

static const char *
bad(unsigned line, const char *what)
{
	if (snprintf(why_buf, sizeof why_buf, "line %u: %s", line, what) < 0)
		return what;
	return why_buf;
}

/* Check the rule at s[0..n) (lower-cased already) and enter it; NULL or
 * why it is not a rule. */
static const char *
rule(struct psl *p, char *s, size_t n)
{
	unsigned f = PSL_RULE;
	size_t i, len;
	int utf = 0;

	if (s[0] == '!')
		f = PSL_EXC, s++, n--;
	else if (n >= 2 && s[0] == '*' && s[1] == '.')
		f = PSL_WILD, s += 2, n -= 2;
	if (n == 0 || n > PSL_NAME || s[0] == '.' || s[n - 1] == '.')
		return "not a domain name";
	for (i = 0; i < n; i++) {
		if (!rulechar((unsigned char)s[i]))
			return s[i] == '*' ? "a wildcard that is not the "
			    "first label" : "a character not allowed in a rule";
		if (s[i] == '.' && s[i + 1] == '.')
			return "an empty label";
		if ((unsigned char)s[i] >= 0x80)
			utf = 1;
	}
	if (f == PSL_EXC && memchr(s, '.', n) == NULL)
		return "an exception of one label";
	add(p, s, n, f);
	if (utf) {
		/* the same rule as DNS names carry it (IDNA A-labels) */
		if (p->used + PSL_ALABEL > p->size)
			return "out of room";   /* counted before: cannot be */
		len = alabels(s, n, p->text + p->used);
		if (len == 0)
			return "a label that is not UTF-8 or too long";
		add(p, p->text + p->used, len, f);
		p->used += len + 1;
		p->text[p->used - 1] = '\0';
	}
	return NULL;
}

/* Read the whole file at path into a new buffer, one octet of room
 * before it and a NUL after it; 0, or -1 with errno (EFBIG over the
 * bound). */
static int
slurp(const char *path, char **buf, size_t *n)
{
	struct stat sb;
	char *b = NULL;
	size_t len = 0, cap;
	ssize_t r;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (sb.st_size > (off_t)PSL_SIZE_MAX) {
		errno = EFBIG;
		goto fail;
	}
	cap = (size_t)sb.st_size + 1;   /* one more, to see the end */
	if ((b = malloc(cap + 1)) == NULL)
		goto fail;
	for (;;) {
		if (len == cap) {       /* the file grew while read */
			errno = EFBIG;
			goto fail;
		}
		r = read(fd, b + 1 + len, cap - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	b[0] = '\0';
	b[1 + len] = '\0';
	*buf = b;
	*n = len;
	return 0;
fail:
	e = errno;
	free(b);
	if (fd != -1)
		(void)close(fd);
	errno = e;
	return -1;
}

/* The rules in s[0..n): how many, and how many are not ASCII. */
static void
count(const char *s, size_t n, size_t *rules, size_t *utf)
{
	size_t i = 0;

	*rules = *utf = 0;
	while (i < n) {
		size_t a = i;
		int u = 0;

		if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
			/* a comment, most of the file: to its end at once */
			const char *e = memchr(s + i, '\n', n - i);
			i = e ? (size_t)(e - s) + 1 : n;
			continue;
		}
		while (i < n && s[i] != '\n')
			if ((unsigned char)s[i++] >= 0x80)
				u = 1;
		if (i > a && !strchr(" \t\r", s[a]) && !(i - a >= 2 &&
		    s[a] == '/' && s[a + 1] == '/')) {
			(*rules)++;
			*utf += (size_t)u;
		}
		i++;
	}
}

int
psl_load(struct psl **pp, const char *path, const char **why)
{
	struct psl *p;
	size_t len, rules, utf, tabn = 16;
	unsigned line = 0;
	char *s, *end, *t;

	*pp = NULL;
	*why = NULL;
	if ((p = calloc(1, sizeof *p)) == NULL)
		return -1;
	if (slurp(path, &p->text, &len) == -1) {
		free(p);
		return -1;
	}
	count(p->text + 1, len, &rules, &utf);
	/* Room for each rule that is not ASCII in A-label form, bounded
	 * as the file is; a table at most half full. */
	if (utf > PSL_SIZE_MAX / PSL_ALABEL) {
		psl_free(p);
		errno = EFBIG;
		return -1;
	}
	p->used = len + 2;
	p->size = p->used + utf * PSL_ALABEL;
	while (tabn < 2 * (rules + utf))
		tabn *= 2;
	if ((t = realloc(p->text, p->size)) == NULL ||
	    (p->text = t, p->tab = calloc(tabn, sizeof *p->tab)) == NULL) {
		psl_free(p);
		return -1;
	}
	p->mask = tabn - 1;
	/* Offset 0 marks an empty slot: the text starts with an octet that
	 * no key uses. */
	s = p->text + 1;
	end = s + len;
	while (s < end) {
		char *e = memchr(s, '\n', (size_t)(end - s));
		char *w;
		const char *err;

		line++;
		if (e == NULL)
			e = end;
		if (e - s >= 2 && s[0] == '/' && s[1] == '/') {
			s = e + 1;      /* a comment */
			continue;
		}
		*e = '\0';
		/* a rule is the line up to the first white space */
		for (w = s; *w && *w != ' ' && *w != '\t' && *w != '\r'; w++)
			if (*w >= 'A' && *w <= 'Z')
				*w = (char)(*w - 'A' + 'a');
		*w = '\0';
		if (w > s && !(w - s >= 2 && s[0] == '/' && s[1] == '/') &&
		    (err = rule(p, s, (size_t)(w - s))) != NULL) {
			*why = bad(line, err);
			psl_free(p);
			errno = EINVAL;
			return -1;
		}
		s = e + 1;
	}
	*pp = p;
	return 0;
}

int
psl_path(char *dst, size_t size, const char *name)
{
	static const char *const other[] = { PSL_SYSTEM,
	    POSTEL_SHARE "/conf/public-suffix-list.dat" };
	size_t i;

	if (conf_file(dst, size, name ? name : "public-suffix-list.dat") ==
	    -1)
		return -1;
	for (i = 0; name == NULL && i < 2; i++) {
		if (access(dst, F_OK) == 0)
			return 0;
		if (errno != ENOENT)
			return -1;
		if (strlen(other[i]) >= size) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(dst, other[i], strlen(other[i]) + 1);
	}
	return 0;
}

void
psl_free(struct psl *p)
{
	if (p == NULL)
		return;
	free(p->text);
	free(p->tab);
	free(p);
}

int
psl_org(const struct psl *p, const char *name, char *out, size_t size)
{
	char n[PSL_NAME + 1];
	size_t len = strlen(name), at[PSL_LABELS], k = 0, i, ps = 0;
	int exc = 0;

	if (len == 0 || len > PSL_NAME)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c <= ' ' || c == 0x7f)
			return -1;
		n[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		if (i == 0 || n[i - 1] == '.') {
			if (c == '.' || k == PSL_LABELS)
				return -1;      /* an empty label */
			at[k++] = i;
		}
	}
	n[len] = '\0';
	if (n[len - 1] == '.')
		return -1;
	/* Longest suffix first: the first rule that matches is the longest
	 * (publicsuffix.org's algorithm), but an exception wins over any. */
	for (i = 0; i < k && !exc; i++) {
		const char *s = n + at[i];
		size_t sl = len - at[i];
		unsigned f = flags(p, s, sl);

		if (f & PSL_EXC) {
			ps = k - i - 1;
			exc = 1;
		} else if (ps == 0 && ((f & PSL_RULE) || (i + 1 < k &&
		    (flags(p, n + at[i + 1], len - at[i + 1]) & PSL_WILD))))
			ps = k - i;
	}
	if (ps == 0)
		ps = 1;                 /* the default rule "*" */
	i = k > ps ? at[k - ps - 1] : 0;
	if (len - i + 1 > size)
		return -1;
	memcpy(out, n + i, len - i + 1);
	return 0;
}

int
psl_alabels(const char *name, char *out, size_t size)
{
	char tmp[PSL_ALABEL];
	size_t n = strlen(name), l;

	if (n == 0 || n > PSL_NAME || (l = alabels(name, n, tmp)) == 0 ||
	    l >= size)
		return -1;
	memcpy(out, tmp, l);
	out[l] = '\0';
	return 0;
}
