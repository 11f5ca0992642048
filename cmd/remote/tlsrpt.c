/* tlsrpt: what remote keeps for SMTP TLS Reporting (RFC 8460): one line
 * per session to a host under a DANE or MTA-STS policy, appended to
 * queue/tlsrpt/YYYY-MM-DD (the UTC day) for postel tlsrpt to count
 * (postel-queue(5)). One write(2) of a line under PIPE_BUF with
 * O_APPEND, so that the lines of concurrent remotes never mix. A line
 * that cannot be written is only warned about: reports are best effort,
 * the mail is not held for them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>

#include "conf.h"
#include "die.h"
#include "fmt.h"
#include "tlsrpt.h"
#include "remote.h"

#define LINE_MAX_ 1024                  /* well under PIPE_BUF */

int
tlsrpt_tls_result(int err)
{
	switch (err) {
	case BR_ERR_X509_BAD_SERVER_NAME: return TR_CERT_HOST_MISMATCH;
	case BR_ERR_X509_EXPIRED: return TR_CERT_EXPIRED;
	}
	if (err >= BR_ERR_X509_OK && err < BR_ERR_X509_OK + 64)
		return TR_CERT_NOT_TRUSTED;
	return TR_VALIDATION_FAILURE;
}

/* the records as "3 1 1 abcd..." with ';' between, those that fit */
static void
tlsa_strings(char *p, size_t size, const struct tlsa_set *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, k, n = 0, need;

	p[0] = '\0';
	for (i = 0; s != NULL && i < s->n; i++) {
		need = 12 + 2 * s->r[i].len + 1;
		if (s->r[i].toolong || n + need >= size)
			continue;
		if (n > 0)
			p[n++] = ';';
		n += (size_t)fmt_s(p + n, size - n, "%u %u %u ", s->r[i].usage,
		    s->r[i].selector, s->r[i].mtype);
		for (k = 0; k < s->r[i].len; k++) {
			p[n++] = hex[s->r[i].data[k] >> 4];
			p[n++] = hex[s->r[i].data[k] & 15];
		}
		p[n] = '\0';
	}
}

void
tlsrpt_note(const char *domain, int type, int result, const struct target *t)
{
	char path[4096], day[16], ip[64], tl[LINE_MAX_ / 2], line[LINE_MAX_];
	time_t now = time(NULL);
	struct tm tm;
	int fd, n;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(day, sizeof day, "%Y-%m-%d", &tm) == 0)
		return;
	tl[0] = '\0';
	if (type == TP_TLSA)
		tlsa_strings(tl, sizeof tl, t->tlsa);
	if ((n = fmt_s(line, sizeof line, "%s\t%s\t%s\t%s\t%s%s%s\n", domain,
	    type == TP_TLSA ? "tlsa" : "sts", result < 0 ? "success" :
	    tlsrpt_result_name(result), t->name, dns_ip_fmt(&t->ip, ip,
	    sizeof ip), tl[0] ? "\t" : "", tl)) < 0)
		return;
	if (conf_path(path, sizeof path, "queue/tlsrpt") == -1)
		return;
	if (mkdir(path, 0750) == -1 && errno != EEXIST) {
		warn_sys("mkdir %s", path);
		return;
	}
	if (conf_path(path, sizeof path, "queue/tlsrpt/") == -1 ||
	    strlen(path) + strlen(day) >= sizeof path)
		return;
	memcpy(path + strlen(path), day, strlen(day) + 1);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0640)) == -1) {
		warn_sys("open %s", path);
		return;
	}
	if (write(fd, line, (size_t)n) != n)
		warn_sys("write %s", path);
	if (close(fd) == -1)
		warn_sys("close %s", path);
}
