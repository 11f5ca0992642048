/* dkim: see dkim.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dkim.h"
#include "dkimkey.h"
#include "dkimsig.h"
#include "fd.h"
#include "sasl.h"
#include "scan.h"
#include "taglist.h"

#define FIELDS_MAX 1000         /* header fields of one message */
#define HNAMES_MAX 256          /* names in one h= */
#define SIGF_MAX   16384        /* a DKIM-Signature field we read */
#define PEM_MAX    65536        /* a key file */
#define COLS       78           /* a line of the field we make */

const char dkim_fields[] = "from:subject:date:to:cc:message-id:"
    "mime-version:content-type:content-transfer-encoding:reply-to:"
    "in-reply-to:references";

static const char crlfs[] = "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
    "\r\n\r\n\r\n\r\n\r\n\r\n";

/* Where canonical text goes: a hash, a buffer or both, cut after left
 * octets when left >= 0 (l=). */
struct sink {
	const br_hash_class **h;
	struct buf *out;
	long long left;
	int err;
	int cut;                        /* left stopped some octets */
};

static void
put(struct sink *s, const void *p, size_t n)
{
	if (s->left >= 0) {
		if ((unsigned long long)n > (unsigned long long)s->left) {
			n = (size_t)s->left;
			s->cut = 1;
		}
		s->left -= (long long)n;
	}
	if (n == 0)
		return;
	if (s->h)
		(*s->h)->update(s->h, p, n);
	if (s->out && buf_catb(s->out, p, n) == -1)
		s->err = -1;
}

static void
put_crlfs(struct sink *s, size_t k)
{
	while (k > 0) {
		size_t m = k < (sizeof crlfs - 1) / 2 ? k : (sizeof crlfs - 1) / 2;
		put(s, crlfs, 2 * m);
		k -= m;
	}
}

/* s[0..n) with each run of WSP as one SP (3.4.2, 3.4.4). */
static void
put_squeezed(struct sink *s, const char *p, size_t n)
{
	size_t i = 0, a;

	while (i < n) {
		if (scan_wsp(p[i])) {
			while (i < n && scan_wsp(p[i]))
				i++;
			put(s, " ", 1);
			continue;
		}
		for (a = i; i < n && !scan_wsp(p[i]); i++)
			;
		put(s, p + a, i - a);
	}
}

/* One header field in queue form (LF folds, final LF optional), as 3.4.1
 * or 3.4.2 says, ending in CRLF. */
static void
canon_field(int canon, const char *f, size_t n, struct sink *s)
{
	const char *colon = memchr(f, ':', n);
	size_t i, nl = colon ? (size_t)(colon - f) : n, a;
	char c;

	if (canon == DKIM_SIMPLE) {
		for (i = 0; i < n; i = a + 1) {
			const char *lf = memchr(f + i, '\n', n - i);
			a = lf ? (size_t)(lf - f) : n;
			put(s, f + i, a - i);
			put(s, "\r\n", 2);
		}
		return;
	}
	while (nl > 0 && (scan_wsp(f[nl - 1]) || f[nl - 1] == '\n'))
		nl--;
	for (i = 0; i < nl; i++) {
		if (f[i] == '\n')
			continue;
		c = f[i] >= 'A' && f[i] <= 'Z' ? (char)(f[i] + 32) : f[i];
		put(s, &c, 1);
	}
	if (colon) {
		/* unfold (drop the LFs; the WSP after them joins the run
		 * before), each WSP run one SP, none at either end */
		int started = 0, sp = 0;

		put(s, ":", 1);
		for (i = (size_t)(colon - f) + 1; i < n;) {
			if (f[i] == '\n' || scan_wsp(f[i])) {
				sp |= started && f[i] != '\n';
				i++;
				continue;
			}
			if (sp)
				put(s, " ", 1);
			sp = 0;
			started = 1;
			for (a = i; i < n && f[i] != '\n' && !scan_wsp(f[i]); i++)
				;
			put(s, f + a, i - a);
		}
	}
	put(s, "\r\n", 2);
}

