/*
 * local_instr: libFuzzer target for local's reading of a user's
 * instruction file (.postel, postel-local(8)) and of alias targets
 * (cmd/local/main.c: split and alias_dest). The input is taken as the
 * file's text and as an alias value. Checks: no crash or leak, at most
 * MAX_DEST destinations, each one non-empty, inside the buffer, without
 * leading or trailing blanks, never a comment; a bare alias name gains
 * the domain. The delivery functions are stubs: nothing is delivered.
 */
#include <stdint.h>
#include <string.h>

int local_main(int argc, char **argv);
#define main local_main
#include "../cmd/local/main.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int
maildir_deliver(const struct msgdata *md, const char *dir, struct fail *f,
    char *name, size_t namesize)
{
	(void)md, (void)dir, (void)f, (void)name, (void)namesize;
	return 0;
}

int
mbox_deliver(const struct msgdata *md, const char *path, struct fail *f)
{
	(void)md, (void)path, (void)f;
	return 0;
}

int
pipe_deliver(const struct msgdata *md, const char *cmd, struct fail *f)
{
	(void)md, (void)cmd, (void)f;
	return 0;
}

int
forward_deliver(const struct msgdata *md, char *const *to, size_t n,
    struct fail *f)
{
	(void)md, (void)to, (void)n, (void)f;
	return 0;
}

static void
check(char *const *dest, size_t n, const char *lo, const char *hi)
{
	size_t i, l;

	if (n > MAX_DEST)
		__builtin_trap();
	for (i = 0; i < n; i++) {
		l = strlen(dest[i]);
		if (l == 0 || dest[i][0] == '#' || dest[i][0] == ' ' ||
		    dest[i][0] == '\t' || dest[i][l - 1] == ' ' ||
		    dest[i][l - 1] == '\t' || dest[i][l - 1] == '\r')
			__builtin_trap();
		if (lo && (dest[i] < lo || dest[i] + l > hi))
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static struct buf b = BUF_INIT(INSTR_MAX);
	char *dest[MAX_DEST], abuf[CONF_LINE_MAX + 1];
	struct user u;
	size_t nd, i;

	if (n > INSTR_MAX)
		return 0;
	b.len = 0;
	if (buf_catb(&b, p, n) == -1 || buf_0(&b) == -1)
		return 0;
	nd = split(b.p, "\n", dest);
	if (nd != TOO_MANY)
		check(dest, nd, b.p, b.p + n);

	memset(&u, 0, sizeof u);
	fmt_s(u.domain, sizeof u.domain, "example.test");
	u.alias = b.p;          /* cut at the first NUL; split wrote NULs */
	b.len = 0;
	if (buf_catb(&b, p, n) == -1 || buf_0(&b) == -1)
		return 0;
	nd = alias_dest(&u, abuf, sizeof abuf, dest);
	if (nd == TOO_MANY)
		return 0;
	check(dest, nd, NULL, NULL);
	for (i = 0; i < nd; i++) {
		if (dest[i] >= abuf && dest[i] < abuf + sizeof abuf)
			continue;
		if (strchr(dest[i], '@') == NULL ||
		    strcmp(strchr(dest[i], '@') + 1, "example.test") != 0)
			__builtin_trap();
		free(dest[i]);
	}
	return 0;
}
