/* result: see result.h and postel-result(5). */
#include <string.h>

#include "fmt.h"
#include "result.h"

#define RESULT_RCPT_MAX 100000

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

/* Next word of *s, cut at a single space; NULL at the end. */
static char *
word(char **s)
{
	char *w = *s, *e;

	if (*w == '\0' || *w == ' ')
		return NULL;
	if ((e = strchr(w, ' ')) != NULL) {
		*e = '\0';
		*s = e + 1;
	} else
		*s = w + strlen(w);
	return w;
}

int
result_parse(char *line, struct result *r)
{
	char *s = line, *kind, *num, *status, *dsn;
	unsigned long long u;

	r->rcpt = 0;
	if ((kind = word(&s)) == NULL)
		return -1;
	if (strcmp(kind, "rcpt") == 0) {
		if ((num = word(&s)) == NULL ||
		    fmt_ulong(num, 1, RESULT_RCPT_MAX, &u) == -1)
			return -1;
		r->rcpt = (size_t)u;
	} else if (strcmp(kind, "msg") != 0)
		return -1;
	if ((status = word(&s)) == NULL || (dsn = word(&s)) == NULL)
		return -1;
	if (strcmp(status, "ok") == 0)
		r->status = RESULT_OK;
	else if (strcmp(status, "temp") == 0)
		r->status = RESULT_TEMP;
	else if (strcmp(status, "perm") == 0)
		r->status = RESULT_PERM;
	else
		return -1;
	/* the code's class must agree with the status word */
	if (!result_dsn_ok(dsn) || dsn[0] != "245"[r->status])
		return -1;
	r->dsn = dsn;
	r->text = s;
	return 0;
}
