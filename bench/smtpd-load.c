/*
 * smtpd-load: SMTP load generator for bench/smtpd-bench. C worker
 * processes each open sessions to 127.0.0.1:PORT one after another and
 * send M messages per session (MAIL, RCPT and DATA pipelined in one write,
 * then the message and its dot), until N messages in all were accepted.
 * usage: smtpd-load PORT N C M SIZE RCPT
 * With SMTPD_LOAD_MSG=FILE the message is that file (LF or CRLF lines,
 * dot-stuffed here) instead of SIZE octets of x, and SMTPD_LOAD_FROM
 * names the envelope sender.
 * prints "rate: X msgs/s median: Y ms p99: Z ms failed: F".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read until n final reply lines ("ddd ") arrived; returns the code of
 * the last one, or -1. */
static int
replies(int fd, int n)
{
	static char b[8192];
	size_t len = 0;
	int code = -1;

	while (n > 0) {
		ssize_t r = read(fd, b + len, sizeof b - 1 - len);
		char *line, *nl;
		if (r <= 0)
			return -1;
		len += (size_t)r;
		b[len] = '\0';
		line = b;
		while ((nl = strstr(line, "\r\n")) != NULL) {
			if (nl - line >= 4 && line[3] == ' ') {
				code = atoi(line);
				n--;
			}
			line = nl + 2;
		}
		len -= (size_t)(line - b);
		memmove(b, line, len);
	}
	return code;
}

static int
sendall(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* FILE as SMTP DATA: CRLF line ends, dot-stuffed, ".\r\n" at the end. */
static char *
load_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "r");
	char line[4096], *m = NULL;
	size_t len = 0, cap = 0;

	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof line, f)) {
		size_t l = strcspn(line, "\r\n");
		if (len + l + 8 > cap) {
			char *n = realloc(m, cap = (cap + l + 8) * 2);
			if (n == NULL) {
				free(m);
				fclose(f);
				return NULL;
			}
			m = n;
		}
		if (line[0] == '.')
			m[len++] = '.';
		memcpy(m + len, line, l);
		len += l;
		memcpy(m + len, "\r\n", 2);
		len += 2;
	}
	fclose(f);
	if (m == NULL || len + 3 > cap)
		return NULL;
	memcpy(m + len, ".\r\n", 3);
	*size = len + 3;
	return m;
}

int
main(int argc, char **argv)
{
	int port, n, c, m, i;
	size_t size;
	char *msg, env[512];
	double *lat, t0, t1;
	int *fails;
	struct sockaddr_in sa;

	if (argc != 7) {
		fprintf(stderr, "usage: smtpd-load PORT N C M SIZE RCPT\n");
		return 100;
	}
	port = atoi(argv[1]);
	n = atoi(argv[2]);
	c = atoi(argv[3]);
	m = atoi(argv[4]);
	size = (size_t)atol(argv[5]);
	if (n < 1 || c < 1 || m < 1 || port < 1)
		return 100;
	if (snprintf(env, sizeof env, "MAIL FROM:<%s>\r\n"
	    "RCPT TO:<%s>\r\nDATA\r\n", getenv("SMTPD_LOAD_FROM") ?
	    getenv("SMTPD_LOAD_FROM") : "load@example.org", argv[6]) >=
	    (int)sizeof env)
		return 100;
	if (getenv("SMTPD_LOAD_MSG")) {
		msg = load_file(getenv("SMTPD_LOAD_MSG"), &size);
		if (msg == NULL)
			return 111;
	} else if ((msg = malloc(size + 200)) == NULL) {
		return 111;
	} else {
		/* a message of about SIZE octets in 76-octet lines */
		size_t k = (size_t)snprintf(msg, 200, "Subject: load\r\n\r\n");
		while (k + 78 < size) {
			memset(msg + k, 'x', 76);
			memcpy(msg + k + 76, "\r\n", 2);
			k += 78;
		}
		memcpy(msg + k, ".\r\n", 3);
		size = k + 3;
	}
	lat = mmap(NULL, sizeof *lat * (size_t)n, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fails = mmap(NULL, sizeof *fails * (size_t)c, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (lat == MAP_FAILED || fails == MAP_FAILED)
		return 111;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t0 = now();
	for (i = 0; i < c; i++) {
		pid_t pid = fork();
		if (pid == -1)
			return 111;
		if (pid == 0) {
			int j = i;       /* messages i, i+c, i+2c, ... */
			while (j < n) {
				int fd = socket(AF_INET, SOCK_STREAM, 0), k;
				if (fd == -1 || connect(fd, (struct sockaddr *)&sa,
				    sizeof sa) == -1 || replies(fd, 1) != 220 ||
				    sendall(fd, "EHLO load.example.org\r\n", 23) ||
				    replies(fd, 1) != 250) {
					fails[i]++;
					if (fd != -1)
						close(fd);
					j += c;
					continue;
				}
				for (k = 0; k < m && j < n; k++, j += c) {
					double s = now();
					if (sendall(fd, env, strlen(env)) ||
					    replies(fd, 3) != 354 ||
					    sendall(fd, msg, size) ||
					    replies(fd, 1) != 250) {
						fails[i]++;
						continue;
					}
					lat[j] = now() - s;
				}
				sendall(fd, "QUIT\r\n", 6);
				replies(fd, 1);
				close(fd);
			}
			_exit(0);
		}
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	t1 = now();
	{
		int f = 0, ok = 0;
		for (i = 0; i < c; i++)
			f += fails[i];
		for (i = 0; i < n; i++)
			if (lat[i] > 0)
				lat[ok++] = lat[i];
		qsort(lat, (size_t)ok, sizeof *lat, cmpd);
		printf("rate: %.1f msgs/s median: %.2f ms p99: %.2f ms "
		    "failed: %d\n", ok / (t1 - t0),
		    ok ? lat[ok / 2] * 1000 : 0, ok ? lat[ok * 99 / 100] * 1000 : 0,
		    f);
	}
	return 0;
}
