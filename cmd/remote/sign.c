/* sign: DKIM signatures (RFC 6376) on the mail of this host's users, by
 * conf/dkim-sign. See remote.h and postel-remote(8), DKIM. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dkim.h"
#include "dkimconf.h"
#include "fd.h"
#include "fmt.h"
#include "hdr.h"
#include "log.h"
#include "remote.h"

#define KEYS_MAX 16                     /* keys kept loaded per process */

/* Each key file is loaded once per process; a failure is kept too, so
 * that every message it should sign gets the same answer. A key holds
 * pointers into itself: it stays where it is loaded. */
static struct slot {
	char path[PATH_MAX];
	struct dkim_key k;
	const char *why;                /* NULL: loaded */
	int err;
} keys[KEYS_MAX];
static size_t nkeys;

static struct conf_table table;
static int loaded;                      /* 1 read, -1 unreadable */
static char table_err[300];

int
sign_wanted(const char *origin, const char *auth)
{
	static const char *const mine[] = {
		"sendmail uid=", "enqueue uid=", "qrun ", NULL
	};
	size_t i;

	if (auth != NULL && *auth)
		return 1;
	for (i = 0; mine[i]; i++)
		if (strncmp(origin, mine[i], strlen(mine[i])) == 0)
			return 1;
	return 0;
}

static void
logdkim(const struct delivery *j, const char *result, const char *d,
    const char *s, const char *why)
{
	struct logl l;

	log_start(&l, "dkim");
	if (j->qid)
		log_kv(&l, "qid", j->qid);
	log_kv(&l, "result", result);
	if (d)
		log_kv(&l, "d", d);
	if (s)
		log_kv(&l, "s", s);
	if (why)
		log_kv(&l, "why", why);
	log_end(&l);
}

/* Every pending recipient of j waits: the message never leaves
 * unsigned while its key is broken. */
static void
defer(struct delivery *j, const char *what, const char *why)
{
	size_t i;

	for (i = 0; i < j->nrcpt; i++)
		if (j->rcpt[i].r.status == OUTCOME_NONE)
			result_set(&j->rcpt[i].r, OUTCOME_TEMP, "4.7.0",
			    "%s: %s", what, why);
}

static struct slot *
key_get(const char *path)
{
	static struct slot spare;
	struct slot *s;
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].path, path) == 0)
			return &keys[i];
	if (nkeys < KEYS_MAX)
		s = &keys[nkeys++];
	else {                          /* one more: not kept */
		dkim_key_free(&spare.k);
		s = &spare;
	}
	memset(s, 0, sizeof *s);
	memcpy(s->path, path, strlen(path) + 1);
	errno = 0;
	if (dkim_key_load(&s->k, path, &s->why) == -1) {
		s->err = errno;
		if (s->why == NULL)
			s->why = "unusable";
	}
	return s;
}

/* The message of j, from its first byte to the end of the file, into b. */
static int
read_msg(const struct delivery *j, struct buf *b)
{
	struct stat sb;
	long long off = j->off;
	ssize_t r;

	if (fstat(j->fd, &sb) == -1)
		return -1;
	if (sb.st_size < off) {
		errno = EINVAL;
		return -1;
	}
	buf_init(b, (size_t)(sb.st_size - off) + 1);
	if (buf_ready(b, (size_t)(sb.st_size - off) + 1) == -1)
		return -1;
	while ((r = fd_pread(j->fd, b->p + b->len, b->cap - b->len, off)) > 0) {
		b->len += (size_t)r;
		off += r;
		if (b->len == b->cap)
			break;          /* grew meanwhile: not a queue file */
	}
	return r == -1 ? -1 : 0;
}

/* conf/dkim-sign, once: 0, or -1 with table_err. */
static int
table_load(void)
{
	if (loaded == 0) {
		loaded = 1;
		if (conf_table_load(&table, DKIMCONF_FILE, 1) == -1) {
			loaded = -1;
			fmt_s(table_err, sizeof table_err, "%s", conf_error());
		}
	}
	return loaded == 1 ? 0 : -1;
}

void
sign_message(struct delivery *j)
{
	struct buf msg = BUF_INIT(0);
	struct dkimconf c;
	struct dkim_sign o;
	const struct conf_ent *e;
	const char *why;
	char dom[ADDR_DOMAIN_MAX + 1];
	struct slot *k;
	size_t i;

	if (!j->sign || !delivery_pending(j))
		return;
	if (table_load() == -1) {
		defer(j, "unable to read the DKIM table", table_err);
		logdkim(j, "temp", NULL, NULL, table_err);
		return;
	}
	if (table.n == 0)
		return;                 /* no conf/dkim-sign: no signing */
	if (read_msg(j, &msg) == -1) {
		defer(j, "unable to read the message to sign it",
		    strerror(errno));
		buf_free(&msg);
		return;
	}
	if ((why = hdr_from_domain(msg.p, msg.len, dom, sizeof dom)) != NULL) {
		logdkim(j, "none", NULL, NULL, why);
		buf_free(&msg);
		return;
	}
	if ((e = dkimconf_find(&table, dom)) == NULL) {
		buf_free(&msg);
		return;                 /* not a domain we sign for */
	}
	if ((why = dkimconf_parse(&c, e)) != NULL) {
		char w[400];
		fmt_s(w, sizeof w, "%s/%s:%zu: %s", conf_root(), "conf/"
		    DKIMCONF_FILE, e->line, why);
		defer(j, "bad DKIM table line", w);
		logdkim(j, "temp", NULL, NULL, w);
		buf_free(&msg);
		return;
	}
	k = key_get(c.key);
	if (k->why) {
		char w[PATH_MAX + 200];
		fmt_s(w, sizeof w, "%s: %s%s%s", c.key, k->why,
		    k->err ? ": " : "", k->err ? strerror(k->err) : "");
		defer(j, "unable to load the DKIM key", w);
		logdkim(j, "temp", NULL, c.sel, w);
		buf_free(&msg);
		return;
	}
	memset(&o, 0, sizeof o);
	o.d = c.d[0] ? c.d : dom;
	o.s = c.sel;
	o.t = (long long)time(NULL);
	o.key = &k->k;
	buf_init(&j->dkim, DKIM_SIG_MAX + 16);
	if (dkim_sign(&o, msg.p, msg.len, &j->dkim, &why) == -1) {
		defer(j, "unable to sign with DKIM", why ? why : "?");
		logdkim(j, "temp", o.d, o.s, why);
		buf_free(&j->dkim);
		buf_free(&msg);
		return;
	}
	buf_free(&msg);
	/* SIZE counts the field too, in CRLF form */
	for (i = 0; i < j->dkim.len; i++)
		if (j->dkim.p[i] == '\n')
			j->size++;
	j->size += j->dkim.len;
	logdkim(j, "signed", o.d, o.s, NULL);
}

void
sign_end(void)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		dkim_key_free(&keys[i].k);
	nkeys = 0;
	if (loaded == 1)
		conf_table_free(&table);
	loaded = 0;
}
