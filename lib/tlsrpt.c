/* tlsrpt: see tlsrpt.h and RFC 8460. */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fmt.h"
#include "scan.h"
#include "tlsrpt.h"

/* 3: tlsrpt-ext-name characters */
static int
namech(int c)
{
	return scan_alpha(c) || scan_digit(c) || c == '_' || c == '-' ||
	    c == '.';
}

static int
hexval(int c)
{
	if (scan_digit(c))
		return c - '0';
	c |= 32;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One URI of rua, s[0..n), into rua (mailto: decoded up to its query,
 * https: as it is); others skipped. NULL, or why it is bad. */
static const char *
uri(const char *s, size_t n, struct tlsrpt_rua *rua)
{
	size_t i, k = 0;
	char *d;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return "a blank or control character in a URI";
	if (n > TLSRPT_URI_MAX)
		return "a URI over 512 characters";
	if (rua->n == TLSRPT_RUA_MAX)
		return NULL;                    /* enough of them */
	d = rua->uri[rua->n];
	if (n > 8 && strncasecmp(s, "https://", 8) == 0) {
		memcpy(d, s, n);
		d[n] = '\0';
		rua->https[rua->n++] = 1;
		return NULL;
	}
	if (n < 7 || strncasecmp(s, "mailto:", 7) != 0)
		return NULL;                    /* another scheme: skipped */
	for (i = 7; i < n && s[i] != '?'; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			int h, l;
			if (i + 2 >= n || (h = hexval(s[i + 1])) == -1 ||
			    (l = hexval(s[i + 2])) == -1)
				return "a bad %-escape in a mailto: URI";
			c = h * 16 + l;
			i += 2;
			if (c <= ' ' || c >= 0x7f)
				return "a mailto: address that is not "
				    "printable ASCII";
		}
		d[k++] = (char)c;
	}
	d[k] = '\0';
	if (k == 0 || strchr(d, '@') == NULL || strchr(d, ',') ||
	    d[0] == '@' || d[k - 1] == '@')
		return "a mailto: URI without one address";
	rua->https[rua->n++] = 0;
	return NULL;
}

const char *
tlsrpt_txt_parse(const char *rec, size_t n, struct tlsrpt_rua *rua)
{
	size_t i = 10, a, v;
	const char *why;
	int seen = 0;

	memset(rua, 0, sizeof *rua);
	if (n < 10 || memcmp(rec, "v=TLSRPTv1", 10) != 0)
		return "not a TLSRPTv1 record";
	for (;;) {
		while (i < n && scan_wsp(rec[i]))
			i++;
		if (i == n)
			break;
		if (rec[i++] != ';')
			return "a field not ended by ';'";
		while (i < n && scan_wsp(rec[i]))
			i++;
		if (i == n)
			break;
		for (a = i; i < n && namech((unsigned char)rec[i]); i++)
			;
		if (i == a || i - a > 32 || i == n || rec[i] != '=')
			return "a field that is not name=value";
		v = ++i;
		if (i - a == 4 && memcmp(rec + a, "rua=", 4) == 0) {
			if (seen++)
				return "two rua fields";
			for (;;) {
				size_t u = i;
				while (i < n && rec[i] != ',' && rec[i] != ';' &&
				    !scan_wsp(rec[i]))
					i++;
				if (i == u)
					return "an empty URI in rua";
				if ((why = uri(rec + u, i - u, rua)) != NULL)
					return why;
				while (i < n && scan_wsp(rec[i]))
					i++;
				if (i == n || rec[i] != ',')
					break;
				i++;
				while (i < n && scan_wsp(rec[i]))
					i++;
			}
		} else {
			while (i < n && rec[i] > ' ' && rec[i] < 0x7f &&
			    rec[i] != ';' && rec[i] != '=')
				i++;
			if (i == v)
				return "an empty field value";
		}
	}
	if (!seen)
		return "no rua field";
	return rua->n ? NULL : "no mailto: or https: address in rua";
}

static const char *const results[TR_N] = {
	"starttls-not-supported", "certificate-host-mismatch",
	"certificate-expired", "certificate-not-trusted",
	"validation-failure", "tlsa-invalid", "dnssec-invalid",
	"dane-required", "sts-policy-fetch-error", "sts-policy-invalid",
	"sts-webpki-invalid",
};

const char *
tlsrpt_result_name(enum tlsrpt_result r)
{
	return (unsigned)r < TR_N ? results[r] : NULL;
}

