/*
 * data: the DATA and BDAT state machine of smtpd (see smtpd.h).
 * postel(7), invariant 4, lives here: only CRLF "." CRLF ends DATA. A CR
 * or LF that is not part of a CRLF pair never ends a line: it marks the
 * message bad (DATA_BARECR, DATA_BARELF), the machine keeps looking for
 * the real end, and smtpd refuses the whole message. So no reader of the
 * stream, here or at a later hop, can find a different end of data
 * (SMTP smuggling, CVE-2023-51764 and kin). Since every line end of an
 * accepted message is CRLF, storing it as LF (postel-queue(5)) loses
 * nothing.
 */
#include <errno.h>
#include <string.h>

#include "smtpd.h"

void
data_init(struct data *d, int chunked, unsigned long long max,
    data_sink sink, void *ctx)
{
	d->state = D_BOL;
	d->chunked = chunked;
	d->flags = 0;
	d->werr = 0;
	d->inhdr = 1;
	d->col = 0;
	d->hlen = 0;
	d->hops = 0;
	d->size = 0;
	d->wire = 0;
	d->max = max;
	d->sink = sink;
	d->ctx = ctx;
	d->olen = 0;
}

/* Once the message is known to be refused nothing more is stored. */
static void
dflush(struct data *d)
{
	if (d->olen && !(d->flags & DATA_BAD) &&
	    d->sink(d->ctx, d->out, d->olen) == -1) {
		d->werr = errno;
		d->flags |= DATA_WERR;
	}
	d->olen = 0;
}

static void
emit(struct data *d, char c)
{
	d->size++;
	if (d->flags & DATA_BAD)
		return;
	d->out[d->olen++] = c;
	if (d->olen == sizeof d->out)
		dflush(d);
}

void
data_raw(struct data *d, const char *p, size_t n)
{
	while (n--)
		emit(d, *p++);
}

/* An octet of line content (not CR, not LF). */
static void
text(struct data *d, unsigned char c)
{
	if (c == 0)
		d->flags |= DATA_NUL;
	else if (c > 127)
		d->flags |= DATA_8BIT;
	if (d->inhdr && d->hlen < sizeof d->hdr)
		d->hdr[d->hlen++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	emit(d, (char)c);
	d->state = D_TEXT;
}

/* An octet inside a line or at its start (after any leading dot): a CR
 * moves to cr (D_CR, or D_DOTCR after a leading dot), a lone LF marks the
 * message bad, anything else is text. */
static void
octet(struct data *d, unsigned char c, enum data_state cr)
{
	if (c == '\r')
		d->state = cr;
	else if (c == '\n') {
		d->flags |= DATA_BARELF;
		d->state = D_TEXT;
	} else
		text(d, c);
}

/* CRLF: the one line end. Counts Received: fields for the hop limit
 * (RFC 5321 6.3) while in the header section. */
static void
eol(struct data *d)
{
	if (d->inhdr) {
		if (d->col == 0)
			d->inhdr = 0;
		else if (d->hlen == sizeof d->hdr &&
		    memcmp(d->hdr, "received:", sizeof d->hdr) == 0)
			d->hops++;
	}
	emit(d, '\n');
	d->col = 0;
	d->hlen = 0;
	d->state = D_BOL;
}

int
data_feed(struct data *d, const char *p, size_t n, size_t *used)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		int stuffing = d->state == D_BOL && c == '.' && !d->chunked;

		/* RFC 5321 4.5.3.1.6: the limit is on the line before
		 * dot-stuffing */
		if (!stuffing && c != '\r' && c != '\n' &&
		    ++d->col > SMTP_TEXT_MAX - 2)
			d->flags |= DATA_LONG;
		/* RFC 1870 6.1: the size is of the octets the client sends,
		 * CRLFs included, without stuffing dots and without the final
		 * "." CRLF; the CR after a leading dot counts only once it is
		 * known not to end the data. */
		if (!stuffing && !(d->state == D_DOT && c == '\r') &&
		    !(d->state == D_DOTCR && c == '\n') &&
		    (d->wire += d->state == D_DOTCR ? 2 : 1) > d->max)
			d->flags |= DATA_BIG;
		switch (d->state) {
		case D_BOL:
			if (c == '.' && !d->chunked)
				d->state = D_DOT;
			else
				octet(d, c, D_CR);
			break;
		case D_TEXT:
			octet(d, c, D_CR);
			break;
		case D_CR:
			if (c == '\n')
				eol(d);
			else if (c == '\r')
				d->flags |= DATA_BARECR; /* stay in D_CR */
			else {
				d->flags |= DATA_BARECR;
				text(d, c);
			}
			break;
		case D_DOT:
			/* The leading dot was stuffing (RFC 5321 4.5.2). */
			octet(d, c, D_DOTCR);
			break;
		case D_DOTCR:
			if (c == '\n') {
				d->state = D_END;
				*used = i + 1;
				dflush(d);
				return 1;
			}
			d->flags |= DATA_BARECR;
			if (c == '\r')
				d->state = D_CR;
			else
				text(d, c);
			break;
		case D_END:
			*used = i;
			return 1;
		}
	}
	*used = n;
	return 0;
}

void
data_end(struct data *d)
{
	if (d->state == D_CR || d->state == D_DOTCR)
		d->flags |= DATA_BARECR;
	dflush(d);
}

const char *
data_reply(const struct data *d)
{
	if (d->flags & DATA_WERR)
		return d->werr == ENOSPC || d->werr == EDQUOT ?
		    "452 4.3.1 Insufficient system storage" :
		    "451 4.3.0 Local error writing the message";
	if (d->flags & DATA_BIG)
		return "552 5.3.4 Message exceeds the size limit";
	if (d->flags & (DATA_BARELF | DATA_BARECR))
		return "554 5.6.0 Bare CR or LF in message: "
		    "lines must end in CRLF";
	if (d->flags & DATA_NUL)
		return "554 5.6.0 NUL octet in message";
	if (d->flags & DATA_LONG)
		return "554 5.6.0 Line longer than 1000 octets";
	return "";
}
