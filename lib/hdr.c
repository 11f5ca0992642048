/* hdr: see hdr.h. Grammar: RFC 5322 3.4 (address-list), 3.2.2 (CFWS). */
#include <string.h>
#include <strings.h>

#include "addr.h"
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
hdr_name_is(const char *line, size_t n, const char *name)
{
	size_t l = strlen(name);

	return n > l && line[l] == ':' && strncasecmp(line, name, l) == 0;
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
		} else if (c == ',') {
			if (a.any != 2 && emit(&a, fn, arg) == -1)
				return -1;
			a.len = 0;
			a.gap = 0;
			a.any = 0;
			i++;
		} else if (c == ':') {
			/* group "name:" — what we gathered was the group name */
			a.len = 0;
			a.gap = 0;
			a.any = 0;
			i++;
		} else if (c == ';') {
			if (a.any != 2 && emit(&a, fn, arg) == -1)
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
