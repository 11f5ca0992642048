/*
 * pop3d: the command parser (pop3d.h). Pure: no I/O, no state, so that
 * fuzz/pop3d_cmd.c drives it alone.
 */
#include <string.h>

#include "pop3d.h"

static const struct {
	char name[5];
	enum verb v;
} verbs[] = {
	{ "CAPA", V_CAPA }, { "STLS", V_STLS }, { "USER", V_USER },
	{ "PASS", V_PASS }, { "AUTH", V_AUTH }, { "STAT", V_STAT },
	{ "LIST", V_LIST }, { "UIDL", V_UIDL }, { "RETR", V_RETR },
	{ "TOP", V_TOP }, { "DELE", V_DELE }, { "RSET", V_RSET },
	{ "NOOP", V_NOOP }, { "QUIT", V_QUIT },
};

const char *
pcmd_split(struct pcmd *c, const char *line, size_t n)
{
	size_t i, k;

	memset(c, 0, sizeof *c);
	c->arg = "";
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)line[i];
		/* PASS may hold any printable octet, 8-bit ones too */
		if (ch < 32 || ch == 127)
			return "control character in the command";
	}
	for (k = 0; k < n && line[k] != ' '; k++) {
		char ch = line[k];
		if (k == sizeof c->name - 1)
			return "unknown command";
		c->name[k] = ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
	}
	if (k == 0)
		return "empty command";
	if (k < n) {
		c->arg = line + k + 1;
		c->alen = n - k - 1;
	}
	c->verb = V_UNKNOWN;
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(c->name, verbs[i].name) == 0)
			c->verb = verbs[i].v;
	return NULL;
}

int
pcmd_noarg(enum verb v)
{
	return v == V_CAPA || v == V_STLS || v == V_STAT || v == V_RSET ||
	    v == V_NOOP || v == V_QUIT;
}

/* A decimal number of at most 18 digits, nothing else. */
static int
number(const char *s, size_t n, unsigned long long *v)
{
	size_t i;

	*v = 0;
	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

int
parse_msgno(const char *s, size_t n, unsigned long max, unsigned long *v)
{
	unsigned long long x;

	if (number(s, n, &x) == -1 || x == 0 || x > max)
		return -1;
	*v = (unsigned long)x;
	return 0;
}

int
parse_top(const char *s, size_t n, unsigned long max, unsigned long *msg,
    unsigned long long *lines)
{
	const char *sp = memchr(s, ' ', n);

	if (sp == NULL || parse_msgno(s, (size_t)(sp - s), max, msg) == -1)
		return -1;
	return number(sp + 1, n - (size_t)(sp - s) - 1, lines);
}
