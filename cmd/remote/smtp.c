/* smtp: one SMTP client session (RFC 5321) carrying one message or a
 * batch, one transaction each, with STARTTLS (RFC 3207), AUTH PLAIN/LOGIN
 * (RFC 4954, 4616), PIPELINING (RFC 2920), SIZE (RFC 1870), 8BITMIME
 * (RFC 6152), SMTPUTF8 (RFC 6531) and DSN (RFC 3461). See remote.h. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include "addr.h"
#include "bio.h"
#include "conf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "log.h"
#include "net.h"
#include "remote.h"
#include "smtpreply.h"
#include "tls.h"
#include "tlsrpt.h"

static struct tls_client tc;            /* one per process: ~33 KB */
static struct dane_x509 dx;             /* and its DANE check: ~70 KB */
static struct sts_x509 sx;              /* MTA-STS testing mode's */
static struct tls_anchors anchors;
static int anchors_state;               /* 0 not tried, 1 ok, -1 failed */
static char ibuf[8192], obuf[16384];
static struct bio in, out;

struct sess {
	struct delivery *j;             /* the message in hand, or NULL */
	const struct route *r;
	const struct target *t;
	const char *sid;                /* batch mode: the session's name */
	const char *me;                 /* our name, for EHLO */
	struct result *res;             /* where a failure goes: j->res, or
	                                   sres before the first message */
	struct result sres;
	int fd, tls, dead;
	int dane;                       /* DANE_* of this host, as used: NONE
	                                   when the route wants no TLS */
	const char *dstate;             /* for the log: none, verified,
	                                   failed, unusable */
	int sts;                        /* STS_* of this host (route.c) */
	const char *ststate;            /* for the log: none, verified,
	                                   failed */
	int rpt;                        /* TLSRPT: TR_* of the failure, or
	                                   -1 (RFC 8460 4.3) */
	int stop;                       /* no further message here */
	int open;                       /* a transaction is open (MAIL 250) */
	struct smtpehlo e;
	int data_sent;                  /* DATA went with the envelope */
	struct smtpreply data_rp;       /* and this was its reply */
	char peer[DNS_NAME_MAX + 64];   /* "mx.example.net [192.0.2.1]" */
	char why[128];                  /* protocol error detail */
};

/* The start of a line about this session: the event, then qid,
 * session, host and ip. */
static void
loghead(struct logl *l, const struct sess *s, const char *ev)
{
	char ip[64];

	log_start(l, ev);
	if (s->j && s->j->qid)
		log_kv(l, "qid", s->j->qid);
	if (s->sid)
		log_kv(l, "session", s->sid);
	log_kv(l, "host", s->t->name);
	log_kv(l, "ip", dns_ip_fmt(&s->t->ip, ip, sizeof ip));
}

static void
logev(struct sess *s, const char *ev, const char *k1, const char *v1,
    const char *k2, const char *v2)
{
	struct logl l;

	loghead(&l, s, ev);
	if (k1)
		log_kv(&l, k1, v1);
	if (k2)
		log_kv(&l, k2, v2);
	log_end(&l);
}

/* TLS is a must here: by the route, or by the host's TLSA records. */
static int
tls_mandatory(const struct sess *s)
{
	return s->r->tls >= POL_REQUIRE || s->dane != DANE_NONE ||
	    s->sts == STS_ENFORCE;
}

/* The certificate must verify against remote-ca-file and name the host:
 * by the route, or by the MTA-STS policy (in testing mode, to log it). */
static int
tls_verify(const struct sess *s)
{
	return (s->r->tls == POL_VERIFY || s->sts != STS_NONE) &&
	    s->dane != DANE_USABLE;
}

/* What MTA-STS made of the session, on the tls, fail and sent lines. */
static void
logsts(struct sess *s, struct logl *l)
{
	if (s->sts == STS_NONE)
		return;
	log_kv(l, "sts", sts_mode_word(s->sts));
	log_kv(l, "sts_result", s->ststate);
}

/* An MTA-STS failure on this host: in enforce mode the failure of the
 * host (res), in testing mode only logged (RFC 8461 5). */
static void
stsfail(struct sess *s, const char *why)
{
	struct logl l;

	s->ststate = "failed";
	loghead(&l, s, "sts");
	logsts(s, &l);
	log_kv(&l, "reason", why);
	log_end(&l);
}

/* The tls line: the protocol, the suite, and what DANE made of it. */
static void
logtls(struct sess *s)
{
	struct logl l;

	loghead(&l, s, "tls");
	log_kv(&l, "version", tls_version(&tc.t));
	log_kv(&l, "cipher", tls_cipher(&tc.t));
	log_kv(&l, "dane", s->dstate);
	if (s->dane == DANE_USABLE)
		log_kv(&l, "tlsa", dx.matched == TLSA_DANE_EE ? "dane-ee" :
		    "dane-ta");
	logsts(s, &l);
	log_end(&l);
}

