/*
 * msg: read a submitted message, complete its header and spool it in the
 * queue's Unix form (LF line ends). Header fields are kept as written,
 * except Bcc:, which is dropped, and bare names in address fields, which
 * get "@me"; Date:, Message-ID: and From: are added when missing. The body is streamed, never held in memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "bio.h"
#include "buf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "hdr.h"
#include "sendmail.h"

#define HDR_MAX (1024 * 1024)   /* whole header section */

struct in {
	char b[65536];
	size_t pos, end;
	int eof;
	unsigned long long taken;       /* octets of the user's, for max-size */
};

static int
in_byte(struct in *in)
{
	if (in->pos == in->end) {
		ssize_t r;
		if (in->eof)
			return -1;
		if ((r = fd_read(0, in->b, sizeof in->b)) == -1)
			return -2;
		if (r == 0) {
			in->eof = 1;
			return -1;
		}
		in->pos = 0;
		in->end = (size_t)r;
	}
	in->taken++;
	return (unsigned char)in->b[in->pos++];
}

/* Read one line into line (LF form: a CRLF becomes LF). Returns 1, 0 at
 * EOF with nothing read, -1 read error, -3 line too long. */
static int
read_line(struct in *in, struct buf *line)
{
	int c;

	line->len = 0;
	for (;;) {
		c = in_byte(in);
		if (c == -2)
			return -1;
		if (c == -1)
			return line->len ? 1 : 0;
		if (c == '\n' && line->len && line->p[line->len - 1] == '\r')
			line->len--;
		if (buf_catc(line, (char)c) == -1)
			return -3;
		if (c == '\n')
			return 1;
	}
}

struct fields {
	int from, date, msgid, resent;
};

static int
add_rcpt(void *arg, const char *s, size_t n)
{
	return rcpts_add(arg, s, n);
}

/* Write field f (n bytes) with its bare names completed. */
static int
put_qualified(const char *f, size_t n, const char *me, struct bio *out)
{
	static struct buf q = BUF_INIT(HDR_MAX + 65536);

	q.len = 0;
	if (hdr_qualify_field(f, n, me, &q) == -1)
		return bio_put(out, f, n);      /* too big to grow: as is */
	return bio_put(out, q.p, q.len);
}

/* One whole field (with continuation lines) at f, n bytes with final LF. */
static int
field(const char *f, size_t n, struct fields *seen, int pass,
    const struct msgopt *o, struct rcpts *r, struct bio *out)
{
	static const char *const rc[] = { "To", "Cc", "Bcc" };
	static const char *const rrc[] = { "Resent-To", "Resent-Cc", "Resent-Bcc" };
	const char *why;
	size_t k;

	if (pass == 0) {
		if (hdr_name_is(f, n, "From"))
			seen->from = 1;
		else if (hdr_name_is(f, n, "Date"))
			seen->date = 1;
		else if (hdr_name_is(f, n, "Message-ID"))
			seen->msgid = 1;
		else if (strncasecmp(f, "Resent-", 7) == 0)
			seen->resent = 1;
		return 0;
	}
	if (o->hdr_rcpts)
		for (k = 0; k < 3; k++)
			if (hdr_name_is(f, n, seen->resent ? rrc[k] : rc[k])) {
				const char *v = (const char *)memchr(f, ':', n) + 1;
				if (hdr_addrlist(v, n - (size_t)(v - f), add_rcpt, r,
				    &why) == -1) {
					warn("unable to parse %.*s: %s",
					    (int)(strcspn(f, ":")), f,
					    why ? why : "out of memory");
					return EX_DATAERR;
				}
			}
	if (hdr_name_is(f, n, "Bcc") || hdr_name_is(f, n, "Resent-Bcc"))
		return 0;
	if (*o->me && hdr_address_field(f, n))
		return put_qualified(f, n, o->me, out) == -1 ? -1 : 0;
	return bio_put(out, f, n) == -1 ? -1 : 0;
}

/* Walk the header section hs: pass 0 notes what is there, pass 1 writes. */
static int
walk(const struct buf *hs, struct fields *seen, int pass,
    const struct msgopt *o, struct rcpts *r, struct bio *out)
{
	size_t i = 0, st;
	int rv;

	while (i < hs->len) {
		st = i;
		for (;;) {
			const char *lf = memchr(hs->p + i, '\n', hs->len - i);
			i = lf ? (size_t)(lf - hs->p) + 1 : hs->len;
			if (i >= hs->len || (hs->p[i] != ' ' && hs->p[i] != '\t'))
				break;
		}
		if ((rv = field(hs->p + st, i - st, seen, pass, o, r, out)) != 0)
			return rv;
	}
	return 0;
}

static int
add_missing(const struct fields *seen, const struct msgopt *o, struct bio *out)
{
	char line[1024], date[FMT_DATE_MAX];
	time_t now = time(NULL);
	unsigned rnd = 0;
	int n;

	if (!seen->date) {
		fmt_date(date, sizeof date, (long long)now);
		n = fmt_s(line, sizeof line, "Date: %s\n", date);
		if (n < 0 || bio_put(out, line, (size_t)n) == -1)
			return -1;
	}
	if (!seen->msgid) {
		if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
			rnd = (unsigned)now ^ (unsigned)getpid();
		n = fmt_s(line, sizeof line, "Message-ID: <%lld.%ld.%08x@%s>\n",
		    (long long)now, (long)getpid(), rnd, o->me);
		if (n < 0 || bio_put(out, line, (size_t)n) == -1)
			return -1;
	}
	if (!seen->from) {
		char who[ADDR_MAX + 80], name[200];
		size_t i, k = 0;

		if (*o->from)
			fmt_s(who, sizeof who, "%s", o->from);
		else
			fmt_s(who, sizeof who, "%s@%s", o->user, o->me);
		if (o->fullname && *o->fullname) {
			/* a quoted-string: escape \ and ", drop controls */
			for (i = 0; o->fullname[i] && k + 3 < sizeof name; i++) {
				unsigned char c = (unsigned char)o->fullname[i];
				if (c < 32 || c == 127)
					continue;
				if (c == '"' || c == '\\')
					name[k++] = '\\';
				name[k++] = (char)c;
			}
			name[k] = '\0';
			n = fmt_s(line, sizeof line, "From: \"%s\" <%s>\n", name,
			    who);
		} else
			n = fmt_s(line, sizeof line, "From: %s\n", who);
		if (n < 0 || bio_put(out, line, (size_t)n) == -1)
			return -1;
	}
	return 0;
}

