/*
 * postel tlsrpt [--day YYYY-MM-DD] [--send]: the SMTP TLS reports (RFC
 * 8460) of one finished UTC day, from the sessions remote recorded in
 * queue/tlsrpt/DAY (postel-queue(5)): one report per policy domain.
 * Without --send each report is printed as one line of JSON. With
 * --send, for the domains whose _smtp._tls TXT record names where
 * reports go: the JSON gzip'ed, mailed through the queue (RFC 8460 5.3)
 * or POSTed to an https: address (5.4); once every report went, the day
 * file is renamed DAY.sent, so that a second run sends nothing. A
 * failure leaves it for the next run and exits 111.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bio.h"
#include "buf.h"
#include "child.h"
#include "conf.h"
#include "die.h"
#include "dns.h"
#include "fd.h"
#include "fmt.h"
#include "https.h"
#include "queue.h"
#include "sasl.h"
#include "stscache.h"
#include "submit.h"
#include "tlsrpt.h"
#include "postel.h"

#define REPORT_MAX (1024 * 1024)        /* JSON of one domain */
#define SEND_SECONDS 60
#define STRINGS_MAX 256                 /* policy-string lines kept */
#define FAILURES_MAX 256                /* failure-details of a domain */

struct fail {
	enum tlsrpt_result result;
	char mx[DNS_NAME_MAX + 1], ip[64];
	unsigned long long count;
};

struct dom {
	char name[DNS_NAME_MAX + 1];
	enum tlsrpt_ptype type;
	char tlsa[1024];                /* records, ';' between them */
	unsigned long long ok, failed;
	struct fail *f;
	size_t nf;
};

static struct dom *doms;
static size_t ndoms;

static int
result_parse(const char *s, enum tlsrpt_result *r)
{
	int i;

	for (i = 0; i < TR_N; i++)
		if (strcmp(s, tlsrpt_result_name(i)) == 0) {
			*r = i;
			return 0;
		}
	return -1;
}

/* One line: domain type result mx ip [tlsa], tab between them. */
static void
add_line(char *line, unsigned long lineno)
{
	char *fld[6] = { 0 }, *s = line;
	enum tlsrpt_result res = 0;
	struct dom *d = NULL;
	size_t i, n = 0;

	while (n < 6 && s != NULL) {
		fld[n++] = s;
		if ((s = strchr(s, '\t')) != NULL)
			*s++ = '\0';
	}
	if (n < 5 || !dns_name_ok(fld[0]) || (strcmp(fld[1], "sts") &&
	    strcmp(fld[1], "tlsa")) || (strcmp(fld[2], "success") &&
	    result_parse(fld[2], &res) == -1)) {
		warn("line %lu of the day file is not valid, skipped", lineno);
		return;
	}
	for (i = 0; i < ndoms; i++)
		if (strcasecmp(doms[i].name, fld[0]) == 0)
			d = &doms[i];
	if (d == NULL) {
		if ((d = realloc(doms, (ndoms + 1) * sizeof *doms)) == NULL)
			die_sys(EXIT_TEMP, "unable to count the sessions");
		doms = d;
		d = &doms[ndoms++];
		memset(d, 0, sizeof *d);
		fmt_s(d->name, sizeof d->name, "%s", fld[0]);
		d->type = fld[1][0] == 's' ? TP_STS : TP_TLSA;
	}
	if (n == 6 && d->tlsa[0] == '\0')
		fmt_s(d->tlsa, sizeof d->tlsa, "%s", fld[5]);
	if (strcmp(fld[2], "success") == 0) {
		d->ok++;
		return;
	}
	d->failed++;
	for (i = 0; i < d->nf; i++)
		if (d->f[i].result == res && !strcmp(d->f[i].mx, fld[3]) &&
		    !strcmp(d->f[i].ip, fld[4])) {
			d->f[i].count++;
			return;
		}
	if ((d->f = realloc(d->f, (d->nf + 1) * sizeof *d->f)) == NULL)
		die_sys(EXIT_TEMP, "unable to count the sessions");
	d->f[d->nf].result = res;
	fmt_s(d->f[d->nf].mx, sizeof d->f[d->nf].mx, "%s", fld[3]);
	fmt_s(d->f[d->nf].ip, sizeof d->f[d->nf].ip, "%s", fld[4]);
	d->f[d->nf++].count = 1;
}

static void
read_day(int fd)
{
	static char io[8192];
	char line[2048];
	struct bio in;
	size_t len;
	unsigned long lineno = 0;
	int r;

	bio_init(&in, fd, bio_fdread, io, sizeof io);
	while ((r = bio_getline(&in, line, sizeof line - 1, &len)) > 0) {
		lineno++;
		if (r == 2) {
			warn("line %lu of the day file is too long, skipped",
			    lineno);
			continue;
		}
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			len--;
		line[len] = '\0';
		add_line(line, lineno);
	}
	if (r == -1)
		die_sys(EXIT_TEMP, "unable to read the day file");
}