/* Read one reply; EHLO keywords into s->e when ehlo is set. */
static int
reply(struct sess *s, struct smtpreply *rp, const char *key, int ehlo)
{
	char line[SMTPREPLY_LINE_MAX];
	const char *why;
	size_t len;
	int r, done = 0;

	smtpreply_init(rp);
	bio_timeout(&in, conf_u(key));
	do {
		r = bio_getline(&in, line, sizeof line, &len);
		if (r == -1)
			return -1;
		if (r == 0) {
			errno = ECONNRESET;
			return -1;
		}
		if (len && line[len - 1] == '\n')
			len--;
		if (len && line[len - 1] == '\r')
			len--;
		if ((why = smtpreply_line(rp, line, len, &done)) != NULL) {
			fmt_s(s->why, sizeof s->why, "%s", why);
			errno = EPROTO;
			return -1;
		}
		if (ehlo && rp->lines > 1 && len > 4)
			smtpehlo_line(&s->e, line + 4, len - 4);
	} while (!done);
	return 0;
}

static int
cmd(const char *c)
{
	bio_timeout(&out, conf_u("remote-timeout-command"));
	if (bio_puts(&out, c) == -1 || bio_put(&out, "\r\n", 2) == -1)
		return -1;
	return 0;
}

static const char *
ioerr(struct sess *s)
{
	if (errno == EPROTO && s->why[0])
		return s->why;
	if (errno == ETIMEDOUT)
		return "timed out";
	if (errno == ECONNRESET)
		return "connection closed";
	if (errno == EPROTO && s->tls)
		return tls_error(&tc.t);
	return strerror(errno);
}

/* A failure of the session itself (not a reply): temporary. */
static int
lost(struct sess *s, const char *when)
{
	result_set(s->res, OUTCOME_TEMP, "4.4.2", "%s: %s %s", s->peer, ioerr(s),
	    when);
	s->dead = 1;
	logev(s, "fail", "text", s->res->text, NULL, NULL);
	return -1;
}

/* The peer's own reply as a result. */
static void
said(struct sess *s, struct result *res, const struct smtpreply *rp)
{
	char dsn[16];
	int c = smtpreply_class(rp);

	result_set(res, c == 2 ? OUTCOME_OK : c == 5 ? OUTCOME_PERM : OUTCOME_TEMP,
	    smtpreply_dsn(rp, dsn, sizeof dsn), "%s said: %s", s->peer,
	    rp->text);
	if (res->status == OUTCOME_TEMP)
		res->dsn[0] = '4';      /* a 3xx where none belongs, say */
}

/* The peer refuses to talk to us at all (greeting, EHLO and HELO): often
 * our address on a block list, never the sender's fault, so temporary
 * whatever the code (postel(7), invariant 6); the next MX may take it. */
static void
refused(struct sess *s, const struct smtpreply *rp)
{
	said(s, s->res, rp);
	s->res->status = OUTCOME_TEMP;
	s->res->dsn[0] = '4';
	logev(s, "fail", "text", s->res->text, NULL, NULL);
}

/* QUIT without waiting for the 221 (as Postfix's smtp_skip_quit_response):
 * the transaction is over, and a slow server cannot hold us. */
static void
quit(struct sess *s)
{
	if (cmd("QUIT") == 0)
		(void)bio_flush(&out);
	if (s->tls)
		tls_close(&tc.t, bio_now() + 1000);
}

static int
ehlo(struct sess *s, struct smtpreply *rp)
{
	char c[DNS_NAME_MAX + 8];

	memset(&s->e, 0, sizeof s->e);
	fmt_s(c, sizeof c, "EHLO %s", s->me);
	if (cmd(c) == -1 || reply(s, rp, "remote-timeout-command", 1) == -1)
		return lost(s, "after EHLO");
	if (smtpreply_class(rp) == 2)
		return 0;
	/* HELO is for a server that does not know EHLO (RFC 5321 3.2):
	 * one that is busy (4xx) is tried again later, not in a session
	 * with no extensions, where SMTPUTF8 mail would bounce */
	if (smtpreply_class(rp) != 5) {
		refused(s, rp);
		return -1;
	}
	memset(&s->e, 0, sizeof s->e);
	fmt_s(c, sizeof c, "HELO %s", s->me);
	if (cmd(c) == -1 || reply(s, rp, "remote-timeout-command", 0) == -1)
		return lost(s, "after HELO");
	if (smtpreply_class(rp) != 2) {
		refused(s, rp);
		return -1;
	}
	return 0;
}

static int
load_anchors(void)
{
	if (anchors_state == 0)
		anchors_state = tls_anchors_load(&anchors,
		    conf_s("remote-ca-file")) == 0 ? 1 : -1;
	return anchors_state == 1 ? 0 : -1;
}

/* STARTTLS: 0 on, 1 staying in plaintext, -1 give up this host (res set),
 * -2 handshake failed. */
static int tls_begin(struct sess *s);