enum { B_BOL, B_MID, B_CR, B_DOT, B_DOTCR, B_END };

/* Stream the body: CRLF -> LF; in dot mode a lone "." line ends it. */
static int
body(struct in *in, struct bio *out, int dot, int *lastlf)
{
	int st = B_BOL, c;
	char ch;

	while (st != B_END) {
		c = in_byte(in);
		if (c == -2)
			return -2;
		if (c == -1)
			break;
		ch = (char)c;
		switch (st) {
		case B_BOL:
			if (dot && ch == '.') {
				st = B_DOT;
				continue;
			}
			break;
		case B_DOT:
		case B_DOTCR:
			if (ch == '\n') {      /* "." or ".\r" alone: the end */
				st = B_END;
				continue;
			}
			if (st == B_DOT && ch == '\r') {
				st = B_DOTCR;
				continue;
			}
			/* not the end: what was held back is text */
			if (bio_put(out, ".\r", st == B_DOT ? 1 : 2) == -1)
				return -1;
			break;
		case B_CR:
			if (ch == '\n')
				break;          /* CRLF: the CR goes */
			if (bio_put(out, "\r", 1) == -1)
				return -1;
			break;
		}
		if (ch == '\r') {
			st = B_CR;
			continue;
		}
		if (bio_put(out, &ch, 1) == -1)
			return -1;
		*lastlf = ch == '\n';
		st = ch == '\n' ? B_BOL : B_MID;
	}
	if (st == B_CR || st == B_DOTCR) {
		if (bio_put(out, st == B_CR ? "\r" : ".\r", st == B_CR ? 1 : 2) == -1)
			return -1;
		*lastlf = 0;
	}
	/* B_DOT at EOF: a final "." without LF ends the input as well. */
	return 0;
}

int
msg_spool(int spool, const struct msgopt *o, struct rcpts *r,
    unsigned long long *taken)
{
	static struct in in;
	static char outbuf[65536];
	static struct bio out;
	struct buf hs = BUF_INIT(HDR_MAX), line = BUF_INIT(HDR_MAX);
	struct fields seen = { 0, 0, 0, 0 };
	int rv, ended = 0, first_body = 0, lastlf = 1, code = 0;

	bio_init(&out, spool, bio_fdwrite, outbuf, sizeof outbuf);
	/* Header section: fields up to an empty line or the first line that
	 * is neither a field nor a continuation (which starts the body). */
	for (;;) {
		rv = read_line(&in, &line);
		if (rv == -1) {
			warn_sys("unable to read the message");
			code = EX_IOERR;
			goto out;
		}
		if (rv == -3) {
			warn("header section larger than %d bytes", HDR_MAX);
			code = EX_DATAERR;
			goto out;
		}
		if (rv == 0)
			break;
		if (o->dot && line.len <= 2 && line.p[0] == '.' &&
		    (line.len == 1 || line.p[1] == '\n')) {
			ended = 1;
			break;
		}
		if (line.len == 1 && line.p[0] == '\n')
			break;
		if ((line.p[0] == ' ' || line.p[0] == '\t') && hs.len) {
			/* continuation */
		} else if (!hdr_is_field(line.p, line.len)) {
			first_body = 1;
			break;
		}
		if (buf_catb(&hs, line.p, line.len) == -1 ||
		    (line.p[line.len - 1] != '\n' && buf_catc(&hs, '\n') == -1)) {
			warn("header section larger than %d bytes", HDR_MAX);
			code = EX_DATAERR;
			goto out;
		}
	}
	walk(&hs, &seen, 0, o, r, &out);
	if ((rv = walk(&hs, &seen, 1, o, r, &out)) != 0 ||
	    add_missing(&seen, o, &out) == -1 || bio_put(&out, "\n", 1) == -1) {
		if (rv > 0) {
			code = rv;
			goto out;
		}
		goto werr;
	}
	if (first_body) {
		if (o->dot && line.p[0] == '.') {
			/* a dot line in the body still obeys dot mode */
			if (line.len == 1 || (line.len == 2 && line.p[1] == '\n'))
				ended = 1;
		}
		if (!ended) {
			if (bio_put(&out, line.p, line.len) == -1)
				goto werr;
			lastlf = line.p[line.len - 1] == '\n';
		}
	}
	if (!ended) {
		rv = body(&in, &out, o->dot, &lastlf);
		if (rv == -2) {
			warn_sys("unable to read the message");
			code = EX_IOERR;
			goto out;
		}
		if (rv == -1)
			goto werr;
	}
	if (!lastlf && bio_put(&out, "\n", 1) == -1)
		goto werr;
	if (bio_flush(&out) == -1)
		goto werr;
	goto out;
werr:
	warn_sys("unable to write the spool file");
	code = EX_TEMPFAIL;
out:
	*taken = in.taken;
	buf_free(&hs);
	buf_free(&line);
	return code;
}
