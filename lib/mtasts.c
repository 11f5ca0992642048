/* mtasts: see mtasts.h and RFC 8461. */
#include <string.h>

#include "mtasts.h"
#include "scan.h"

/* 3.1: sts-ext-name = 1*32(ALPHA / DIGIT / "_" / "-" / ".") */
static int
namech(int c)
{
	return scan_alpha(c) || scan_digit(c) || c == '_' || c == '-' ||
	    c == '.';
}

/* 3.1: sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E) */
static int
valch(int c)
{
	return c >= 0x21 && c <= 0x7e && c != ';' && c != '=';
}

const char *
mtasts_txt_parse(const char *rec, size_t n, char id[MTASTS_ID_MAX + 1])
{
	size_t i = 7, a, k;
	int have = 0;

	if (n < 7 || memcmp(rec, "v=STSv1", 7) != 0)
		return "not an STSv1 record";
	for (;;) {
		/* sts-field-delim = *WSP ";" *WSP */
		while (i < n && scan_wsp(rec[i]))
			i++;
		if (i == n)
			break;
		if (rec[i] != ';')
			return "a field not ended by ';'";
		i++;
		while (i < n && scan_wsp(rec[i]))
			i++;
		if (i == n)
			break;                  /* the optional last delim */
		for (a = i; i < n && namech((unsigned char)rec[i]); i++)
			;
		if (i == a || i - a > 32 || i == n || rec[i] != '=')
			return "a field that is not name=value";
		k = ++i;
		for (; i < n && valch((unsigned char)rec[i]); i++)
			;
		if (i == k)
			return "an empty field value";
		if (a + 3 == k && memcmp(rec + a, "id=", 3) == 0) {
			size_t j;
			if (have++)
				return "two id fields";
			if (i - k > MTASTS_ID_MAX)
				return "an id longer than 32 characters";
			for (j = k; j < i; j++)
				if (!scan_alpha(rec[j]) && !scan_digit(rec[j]))
					return "an id that is not letters "
					    "and digits";
			memcpy(id, rec + k, i - k);
			id[i - k] = '\0';
		}
	}
	return have ? NULL : "no id field";
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* 3.2 and 4.1: an mx value, ["*."] and a domain name of LDH labels;
 * into dst in lower case. 0, or -1. */
static int
mx_value(char *dst, const char *s, size_t n)
{
	size_t i = 0, label = 0;

	if (n >= 2 && s[0] == '*' && s[1] == '.')
		i = 2;
	if (n > MTASTS_NAME_MAX || i == n)
		return -1;
	for (; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return -1;
			label = 0;
		} else if (scan_alpha(c) || scan_digit(c) ||
		    (c == '-' && label > 0)) {
			if (++label > 63)
				return -1;
		} else
			return -1;
	}
	if (label == 0 || s[n - 1] == '-')
		return -1;
	for (i = 0; i < n; i++)
		dst[i] = (char)lower((unsigned char)s[i]);
	dst[n] = '\0';
	return 0;
}

/* One "key:" *WSP value line (trailing WSP cut) into p. */
static const char *
field(const char *k, size_t kn, const char *v, size_t vn,
    struct mtasts_policy *p, unsigned *seen)
{
	unsigned long long age;
	char num[16];

#define IS(s) (kn == sizeof s - 1 && memcmp(k, s, kn) == 0)
#define VAL(s) (vn == sizeof s - 1 && memcmp(v, s, vn) == 0)
	if (IS("version")) {
		if (*seen & 1)
			return "two version fields";
		*seen |= 1;
		if (!VAL("STSv1"))
			return "a version other than STSv1";
	} else if (IS("mode")) {
		if (*seen & 2)
			return "two mode fields";
		*seen |= 2;
		if (VAL("enforce"))
			p->mode = MTASTS_ENFORCE;
		else if (VAL("testing"))
			p->mode = MTASTS_TESTING;
		else if (VAL("none"))
			p->mode = MTASTS_NONE;
		else
			return "a mode other than enforce, testing or none";
	} else if (IS("max_age")) {
		if (*seen & 4)
			return "two max_age fields";
		*seen |= 4;
		if (vn == 0 || vn > 10)
			return "a max_age that is not 1 to 10 digits";
		memcpy(num, v, vn);
		num[vn] = '\0';
		if (scan_ulong(num, 0, MTASTS_AGE_MAX, &age) == -1)
			return "a max_age over one year or not a number";
		p->max_age = (unsigned long)age;
	} else if (IS("mx")) {
		if (p->nmx == MTASTS_MX_MAX)
			return "more than 32 mx fields";
		if (mx_value(p->mx[p->nmx], v, vn) == -1)
			return "an mx that is not a host name pattern";
		p->nmx++;
	}
	/* other fields: extensions, ignored (3.2) */
#undef IS
#undef VAL
	return NULL;
}

const char *
mtasts_policy_parse(const char *body, size_t n, struct mtasts_policy *p)
{
	const char *why;
	unsigned seen = 0;
	size_t i = 0;

	memset(p, 0, sizeof *p);
	if (n > MTASTS_POLICY_MAX)
		return "a policy over 64 KiB";
	while (i < n) {
		size_t a = i, e, c, v;
		while (i < n && body[i] != '\n')
			i++;
		e = i;
		if (i < n)
			i++;                    /* the LF */
		if (e > a && body[e - 1] == '\r')
			e--;
		while (e > a && scan_wsp(body[e - 1]))
			e--;
		if (e == a)
			continue;               /* a blank line, as at the end */
		for (c = a; c < e && namech((unsigned char)body[c]); c++)
			;
		if (c == a || c == e || body[c] != ':')
			return "a line that is not key: value";
		for (v = c + 1; v < e && scan_wsp(body[v]); v++)
			;
		for (size_t j = v; j < e; j++)
			if ((unsigned char)body[j] < 0x20 ||
			    (unsigned char)body[j] == 0x7f)
				return "a control character in a value";
		if ((why = field(body + a, c - a, body + v, e - v, p,
		    &seen)) != NULL)
			return why;
	}
	if ((seen & 7) != 7)
		return !(seen & 1) ? "no version field" : !(seen & 2) ?
		    "no mode field" : "no max_age field";
	if (p->mode != MTASTS_NONE && p->nmx == 0)
		return "no mx field";
	return NULL;
}

int
mtasts_mx_match(const struct mtasts_policy *p, const char *host)
{
	char h[MTASTS_NAME_MAX + 1];
	size_t n = strlen(host), i;
	const char *rest;

	if (n > 0 && host[n - 1] == '.')
		n--;
	if (n == 0 || n > MTASTS_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		h[i] = (char)lower((unsigned char)host[i]);
	h[n] = '\0';
	rest = strchr(h, '.');
	for (i = 0; i < p->nmx; i++) {
		const char *m = p->mx[i];
		if (m[0] == '*') {
			/* 4.1: the wildcard is one whole leftmost label */
			if (rest != NULL && rest != h && strcmp(rest, m + 1) == 0)
				return 1;
		} else if (strcmp(h, m) == 0)
			return 1;
	}
	return 0;
}
