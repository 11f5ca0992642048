/* hdr: see hdr.h. Grammar: RFC 5322 3.4 (address-list), 3.2.2 (CFWS). */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "fd.h"
#include "hdr.h"

int
hdr_is_field(const char *line, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == ':')
			return i > 0;
		if (c <= 32 || c >= 127)
			return 0;
	}
	return 0;
}

int
hdr_field_next(const char *msg, size_t n, size_t off, size_t *len)
{
	const char *p = msg + off, *end = msg + n, *lf;

	if (off >= n || *p == '\n')
		return 0;
	for (;;) {
		lf = memchr(p, '\n', (size_t)(end - p));
		p = lf ? lf + 1 : end;
		if (p == end || (*p != ' ' && *p != '\t'))
			break;
	}
	*len = (size_t)(p - (msg + off));
	return 1;
}

/* The length of the name of the field in line[0..n) when it is a field,
 * "Name:" or, in the obsolete syntax (RFC 5322 4.5), "Name WSP:"; else 0. */
static size_t
field_name(const char *line, size_t n)
{
	size_t i, w;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == ':' || c == ' ' || c == '\t' || c == '\n')
			break;
		if (c < 32 || c >= 127)
			return 0;
	}
	/* white space, folded lines too, may stand before the colon */
	for (w = i; w < n; w++)
		if (line[w] != ' ' && line[w] != '\t' && !(line[w] == '\n' &&
		    w + 1 < n && (line[w + 1] == ' ' || line[w + 1] == '\t')))
			break;
	return i > 0 && w < n && line[w] == ':' ? i : 0;
}

int
hdr_name_is(const char *line, size_t n, const char *name)
{
	size_t l = field_name(line, n);

	return l > 0 && l == strlen(name) && strncasecmp(line, name, l) == 0;
}

struct from {
	size_t n;
	char dom[ADDR_DOMAIN_MAX + 1];
	int bad;
};

static int
one_mailbox(void *arg, const char *spec, size_t len)
{
	struct from *f = arg;
	const char *at = NULL;
	size_t i, dl;

	if (f->n++ > 0)
		return 0;
	for (i = 0; i < len; i++)
		if (spec[i] == '@')
			at = spec + i;
	if (at != NULL && (dl = len - (size_t)(at + 1 - spec)) > 1 &&
	    at[dl] == '.')
		len--;                  /* "a@b.test." names b.test */
	if (at == NULL || (dl = len - (size_t)(at + 1 - spec)) == 0 ||
	    dl > ADDR_DOMAIN_MAX || at[1] == '[' ||
	    addr_domain_check(at + 1, dl, ADDR_UTF8) != NULL) {
		f->bad = 1;
		return 0;
	}
	for (i = 0; i < dl; i++)
		f->dom[i] = (char)(at[1 + i] >= 'A' && at[1 + i] <= 'Z' ?
		    at[1 + i] + 32 : at[1 + i]);
	f->dom[dl] = '\0';
	return 0;
}

const char *
hdr_from_domain(const char *msg, size_t n, char *dom, size_t size)
{
	const char *f = NULL, *why;
	size_t off = 0, len, flen = 0, nfrom = 0, nl;
	struct from fr;

	while (hdr_field_next(msg, n, off, &len)) {
		if ((nl = field_name(msg + off, len)) == 0)
			return "a header line that is not a field";
		if (nl == 4 && strncasecmp(msg + off, "From", 4) == 0) {
			nfrom++;
			f = msg + off;
			flen = len;
		}
		off += len;
	}
	if (nfrom == 0)
		return "no From: field";
	if (nfrom > 1)
		return "more than one From: field";
	nl = (size_t)((const char *)memchr(f, ':', flen) - f) + 1;
	memset(&fr, 0, sizeof fr);
	if (hdr_addrlist(f + nl, flen - nl, one_mailbox, &fr, &why) == -1)
		return "unreadable From: field";
	if (fr.n != 1)
		return "From: does not hold exactly one address";
	if (fr.bad || fr.dom[0] == '\0')
		return "From: address without a valid domain";
	if (strlen(fr.dom) >= size)
		return "From: domain too long";
	memcpy(dom, fr.dom, strlen(fr.dom) + 1);
	return NULL;
}

struct acc {
	char s[ADDR_MAX + 2];
	size_t len;
	int any;                /* saw a non-blank token in this mailbox */
	int gap;                /* blank after a token */
};

static void
acc_put(struct acc *a, char c)
{
	/* Keep a blank between two words ("John a@b") so that the address
	 * check refuses it; blanks around '.' and '@' are obsolete syntax
	 * (RFC 5322 4.4) and dropped. */
	if (a->gap && a->len && c != '.' && c != '@' &&
	    a->s[a->len - 1] != '.' && a->s[a->len - 1] != '@' &&
	    a->len < sizeof a->s)
		a->s[a->len++] = ' ';
	a->gap = 0;
	if (a->len < sizeof a->s)
		a->s[a->len++] = c;
}

