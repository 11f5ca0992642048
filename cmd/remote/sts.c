/* sts: the MTA-STS policy of a recipient domain (RFC 8461) as remote
 * finds it: the _mta-sts TXT record, the policy cached in queue/sts/
 * (lib/stscache) or fetched over HTTPS (lib/https), and the fallbacks of
 * 5.1. See remote.h and postel-remote(8). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bio.h"
#include "conf.h"
#include "die.h"
#include "fmt.h"
#include "https.h"
#include "log.h"
#include "remote.h"
#include "stscache.h"

#define STS_FETCH_SECONDS 60    /* RFC 8461 3.3: a bounded fetch */

static const char *const modes[] = { "none", "testing", "enforce" };

const char *
sts_mode_word(int mode)
{
	return mode >= STS_NONE && mode <= STS_ENFORCE ? modes[mode] : "none";
}

/* The policy cache, queue/sts/, made on first use: a descriptor, or -1
 * (logged; the policy is then found without a cache). */
static int
cache_open(void)
{
	char path[4096];
	int fd;

	if (conf_path(path, sizeof path, "queue/sts") == -1)
		return -1;
	if (mkdir(path, 0750) == -1 && errno != EEXIST) {
		warn_sys("mkdir %s", path);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		warn_sys("open %s", path);
	return fd;
}

/* The id of domain's one valid STSv1 record (3.1): 1, 0 when there is
 * none (no record, several, an invalid one), -1 when DNS failed for now.
 * why says which. */
static int
record(const char *domain, char id[MTASTS_ID_MAX + 1], const char **why)
{
	static struct dns_txt t;
	char name[DNS_NAME_MAX + 16];
	const char *bad = NULL;
	size_t i, found = 0;

	if (fmt_s(name, sizeof name, "_mta-sts.%s", domain) < 0) {
		*why = "domain too long";
		return 0;
	}
	memset(&t, 0, sizeof t);
	t.want = "v=STSv1";
	switch (dns_txt(name, &t)) {
	case DNS_OK: break;
	case DNS_TEMP: *why = "TXT lookup failed for now"; return -1;
	default: *why = "no TXT record"; return 0;
	}
	for (i = 0; i < t.n; i++) {
		if (t.len[i] < 7 || memcmp(t.rec[i], "v=STSv1", 7) != 0)
			continue;
		found++;
		bad = mtasts_txt_parse(t.rec[i], t.len[i], id);
	}
	if (found != 1 || bad) {
		*why = found == 0 ? "no v=STSv1 record" : found > 1 ?
		    "more than one v=STSv1 record" : bad;
		return 0;
	}
	return 1;
}

/* Fetch the policy of domain into c (body, parsed policy): NULL, or why
 * there is none now. */
static const char *
fetch(const char *domain, struct stscache *c)
{
	static char why[200];
	struct tls_anchors a = { NULL, 0, 0 };
	struct http_resp r;
	char host[DNS_NAME_MAX + 16];
	const char *w, *ca = conf_s("remote-ca-file");
	int temp, rc;

	if (fmt_s(host, sizeof host, "mta-sts.%s", domain) < 0)
		return "domain too long";
	if (tls_anchors_load(&a, ca) == -1) {
		fmt_s(why, sizeof why, "unable to load trust anchors from %s: "
		    "%s", ca, strerror(errno));
		return why;
	}
	rc = https_get(host, 443, "/.well-known/mta-sts.txt", &a, bio_now() +
	    STS_FETCH_SECONDS * 1000, c->body, sizeof c->body, &r, &w, &temp);
	tls_anchors_free(&a);
	if (rc == -1) {
		fmt_s(why, sizeof why, "fetching https://%s/.well-known/"
		    "mta-sts.txt: %s", host, w);
		return why;
	}
	/* 3.3: a 200 only (no redirect followed), of type text/plain */
	if (r.status != 200) {
		fmt_s(why, sizeof why, "https://%s/.well-known/mta-sts.txt "
		    "answered %d", host, r.status);
		return why;
	}
	if (strcmp(r.ctype, "text/plain") != 0)
		return "the policy is not text/plain";
	if (r.blen > sizeof c->body)
		return "the policy is too long";
	if (r.body != c->body)
		memmove(c->body, r.body, r.blen);
	c->blen = r.blen;
	if ((w = mtasts_policy_parse(c->body, c->blen, &c->p)) != NULL) {
		fmt_s(why, sizeof why, "the policy has %s", w);
		return why;
	}
	return NULL;
}

static void
logsts(const char *qid, const char *domain, int mode, const char *id,
    const char *source, const char *why)
{
	struct logl l;

	log_start(&l, "sts");
	if (qid)
		log_kv(&l, "qid", qid);
	log_kv(&l, "domain", domain);
	log_kv(&l, "mode", sts_mode_word(mode));
	if (id && *id)
		log_kv(&l, "id", id);
	if (source)
		log_kv(&l, "policy", source);
	if (why)
		log_kv(&l, "reason", why);
	log_end(&l);
}

int
sts_find(const char *domain, const char *qid,
    const struct mtasts_policy **pol)
{
	static struct stscache cached, got;
	char id[MTASTS_ID_MAX + 1] = "";
	const char *why = NULL, *fwhy;
	long long now = (long long)time(NULL);
	int dir, have = 0, rec, mode;

	*pol = NULL;
	if ((dir = cache_open()) != -1) {
		have = stscache_get(dir, domain, now, &cached);
		if (have == -1) {
			warn_sys("reading the MTA-STS cache of %s", domain);
			have = 0;
		}
	}
	rec = record(domain, id, &why);
	if (rec == 1 && have && strcmp(cached.id, id) == 0) {
		*pol = &cached.p;       /* 5.1: the id has not changed */
		logsts(qid, domain, cached.p.mode, cached.id, "cached", NULL);
		goto done;
	}
	if (rec == 1) {
		memset(&got.p, 0, sizeof got.p);
		if ((fwhy = fetch(domain, &got)) == NULL) {
			if (got.p.mode == MTASTS_NONE) {
				if (dir != -1 && stscache_drop(dir, domain) == -1)
					warn_sys("dropping the MTA-STS policy "
					    "of %s", domain);
			} else if (dir != -1 && stscache_put(dir, domain, id,
			    got.body, got.blen, &got.p, now) == -1)
				warn_sys("caching the MTA-STS policy of %s",
				    domain);
			*pol = &got.p;
			logsts(qid, domain, got.p.mode, id, "fetched", NULL);
			goto done;
		}
		why = fwhy;
	}
	/* 5.1: no record, or no policy fetched now: a cached one that has
	 * not expired still holds */
	if (have) {
		*pol = &cached.p;
		logsts(qid, domain, cached.p.mode, cached.id, "cached", why);
		goto done;
	}
	if (rec == 1 || rec == -1)      /* a record without a policy */
		logsts(qid, domain, MTASTS_NONE, id, NULL, why);
done:
	if (dir != -1)
		(void)close(dir);
	if (*pol == NULL)
		return STS_NONE;
	mode = (*pol)->mode;
	return mode == MTASTS_ENFORCE ? STS_ENFORCE : mode == MTASTS_TESTING ?
	    STS_TESTING : STS_NONE;
}

/* ---- testing mode: the certificate checked, the verdict kept ---- */

static void
tx_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct sts_x509 *x = (struct sts_x509 *)(void *)ctx;

	x->first = 1;
	x->err = 0;
	x->xc.vtable->start_chain(&x->xc.vtable, server_name);
}

