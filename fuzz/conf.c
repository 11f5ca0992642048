/*
 * conf: libFuzzer target for the configuration readers (lib/conf.c and
 * the tables lib/user.c loads). The input is cut at the first NUL byte
 * into conf/postel.conf and, for the rest, conf/domains, conf/users and
 * conf/aliases (split at further NULs) in a private temporary instance;
 * then conf_load, conf_table_load and user_init read them and a few
 * lookups run. Checks: no crash or leak (ASan), a failed load leaves a
 * "file:line: problem" message, a loaded table is sorted and every key
 * is found again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "user.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static char root[64];

static void
put(const char *name, const uint8_t *p, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/conf/%s", root, name);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (n && fwrite(p, 1, n, f) != n)
		abort();
	if (fclose(f) != 0)
		abort();
}

/* next NUL-separated piece of *p (length *n) */
static size_t
piece(const uint8_t **p, size_t *n, const uint8_t **start)
{
	const uint8_t *z = memchr(*p, '\0', *n);
	size_t len = z ? (size_t)(z - *p) : *n;

	*start = *p;
	*p += z ? len + 1 : len;
	*n -= z ? len + 1 : len;
	return len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static const char *const files[] = { "postel.conf", "domains",
	    "users", "aliases" };
	struct conf_table t;
	struct user u;
	const uint8_t *s;
	size_t i, len;

	if (!root[0]) {
		char path[96];
		snprintf(root, sizeof root, "/tmp/postel-fuzz-conf.XXXXXX");
		if (mkdtemp(root) == NULL)
			abort();
		snprintf(path, sizeof path, "%s/conf", root);
		if (mkdir(path, 0700) == -1)
			abort();
		setenv("POSTEL_ROOT", root, 1);
	}
	for (i = 0; i < 4; i++) {
		len = piece(&p, &n, &s);
		put(files[i], s, len);
	}
	if (conf_load() == -1) {
		if (strchr(conf_error(), ':') == NULL)
			__builtin_trap();
		return 0;
	}
	(void)conf_u("max-size");
	(void)conf_s("me");
	memset(&t, 0, sizeof t);
	if (conf_table_load(&t, "domains", 1) == 0) {
		for (i = 0; i < t.n; i++) {
			if (i && strcmp(t.e[i - 1].key, t.e[i].key) > 0)
				__builtin_trap();
			if (conf_table_get(&t, t.e[i].key) == NULL)
				__builtin_trap();
		}
		conf_table_free(&t);
	}
	if (user_init() == 0) {
		(void)user_lookup("alice@example.test", &u);
		(void)user_lookup("postmaster@example.test", &u);
		(void)user_lookup("bob-ext@example.test", &u);
		user_free();
	}
	return 0;
}
