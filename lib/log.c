/* log: see log.h. */
#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "log.h"

static void
put(struct logl *l, const char *s, size_t n)
{
	/* Keep 4 bytes for "...\n". */
	if (l->cut)
		return;
	if (l->len + n > sizeof l->s - 4) {
		n = sizeof l->s - 4 - l->len;
		l->cut = 1;
	}
	memcpy(l->s + l->len, s, n);
	l->len += n;
}

void
log_start(struct logl *l, const char *event)
{
	l->len = 0;
	l->cut = 0;
	put(l, die_prog(), strlen(die_prog()));
	put(l, ": ", 2);
	put(l, event, strlen(event));
}

static int
bare(const unsigned char *v, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = v[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr(".@<>:/+_-", c)))
			return 0;
	}
	return 1;
}

size_t
log_quote(char *dst, size_t room, const void *val, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *v = val;
	size_t i, o = 0;

	if (bare(v, n)) {
		if (n > room)
			n = room;
		memcpy(dst, v, n);
		return n;
	}
	if (room < 2)
		return 0;
	dst[o++] = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = v[i];
		if (o + 5 > room)
			break;
		if (c == '"' || c == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		} else
			dst[o++] = (char)c;
	}
	dst[o++] = '"';
	return o;
}

void
log_kvb(struct logl *l, const char *key, const void *val, size_t n)
{
	char tmp[LOG_LINE_MAX];
	size_t q;

	put(l, " ", 1);
	put(l, key, strlen(key));
	put(l, "=", 1);
	q = log_quote(tmp, sizeof tmp, val ? val : "", val ? n : 0);
	put(l, tmp, q);
}

void
log_kv(struct logl *l, const char *key, const char *val)
{
	log_kvb(l, key, val, val ? strlen(val) : 0);
}

void
log_kvu(struct logl *l, const char *key, unsigned long long v)
{
	char tmp[FMT_U_MAX];

	log_kvb(l, key, tmp, fmt_u(tmp, v));
}

void
log_end(struct logl *l)
{
	int e = errno;

	if (l->cut) {
		memcpy(l->s + l->len, "...", 3);
		l->len += 3;
	}
	if (die_stderr_is_peer()) {
		syslog(LOG_INFO, "%.*s", (int)l->len, l->s);
		errno = e;
		return;
	}
	l->s[l->len++] = '\n';
	/* a failure has nowhere to be told */
	(void)fd_write_all(2, l->s, l->len);
	errno = e;
}