/* The JSON report of d into b. */
static void
report(struct buf *b, const struct dom *d, const char *id, long long start,
    int stsdir)
{
	static struct stscache c;
	static char tl[1024];
	static const char *strs[STRINGS_MAX], *mx[MTASTS_MX_MAX];
	static struct tlsrpt_failure f[FAILURES_MAX];
	struct tlsrpt_policy p;
	struct tlsrpt_report r;
	char contact[DNS_NAME_MAX + 16], *s, *e;
	size_t i;

	memset(&p, 0, sizeof p);
	p.type = d->type;
	p.domain = d->name;
	p.ok = d->ok;
	p.failed = d->failed;
	if (d->type == TP_STS && stsdir != -1 &&
	    stscache_get(stsdir, d->name, start, &c) == 1) {
		c.body[c.blen < sizeof c.body ? c.blen : c.blen - 1] = '\0';
		for (s = c.body; *s != '\0' && p.nstrings < sizeof strs /
		    sizeof *strs; s = e) {
			e = s + strcspn(s, "\r\n");
			if (*e != '\0')
				*e++ = '\0';
			while (*e == '\n')
				e++;
			if (*s != '\0')
				strs[p.nstrings++] = s;
		}
		for (i = 0; i < c.p.nmx; i++)
			mx[i] = c.p.mx[i];
		p.mx = mx;
		p.nmx = c.p.nmx;
	} else if (d->type == TP_TLSA && d->tlsa[0] != '\0') {
		fmt_s(tl, sizeof tl, "%s", d->tlsa);
		for (s = tl; s != NULL && p.nstrings < STRINGS_MAX; s = e) {
			if ((e = strchr(s, ';')) != NULL)
				*e++ = '\0';
			strs[p.nstrings++] = s;
		}
	}
	p.strings = strs;
	for (i = 0; i < d->nf && i < sizeof f / sizeof *f; i++) {
		f[i].result = d->f[i].result;
		f[i].sending_ip = NULL;
		f[i].mx = d->f[i].mx[0] != '-' ? d->f[i].mx : NULL;
		f[i].receiving_ip = d->f[i].ip[0] != '-' ? d->f[i].ip : NULL;
		f[i].count = d->f[i].count;
	}
	p.f = f;
	p.nf = i;
	fmt_s(contact, sizeof contact, "postmaster@%s", conf_s("me"));
	r.org = conf_s("me");
	r.contact = contact;
	r.id = id;
	r.start = start;
	r.end = start + 86399;
	r.p = &p;
	r.np = 1;
	b->len = 0;
	if (tlsrpt_json(b, &r) == -1)
		die_sys(EXIT_TEMP, "unable to write the report of %s", d->name);
}

/* gzip -c -n of b into z: 0, or -1 (warned). */
static int
gzip_buf(const struct buf *b, struct buf *z)
{
	char *av[] = { "gzip", "-c", "-n", NULL };
	struct child ch = { .path = "gzip", .argv = av, .nfd = 3,
	    .failed = child_warn };
	char tmp[4096];
	int in, out, st;
	ssize_t k;
	pid_t pid;

	if ((in = queue_tmpfile()) == -1)
		return warn_sys("unable to make a temporary file"), -1;
	if ((out = queue_tmpfile()) == -1 ||
	    fd_write_all(in, b->p, b->len) == -1 ||
	    lseek(in, 0, SEEK_SET) == -1) {
		warn_sys("unable to write a temporary file");
		close(in);
		if (out != -1)
			close(out);
		return -1;
	}
	ch.fd[0] = in;
	ch.fd[1] = out;
	ch.fd[2] = CHILD_KEEP;
	if ((pid = child_spawn(&ch)) == -1 || child_wait(pid, &st) == -1) {
		warn_sys("unable to run gzip");
		close(in);
		close(out);
		return -1;
	}
	close(in);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
	    lseek(out, 0, SEEK_SET) == -1) {
		warn("gzip failed");
		close(out);
		return -1;
	}
	z->len = 0;
	while ((k = fd_read(out, tmp, sizeof tmp)) > 0)
		if (buf_catb(z, tmp, (size_t)k) == -1)
			break;
	close(out);
	if (k != 0) {
		warn_sys("unable to read gzip's output");
		return -1;
	}
	return 0;
}