/* The body (3.4.3, 3.4.4), line by line from the queue form. Trailing
 * empty lines are held back and dropped at the end; a simple body that is
 * empty is one CRLF, a relaxed one stays empty (errata 1384 as dkimpy and
 * OpenDKIM read it). */
static void
canon_body(int canon, const char *b, size_t n, struct sink *s)
{
	size_t i = 0, held = 0, len;
	int any = 0;

	while (i < n) {
		const char *lf = memchr(b + i, '\n', n - i);
		size_t e = lf ? (size_t)(lf - b) : n;

		len = e - i;
		if (canon == DKIM_RELAXED)
			while (len > 0 && scan_wsp(b[i + len - 1]))
				len--;
		if (len == 0)
			held++;
		else {
			put_crlfs(s, held);
			held = 0;
			if (canon == DKIM_RELAXED)
				put_squeezed(s, b + i, len);
			else
				put(s, b + i, len);
			put(s, "\r\n", 2);
			any = 1;
		}
		i = e + 1;
	}
	if (!any && canon == DKIM_SIMPLE)
		put(s, "\r\n", 2);
}

int
dkim_canon_header(int canon, const char *f, size_t n, struct buf *out)
{
	struct sink s = { NULL, out, -1, 0, 0 };

	canon_field(canon, f, n, &s);
	return s.err;
}

int
dkim_canon_body(int canon, const char *body, size_t n, struct buf *out)
{
	struct sink s = { NULL, out, -1, 0, 0 };

	canon_body(canon, body, n, &s);
	return s.err;
}

/* The header section, split into fields; the body after the empty line
 * (none without it: then all of msg is header). */
struct field {
	const char *p;
	size_t len, nlen;       /* whole field with its LF; its name */
};
struct hdr {
	struct field f[FIELDS_MAX];
	size_t n;
	const char *body;
	size_t blen;
};

/* 0, or -1 when there are more than FIELDS_MAX (the first are kept). */
static int
split(struct hdr *h, const char *msg, size_t n)
{
	size_t i = 0, start;

	h->n = 0;
	h->body = msg + n;
	h->blen = 0;
	while (i < n) {
		const char *lf, *colon;
		struct field *f;

		if (msg[i] == '\n') {
			h->body = msg + i + 1;
			h->blen = n - i - 1;
			return 0;
		}
		start = i;
		do {
			lf = memchr(msg + i, '\n', n - i);
			i = lf ? (size_t)(lf - msg) + 1 : n;
		} while (i < n && scan_wsp(msg[i]));
		if (h->n == FIELDS_MAX)
			return -1;
		f = &h->f[h->n++];
		f->p = msg + start;
		f->len = i - start;
		colon = memchr(f->p, ':', f->len);
		f->nlen = colon ? (size_t)(colon - f->p) : 0;
		while (f->nlen > 0 && scan_wsp(f->p[f->nlen - 1]))
			f->nlen--;
	}
	return 0;
}

static int
name_is(const struct field *f, const char *s, size_t n)
{
	return n > 0 && f->nlen == n && strncasecmp(f->p, s, n) == 0;
}

/* Each name of the ':' list h[0..n) in turn, white space around it
 * dropped: 1 and *name, *nlen while there is one. */
static int
next_name(const char *h, size_t n, size_t *i, const char **name,
    size_t *nlen)
{
	size_t a, b;

	if (*i > n)
		return 0;
	for (a = *i; *i < n && h[*i] != ':'; (*i)++)
		;
	b = (*i)++;
	while (a < b && strchr(" \t\r\n", h[a]))
		a++;
	while (b > a && strchr(" \t\r\n", h[b - 1]))
		b--;
	*name = h + a;
	*nlen = b - a;
	return 1;
}

/* The fields h= names, each name's instances taken from the bottom up; a
 * name listed more often than present adds nothing (5.4.2). 0, or -1 when
 * h= names too many. */
static int
hash_fields(const struct hdr *hd, const char *h, size_t n, int canon,
    struct sink *s)
{
	const char *name[HNAMES_MAX];
	size_t nlen[HNAMES_MAX], k = 0, i = 0, j, used;