static int
starttls(struct sess *s, struct smtpreply *rp)
{
	int verify = tls_verify(s);

	if (!(s->e.ext & EHLO_STARTTLS)) {
		s->rpt = TR_STARTTLS_NOT_SUPPORTED;
		if (s->dane != DANE_NONE) {     /* RFC 7672 2.2: stripped? */
			result_set(s->res, OUTCOME_TEMP, "4.7.4", "%s does not offer "
			    "STARTTLS, which its DANE TLSA records require",
			    s->peer);
			s->dstate = "failed";
			logev(s, "fail", "text", s->res->text, "dane", "failed");
			return -1;
		}
		if (s->sts != STS_NONE)
			stsfail(s, "STARTTLS not offered");
		if (s->sts == STS_ENFORCE) {
			result_set(s->res, OUTCOME_TEMP, "4.7.4", "%s does not offer "
			    "STARTTLS, which the MTA-STS policy of its domain "
			    "requires", s->peer);
			logev(s, "fail", "text", s->res->text, "sts_result",
			    "failed");
			return -1;
		}
		if (s->r->tls >= POL_REQUIRE) {
			result_set(s->res, OUTCOME_TEMP, "4.7.4", "%s does not offer "
			    "STARTTLS, which the route requires", s->peer);
			logev(s, "fail", "text", s->res->text, NULL, NULL);
			return -1;
		}
		logev(s, "notls", "reason", "not offered", NULL, NULL);
		return 1;
	}
	if (verify && load_anchors() == -1) {
		result_set(s->res, OUTCOME_TEMP, "4.7.5", "unable to load CA file "
		    "%s: %s", conf_s("remote-ca-file"), strerror(errno));
		return -1;
	}
	if (cmd("STARTTLS") == -1 ||
	    reply(s, rp, "remote-timeout-command", 0) == -1)
		return lost(s, "after STARTTLS");
	if (smtpreply_class(rp) != 2) {
		s->rpt = TR_STARTTLS_NOT_SUPPORTED;
		if (s->sts != STS_NONE)
			stsfail(s, "STARTTLS refused");
		if (tls_mandatory(s)) {
			said(s, s->res, rp);
			s->res->status = OUTCOME_TEMP;
			fmt_s(s->res->dsn, sizeof s->res->dsn, "4.7.5");
			if (s->dane != DANE_NONE) {
				s->dstate = "failed";
				logev(s, "fail", "text", s->res->text, "dane",
				    "failed");
			}
			return -1;
		}
		logev(s, "notls", "reason", "STARTTLS refused", NULL, NULL);
		return 1;
	}
	if (bio_buffered(&in)) {        /* plaintext injection, CVE-2011-0411 */
		result_set(s->res, OUTCOME_TEMP, "4.7.5", "%s sent data after its "
		    "STARTTLS reply", s->peer);
		return -1;
	}
	return tls_begin(s);
}

/* The TLS handshake on s->fd, then the bios over it: 0, -1 (res set), or
 * -2 when the handshake failed. */
static int
tls_begin(struct sess *s)
{
	int verify = tls_verify(s), rc;
	struct dns_ip tmp;
	const char *name = s->t->name;
	long long deadline = bio_now() +
	    (long long)conf_u("remote-timeout-command") * 1000;

	if (verify && load_anchors() == -1) {
		result_set(s->res, OUTCOME_TEMP, "4.7.5", "unable to load CA file "
		    "%s: %s", conf_s("remote-ca-file"), strerror(errno));
		return -1;
	}
	if (dns_ip_parse(name, &tmp) == 0)
		name = NULL;            /* no SNI for an address */
	if (s->dane == DANE_USABLE) {
		/* SNI: the TLSA base domain (RFC 7672 8.1) */
		dane_x509_init(&dx, s->t);
		rc = tls_client_start_x509(&tc, s->fd, s->t->base[0] ?
		    s->t->base : name, &dx.vtable, deadline);
	} else if (s->sts == STS_TESTING && s->r->tls != POL_VERIFY) {
		/* checked as enforce would, the verdict only logged */
		sts_x509_init(&sx, &anchors);
		rc = tls_client_start_x509(&tc, s->fd, name, &sx.vtable,
		    deadline);
	} else
		rc = tls_client_start(&tc, s->fd, name, verify ? &anchors : NULL,
		    verify ? TLS_VERIFY : TLS_NOVERIFY, deadline);
	if (rc == -1) {
		int e = errno;
		s->rpt = s->dane == DANE_USABLE && dx.why[0] ?
		    TR_VALIDATION_FAILURE : tlsrpt_tls_result(tc.t.err);
		if (s->dane == DANE_USABLE && dx.why[0]) {
			s->dstate = "failed";
			result_set(s->res, OUTCOME_TEMP, "4.7.5", "TLS handshake "
			    "with %s failed: DANE: %s", s->peer, dx.why);
			logev(s, "fail", "text", s->res->text, "dane", "failed");
			return -2;
		}
		result_set(s->res, OUTCOME_TEMP, "4.7.5", "TLS handshake with %s "
		    "failed: %s%s%s", s->peer, e == EPROTO || e == ECONNRESET ?
		    tls_error(&tc.t) : strerror(e), verify && s->r->user[0] ?
		    " (auth= needs a verified certificate, see "
		    "auth-unverified in postel-routes(5))" : "",
		    s->sts == STS_ENFORCE ? " (MTA-STS)" : "");
		if (s->sts != STS_NONE)
			stsfail(s, s->res->text);
		logev(s, "fail", "text", s->res->text, s->sts != STS_NONE ?
		    "sts_result" : NULL, s->ststate);
		return -2;
	}
	if (s->dane == DANE_USABLE)
		s->dstate = "verified";
	if (s->sts == STS_TESTING && sx.err) {
		struct tls v = { NULL, -1, sx.err };
		char why[200];
		fmt_s(why, sizeof why, "certificate of %s: %s", s->peer,
		    tls_error(&v));
		s->rpt = tlsrpt_tls_result(sx.err);
		stsfail(s, why);
	} else if (s->sts != STS_NONE)
		s->ststate = "verified";
	s->tls = 1;
	in.op = tls_bio_read;
	out.op = tls_bio_write;
	in.ctx = out.ctx = &tc.t;
	logtls(s);
	return 0;
}

