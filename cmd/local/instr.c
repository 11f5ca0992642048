/* instr: see instr.h. */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "instr.h"

size_t
instr_split(char *s, const char *seps, char **dest)
{
	size_t n = 0;
	char *tok;

	for (tok = strtok(s, seps); tok; tok = strtok(NULL, seps)) {
		while (*tok == ' ' || *tok == '\t')
			tok++;
		size_t l = strlen(tok);
		while (l && (tok[l - 1] == ' ' || tok[l - 1] == '\t' ||
		    tok[l - 1] == '\r'))
			tok[--l] = '\0';
		if (*tok == '\0' || *tok == '#')
			continue;
		if (n == INSTR_DEST_MAX)
			return INSTR_TOO_MANY;
		dest[n++] = tok;
	}
	return n;
}

int
instr_alias(const char *alias, const char *domain, char *buf, size_t size,
    char **dest, size_t *n)
{
	size_t i;

	fmt_s(buf, size, "%s", alias);
	*n = instr_split(buf, strchr(buf, ',') ? "," : buf[0] == '|' ? "" :
	    " \t", dest);
	for (i = 0; *n != INSTR_TOO_MANY && i < *n; i++) {
		size_t sz = strlen(dest[i]) + strlen(domain) + 2;
		char *full;
		if (strchr("|/.&:", dest[i][0]) || strchr(dest[i], '@'))
			continue;
		if ((full = malloc(sz)) == NULL)
			return -1;
		if (fmt_s(full, sz, "%s@%s", dest[i], domain) < 0) {
			free(full);
			return -1;
		}
		dest[i] = full;
	}
	return 0;
}