	while (next_name(h, n, &i, &name[k], &nlen[k])) {
		for (used = 0, j = 0; j < k; j++)
			used += nlen[j] == nlen[k] &&
			    strncasecmp(name[j], name[k], nlen[k]) == 0;
		for (j = hd->n; j-- > 0;)
			if (name_is(&hd->f[j], name[k], nlen[k]) &&
			    used-- == 0) {
				canon_field(canon, hd->f[j].p, hd->f[j].len,
				    s);
				break;
			}
		if (++k == HNAMES_MAX)
			return -1;
	}
	return 0;
}

/* The signature's own field, canonicalized, without its final CRLF
 * (3.7): f is the field with b='s value already taken out. */
static int
hash_self(int canon, const char *f, size_t n, struct sink *s,
    struct buf *tmp)
{
	struct sink t = { NULL, tmp, -1, 0, 0 };

	tmp->len = 0;
	canon_field(canon, f, n, &t);
	if (t.err == -1 || tmp->len < 2)
		return -1;
	put(s, tmp->p, tmp->len - 2);
	return 0;
}

static const br_hash_class *
hash_of(int alg)
{
	return alg == DKIM_RSA_SHA1 ? &br_sha1_vtable : &br_sha256_vtable;
}

/* --- keys --- */

struct pem {
	unsigned char der[PEM_MAX / 4 * 3];
	size_t len, over;
};

static void
pem_out(void *ctx, const void *p, size_t n)
{
	struct pem *d = ctx;

	if (n > sizeof d->der - d->len) {
		d->over = 1;
		return;
	}
	memcpy(d->der + d->len, p, n);
	d->len += n;
}

/* The DER of the first private key object in text[0..n): 0 or -1. */
static int
pem_key(const char *text, size_t n, br_pem_decoder_context *pc,
    struct pem *d)
{
	int in = 0, ev;
	size_t i = 0;

	br_pem_decoder_init(pc);
	while (i < n) {
		i += br_pem_decoder_push(pc, text + i, n - i);
		switch ((ev = br_pem_decoder_event(pc))) {
		case BR_PEM_BEGIN_OBJ:
			in = strcmp(br_pem_decoder_name(pc), "RSA PRIVATE KEY")
			    == 0 || strcmp(br_pem_decoder_name(pc),
			    "PRIVATE KEY") == 0;
			d->len = d->over = 0;
			br_pem_decoder_setdest(pc, in ? pem_out : NULL, d);
			break;
		case BR_PEM_END_OBJ:
			if (in)
				return d->over ? -1 : 0;
			break;
		case BR_PEM_ERROR:
			return -1;
		default:
			break;
		}
	}
	return -1;
}

/* Copy one element of the key into k->buf at *off. */
static unsigned char *
key_put(struct dkim_key *k, size_t *off, const unsigned char *p, size_t n)
{
	unsigned char *d = k->buf + *off;

	memcpy(d, p, n);
	*off += n;
	return d;
}

/* path's bytes into p (size octets at most; a full p means too long). */
static int
read_file(const char *path, char *p, size_t size, size_t *n)
{
	ssize_t r;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((r = fd_read(fd, p + *n, size - *n)) > 0)
		*n += (size_t)r;
	e = errno;
	if (close(fd) == -1 && r == 0)
		return -1;
	errno = e;
	return r == -1 ? -1 : 0;
}