static void
b64(const unsigned char *p, size_t n, char *dst, size_t size)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < size; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		dst[o++] = a[(v >> 18) & 63];
		dst[o++] = a[(v >> 12) & 63];
		dst[o++] = i + 1 < n ? a[(v >> 6) & 63] : '=';
		dst[o++] = i + 2 < n ? a[v & 63] : '=';
	}
	dst[o] = '\0';
}

static int
auth_step(struct sess *s, struct smtpreply *rp, const char *c, int want)
{
	int r = cmd(c);

	if (r == -1 || reply(s, rp, "remote-timeout-command", 0) == -1)
		return lost(s, "during AUTH");
	if (rp->code / 100 != want) {
		said(s, s->res, rp);
		s->res->status = OUTCOME_TEMP;        /* our setup, not the sender */
		fmt_s(s->res->dsn, sizeof s->res->dsn, "4.7.0");
		logev(s, "fail", "text", s->res->text, NULL, NULL);
		return -1;
	}
	return 0;
}

static int
auth(struct sess *s, struct smtpreply *rp)
{
	unsigned char raw[520];
	char enc[720], c[740];
	size_t ul = strlen(s->r->user), pl = strlen(s->r->pass);
	int r;

	/* route_parse raised the policy so that this cannot happen; the
	 * password must not go out if it ever does (postel-routes(5)) */
	if (!s->tls || (s->r->tls != POL_VERIFY && !s->r->auth_unverified &&
	    strcmp(s->dstate, "verified") != 0)) {
		result_set(s->res, OUTCOME_TEMP, "4.7.4", "credentials for %s not "
		    "sent without verified TLS", s->peer);
		return -1;
	}

	if (s->e.ext & EHLO_AUTH_PLAIN) {
		raw[0] = '\0';
		memcpy(raw + 1, s->r->user, ul);
		raw[1 + ul] = '\0';
		memcpy(raw + 2 + ul, s->r->pass, pl);
		b64(raw, ul + pl + 2, enc, sizeof enc);
		fmt_s(c, sizeof c, "AUTH PLAIN %s", enc);
		r = auth_step(s, rp, c, 2);
	} else if (s->e.ext & EHLO_AUTH_LOGIN) {
		b64((const unsigned char *)s->r->user, ul, enc, sizeof enc);
		r = auth_step(s, rp, "AUTH LOGIN", 3);
		if (r == 0)
			r = auth_step(s, rp, enc, 3);
		b64((const unsigned char *)s->r->pass, pl, enc, sizeof enc);
		if (r == 0)
			r = auth_step(s, rp, enc, 2);
	} else {
		result_set(s->res, OUTCOME_TEMP, "4.7.0", "%s offers neither AUTH "
		    "PLAIN nor AUTH LOGIN", s->peer);
		r = -1;
	}
	explicit_bzero(raw, sizeof raw);
	explicit_bzero(enc, sizeof enc);
	explicit_bzero(c, sizeof c);
	return r;
}

/* Part of a line of the message. A CR in the queue is never part of a
 * line end (the queue's are LF), so on the wire it would be a bare CR,
 * which a client must not send (RFC 5321 2.3.8) and which some servers
 * take for a line end (SMTP smuggling): it goes as a space. smtpd
 * refuses such messages; sendmail can queue one. */
static int
put_line(const char *p, ptrdiff_t n)
{
	const char *cr;

	while ((cr = memchr(p, '\r', (size_t)n)) != NULL) {
		if (bio_put(&out, p, (size_t)(cr - p)) == -1 ||
		    bio_put(&out, " ", 1) == -1)
			return -1;
		n -= cr - p + 1;
		p = cr + 1;
	}
	return bio_put(&out, p, (size_t)n);
}

/* Bytes p[0..n) of the message in CRLF form with dot-stuffing (RFC 5321
 * 4.5.2); *bol says whether a line starts at p, and then after the end. */
