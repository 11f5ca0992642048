/*
 * filter-header: the simplest postel filter (postel-filter(8)), and an
 * example to start from: it adds each argument as a header field at the
 * top of the message and passes the rest on unchanged. "$NAME" in an
 * argument is not expanded: a filter that wants the envelope reads its
 * environment (SENDER, RECIPIENTS, CLIENT_IP, ...).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "die.h"
#include "fd.h"

static void
put(const char *p, size_t n)
{
	if (fd_write_all(1, p, n) == -1)
		die_sys(EXIT_TEMP, "unable to write the message");
}

/* "Name: value": a field name of printable ASCII without ':', then ':';
 * no control characters anywhere (RFC 5322 2.2). */
static int
field_ok(const char *s)
{
	size_t i, name = strcspn(s, ":");

	if (name == 0 || s[name] != ':')
		return 0;
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 32 && s[i] != '\t')
			return 0;
		else if (i < name && (s[i] == ' ' || s[i] == '\t'))
			return 0;
	return i < 998;
}

int
main(int argc, char **argv)
{
	char b[16384];
	ssize_t r;
	int i;

	die_init("filter-header");
	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < argc; i++)
		if (!field_ok(argv[i]))
			die(EXIT_TEMP, "not a header field: %.60s", argv[i]);
	for (i = 1; i < argc; i++) {
		put(argv[i], strlen(argv[i]));
		put("\n", 1);
	}
	while ((r = fd_read(0, b, sizeof b)) > 0)
		put(b, (size_t)r);
	if (r == -1)
		die_sys(EXIT_TEMP, "unable to read the message");
	return 0;
}
