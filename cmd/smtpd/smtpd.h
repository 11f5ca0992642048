/*
 * smtpd: declarations private to cmd/smtpd.
 * data.c is the DATA/BDAT state machine and parse.c the command parser;
 * neither does I/O nor keeps global state, so the fuzz targets in fuzz/
 * and the unit tests drive them through this header without a session
 * (FUZZ_EXTRA_ and UNIT_EXTRA_ in the Makefile). main.c owns the
 * configuration, the session, the transaction and all I/O.
 */
#ifndef POSTEL_SMTPD_H
#define POSTEL_SMTPD_H

#include <stddef.h>

#include "addr.h"
#include "queue.h"

#define SMTP_CMD_MAX  512       /* command line, CRLF included: 4.5.3.1.4 */
/* MAIL and RCPT may be longer by their parameters' lengths (4.5.3.1.4,
 * RFC 3461 5): MAIL by SIZE 26, BODY 14, SMTPUTF8 9, AUTH 506 (RFC 4954
 * 5), RET 9 and ENVID 107, 671 octets; RCPT by NOTIFY 29 and ORCPT 507.
 * Rounded up, with room for extra blanks. */
#define SMTP_PARAM_LINE_MAX 1280
#define SMTP_TEXT_MAX 1000      /* text line, CRLF included: 4.5.3.1.6 */

/* data.c ------------------------------------------------------------ */

/* D_BOL: at the start of a line (after CRLF); D_TEXT: inside a line;
 * D_CR: after a CR, waiting for its LF; D_DOT: a '.' began the line;
 * D_DOTCR: "." CR began the line; D_END: CRLF.CRLF seen. */
enum data_state { D_BOL, D_TEXT, D_CR, D_DOT, D_DOTCR, D_END };

#define DATA_BARELF 0x01        /* LF not after CR */
#define DATA_BARECR 0x02        /* CR not before LF */
#define DATA_NUL    0x04
#define DATA_LONG   0x08        /* line over SMTP_TEXT_MAX */
#define DATA_BIG    0x10        /* over the size limit */
#define DATA_WERR   0x20        /* the sink failed; errno in werr */
#define DATA_8BIT   0x40        /* octets over 127 (not an error) */
#define DATA_BAD    (DATA_BARELF | DATA_BARECR | DATA_NUL | DATA_LONG | \
                     DATA_BIG | DATA_WERR)

/* Where the message goes: 0, or -1 with errno. */
typedef int (*data_sink)(void *ctx, const char *p, size_t n);

struct data {
	enum data_state state;
	int chunked;            /* BDAT: no dots, no terminator (RFC 3030) */
	unsigned flags;
	int werr;
	int inhdr;              /* still in the header section */
	size_t col;             /* octets of the current line so far */
	char hdr[9];            /* start of the current header line, lowered */
	size_t hlen;
	unsigned long hops;     /* Received: header fields seen */
	unsigned long long size;        /* octets stored (LF form) */
	unsigned long long wire, max;   /* octets as sent (RFC 1870); limit */
	data_sink sink;
	void *ctx;
	size_t olen;
	char out[4096];
};

void data_init(struct data *d, int chunked, unsigned long long max,
    data_sink sink, void *ctx);
/* Store n octets as they are (the trace header), counting them in size
 * but not against the limit, which is on what the client sends. */
void data_raw(struct data *d, const char *p, size_t n);
/* Feed n octets of the SMTP stream; *used is set to the octets consumed.
 * Returns 1 once CRLF.CRLF ended DATA (the rest belongs to the next
 * command), else 0. Each CRLF is stored as LF, dot-stuffing is undone. */
int data_feed(struct data *d, const char *p, size_t n, size_t *used);
/* The input is over (after DATA's end or BDAT LAST): flush to the sink. */
void data_end(struct data *d);
/* The reply for a message with DATA_BAD flags, "" for a good one. */
const char *data_reply(const struct data *d);

/* parse.c ----------------------------------------------------------- */

/* A command line without its CRLF: verb (up to 15 octets) and argument. */
struct cmd {
	char verb[16];
	const char *arg;
	size_t alen;
	size_t len;                     /* the whole line's octets */
};
/* -1 if the line holds a NUL, CR, LF or other control octet. */
int cmd_split(struct cmd *c, const char *line, size_t n);

#define BODY_NONE 0
#define BODY_7BIT 1
#define BODY_8BIT 2

struct mailarg {
	struct addr a;
	unsigned long long size;        /* SIZE=, 0 if not given */
	int body;                       /* BODY= */
	int utf8;                       /* SMTPUTF8 */
	int auth;                       /* AUTH= given (RFC 4954 5) */
	int requiretls;                 /* REQUIRETLS (RFC 8689 2) */
	int postmaster;                 /* RCPT TO:<postmaster>; a is empty */
	struct qdsn dsn;                /* MAIL's RET= and ENVID= (RFC 3461) */
	struct qrdsn rdsn;              /* RCPT's NOTIFY= and ORCPT= */
};
/* Parse the argument of MAIL ("FROM:<path> params") or RCPT ("TO:<path>
 * params"); ehlo says whether ESMTP parameters are allowed, utf8 whether
 * the transaction is SMTPUTF8 (for RCPT). NULL, or the full reply line;
 * then the DSN members are empty. The values kept are those lib/queue
 * writes (qdsn_envid_ok, qdsn_orcpt_ok), and their xtext decodes to
 * printable ASCII. */
const char *parse_mail(struct mailarg *m, const char *s, size_t n, int ehlo);
const char *parse_rcpt(struct mailarg *m, const char *s, size_t n, int ehlo,
    int utf8);

#define SMTP_CHUNK_MAX (1ULL << 62)     /* BDAT's size, octets */
#define BDAT_DIGITS    23               /* BDAT's size, digits */

struct bdat {
	unsigned long long size;        /* octets that follow the line */
	int last;                       /* LAST: the message ends with them */
};
/* Parse the argument of BDAT, "size [LAST]" (RFC 3030 2); LAST in any
 * case, after one or more spaces. 0, or -1 if malformed. */
int parse_bdat(struct bdat *b, const char *s, size_t n);

/* filter.c (postel-filter(8)) ---------------------------------------- */

struct filter_env;
const char *sfilter_init(void);         /* NULL, or a configuration error */
const char *sfilter_chain(const char *rcpt);
const char *sfilter_run(const char *chain, int *spool,
    const struct filter_env *e, const char *sid, const char *tmpdir,
    int quiet, unsigned long long max, int *eightbit);

#endif