static int
put_text(const char *p, size_t n, int *bol)
{
	const char *end = p + n, *lf;

	while (p < end) {
		lf = memchr(p, '\n', (size_t)(end - p));
		if (*bol && *p == '.' && bio_put(&out, ".", 1) == -1)
			return -1;
		if (put_line(p, (lf ? lf : end) - p) == -1)
			return -1;
		if (lf == NULL) {
			*bol = 0;
			break;
		}
		if (bio_put(&out, "\r\n", 2) == -1)
			return -1;
		*bol = 1;
		p = lf + 1;
	}
	return 0;
}

/* The message in CRLF form with dot-stuffing (RFC 5321 4.5.2), its DKIM
 * signature first if it has one, then the final dot. */
static int
body(struct sess *s)
{
	char chunk[65536];
	long long off = s->j->off;
	int bol = 1;

	bio_timeout(&out, conf_u("remote-timeout-data"));
	if (put_text(s->j->dkim.p, s->j->dkim.len, &bol) == -1)
		return -1;
	for (;;) {
		ssize_t n = fd_pread(s->j->fd, chunk, sizeof chunk, off);

		if (n == -1) {
			fmt_s(s->why, sizeof s->why, "reading the queue file: "
			    "%s", strerror(errno));
			errno = EPROTO;
			return -1;
		}
		if (n == 0)
			break;
		off += n;
		bio_timeout(&out, conf_u("remote-timeout-data"));
		if (put_text(chunk, (size_t)n, &bol) == -1)
			return -1;
	}
	if (!bol && bio_put(&out, "\r\n", 2) == -1)
		return -1;
	return bio_put(&out, ".\r\n", 3);
}

/* The longest MAIL and RCPT commands fit in REMOTE_CMD_MAX: the path,
 * the parameters of SIZE, 8BITMIME, SMTPUTF8, RET and ENVID on MAIL, and
 * NOTIFY with all three words and a full ORCPT on RCPT. */
_Static_assert(sizeof "MAIL FROM:<>" + ADDR_MAX + sizeof " SIZE=" + 20 +
    sizeof " BODY=8BITMIME" + sizeof " SMTPUTF8" + sizeof " RET=HDRS" +
    sizeof " ENVID=" + QUEUE_ENVID_MAX + sizeof " REQUIRETLS" <=
    REMOTE_CMD_MAX, "MAIL fits");
_Static_assert(sizeof "RCPT TO:<>" + ADDR_MAX +
    sizeof " NOTIFY=SUCCESS,FAILURE,DELAY" + sizeof " ORCPT=" +
    QUEUE_ORCPT_MAX <= REMOTE_CMD_MAX, "RCPT fits");

/* MAIL FROM with the parameters the server offers and the message needs. */
static void
mail_cmd(const struct sess *s, char *c, size_t size)
{
	size_t l;

	fmt_s(c, size, "MAIL FROM:<%s>", s->j->sender);
	l = strlen(c);
	if (s->e.ext & EHLO_SIZE)
		fmt_s(c + l, size - l, " SIZE=%llu", s->j->size);
	l = strlen(c);
	if (s->j->eightbit && (s->e.ext & EHLO_8BITMIME))
		fmt_s(c + l, size - l, " BODY=8BITMIME");
	l = strlen(c);
	if (s->j->utf8)
		fmt_s(c + l, size - l, " SMTPUTF8");
	l = strlen(c);
	if (s->e.ext & EHLO_DSN)        /* RFC 3461 4.3, 4.4 */
		(void)dsn_mail_params(c + l, size - l, s->j);
	l = strlen(c);
	if (s->j->requiretls)           /* RFC 8689 4.2.1, checked before */
		fmt_s(c + l, size - l, " REQUIRETLS");
}

/* RCPT TO, with the recipient's DSN requests when the server offers DSN
 * (RFC 3461 4.1, 4.2; the ORCPT added if none came, 5.2.1). */
static void
rcpt_cmd(const struct sess *s, const struct rcpt *r, char *c, size_t size)
{
	size_t l;

	fmt_s(c, size, "RCPT TO:<%s>", r->addr);
	l = strlen(c);
	if (s->e.ext & EHLO_DSN)
		(void)dsn_rcpt_params(c + l, size - l, r);
}

/* The reply to a pipelined DATA, into s->data_rp. A server must refuse
 * DATA without recipients (RFC 2920 3.1); if this one did not, the empty
 * message is ended at once. 0, or -1 when the session is lost. */
static int
pipelined_data(struct sess *s, struct smtpreply *rp, int any)
{
	if (reply(s, &s->data_rp, "remote-timeout-command", 0) == -1)
		return lost(s, "after DATA");
	if (s->data_rp.code == 354 && !any) {
		if (cmd(".") == -1 ||
		    reply(s, rp, "remote-timeout-data", 0) == -1)
			return lost(s, "after DATA");
		s->open = 0;    /* the empty message ended it */
	}
	return 0;
}

/* MAIL and the RCPTs, in one write with PIPELINING (RFC 2920). Returns
 * the number of recipients accepted, -1 to try the next host, or -2 when
 * the sender was refused for good (*s->res says why). */
