/* result: see result.h and postel-result(5). */
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "result.h"
#include "scan.h"

#define RESULT_RCPT_MAX 100000

static const char *const words[] = { "none", "ok", "temp", "perm" };

const char *
outcome_word(enum outcome o)
{
	return (unsigned)o < sizeof words / sizeof *words ? words[o] : "none";
}

/* the class digit a status's DSN must start with */
static char
dsn_class(enum outcome o)
{
	return o == OUTCOME_OK ? '2' : o == OUTCOME_TEMP ? '4' :
	    o == OUTCOME_PERM ? '5' : '\0';
}

void
result_vset(struct result *r, enum outcome status, const char *dsn,
    const char *fmt, va_list ap)
{
	char tmp[RESULT_TEXT_MAX];

	if (vsnprintf(tmp, sizeof tmp, fmt, ap) < 0)
		tmp[0] = '\0';
	r->status = status;
	fmt_s(r->dsn, sizeof r->dsn, "%s", dsn);
	fmt_safe(r->text, sizeof r->text, tmp, strlen(tmp));
}

void
result_set(struct result *r, enum outcome status, const char *dsn,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	result_vset(r, status, dsn, fmt, ap);
	va_end(ap);
}

int
result_dsn_ok(const char *s)
{
	const char *p = s;
	int part;

	/* class "." subject "." detail, RFC 3463 section 2 */
	if (*p != '2' && *p != '4' && *p != '5')
		return 0;
	p++;
	for (part = 0; part < 2; part++) {
		size_t d = 0;
		if (*p++ != '.')
			return 0;
		while (*p >= '0' && *p <= '9' && d < 3)
			p++, d++;
		if (d == 0)
			return 0;
	}
	return *p == '\0';
}

int
result_fmt(char *dst, size_t size, size_t n, const struct result *r)
{
	char head[64], text[RESULT_LINE_MAX];
	size_t hl, room;

	if (dsn_class(r->status) == '\0' || !result_dsn_ok(r->dsn) ||
	    r->dsn[0] != dsn_class(r->status))
		return -1;
	if ((n ? fmt_s(head, sizeof head, "rcpt %zu %s %s", n,
	    outcome_word(r->status), r->dsn) : fmt_s(head, sizeof head,
	    "msg %s %s", outcome_word(r->status), r->dsn)) < 0)
		return -1;
	/* head, a space, the text, LF: within the line's limit */
	hl = strlen(head);
	room = RESULT_LINE_MAX - hl - 2;
	fmt_safe(text, room + 1 < sizeof text ? room + 1 : sizeof text,
	    r->text, strlen(r->text));
	return fmt_s(dst, size, "%s %s\n", head, text);
}

static const char *const actions[] = {
	"none", "delivered", "relayed", "expanded", "passed",
};

const char *
action_word(enum action a)
{
	return (unsigned)a < sizeof actions / sizeof *actions ?
	    actions[a] : "none";
}

int
result_action_fmt(char *dst, size_t size, size_t n, enum action a)
{
	if (a <= ACTION_NONE || a > ACTION_PASSED || n == 0)
		return -1;
	return fmt_s(dst, size, "action %zu %s\n", n, actions[a]);
}

/* Next word of *s, ended by a single space; 0 and its span, or -1. */
static int
word(const char **s, const char **w, size_t *len)
{
	const char *e;

	*w = *s;
	if (**s == '\0' || **s == ' ')
		return -1;
	if ((e = strchr(*s, ' ')) != NULL) {
		*len = (size_t)(e - *s);
		*s = e + 1;
	} else {
		*len = strlen(*s);
		*s += *len;
	}
	return 0;
}

static int
is(const char *w, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(w, s, len) == 0;
}

/* The recipient number word of *s: leading zeros say nothing, and
 * scan_ulong bounds the rest. 0 and *n, or -1. */
static int
rcpt_number(const char **s, size_t *n)
{
	const char *w;
	char num[16];
	unsigned long long u;
	size_t len;

	if (word(s, &w, &len) == -1)
		return -1;
	while (len > 1 && w[0] == '0')
		w++, len--;
	if (len >= sizeof num)
		return -1;
	memcpy(num, w, len);
	num[len] = '\0';
	if (scan_ulong(num, 1, RESULT_RCPT_MAX, &u) == -1)
		return -1;
	*n = (size_t)u;
	return 0;
}

int
result_action_parse(const char *line, size_t *n, enum action *a)
{
	const char *s = line, *w;
	size_t len;
	enum action k;

	if (word(&s, &w, &len) == -1 || !is(w, len, "action") ||
	    rcpt_number(&s, n) == -1 || word(&s, &w, &len) == -1 || *s)
		return -1;
	for (k = ACTION_DELIVERED; k <= ACTION_PASSED; k++)
		if (is(w, len, actions[k])) {
			*a = k;
			return 0;
		}
	return -1;
}

int
result_parse(const char *line, size_t *n, struct result *r)
{
	const char *s = line, *w;
	size_t len;
	enum outcome o;

	*n = 0;
	if (word(&s, &w, &len) == -1)
		return -1;
	if (is(w, len, "rcpt")) {
		if (rcpt_number(&s, n) == -1)
			return -1;
	} else if (!is(w, len, "msg"))
		return -1;
	if (word(&s, &w, &len) == -1)
		return -1;
	for (o = OUTCOME_OK; o <= OUTCOME_PERM; o++)
		if (is(w, len, words[o]))
			break;
	if (o > OUTCOME_PERM || word(&s, &w, &len) == -1 ||
	    len >= sizeof r->dsn)
		return -1;
	memcpy(r->dsn, w, len);
	r->dsn[len] = '\0';
	/* the code's class must agree with the status word */
	if (!result_dsn_ok(r->dsn) || r->dsn[0] != dsn_class(o))
		return -1;
	r->status = o;
	fmt_safe(r->text, sizeof r->text, s, strlen(s));
	return 0;
}