int
dkim_key_load(struct dkim_key *k, const char *path, const char **why)
{
	struct pemwork {
		char text[PEM_MAX];
		struct pem d;
		br_pem_decoder_context pc;
		br_skey_decoder_context sc;
	} *w;
	const br_rsa_private_key *sk;
	size_t n = 0, off = 0;
	int rc = -1, e;

	memset(k, 0, sizeof *k);
	if ((w = malloc(sizeof *w)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	if (read_file(path, w->text, sizeof w->text, &n) == -1) {
		e = errno;
		*why = "unable to read the key";
		goto out;
	}
	e = EINVAL;
	if (n == sizeof w->text) {
		*why = "the key file is too large";
		goto out;
	}
	if (pem_key(w->text, n, &w->pc, &w->d) == -1) {
		*why = "no PEM private key (RSA PRIVATE KEY or PRIVATE KEY)";
		goto out;
	}
	br_skey_decoder_init(&w->sc);
	br_skey_decoder_push(&w->sc, w->d.der, w->d.len);
	if (br_skey_decoder_last_error(&w->sc) != 0) {
		*why = "the private key does not decode";
		goto out;
	}
	if ((sk = br_skey_decoder_get_rsa(&w->sc)) == NULL) {
		*why = "the key is not an RSA key";
		goto out;
	}
	if (sk->n_bitlen < DKIM_BITS_MIN || sk->n_bitlen > DKIM_BITS_MAX ||
	    sk->plen + sk->qlen + sk->dplen + sk->dqlen + sk->iqlen >
	    sizeof k->buf) {
		*why = "the RSA key is shorter than 1024 or longer than 4096 "
		    "bits";
		goto out;
	}
	k->sk.n_bitlen = sk->n_bitlen;
	k->sk.p = key_put(k, &off, sk->p, k->sk.plen = sk->plen);
	k->sk.q = key_put(k, &off, sk->q, k->sk.qlen = sk->qlen);
	k->sk.dp = key_put(k, &off, sk->dp, k->sk.dplen = sk->dplen);
	k->sk.dq = key_put(k, &off, sk->dq, k->sk.dqlen = sk->dqlen);
	k->sk.iq = key_put(k, &off, sk->iq, k->sk.iqlen = sk->iqlen);
	k->bits = sk->n_bitlen;
	rc = 0;
out:
	explicit_bzero(w, sizeof *w);
	free(w);
	if (rc == -1) {
		explicit_bzero(k, sizeof *k);
		errno = e;
	}
	return rc;
}

void
dkim_key_free(struct dkim_key *k)
{
	explicit_bzero(k, sizeof *k);
}

/* --- signing --- */

/* The field being made, folded at COLS columns with LF TAB. */
struct fold {
	struct buf *b;
	size_t col;
	int err;
};

/* Fold now if need more columns would pass the margin: 1 if it did. */
static int
fold_for(struct fold *f, size_t need)
{
	if (f->col <= 1 || f->col + need <= COLS)
		return 0;
	if (buf_catb(f->b, "\n\t", 2) == -1)
		f->err = -1;
	f->col = 1;
	return 1;
}

/* Append s[0..n), after a space (sp) unless it starts a line. */
static void
word(struct fold *f, const char *s, size_t n, int sp)
{
	if (!fold_for(f, (size_t)sp + n) && sp) {
		if (buf_catc(f->b, ' ') == -1)
			f->err = -1;
		f->col++;
	}
	if (buf_catb(f->b, s, n) == -1)
		f->err = -1;
	f->col += n;
}

static void
tag(struct fold *f, const char *name, const char *val)
{
	char t[320];
	int k = snprintf(t, sizeof t, "%s=%s;", name, val);

	if (k < 0 || (size_t)k >= sizeof t)
		f->err = -1;
	else
		word(f, t, (size_t)k, 1);
}

/* A d= or s= we write: letters, digits, '-', '.', '_'. */
static int
label_ok(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr("-._", s[i])))
			return 0;
	return 1;
}

/* h= for the default list: each name once per field present, From once
 * more (8.15). */
static int
default_fields(const struct hdr *hd, struct buf *h)
{
	const char *name;
	size_t nlen, i = 0, j, k;

	while (next_name(dkim_fields, sizeof dkim_fields - 1, &i, &name,
	    &nlen)) {
		for (k = 0, j = 0; j < hd->n; j++)
			k += (size_t)name_is(&hd->f[j], name, nlen);
		if (nlen == 4 && memcmp(name, "from", 4) == 0)
			k++;
		while (k-- > 0)
			if ((h->len && buf_catc(h, ':') == -1) ||
			    buf_catb(h, name, nlen) == -1)
				return -1;
	}
	return 0;
}

