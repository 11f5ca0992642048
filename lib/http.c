/* http: see http.h and RFC 9112. */
#include <string.h>
#include <strings.h>

#include "http.h"
#include "scan.h"

static int
fail(struct http_resp *r, const char *why)
{
	r->why = why;
	return -1;
}

/* RFC 9110 5.6.2 tchar */
static int
tchar(int c)
{
	return scan_alpha(c) || scan_digit(c) ||
	    (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The end of the line that starts at i (before CRLF or LF), and in *next
 * the start of the following one; -1 if no LF is in p[i..n). */
static long
line_end(const char *p, size_t i, size_t n, size_t *next)
{
	const char *lf = memchr(p + i, '\n', n - i);
	size_t e;

	if (lf == NULL)
		return -1;
	e = (size_t)(lf - p);
	*next = e + 1;
	if (e > i && p[e - 1] == '\r')
		e--;
	return (long)e;
}

/* The status line and header fields, p[0..end): the framing into *clen
 * (-1: none) and *chunked. 0, or -1. */
static int
head(const char *p, size_t end, struct http_resp *r, long long *clen,
    int *chunked)
{
	size_t i = 0, next, k;
	long e;

	*clen = -1;
	*chunked = 0;
	r->ctype[0] = '\0';
	e = line_end(p, 0, end, &next);
	if (e < 12 || memcmp(p, "HTTP/1.", 7) != 0 || !scan_digit(p[7]) ||
	    p[8] != ' ' || !scan_digit(p[9]) || !scan_digit(p[10]) ||
	    !scan_digit(p[11]) || (e > 12 && p[12] != ' '))
		return fail(r, "not an HTTP/1.x status line");
	r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (r->status < 200 || r->status > 599)
		return fail(r, "an interim or unknown status");
	for (i = next; i < end; i = next) {
		size_t c, v, ve;
		if ((e = line_end(p, i, end, &next)) == -1 || (size_t)e == i)
			break;
		if (p[i] == ' ' || p[i] == '\t')
			return fail(r, "a folded header field");
		for (c = i; c < (size_t)e && tchar((unsigned char)p[c]); c++)
			;
		if (c == i || c == (size_t)e || p[c] != ':')
			return fail(r, "a header line without a field name");
		for (v = c + 1; v < (size_t)e && scan_wsp(p[v]); v++)
			;
		for (ve = (size_t)e; ve > v && scan_wsp(p[ve - 1]); ve--)
			;
		for (k = v; k < ve; k++)
			if ((unsigned char)p[k] < 0x20 && p[k] != '\t')
				return fail(r, "a control character in a field");
#define NAME(s) (c - i == sizeof s - 1 && strncasecmp(p + i, s, c - i) == 0)
		if (NAME("Content-Length")) {
			long long l = 0;
			if (v == ve || ve - v > 12)
				return fail(r, "a bad Content-Length");
			for (k = v; k < ve; k++) {
				if (!scan_digit(p[k]))
					return fail(r, "a bad Content-Length");
				l = l * 10 + (p[k] - '0');
			}
			if (*clen != -1 && *clen != l)
				return fail(r, "two Content-Lengths");
			*clen = l;
		} else if (NAME("Transfer-Encoding")) {
			if (ve - v != 7 || strncasecmp(p + v, "chunked", 7) != 0 ||
			    *chunked)
				return fail(r, "a transfer coding other than "
				    "chunked");
			*chunked = 1;
		} else if (NAME("Content-Type")) {
			size_t t = v, o = 0;
			while (t < ve && p[t] != ';' && !scan_wsp(p[t]) &&
			    o + 1 < sizeof r->ctype) {
				char ch = p[t++];
				r->ctype[o++] = (char)(ch >= 'A' && ch <= 'Z' ?
				    ch + 32 : ch);
			}
			r->ctype[o] = '\0';
		}
#undef NAME
	}
	if (*chunked && *clen != -1)
		return fail(r, "both Content-Length and chunked");
	return 0;
}

/* The chunked body at p[i..n) into out: 1, 0 (more needed) or -1. */
static int
chunks(const char *p, size_t i, size_t n, int eof, char *out, size_t outmax,
    struct http_resp *r)
{
	size_t next, k, size;
	long e;

	r->blen = 0;
	for (;;) {
		if ((e = line_end(p, i, n, &next)) == -1)
			goto more;
		size = 0;
		for (k = i; k < (size_t)e && p[k] != ';'; k++) {
			int c = (unsigned char)p[k], d;
			if (scan_digit(c))
				d = c - '0';
			else if ((c | 32) >= 'a' && (c | 32) <= 'f')
				d = (c | 32) - 'a' + 10;
			else
				return fail(r, "a bad chunk size");
			if (size > outmax)
				return fail(r, "a body over the limit");
			size = size * 16 + (size_t)d;
		}
		if (k == i)
			return fail(r, "a bad chunk size");
		i = next;
		if (size == 0)
			break;
		if (size > outmax - r->blen)
			return fail(r, "a body over the limit");
		if (n - i < size)
			goto more;
		memcpy(out + r->blen, p + i, size);
		r->blen += size;
		i += size;
		if ((e = line_end(p, i, n, &next)) == -1)
			goto more;
		if ((size_t)e != i)
			return fail(r, "a chunk longer than its size");
		i = next;
	}
	for (;;) {                      /* trailer fields, up to a blank line */
		if ((e = line_end(p, i, n, &next)) == -1)
			goto more;
		if ((size_t)e == i)
			return 1;
		i = next;
	}
more:
	return eof ? fail(r, "the connection closed inside the body") : 0;
}

int
http_parse(const char *p, size_t n, int eof, char *out, size_t outmax,
    struct http_resp *r)
{
	size_t i, hend = 0, lim = n < HTTP_HEAD_MAX ? n : HTTP_HEAD_MAX;
	long long clen;
	int chunked;

	memset(r, 0, sizeof *r);
	r->body = out;
	for (i = 0; i + 1 < lim && !hend; i++)
		if (p[i] == '\n' && (p[i + 1] == '\n' ||
		    (p[i + 1] == '\r' && i + 2 < lim && p[i + 2] == '\n')))
			hend = i + 1;
	if (!hend) {
		if (n >= HTTP_HEAD_MAX)
			return fail(r, "a header over 16 KiB");
		return eof ? fail(r, "the connection closed inside the "
		    "header") : 0;
	}
	if (head(p, hend, r, &clen, &chunked) == -1)
		return -1;
	i = hend + (p[hend] == '\r' ? 2 : 1);
	if (r->status == 204 || r->status == 304)
		return 1;
	if (chunked)
		return chunks(p, i, n, eof, out, outmax, r);
	if (clen >= 0) {
		if ((unsigned long long)clen > outmax)
			return fail(r, "a body over the limit");
		if (n - i < (size_t)clen)
			return eof ? fail(r, "the connection closed inside "
			    "the body") : 0;
		memcpy(out, p + i, (size_t)clen);
		r->blen = (size_t)clen;
		return 1;
	}
	if (n - i > outmax)
		return fail(r, "a body over the limit");
	if (!eof)
		return 0;
	memcpy(out, p + i, n - i);
	r->blen = n - i;
	return 1;
}