static int
envelope(struct sess *s, struct smtpreply *rp)
{
	struct delivery *j = s->j;
	char c[REMOTE_CMD_MAX + 1];
	size_t i;
	int pipe = (s->e.ext & EHLO_PIPELINING) != 0, mailok, accepted = 0;
	struct result mres;

	mail_cmd(s, c, sizeof c);
	if (cmd(c) == -1)
		return lost(s, "after MAIL");
	for (i = 0; pipe && i < j->nrcpt; i++) {
		if (j->rcpt[i].r.status != OUTCOME_NONE)
			continue;
		rcpt_cmd(s, &j->rcpt[i], c, sizeof c);
		if (cmd(c) == -1)
			return lost(s, "after RCPT");
	}
	/* DATA may end the group (RFC 2920 3.1): one round trip less */
	if (pipe && cmd("DATA") == -1)
		return lost(s, "after DATA");
	s->data_sent = pipe;
	if (reply(s, rp, "remote-timeout-command", 0) == -1)
		return lost(s, "after MAIL");
	said(s, &mres, rp);
	if (rp->code == 530) {          /* our relay wants AUTH: our setup */
		mres.status = OUTCOME_TEMP;
		fmt_s(mres.dsn, sizeof mres.dsn, "4.7.0");
	}
	mailok = mres.status == OUTCOME_OK;
	s->open = mailok;
	for (i = 0; i < j->nrcpt && (pipe || mailok); i++) {
		struct rcpt *r = &j->rcpt[i];
		if (r->r.status != OUTCOME_NONE)
			continue;
		if (!pipe) {
			rcpt_cmd(s, r, c, sizeof c);
			if (cmd(c) == -1)
				return lost(s, "after RCPT");
		}
		if (reply(s, rp, "remote-timeout-command", 0) == -1)
			return lost(s, "after RCPT");
		if (!mailok)
			continue;       /* replies to pipelined RCPTs */
		said(s, &r->r, rp);     /* 4xx, 5xx: this recipient's result */
		if (rp->code == 552) {  /* RFC 5321 4.5.3.1.10 */
			r->r.status = OUTCOME_TEMP;
			fmt_s(r->r.dsn, sizeof r->r.dsn, "4.5.3");
		}
		if (r->r.status == OUTCOME_OK) {
			r->r.status = OUTCOME_NONE;
			r->accepted = 1;
			r->dsn = (s->e.ext & EHLO_DSN) != 0;
			accepted++;
		}
	}
	if (pipe && pipelined_data(s, rp, mailok && accepted > 0) == -1)
		return -1;
	if (mailok)
		return accepted;
	*s->res = mres;
	logev(s, "fail", "text", mres.text, NULL, NULL);
	return mres.status == OUTCOME_PERM ? -2 : -1;
}

/* DATA, the message, and the reply to the final dot: *s->res is the
 * result for the accepted recipients. 1, or -1 to try the next host. */
static int
data(struct sess *s, struct smtpreply *rp)
{
	if (s->data_sent)
		*rp = s->data_rp;
	else if (cmd("DATA") == -1 ||
	    reply(s, rp, "remote-timeout-command", 0) == -1)
		return lost(s, "after DATA");
	if (rp->code != 354) {
		said(s, s->res, rp);
		if (s->res->status == OUTCOME_OK) {  /* 2xx to DATA: nonsense */
			s->res->status = OUTCOME_TEMP;
			s->res->dsn[0] = '4';
		}
		return 1;
	}
	if (body(s) == -1 || reply(s, rp, "remote-timeout-data", 0) == -1) {
		/* may have been delivered: a duplicate is accepted practice */
		lost(s, "after sending the message");
		return 1;
	}
	s->open = 0;            /* the reply to the dot ends the transaction */
	said(s, s->res, rp);
	return 1;
}

/* 1 when every pending recipient has its result, -1 to try the next host */
static int
transaction(struct sess *s, struct smtpreply *rp)
{
	int n;

	s->data_sent = 0;
	n = envelope(s, rp);
	if (n == -1)
		return -1;
	if (n <= 0)             /* sender refused, or no recipient accepted */
		return 1;
	return data(s, rp);
}

/* RSET before the next MAIL when the last transaction was left open (all
 * RCPTs refused, DATA refused): 0, or -1 and no more on this session. */
static int
rset(struct sess *s, struct smtpreply *rp)
{
	if (cmd("RSET") == -1 ||
	    reply(s, rp, "remote-timeout-command", 0) == -1)
		return lost(s, "after RSET");
	if (smtpreply_class(rp) != 2) {
		said(s, s->res, rp);
		s->res->status = OUTCOME_TEMP;
		s->res->dsn[0] = '4';
		s->stop = 1;
		logev(s, "fail", "text", s->res->text, NULL, NULL);
		return -1;
	}
	s->open = 0;
	return 0;
}

/* One message on the open session: its transaction, or why it cannot
 * have one here. 1 when it is settled here (its pending recipients take
 * j->res), 0 when they are left for the next address. */