struct signwork {
	struct hdr hd;
	struct buf h, f, tmp;
	struct fold fo;
	br_sha256_context sha;
	unsigned char hash[32], x[DKIM_BITS_MAX / 8];
	char bh[64], b[DKIM_BITS_MAX / 8 * 4 / 3 + 8];
};

/* The field up to "b=": v a c d s t h bh b, in this order. */
static int
sign_fold(struct signwork *w, const struct dkim_sign *o, const char **why)
{
	struct fold *fo = &w->fo;
	struct tag ht;
	char t[32], one[136];
	const char *name;
	size_t i = 0, nlen;
	int first = 1;

	fo->b = &w->f;
	if (buf_cats(&w->f, "DKIM-Signature:") == -1)
		return -1;
	fo->col = w->f.len;
	word(fo, "v=1;", 4, 1);
	tag(fo, "a", "rsa-sha256");
	tag(fo, "c", "relaxed/relaxed");
	tag(fo, "d", o->d);
	tag(fo, "s", o->s);
	if (o->t >= 0) {
		snprintf(t, sizeof t, "%lld", o->t);
		tag(fo, "t", t);
	}
	memset(&ht, 0, sizeof ht);
	ht.val = w->h.p;
	ht.vlen = w->h.len;
	if (!taglist_item(&ht, "from", 1)) {
		*why = "h= does not name From";
		return -1;
	}
	/* h= folds between names: "h=from:" "to:" ... "date;" */
	while (next_name(w->h.p, w->h.len, &i, &name, &nlen)) {
		size_t k = first ? 2 : 0;
		if (nlen == 0 || nlen > 128 || memchr(name, ';', nlen) ||
		    memchr(name, ' ', nlen) || memchr(name, '\t', nlen)) {
			*why = "bad name in h=";
			return -1;
		}
		memcpy(one, "h=", 2);
		memcpy(one + k, name, nlen);
		one[k + nlen] = i > w->h.len ? ';' : ':';
		word(fo, one, k + nlen + 1, first);
		first = 0;
	}
	tag(fo, "bh", w->bh);
	/* b= with room for some of its value on its line, so that no FWS
	 * comes between '=' and the value */
	word(fo, "b=", 2, !fold_for(fo, 1 + 2 + 8));
	return fo->err;
}

int
dkim_sign(const struct dkim_sign *o, const char *msg, size_t n,
    struct buf *out, const char **why)
{
	struct signwork *w;
	struct sink s = { NULL, NULL, -1, 0, 0 };
	size_t xlen, i, m, k;
	int rc = -1;

