/* stscache: see stscache.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "fd.h"
#include "fmt.h"
#include "stscache.h"

#define HEAD_MAX 256

/* The file name of domain: lower case, no final dot; -1 if it is not a
 * host name (so never a path). */
static int
file_name(char *dst, size_t size, const char *domain)
{
	size_t n = strlen(domain), i;

	if (n > 0 && domain[n - 1] == '.')
		n--;
	if (n == 0 || n >= size || n > DNS_NAME_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		char c = domain[i];
		dst[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	dst[n] = '\0';
	if (!dns_name_ok(dst) || dst[0] == '.') {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
stscache_get(int dirfd, const char *domain, long long now,
    struct stscache *c)
{
	static char buf[HEAD_MAX + MTASTS_POLICY_MAX + 1];
	char name[DNS_NAME_MAX + 1], dom[DNS_NAME_MAX + 1];
	const char *body;
	ssize_t r;
	size_t n = 0;
	int fd, k;

	memset(c, 0, sizeof *c);
	if (file_name(name, sizeof name, domain) == -1)
		return 0;
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return errno == ENOENT || errno == ELOOP ? 0 : -1;
	r = 0;
	while (n < sizeof buf - 1 &&
	    (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
		n += (size_t)r;
	k = errno;
	close(fd);              /* read-only: nothing to lose */
	if (r == -1) {
		errno = k;
		return -1;
	}
	buf[n] = '\0';
	/* "postel-sts 1\ndomain D\nid I\nfetched F\nexpires E\n\nBODY" */
	if (sscanf(buf, "postel-sts 1\ndomain %255s\nid %32s\nfetched %lld\n"
	    "expires %lld\n", dom, c->id, &c->fetched, &c->expires) != 4 ||
	    strcmp(dom, name) != 0 || (body = strstr(buf, "\n\n")) == NULL)
		return 0;
	body += 2;
	c->blen = n - (size_t)(body - buf);
	if (c->blen > sizeof c->body)
		return 0;
	memcpy(c->body, body, c->blen);
	if (mtasts_policy_parse(c->body, c->blen, &c->p) != NULL ||
	    c->expires <= now)
		return 0;
	return 1;
}

int
stscache_put(int dirfd, const char *domain, const char *id,
    const char *body, size_t n, const struct mtasts_policy *p, long long now)
{
	char name[DNS_NAME_MAX + 1], tmp[DNS_NAME_MAX + 32], head[HEAD_MAX];
	int fd, h, e;

	if (file_name(name, sizeof name, domain) == -1 ||
	    n > MTASTS_POLICY_MAX || strlen(id) > MTASTS_ID_MAX ||
	    strpbrk(id, " \n") != NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((h = fmt_s(head, sizeof head, "postel-sts 1\ndomain %s\nid %s\n"
	    "fetched %lld\nexpires %lld\n\n", name, id, now,
	    now + (long long)p->max_age)) < 0 ||
	    fmt_s(tmp, sizeof tmp, ".%s.%ld", name, (long)getpid()) < 0) {
		errno = EINVAL;
		return -1;
	}
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0640);
	if (fd == -1)
		return -1;
	if (fd_write_all(fd, head, (size_t)h) == -1 ||
	    fd_write_all(fd, body, n) == -1) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) == -1 || renameat(dirfd, tmp, dirfd, name) == -1) {
		e = errno;
		goto fail;
	}
	return 0;
fail:
	unlinkat(dirfd, tmp, 0);
	errno = e;
	return -1;
}

int
stscache_drop(int dirfd, const char *domain)
{
	char name[DNS_NAME_MAX + 1];

	if (file_name(name, sizeof name, domain) == -1)
		return -1;
	return unlinkat(dirfd, name, 0) == -1 && errno != ENOENT ? -1 : 0;
}