static int
message(struct sess *s, struct delivery *j, struct smtpreply *rp)
{
	size_t i;

	s->j = j;
	s->res = &j->res;
	for (i = 0; i < j->nrcpt; i++)
		j->rcpt[i].accepted = 0;
	if (j->requiretls) {
		struct tlsauth a;
		a.tls = s->tls;
		a.dane = strcmp(s->dstate, "verified") == 0;
		a.verify = s->tls && s->r->tls == POL_VERIFY &&
		    s->dane != DANE_USABLE;
		a.sts = s->tls && s->sts == STS_ENFORCE &&
		    strcmp(s->ststate, "verified") == 0;
		if (requiretls_check(j, &a, s->e.ext, s->peer) == -1) {
			logev(s, "fail", "text", j->res.text, "requiretls",
			    "refused");
			return 0;       /* not this host: the next one */
		}
		logev(s, "requiretls", "auth", session_authenticated(&a),
		    NULL, NULL);
	}
	if (j->utf8 && !(s->e.ext & EHLO_SMTPUTF8))
		result_set(s->res, OUTCOME_PERM, "5.6.7", "%s does not support "
		    "SMTPUTF8, which this message needs (RFC 6531)", s->peer);
	else if ((s->e.ext & EHLO_SIZE) && s->e.size && j->size > s->e.size)
		result_set(s->res, OUTCOME_PERM, "5.3.4", "message of %llu "
		    "bytes exceeds the limit of %llu bytes of %s", j->size,
		    s->e.size, s->peer);
	else if (s->open && rset(s, rp) == -1)
		return 0;
	else if (transaction(s, rp) != 1)
		return 0;
	for (i = 0; i < j->nrcpt; i++)
		if (j->rcpt[i].r.status == OUTCOME_NONE)
			j->rcpt[i].r = j->res;
	return 1;
}

/* Which session carried message j, how it stands, and whether its DSN
 * requests went on (the hop offered DSN) or stop here. */
static void
logsent(struct sess *s, const struct delivery *j)
{
	struct logl l;
	char ip[64];
	unsigned long long n[4] = { 0, 0, 0, 0 };
	size_t i;

	for (i = 0; i < j->nrcpt; i++)
		n[j->rcpt[i].r.status]++;
	log_start(&l, "sent");
	if (j->qid)
		log_kv(&l, "qid", j->qid);
	if (s->sid)
		log_kv(&l, "session", s->sid);
	log_kv(&l, "host", s->t->name);
	log_kv(&l, "ip", dns_ip_fmt(&s->t->ip, ip, sizeof ip));
	log_kvu(&l, "ok", n[OUTCOME_OK]);
	log_kvu(&l, "temp", n[OUTCOME_TEMP]);
	log_kvu(&l, "perm", n[OUTCOME_PERM]);
	log_kvu(&l, "pending", n[OUTCOME_NONE]);
	if (s->dane != DANE_NONE)       /* the line of old, without DANE */
		log_kv(&l, "dane", s->dstate);
	logsts(s, &l);                  /* and without MTA-STS */
	log_kv(&l, "dsn", s->e.ext & EHLO_DSN ? "passed" : "relayed");
	log_end(&l);
}

/* The messages of the session, each in its turn; those left when the
 * session ends early keep *why as the reason. */
static void
messages(struct sess *s, struct delivery *m, size_t nm, struct smtpreply *rp)
{
	struct result why;
	size_t k;

	for (k = 0; k < nm && !s->dead && !s->stop; k++) {
		if (!delivery_pending(&m[k]))
			continue;
		(void)message(s, &m[k], rp);
		logsent(s, &m[k]);
		remote_report(m, nm, 0);
	}
	if (k == nm)
		return;
	result_set(&why, OUTCOME_TEMP, "4.4.2", "session ended before this "
	    "message: %s", s->res->text);
	for (; k < nm; k++)
		if (delivery_pending(&m[k]))
			m[k].res = why;
}

/* The greeting, EHLO, STARTTLS and AUTH: 0, or a failure in s->sres and
 * the return value of smtp_session. */
static int
setup(struct sess *s, struct smtpreply *rp, int tls)
{
	const struct route *r = s->r;
	int rc;

	/* implicit TLS (RFC 8314): the handshake comes before the greeting,
	 * and a failed one is never retried in plaintext */
	if (r->smtps && tls_begin(s) != 0) {
		s->dead = 1;
		return S_NEXT;
	}
	if (reply(s, rp, "remote-timeout-greeting", 0) == -1) {
		lost(s, "waiting for the greeting");
		return S_NEXT;
	}
	if (smtpreply_class(rp) != 2) {
		refused(s, rp);
		return S_NEXT;
	}
	if (ehlo(s, rp) == -1)
		return S_NEXT;
	if (tls && r->tls != POL_NONE && !s->tls) {
		rc = starttls(s, rp);
		if (rc == -2) {
			s->dead = 1;
			return tls_mandatory(s) ? S_NEXT : S_TLSFAIL;
		}
		if (rc == -1 || (rc == 0 && ehlo(s, rp) == -1))
			return S_NEXT;
	}
	if (r->user[0] && auth(s, rp) == -1)
		return S_NEXT;
	if (r->user[0])
		logev(s, "auth", "user", r->user, "verified",
		    r->tls == POL_VERIFY || strcmp(s->dstate, "verified") == 0 ?
		    "yes" : "no");
	return 0;
}