	if (!label_ok(o->d, 253) || !label_ok(o->s, 63)) {
		*why = "bad domain or selector";
		return -1;
	}
	if (o->key == NULL || o->key->bits < DKIM_BITS_MIN ||
	    o->key->bits > DKIM_BITS_MAX) {
		*why = "no usable key";
		return -1;
	}
	if ((w = calloc(1, sizeof *w)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	buf_init(&w->h, 8192);
	buf_init(&w->f, DKIM_SIG_MAX);
	buf_init(&w->tmp, DKIM_SIG_MAX + 64);
	*why = "out of memory or the field is too long";
	if (split(&w->hd, msg, n) == -1) {
		*why = "too many header fields";
		goto out;
	}
	if (o->fields ? buf_cats(&w->h, o->fields) == -1 :
	    default_fields(&w->hd, &w->h) == -1)
		goto out;
	br_sha256_init(&w->sha);
	s.h = &w->sha.vtable;
	canon_body(DKIM_RELAXED, w->hd.body, w->hd.blen, &s);
	br_sha256_out(&w->sha, w->hash);
	if (sasl_b64_encode(w->bh, sizeof w->bh, w->hash, 32) == -1 ||
	    sign_fold(w, o, why) == -1)
		goto out;
	br_sha256_init(&w->sha);
	if (hash_fields(&w->hd, w->h.p, w->h.len, DKIM_RELAXED, &s) == -1) {
		*why = "h= names too many fields";
		goto out;
	}
	if (hash_self(DKIM_RELAXED, w->f.p, w->f.len, &s, &w->tmp) == -1)
		goto out;
	br_sha256_out(&w->sha, w->hash);
	xlen = (o->key->sk.n_bitlen + 7) / 8;
	if (!br_rsa_pkcs1_sign_get_default()(BR_HASH_OID_SHA256, w->hash, 32,
	    &o->key->sk, w->x)) {
		*why = "RSA signing failed";
		goto out;
	}
	if (sasl_b64_encode(w->b, sizeof w->b, w->x, xlen) == -1)
		goto out;
	/* the value, line after line up to the margin */
	for (i = 0, m = strlen(w->b); i < m; i += k) {
		fold_for(&w->fo, 1);
		k = COLS - w->fo.col < m - i ? COLS - w->fo.col : m - i;
		word(&w->fo, w->b + i, k, 0);
	}
	if (w->fo.err == -1 || buf_catc(&w->f, '\n') == -1 ||
	    buf_catb(out, w->f.p, w->f.len) == -1)
		goto out;
	rc = 0;
out:
	buf_free(&w->h);
	buf_free(&w->f);
	buf_free(&w->tmp);
	explicit_bzero(w, sizeof *w);
	free(w);
	return rc;
}

/* --- verifying --- */

struct verwork {
	struct hdr hd;
	struct dkimsig g;
	struct dkimkey k;
	struct dns_txt txt;
	struct buf wire, self, tmp;
};

static void
copy(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
tag_word(char *dst, size_t size, const struct tag *t)
{
	size_t i;

	if (t == NULL || t->vlen >= size)
		return;
	for (i = 0; i < t->vlen; i++)
		if (strchr(" \t\r\n", t->val[i]))
			return;
	copy(dst, size, t->val, t->vlen);
}

static int
result(struct dkim_result *r, int res, const char *why)
{
	r->res = res;
	copy(r->why, sizeof r->why, why, strlen(why));
	return res;
}

static int
unwire(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') &&
		    buf_catc(b, s[i]) == -1)
			return -1;
	return 0;
}

/* The field f in wire form (CRLF for LF) into w->wire, and back: the
 * field with b='s value (and the FWS before it) taken out into w->self.
 * The value for the tag parser in *v, *vn. */
static const char *
field_forms(struct verwork *w, const struct field *f, struct taglist *l,
    const char **v, size_t *vn, struct dkim_result *r)
{
	const struct tag *b;
	size_t i, cut, end;
	const char *val, *why;

	w->wire.len = w->self.len = 0;
	if (f->len > SIGF_MAX)
		return "signature field too long";
	for (i = 0; i < f->len; i++)
		if ((f->p[i] == '\n' && buf_catc(&w->wire, '\r') == -1) ||
		    buf_catc(&w->wire, f->p[i]) == -1)
			return "out of memory";
	val = (const char *)memchr(w->wire.p, ':', w->wire.len) + 1;
	*v = val;
	*vn = w->wire.len - (size_t)(val - w->wire.p);
	if (*vn >= 2 && val[*vn - 2] == '\r' && val[*vn - 1] == '\n')
		*vn -= 2;
	if ((why = taglist_parse(l, *v, *vn)) != NULL)
		return why;
	if ((b = taglist_get(l, "b")) == NULL)
		return "no b=";
	for (i = 0, end = 0; i < b->vlen && end < 8; i++)
		if (!strchr(" \t\r\n", b->val[i]))
			r->b[end++] = b->val[i];
	r->b[end] = '\0';
	end = (size_t)(b->val - w->wire.p) + b->vlen;
	for (cut = (size_t)(b->val - w->wire.p); w->wire.p[cut - 1] != '=';)
		cut--;
	/* back to queue form: every CRLF was an LF; neither cut is inside
	 * a CRLF ('=' before it, a value character at its end) */
	if (unwire(&w->self, w->wire.p, cut) == -1 ||
	    unwire(&w->self, w->wire.p + end, w->wire.len - end) == -1)
		return "out of memory";
	return NULL;
}

/* The key's name, the record and what it allows: DKIM_PASS to go on, or
 * the result. */
static int
get_key(struct verwork *w, const struct dns_ops *dns, br_rsa_public_key *pk,
    struct dkim_result *r)
{
	char name[DNS_NAME_MAX + 2], why[96];
	const char *first = NULL, *e, *at;
	size_t i;
	int rc, k;

	k = snprintf(name, sizeof name, "%s._domainkey.%s", w->g.s, w->g.d);
	if (k < 0 || (size_t)k > DNS_NAME_MAX)
		return result(r, DKIM_PERMERROR, "key name too long");
	if (!dns_name_ok(name))         /* no query the resolver would refuse */
		return result(r, DKIM_PERMERROR, "d= or s= is not a name");
	rc = dns->txt(dns->ctx, name, &w->txt);
	if (rc == DNS_TEMP)
		return result(r, DKIM_TEMPERROR, "key lookup failed for now");
	if (rc != DNS_OK || w->txt.n == 0)
		return result(r, DKIM_PERMERROR, "no key");
	for (i = 0; i < w->txt.n; i++) {
		if ((e = dkimkey_parse(&w->k, w->txt.rec[i], w->txt.len[i]))
		    == NULL)
			break;
		if (first == NULL)
			first = e;
	}
	if (i == w->txt.n) {
		snprintf(why, sizeof why, "no key (%s)", first);
		return result(r, DKIM_PERMERROR, why);
	}
	if (w->k.revoked)       /* 3.6.1, 6.1.2: PERMFAIL (key revoked) */
		return result(r, DKIM_PERMERROR, "key revoked");
	if (w->k.type != DKIMKEY_RSA)
		return result(r, DKIM_PERMERROR, "key is not an RSA key (k=)");
	if (!(w->k.hashes & (w->g.alg == DKIM_RSA_SHA1 ? DKIMKEY_SHA1 :
	    DKIMKEY_SHA256)))
		return result(r, DKIM_PERMERROR, "key does not allow the "
		    "hash (h=)");
	at = strrchr(w->g.i, '@');
	if (w->k.strict && (at == NULL || strcasecmp(at + 1, w->g.d) != 0))
		return result(r, DKIM_PERMERROR, "i= is not d= and the key "
		    "says t=s");
	if ((e = dkimkey_rsa(w->k.key, w->k.keylen, pk, &r->bits)) != NULL) {
		snprintf(why, sizeof why, "bad key (%s)", e);
		return result(r, DKIM_PERMERROR, why);
	}
	if (r->bits < DKIM_BITS_MIN) {     /* RFC 8301 3.2 */
		snprintf(why, sizeof why, "key too short (%u bits)", r->bits);
		return result(r, DKIM_FAIL, why);
	}
	if (r->bits > DKIM_BITS_MAX)
		return result(r, DKIM_PERMERROR, "key longer than 4096 bits");
	return DKIM_PASS;
}

static int
check_one(struct verwork *w, const struct field *f, const struct dns_ops *dns,
    time_t now, struct dkim_result *r)
{
	struct taglist l;
	br_hash_compat_context hc;
	br_rsa_public_key pk;
	struct sink s = { NULL, NULL, -1, 0, 0 };
	const br_hash_class *hcl;
	unsigned char body[64], head[64], got[64];
	const char *v, *why;
	size_t vn, hl;
	int body_cut;

	memset(r, 0, sizeof *r);
	memset(&w->g, 0, sizeof w->g);
	if ((why = field_forms(w, f, &l, &v, &vn, r)) != NULL)
		return result(r, DKIM_PERMERROR, why);
	if ((why = dkimsig_parse(&w->g, v, vn)) != NULL) {
		/* for the report: d= and s= as written, if they are words */
		tag_word(r->d, sizeof r->d, taglist_get(&l, "d"));
		tag_word(r->s, sizeof r->s, taglist_get(&l, "s"));
		return result(r, DKIM_PERMERROR, why);
	}
	r->alg = w->g.alg;
	copy(r->d, sizeof r->d, w->g.d, strlen(w->g.d));
	copy(r->s, sizeof r->s, w->g.s, strlen(w->g.s));
	copy(r->i, sizeof r->i, w->g.i, strlen(w->g.i));
	if (w->g.alg == DKIM_ED25519_SHA256)
		return result(r, DKIM_PERMERROR, "ed25519-sha256 not "
		    "supported");
	if (w->g.x >= 0 && w->g.x < (long long)now)
		return result(r, DKIM_FAIL, "signature expired");
	if (get_key(w, dns, &pk, r) != DKIM_PASS)
		return r->res;
	/* 6.1.3: the body hash first, then the header's signature */
	hcl = hash_of(w->g.alg);
	hl = (hcl->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
	hcl->init(&hc.vtable);
	s.h = &hc.vtable;
	s.left = w->g.l;
	canon_body(w->g.bcanon, w->hd.body, w->hd.blen, &s);
	hcl->out(&hc.vtable, body);
	if (w->g.bhlen != hl || memcmp(body, w->g.bh, hl) != 0)
		return result(r, DKIM_FAIL, "body hash did not verify");
	body_cut = s.cut;
	hcl->init(&hc.vtable);
	s.left = -1;
	if (hash_fields(&w->hd, w->g.h, w->g.hlen, w->g.hcanon, &s) == -1)
		return result(r, DKIM_PERMERROR, "h= names too many fields");
	if (hash_self(w->g.hcanon, w->self.p, w->self.len, &s, &w->tmp) == -1)
		return result(r, DKIM_TEMPERROR, "out of memory");
	hcl->out(&hc.vtable, head);
	if (!br_rsa_pkcs1_vrfy_get_default()(w->g.b, w->g.blen,
	    w->g.alg == DKIM_RSA_SHA1 ? BR_HASH_OID_SHA1 : BR_HASH_OID_SHA256,
	    hl, &pk, got) || memcmp(got, head, hl) != 0)
		return result(r, DKIM_FAIL, "signature did not verify");
	if (w->g.alg == DKIM_RSA_SHA1)  /* RFC 8301 3.1 */
		return result(r, DKIM_POLICY, "rsa-sha1");
	/* what l= leaves out could say anything (RFC 6376 8.2) */
	if (body_cut)
		return result(r, DKIM_POLICY, "l= leaves part of the body "
		    "unsigned");
	/* 3.6.1: a signer in testing mode is as if unsigned */
	if (w->k.testing)
		return result(r, DKIM_POLICY, "key in testing mode (t=y)");
	return result(r, DKIM_PASS, "");
}

size_t
dkim_verify(const char *msg, size_t n, const struct dns_ops *dns,
    time_t now, struct dkim_result *res, size_t max)
{
	struct verwork *w;
	size_t j, k = 0;
	int many;

	if (max > DKIM_SIGS_MAX)
		max = DKIM_SIGS_MAX;
	if (max == 0)
		return 0;
	if ((w = calloc(1, sizeof *w)) == NULL) {
		memset(res, 0, sizeof *res);
		result(res, DKIM_TEMPERROR, "out of memory");
		return 1;
	}
	buf_init(&w->wire, 2 * SIGF_MAX + 2);
	buf_init(&w->self, 2 * SIGF_MAX + 2);
	buf_init(&w->tmp, 2 * SIGF_MAX + 2);
	many = split(&w->hd, msg, n) == -1;
	for (j = 0; j < w->hd.n && k < max; j++) {
		if (!name_is(&w->hd.f[j], "DKIM-Signature", 14))
			continue;
		if (many) {
			memset(&res[k], 0, sizeof res[k]);
			result(&res[k++], DKIM_PERMERROR, "too many header "
			    "fields");
			continue;
		}
		check_one(w, &w->hd.f[j], dns, now, &res[k++]);
	}
	buf_free(&w->wire);
	buf_free(&w->self);
	buf_free(&w->tmp);
	free(w);
	return k;
}

const char *
dkim_result_name(int res)
{
	static const char *const names[] = { "none", "pass", "fail",
	    "policy", "neutral", "temperror", "permerror" };

	return res >= 0 && (size_t)res < sizeof names / sizeof names[0] ?
	    names[res] : "permerror";
}