static int
mail(const char *to, const char *dom, const char *id, long long start,
    const struct buf *z)
{
	static char b64[REPORT_MAX * 2];
	struct buf m = BUF_INIT(REPORT_MAX * 3);
	char from[DNS_NAME_MAX + 16], date[FMT_DATE_MAX], hd[4096], *rcpt[1];
	const char *me = conf_s("me");
	char uid[128];
	struct submit s;
	size_t i, n;
	int fd, r;

	/* 5.1: the filename's unique-id is letters and digits */
	for (i = n = 0; id[i] != '\0' && id[i] != '@' && n + 1 < sizeof uid;
	    i++)
		if ((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' &&
		    id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z'))
			uid[n++] = id[i];
	uid[n] = '\0';

	if (sasl_b64_encode(b64, sizeof b64, z->p, z->len) == -1)
		return warn("the report for %s is too big", dom), -1;
	fmt_s(from, sizeof from, "postmaster@%s", me);
	fmt_date(date, sizeof date, (long long)time(NULL));
	if (fmt_s(hd, sizeof hd, "From: %s\nDate: %s\nTo: %s\nSubject: Report "
	    "Domain: %s Submitter: %s Report-ID: <%s>\nTLS-Report-Domain: %s\n"
	    "TLS-Report-Submitter: %s\nMIME-Version: 1.0\nContent-Type: "
	    "multipart/report; report-type=\"tlsrpt\";\n boundary=\"=_tlsrpt_"
	    "%s\"\n\n--=_tlsrpt_%s\nContent-Type: text/plain; charset=us-ascii"
	    "\n\nThis is an aggregate TLS report from %s (RFC 8460).\n\n"
	    "--=_tlsrpt_%s\nContent-Type: application/tlsrpt+gzip\n"
	    "Content-Transfer-Encoding: base64\nContent-Disposition: "
	    "attachment;\n filename=\"%s!%s!%lld!%lld!%s.json.gz\"\n\n",
	    from, date, to, dom, me, id, dom, me, id, id, me, id, me, dom,
	    start, start + 86399, uid) < 0)
		return warn("a header of the report for %s is too long", dom),
		    -1;
	r = buf_catb(&m, hd, strlen(hd));
	n = strlen(b64);
	for (i = 0; i < n && r == 0; i += 76)
		if (buf_catb(&m, b64 + i, n - i < 76 ? n - i : 76) == -1 ||
		    buf_catb(&m, "\n", 1) == -1)
			r = -1;
	fmt_s(hd, sizeof hd, "\n--=_tlsrpt_%s--\n", id);
	fd = -1;
	if (r == -1 || buf_catb(&m, hd, strlen(hd)) == -1 ||
	    (fd = queue_tmpfile()) == -1 ||
	    fd_write_all(fd, m.p, m.len) == -1) {
		warn_sys("unable to write the report");
		buf_free(&m);
		if (fd != -1)
			close(fd);
		return -1;
	}
	buf_free(&m);
	rcpt[0] = (char *)to;
	memset(&s, 0, sizeof s);
	s.from = from;
	s.rcpt = rcpt;
	s.nrcpt = 1;
	s.origin = "postel tlsrpt";
	r = submit_enqueue(&s, fd);
	close(fd);
	if (r != 0)
		return warn("unable to queue the report for %s to %s", dom,
		    to), -1;
	return 0;
}

static int
post(const char *uri, const char *dom, const struct buf *z)
{
	static char out[4096];
	char host[DNS_NAME_MAX + 1];
	const char *h = uri + 8, *path, *why, *ca;
	struct tls_anchors a = { NULL, 0, 0 };
	struct http_resp r;
	unsigned port = 443;
	size_t hl;
	int temp, rc;

	path = h + strcspn(h, "/");
	hl = strcspn(h, ":/");
	if (hl == 0 || hl > DNS_NAME_MAX)
		return warn("bad report address %s", uri), -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (h[hl] == ':' && ((port = (unsigned)strtoul(h + hl + 1, NULL, 10))
	    == 0 || port > 65535))
		return warn("bad port in report address %s", uri), -1;
	ca = conf_s("remote-ca-file");
	if (tls_anchors_load(&a, ca) == -1)
		return warn_sys("unable to load trust anchors from %s", ca), -1;
	rc = https_post(host, port, *path ? path : "/",
	    "application/tlsrpt+gzip", z->p, z->len, &a,
	    bio_now() + SEND_SECONDS * 1000, out, sizeof out, &r, &why, &temp);
	tls_anchors_free(&a);
	if (rc == -1)
		return warn("unable to POST the report for %s to %s: %s", dom,
		    uri, why), -1;
	if (r.status < 200 || r.status > 299)
		return warn("POST of the report for %s to %s: status %d", dom,
		    uri, r.status), -1;
	return 0;
}

/* Send d's report b to the addresses in its _smtp._tls record: 0 (also
 * when it has none), or -1 when some did not go. */
static int
send_one(const struct dom *d, const struct buf *b, const char *id,
    long long start)
{
	static struct dns_txt t;
	static struct buf z = BUF_INIT(REPORT_MAX);
	struct tlsrpt_rua rua;
	char name[DNS_NAME_MAX + 16];
	const char *why = "no record";
	size_t i;
	int rc = 0;

	fmt_s(name, sizeof name, "_smtp._tls.%s", d->name);
	memset(&t, 0, sizeof t);
	t.want = "v=TLSRPTv1";
	switch (dns_txt(name, &t)) {
	case DNS_OK: break;
	case DNS_TEMP: warn("DNS lookup of %s failed for now", name);
		return -1;
	default: t.n = 0;
	}
	for (i = 0; i < t.n; i++)
		if ((why = tlsrpt_txt_parse(t.rec[i], t.len[i], &rua)) == NULL)
			break;
	if (i == t.n) {
		printf("%s: no report: %s\n", d->name, why);
		return 0;
	}
	if (gzip_buf(b, &z) == -1)
		return -1;
	for (i = 0; i < rua.n; i++) {
		if ((rua.https[i] ? post(rua.uri[i], d->name, &z) :
		    mail(rua.uri[i], d->name, id, start, &z)) == -1)
			rc = -1;
		else
			printf("%s: report %s sent to %s%s\n", d->name, id,
			    rua.https[i] ? "" : "mailto:", rua.uri[i]);
	}
	return rc;
}

/* YYYY-MM-DD as the seconds at its start, UTC (days from civil). */
static long long
day_parse(const char *s)
{
	long long y, m, d, era, yoe, doy, doe;
	size_t i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9')
			break;
	if (i < 10 || s[10] != '\0')
		die(EXIT_PERM, "bad day %s (want YYYY-MM-DD)", s);
	y = atoll(s);
	m = atoll(s + 5);
	d = atoll(s + 8);
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		die(EXIT_PERM, "bad day %s (want YYYY-MM-DD)", s);
	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400;
}

int
cmd_tlsrpt(int argc, char **argv)
{
	static struct buf b = BUF_INIT(REPORT_MAX);
	char day[16], sent[32], id[128];
	long long start = -1;
	time_t t;
	struct tm tm;
	int i, send = 0, qd, dir, stsdir, fd, rc = 0;
	size_t k;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--send") == 0)
			send = 1;
		else if (strcmp(argv[i], "--day") == 0 && i + 1 < argc)
			start = day_parse(argv[++i]);
		else
			die(EXIT_PERM, "usage: postel tlsrpt [--day YYYY-MM-DD] "
			    "[--send]");
	}
	if (start == -1)
		start = ((long long)time(NULL) / 86400 - 1) * 86400;
	t = (time_t)start;
	if (gmtime_r(&t, &tm) == NULL || strftime(day, sizeof day, "%Y-%m-%d",
	    &tm) == 0)
		die(EXIT_PERM, "bad day");
	if (conf_load() == -1)
		die(EXIT_TEMP, "unable to read configuration: %s",
		    conf_error());
	qd = open_queue();
	if ((dir = openat(qd, "tlsrpt", O_RDONLY | O_DIRECTORY)) == -1 ||
	    (fd = openat(dir, day, O_RDONLY)) == -1) {
		if (errno == ENOENT)
			return 0;       /* nothing recorded that day */
		die_sys(EXIT_TEMP, "unable to open queue/tlsrpt/%s", day);
	}
	stsdir = openat(qd, "sts", O_RDONLY | O_DIRECTORY);
	read_day(fd);
	close(fd);
	for (k = 0; k < ndoms; k++) {
		fmt_s(id, sizeof id, "%s.%lld.%ld.%zu@%s", day,
		    (long long)time(NULL), (long)getpid(), k, conf_s("me"));
		report(&b, &doms[k], id, start, stsdir);
		if (!send) {
			if (fwrite(b.p, 1, b.len, stdout) != b.len ||
			    putchar('\n') == EOF)
				die_sys(EXIT_TEMP, "unable to print");
		} else if (send_one(&doms[k], &b, id, start) == -1)
			rc = EXIT_TEMP;
	}
	if (send && rc == 0) {
		fmt_s(sent, sizeof sent, "%s.sent", day);
		if (renameat(dir, day, dir, sent) == -1)
			die_sys(EXIT_TEMP, "unable to rename queue/tlsrpt/%s",
			    day);
	}
	if (fflush(stdout) == EOF)
		die_sys(EXIT_TEMP, "unable to print");
	return rc;
}