/* Skip a comment starting at s[i] == '('; returns index after it. */
static size_t
skip_comment(const char *s, size_t n, size_t i)
{
	int depth = 0;

	for (; i < n; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
	}
	return n;
}

static int
emit(struct acc *a, int (*fn)(void *, const char *, size_t), void *arg)
{
	int r = 0;

	if (a->len)
		r = fn(arg, a->s, a->len);
	a->len = 0;
	a->any = 0;
	a->gap = 0;
	return r;
}

int
hdr_addrlist(const char *s, size_t n,
    int (*fn)(void *arg, const char *spec, size_t len), void *arg,
    const char **why)
{
	struct acc a;
	size_t i = 0;

	a.len = 0;
	a.any = 0;
	a.gap = 0;
	*why = NULL;
	while (i < n) {
		char c = s[i];
		if (c == '(') {
			i = skip_comment(s, n, i);
		} else if (c == '"') {
			/* quoted string: keep it with its quotes (it may be a
			 * quoted local part; a display name is dropped at '<') */
			acc_put(&a, '"');
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < n) {
					acc_put(&a, '\\');
					i++;
				}
				if (s[i] != '\r' && s[i] != '\n')
					acc_put(&a, s[i]);
			}
			acc_put(&a, '"');
			a.any = 1;
			i++;
		} else if (c == '<') {
			/* angle-addr: what came before was a display name */
			size_t st, end;
			a.len = 0;
			st = ++i;
			while (i < n && s[i] != '>') {
				if (s[i] == '"') {
					for (i++; i < n && s[i] != '"'; i++)
						if (s[i] == '\\')
							i++;
				}
				i++;
			}
			if (i >= n) {
				*why = "unterminated <";
				return -1;
			}
			end = i++;
			a.gap = 0;
			/* obsolete route "@a,@b:" */
			if (st < end && s[st] == '@') {
				const char *colon = memchr(s + st, ':', end - st);
				if (colon)
					st = (size_t)(colon - s) + 1;
			}
			for (; st < end; st++)
				if (s[st] != ' ' && s[st] != '\t' &&
				    s[st] != '\r' && s[st] != '\n')
					acc_put(&a, s[st]);
			if (emit(&a, fn, arg) == -1)
				return -1;
			a.any = 2;      /* mailbox done until ',' */
		} else if (c == ',' || c == ':' || c == ';') {
			/* ',' and ';' end a mailbox (';' a group too); at ':'
			 * what we gathered was a group's name: dropped */
			if (c != ':' && a.any != 2 && emit(&a, fn, arg) == -1)
				return -1;
			a.len = 0;
			a.gap = 0;
			a.any = 0;
			i++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (a.len)
				a.gap = 1;
			i++;
		} else {
			if (a.any != 2) {
				acc_put(&a, c);
				a.any = 1;
			}
			i++;
		}
	}
	if (a.any != 2 && emit(&a, fn, arg) == -1)
		return -1;
	return 0;
}

/* hdr_qualify's walk: a mailbox is the text between top-level ',' or
 * ';' (a ':' there ends a group's name, which is no mailbox). */
struct qual {
	const char *s, *domain;
	size_t copied;          /* s[0..copied) is in out */
	size_t words;           /* word runs outside <> in this mailbox */
	size_t end;             /* index after the last word byte */
	int at, angled, inword;
	struct buf *out;
};

/* Copy s up to at, then "@domain". */
static int
q_insert(struct qual *q, size_t at)
{
	if (buf_catb(q->out, q->s + q->copied, at - q->copied) == -1 ||
	    buf_catc(q->out, '@') == -1 || buf_cats(q->out, q->domain) == -1)
		return -1;
	q->copied = at;
	return 0;
}

/* End of one mailbox: complete a lone bare word. */
static int
q_mailbox(struct qual *q)
{
	int r = 0;

	if (!q->angled && !q->at && q->words == 1)
		r = q_insert(q, q->end);
	q->words = q->end = 0;
	q->at = q->angled = q->inword = 0;
	return r;
}

/* An angle-addr s[st..en) (en at the '>'): complete it if it is one
 * word with no '@' (a route "@a:" holds one, and "<>" stays). */
static int
q_angle(struct qual *q, size_t st, size_t en)
{
	size_t i, last = st;
	int at = 0, quoted = 0;

	for (i = st; i < en; i++) {
		char c = q->s[i];
		if (c == '\\' && quoted) {
			i++;
			last = i + 1;
			continue;
		}
		if (c == '"')
			quoted = !quoted;
		else if (c == '@' && !quoted)
			at = 1;
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			last = i + 1;
	}
	q->angled = 1;
	return at || last == st ? 0 : q_insert(q, last);
}

