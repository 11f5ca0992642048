/*
 * postel dkim-sign, dkim-verify: lib/dkim on one message, read from a
 * file or standard input with LF or CRLF line ends and worked on in queue
 * form (postel-queue(5)); what sign prints keeps the input's line ends.
 * verify's lines use Authentication-Results' names (RFC 8601 2.7.1),
 * as postel(8) shows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "die.h"
#include "dkim.h"
#include "dns.h"
#include "postel.h"

#define MSG_MAX (64UL * 1024 * 1024)

/* The message of path (stdin for NULL) in queue form; *crlf set when its
 * first line ended in CRLF. Dies on error. */
static void
read_msg(const char *path, struct buf *m, int *crlf)
{
	size_t i, j;
	char *lf;
	int fd = 0;

	if (path && (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		die_sys(EXIT_PERM, "unable to open %s", path);
	if (buf_catfd(m, fd) == -1)
		die_sys(errno == EMSGSIZE ? EXIT_PERM : EXIT_TEMP,
		    "unable to read %s", path ? path : "standard input");
	if (path && close(fd) == -1)
		die_sys(EXIT_TEMP, "unable to close %s", path);
	lf = m->len ? memchr(m->p, '\n', m->len) : NULL;
	*crlf = lf && lf > m->p && lf[-1] == '\r';
	for (i = j = 0; i < m->len; i++)
		if (!(m->p[i] == '\r' && i + 1 < m->len && m->p[i + 1] == '\n'))
			m->p[j++] = m->p[i];
	m->len = j;
}

/* Write p[0..n) with each LF as CRLF when crlf. */
static void
out(const char *p, size_t n, int crlf)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((crlf && p[i] == '\n' && putchar('\r') == EOF) ||
		    putchar(p[i]) == EOF)
			die_sys(EXIT_TEMP, "unable to write");
}

int
cmd_dkim_sign(int argc, char **argv)
{
	struct buf m = BUF_INIT(MSG_MAX), sig = BUF_INIT(DKIM_SIG_MAX + 2);
	struct dkim_key key;
	struct dkim_sign o = { NULL, NULL, NULL, -1, &key };
	const char *kpath = NULL, *why;
	int c, crlf;

	while ((c = getopt(argc, argv, "d:s:k:")) != -1) {
		switch (c) {
		case 'd':
			o.d = optarg;
			break;
		case 's':
			o.s = optarg;
			break;
		case 'k':
			kpath = optarg;
			break;
		default:
			die(EXIT_PERM, "usage: postel dkim-sign -d DOMAIN "
			    "-s SELECTOR -k KEY [FILE]");
		}
	}
	if (!o.d || !o.s || !kpath || argc - optind > 1)
		die(EXIT_PERM, "usage: postel dkim-sign -d DOMAIN -s SELECTOR "
		    "-k KEY [FILE]");
	if (dkim_key_load(&key, kpath, &why) == -1) {
		if (errno == EINVAL)
			die(EXIT_TEMP, "unable to use %s: %s", kpath, why);
		die_sys(EXIT_TEMP, "unable to use %s: %s", kpath, why);
	}
	read_msg(argv[optind], &m, &crlf);
	o.t = (long long)time(NULL);
	if (dkim_sign(&o, m.p, m.len, &sig, &why) == -1) {
		dkim_key_free(&key);
		die(EXIT_PERM, "unable to sign: %s", why);
	}
	dkim_key_free(&key);
	out(sig.p, sig.len, crlf);
	out(m.p, m.len, crlf);
	if (fflush(stdout) == EOF)
		die_sys(EXIT_TEMP, "unable to write");
	buf_free(&m);
	buf_free(&sig);
	return 0;
}

/* A value from the message, printable ASCII only. */
static void
safe(const char *s)
{
	for (; *s; s++)
		putchar(*s > ' ' && *s < 127 ? *s : '?');
}

int
cmd_dkim_verify(int argc, char **argv)
{
	struct buf m = BUF_INIT(MSG_MAX);
	struct dkim_result r[DKIM_SIGS_MAX];
	size_t i, n;
	int crlf, pass = 0, temp = 0;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-' && argv[1][1]))
		die(EXIT_PERM, "usage: postel dkim-verify [FILE]");
	read_msg(argc == 2 && strcmp(argv[1], "-") ? argv[1] : NULL, &m,
	    &crlf);
	n = dkim_verify(m.p, m.len, &dns_ops_real, time(NULL), r,
	    DKIM_SIGS_MAX);
	if (n == 0)
		printf("dkim=none\n");
	for (i = 0; i < n; i++) {
		printf("dkim=%s header.d=", dkim_result_name(r[i].res));
		safe(r[i].d);
		printf(" header.s=");
		safe(r[i].s);
		printf(" header.b=");
		safe(r[i].b);
		if (r[i].why[0]) {
			printf(" (");
			for (const char *w = r[i].why; *w; w++)
				putchar(*w >= ' ' && *w < 127 && *w != ')' ?
				    *w : '?');
			printf(")");
		}
		printf("\n");
		pass |= r[i].res == DKIM_PASS;
		temp |= r[i].res == DKIM_TEMPERROR;
	}
	if (fflush(stdout) == EOF)
		die_sys(EXIT_TEMP, "unable to write");
	buf_free(&m);
	return pass ? 0 : temp ? EXIT_TEMP : EXIT_PERM;
}