/* A session under a DANE or MTA-STS policy that got as far as its TLS
 * verdict, for TLSRPT. */
static void
record(const struct sess *s, const char *domain)
{
	int type = s->dane == DANE_USABLE ? TP_TLSA : s->sts != STS_NONE ?
	    TP_STS : TP_NONE;

	if (type == TP_NONE || domain == NULL)
		return;
	if (s->rpt != -1)
		tlsrpt_note(domain, type, s->rpt, s->t);
	else if (type == TP_TLSA ? strcmp(s->dstate, "verified") == 0 :
	    strcmp(s->ststate, "verified") == 0)
		tlsrpt_note(domain, type, -1, s->t);
}

int
smtp_session(struct delivery *m, size_t nm, const struct route *r,
    const struct target *t, int tls, const char *sid)
{
	struct sess s;
	struct smtpreply rp;
	char ip[64];
	size_t k;
	int ret;

	memset(&s, 0, sizeof s);
	s.j = sid ? NULL : &m[0];       /* one message: its qid on every line */
	s.r = r;
	s.t = t;
	s.sid = sid;
	s.me = m[0].me;
	s.res = &s.sres;
	fmt_s(s.peer, sizeof s.peer, "%s [%s]", t->name,
	    dns_ip_fmt(&t->ip, ip, sizeof ip));
	s.dane = r->tls == POL_NONE ? DANE_NONE : t->dane;
	s.dstate = s.dane == DANE_UNUSABLE ? "unusable" : "none";
	s.sts = r->tls == POL_NONE ? STS_NONE : t->sts;
	s.ststate = "none";
	s.rpt = -1;
	if (requiretls_relaxed(m, nm) && (s.dane != DANE_NONE ||
	    s.sts != STS_NONE || r->tls == POL_DANE || r->tls == POL_STS)) {
		/* RFC 8689 4.2.2: TLS-Required: No waives the domain's
		 * policies; TLS stays opportunistic */
		static struct route relaxed;
		relaxed = *r;
		if (relaxed.tls == POL_DANE || relaxed.tls == POL_STS)
			relaxed.tls = POL_OPPORTUNISTIC;
		s.r = r = &relaxed;
		s.dane = DANE_NONE;
		s.sts = STS_NONE;
		s.dstate = "none";
		logev(&s, "tls-required", "value", "no", "policy", "relaxed");
	}
	if (s.dane == DANE_TEMP) {      /* RFC 7672 2.2: not "no records" */
		result_set(&s.sres, OUTCOME_TEMP, "4.7.5", "%s: the lookup of its "
		    "TLSA records (_25._tcp.%s) failed; not trying it without "
		    "DANE", s.peer, t->base[0] ? t->base : t->name);
		logev(&s, "fail", "text", s.sres.text, "dane", "failed");
		ret = S_NEXT;
		goto failed;
	}
	if (r->tls == POL_DANE && s.dane != DANE_USABLE) {
		result_set(&s.sres, OUTCOME_TEMP, "4.7.5", "%s has no usable "
		    "DNSSEC-secured TLSA records, which the route requires "
		    "(tls=dane)", s.peer);
		logev(&s, "fail", "text", s.sres.text, "dane", "none");
		ret = S_NEXT;
		goto failed;
	}
	if (!tls && (s.dane != DANE_NONE || s.sts == STS_ENFORCE)) {
		/* never in plaintext */
		result_set(&s.sres, OUTCOME_TEMP, "4.7.5", "%s: not without TLS "
		    "(%s)", s.peer, s.dane != DANE_NONE ? "DANE" : "MTA-STS");
		ret = S_NEXT;
		goto failed;
	}
	logev(&s, "connect", NULL, NULL, NULL, NULL);
	if ((s.fd = net_connect(&t->ip, t->port, bio_now() +
	    (long long)conf_u("remote-timeout-connect") * 1000)) == -1) {
		lost(&s, "connecting");
		ret = S_NEXT;
		goto failed;
	}
	bio_init(&in, s.fd, bio_fdread, ibuf, sizeof ibuf);
	bio_init(&out, s.fd, bio_fdwrite, obuf, sizeof obuf);
	in.flush = &out;
	if ((ret = setup(&s, &rp, tls)) == 0)
		messages(&s, m, nm, &rp);
	if (!s.dead)
		quit(&s);
	if (close(s.fd) == -1)
		warn_sys("close");
	record(&s, m[0].domain);
	if (ret == 0) {
		for (k = 0; k < nm; k++)
			if (delivery_pending(&m[k]))
				return S_NEXT;
		return S_DONE;
	}
failed:
	for (k = 0; k < nm; k++)
		if (delivery_pending(&m[k]))
			m[k].res = s.sres;
	return ret;
}