int
hdr_qualify(const char *s, size_t n, const char *domain, struct buf *out)
{
	struct qual q;
	size_t i = 0, st;

	memset(&q, 0, sizeof q);
	q.s = s;
	q.domain = domain;
	q.out = out;
	while (i < n) {
		char c = s[i];
		if (c == '(') {
			i = skip_comment(s, n, i);
			q.inword = 0;
		} else if (c == '<' && !q.angled) {
			for (st = ++i; i < n && s[i] != '>'; i++)
				if (s[i] == '"')
					for (i++; i < n && s[i] != '"'; i++)
						if (s[i] == '\\')
							i++;
			if (i >= n)             /* unterminated: as is */
				return buf_catb(out, s + q.copied, n - q.copied);
			if (q_angle(&q, st, i) == -1)
				return -1;
			i++;
		} else if (c == ',' || c == ';') {
			if (q_mailbox(&q) == -1)
				return -1;
			i++;
		} else if (c == ':' && !q.angled) {
			q.words = q.end = 0;    /* a group's name */
			q.at = q.inword = 0;
			i++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			q.inword = 0;
			i++;
		} else if (q.angled) {
			i++;                    /* after <...>: nothing to do */
		} else {
			if (!q.inword)
				q.words++;
			q.inword = 1;
			if (c == '@')
				q.at = 1;
			if (c == '"') {
				for (i++; i < n && s[i] != '"'; i++)
					if (s[i] == '\\')
						i++;
			}
			i = i < n ? i + 1 : n;
			q.end = i;
		}
	}
	if (q_mailbox(&q) == -1)
		return -1;
	return buf_catb(out, s + q.copied, n - q.copied);
}

static const char *const address_fields[] = {
	"From", "Sender", "Reply-To", "To", "Cc", "Resent-From",
	"Resent-Sender", "Resent-To", "Resent-Cc",
};

int
hdr_address_field(const char *line, size_t n)
{
	size_t k;

	for (k = 0; k < sizeof address_fields / sizeof *address_fields; k++)
		if (hdr_name_is(line, n, address_fields[k]))
			return 1;
	return 0;
}

int
hdr_qualify_field(const char *f, size_t n, const char *domain,
    struct buf *out)
{
	const char *colon = memchr(f, ':', n);
	size_t name;

	if (colon == NULL)
		return buf_catb(out, f, n);
	name = (size_t)(colon - f) + 1;
	if (buf_catb(out, f, name) == -1)
		return -1;
	return hdr_qualify(f + name, n - name, domain, out);
}

/* The length of the header section at the start of p (n bytes), its
 * empty line included; 0 when no empty line ends it within n. */
static size_t
header_len(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const char *lf = memchr(p + i, '\n', n - i);
		size_t len;
		if (lf == NULL)
			return 0;
		len = (size_t)(lf - (p + i));
		if (len == 0 || (len == 1 && p[i] == '\r'))
			return i + len + 1;
		i += len + 1;
	}
	return 0;
}

/* Write the header section h (n bytes) to out with its address fields
 * qualified; a field is a line and the lines after it that start with a
 * blank (RFC 5322 2.2.3). */
static int
qualify_header(const char *h, size_t n, const char *domain, int out)
{
	static struct buf q = BUF_INIT(HDR_QUALIFY_MAX * 2);
	size_t i = 0, end;

	q.len = 0;
	while (i < n) {
		end = i;
		do {
			const char *lf = memchr(h + end, '\n', n - end);
			end = lf ? (size_t)(lf - h) + 1 : n;
		} while (end < n && (h[end] == ' ' || h[end] == '\t'));
		if (domain && *domain && hdr_address_field(h + i, end - i)) {
			size_t mark = q.len;
			if (hdr_qualify_field(h + i, end - i, domain, &q) == -1) {
				q.len = mark;   /* too big to grow: as it is */
				if (buf_catb(&q, h + i, end - i) == -1)
					return -1;
			}
		} else if (buf_catb(&q, h + i, end - i) == -1)
			return -1;
		i = end;
	}
	return fd_write_all(out, q.p, q.len);
}

int
hdr_qualify_copy(int in, int out, const char *domain)
{
	static struct buf h = BUF_INIT(HDR_QUALIFY_MAX);
	char tmp[65536];
	size_t hl = 0;
	ssize_t r;

	h.len = 0;
	if (lseek(in, 0, SEEK_SET) == -1)
		return -1;
	/* read until the empty line that ends the header section, or the
	 * limit; what was read beyond it is body */
	while (h.len < HDR_QUALIFY_MAX && (hl = header_len(h.p, h.len)) == 0) {
		size_t want = HDR_QUALIFY_MAX - h.len;
		if (want > sizeof tmp)
			want = sizeof tmp;
		if ((r = fd_read(in, tmp, want)) == -1)
			return -1;
		if (r == 0)
			break;
		if (buf_catb(&h, tmp, (size_t)r) == -1)
			return -1;
	}
	/* no empty line: all of it is header, unless it is too big to
	 * hold, which is copied as it is */
	if (hl == 0 && h.len < HDR_QUALIFY_MAX)
		hl = h.len;
	if (qualify_header(h.p, hl, domain, out) == -1 ||
	    fd_write_all(out, h.p + hl, h.len - hl) == -1)
		return -1;
	return fd_copy(in, out);
}