/* A JSON string (RFC 8259 7), quoted. */
static int
jstr(struct buf *b, const char *s)
{
	char e[8];

	if (buf_catc(b, '"') == -1)
		return -1;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			e[0] = '\\';
			e[1] = (char)c;
			if (buf_catb(b, e, 2) == -1)
				return -1;
		} else if (c < 0x20 || c >= 0x7f) {
			fmt_s(e, sizeof e, "\\u%04x", c);
			if (buf_catb(b, e, 6) == -1)
				return -1;
		} else if (buf_catc(b, (char)c) == -1)
			return -1;
	}
	return buf_catc(b, '"');
}

/* "key": "value" with a leading comma unless first */
static int
kv(struct buf *b, int first, const char *k, const char *v)
{
	return (first ? 0 : buf_catc(b, ',')) == -1 || jstr(b, k) == -1 ||
	    buf_catc(b, ':') == -1 || jstr(b, v) == -1 ? -1 : 0;
}

static int
kn(struct buf *b, const char *k, unsigned long long n)
{
	return buf_catc(b, ',') == -1 || jstr(b, k) == -1 ||
	    buf_catc(b, ':') == -1 || buf_catu(b, n) == -1 ? -1 : 0;
}

/* "key":["s1","s2"] with a leading comma */
static int
karr(struct buf *b, const char *k, const char *const *s, size_t n)
{
	size_t i;

	if (buf_catc(b, ',') == -1 || jstr(b, k) == -1 ||
	    buf_cats(b, ":[") == -1)
		return -1;
	for (i = 0; i < n; i++)
		if ((i && buf_catc(b, ',') == -1) || jstr(b, s[i]) == -1)
			return -1;
	return buf_catc(b, ']');
}

/* RFC 3339 date-time in UTC */
static int
kdate(struct buf *b, int first, const char *k, long long t)
{
	char d[32];
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || strftime(d, sizeof d,
	    "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		errno = EINVAL;
		return -1;
	}
	return kv(b, first, k, d);
}

static int
failure(struct buf *b, const struct tlsrpt_failure *f)
{
	const char *r = tlsrpt_result_name(f->result);

	if (r == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (buf_catc(b, '{') == -1 || kv(b, 1, "result-type", r) == -1 ||
	    (f->sending_ip && kv(b, 0, "sending-mta-ip", f->sending_ip) == -1) ||
	    (f->mx && kv(b, 0, "receiving-mx-hostname", f->mx) == -1) ||
	    (f->receiving_ip && kv(b, 0, "receiving-ip",
	    f->receiving_ip) == -1) ||
	    kn(b, "failed-session-count", f->count) == -1)
		return -1;
	return buf_catc(b, '}');
}

static int
policy(struct buf *b, const struct tlsrpt_policy *p)
{
	static const char *const types[] = { "sts", "tlsa",
	    "no-policy-found" };
	size_t i;

	if ((unsigned)p->type > TP_NONE) {
		errno = EINVAL;
		return -1;
	}
	if (buf_cats(b, "{\"policy\":{") == -1 ||
	    kv(b, 1, "policy-type", types[p->type]) == -1 ||
	    (p->nstrings && karr(b, "policy-string", p->strings,
	    p->nstrings) == -1) ||
	    kv(b, 0, "policy-domain", p->domain) == -1 ||
	    (p->nmx && karr(b, "mx-host", p->mx, p->nmx) == -1) ||
	    buf_cats(b, "},\"summary\":{\"total-successful-session-count\":")
	    == -1 || buf_catu(b, p->ok) == -1 ||
	    kn(b, "total-failure-session-count", p->failed) == -1 ||
	    buf_catc(b, '}') == -1)
		return -1;
	if (p->nf) {
		if (buf_cats(b, ",\"failure-details\":[") == -1)
			return -1;
		for (i = 0; i < p->nf; i++)
			if ((i && buf_catc(b, ',') == -1) ||
			    failure(b, &p->f[i]) == -1)
				return -1;
		if (buf_catc(b, ']') == -1)
			return -1;
	}
	return buf_catc(b, '}');
}

int
tlsrpt_json(struct buf *b, const struct tlsrpt_report *r)
{
	size_t i;

	if (buf_catc(b, '{') == -1 ||
	    kv(b, 1, "organization-name", r->org) == -1 ||
	    buf_cats(b, ",\"date-range\":{") == -1 ||
	    kdate(b, 1, "start-datetime", r->start) == -1 ||
	    kdate(b, 0, "end-datetime", r->end) == -1 ||
	    buf_catc(b, '}') == -1 ||
	    kv(b, 0, "contact-info", r->contact) == -1 ||
	    kv(b, 0, "report-id", r->id) == -1 ||
	    buf_cats(b, ",\"policies\":[") == -1)
		return -1;
	for (i = 0; i < r->np; i++)
		if ((i && buf_catc(b, ',') == -1) || policy(b, &r->p[i]) == -1)
			return -1;
	return buf_cats(b, "]}");
}