static void
tx_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct sts_x509 *x = (struct sts_x509 *)(void *)ctx;

	if (x->first)
		br_x509_decoder_init(&x->dc, NULL, NULL);
	x->xc.vtable->start_cert(&x->xc.vtable, length);
}

static void
tx_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct sts_x509 *x = (struct sts_x509 *)(void *)ctx;

	if (x->first)
		br_x509_decoder_push(&x->dc, buf, len);
	x->xc.vtable->append(&x->xc.vtable, buf, len);
}

static void
tx_end_cert(const br_x509_class **ctx)
{
	struct sts_x509 *x = (struct sts_x509 *)(void *)ctx;

	x->first = 0;
	x->xc.vtable->end_cert(&x->xc.vtable);
}

/* The check's verdict is kept, not imposed: the session goes on with
 * the server's key, as opportunistic TLS would. */
static unsigned
tx_end_chain(const br_x509_class **ctx)
{
	struct sts_x509 *x = (struct sts_x509 *)(void *)ctx;

	x->err = (int)x->xc.vtable->end_chain(&x->xc.vtable);
	if (br_x509_decoder_get_pkey(&x->dc) == NULL)
		return BR_ERR_X509_EMPTY_CHAIN;
	return 0;
}

static const br_x509_pkey *
tx_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct sts_x509 *x = (struct sts_x509 *)(void *)ctx;

	if (usages)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return br_x509_decoder_get_pkey(&x->dc);
}

static const br_x509_class tx_class = {
	sizeof(struct sts_x509),
	tx_start_chain, tx_start_cert, tx_append, tx_end_cert, tx_end_chain,
	tx_get_pkey,
};

void
sts_x509_init(struct sts_x509 *x, const struct tls_anchors *a)
{
	memset(x, 0, sizeof *x);
	x->vtable = &tx_class;
	br_x509_minimal_init_full(&x->xc, a->ta, a->n);
}
