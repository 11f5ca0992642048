/*
 * aliases: libFuzzer target for the /etc/aliases reader (lib/aliases.c,
 * the aliases-system file). The input is written to a private file and
 * loaded in both syntaxes; aliases_parse also runs on it as one entry.
 * Checks: no crash or leak (ASan), every problem has a line within the
 * file, the table is sorted with unique keys, and every value fits
 * what local(8) holds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aliases.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static unsigned maxline;

static void
report(const char *file, unsigned line, const char *problem)
{
	(void)file;
	if (line == 0 || line > maxline || *problem == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static char path[64];
	struct conf_table t;
	char s[CONF_LINE_MAX + 1], val[CONF_LINE_MAX + 1], *name;
	size_t i;
	int syntax;
	FILE *f;

	if (path[0] == '\0')
		snprintf(path, sizeof path, "/tmp/postel-fuzz-aliases.%ld",
		    (long)getpid());
	if ((f = fopen(path, "w")) == NULL || (n && fwrite(p, 1, n, f) != n) ||
	    fclose(f) != 0)
		abort();
	for (maxline = 1, i = 0; i < n; i++)
		maxline += p[i] == '\n';
	for (syntax = ALIASES_CONF; syntax <= ALIASES_ETC; syntax++) {
		if (aliases_load(&t, path, syntax, report) == -1)
			continue;
		for (i = 0; i < t.n; i++) {
			if (i && strcmp(t.e[i - 1].key, t.e[i].key) >= 0)
				abort();
			if (t.e[i].val && strlen(t.e[i].val) > CONF_LINE_MAX)
				abort();
		}
		conf_table_free(&t);
	}
	if (n < sizeof s) {
		memcpy(s, p, n);
		s[n] = '\0';
		for (syntax = ALIASES_CONF; syntax <= ALIASES_ETC; syntax++) {
			char c[sizeof s];
			memcpy(c, s, sizeof s);
			if (aliases_parse(c, syntax, &name, val, sizeof val)
			    == NULL && strlen(val) >= sizeof val)
				abort();
		}
	}
	return 0;
}
