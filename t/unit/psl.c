/* unit tests for lib/psl.c: the Public Suffix List and RFC 7489 3.2 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "psl.h"
#include "../tap.h"

static char dir[] = "/tmp/psl-unit.XXXXXX";
static char path[64];

/* A list file with text, loaded: the list, or NULL (*why, errno). */
static struct psl *
L(const char *text, const char **why)
{
	struct psl *p;
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) == EOF)
		return NULL;
	return psl_load(&p, path, why) == 0 ? p : NULL;
}

static const char *
O(const struct psl *p, const char *name)
{
	static char out[256];

	return psl_org(p, name, out, sizeof out) == 0 ? out : "(error)";
}

static void
skip(const char *why)
{
	tap_n++;
	printf("ok %d # SKIP %s\n", tap_n, why);
}

/* The official test vectors (tests/test_psl.txt, shipped by Debian's
 * publicsuffix as an example): checkPublicSuffix(NAME, REGISTRABLE),
 * null when NAME is a public suffix itself (psl_org gives the name) or
 * not a name (a leading dot: psl_org fails). */
static void
vectors(const struct psl *p, const char *file)
{
	char line[512], name[256], want[256], low[256];
	FILE *f = fopen(file, "r");
	int n = 0, bad = 0;
	size_t i;

	if (f == NULL) {
		skip("no test_psl.txt (Debian's publicsuffix not installed)");
		return;
	}
	while (fgets(line, sizeof line, f)) {
		const char *got;

		if (strncmp(line, "checkPublicSuffix(", 18) != 0)
			continue;
		if (sscanf(line, "checkPublicSuffix('%255[^']', '%255[^']')",
		    name, want) == 2) {
		} else if (sscanf(line, "checkPublicSuffix('%255[^']', null)",
		    name) == 1) {
			for (i = 0; name[i]; i++)
				low[i] = (char)(name[i] >= 'A' &&
				    name[i] <= 'Z' ? name[i] + 32 : name[i]);
			low[i] = '\0';
			strcpy(want, name[0] == '.' ? "(error)" : low);
		} else
			continue;               /* null input */
		n++;
		got = O(p, name);
		if (strcmp(got, want) != 0) {
			bad++;
			printf("# %s: got %s, want %s\n", name, got, want);
		}
	}
	fclose(f);
	ok(n >= 70 && bad == 0, "test_psl.txt: every vector agrees");
	printf("# %d vectors\n", n);
}

int
main(int argc, char **argv)
{
	static const char small[] =
	    "// comment line\n"
	    "\n"
	    "com\n"
	    "uk.com   trailing words are ignored\n"
	    "co.uk\n"
	    "uk\n"
	    "*.ck\n"
	    "!www.ck\n"
	    "*.kobe.jp\n"
	    "!city.kobe.jp\n"
	    "jp\n"
	    "kobe.jp\n"
	    "\xe5\x85\xac\xe5\x8f\xb8.cn\n"        /* 公司.cn */
	    "cn\n"
	    "b\xc3\xbc" "cher.de\n"                /* bücher.de */
	    "de\r\n"
	    "EXAMPLE.NET\n";
	char full[4096], vec[] = "/usr/share/doc/publicsuffix/examples/"
	    "test_psl.txt", out[16], big[300];
	const char *why;
	struct psl *p;
	int i;

	plan(48);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/list", dir);

	p = L(small, &why);
	ok(p != NULL, "a small list loads");
	if (p == NULL)
		return 1;
	is_str(O(p, "example.com"), "example.com", "a name under a rule");
	is_str(O(p, "a.b.example.com"), "example.com",
	    "labels under it go");
	is_str(O(p, "com"), "com", "a public suffix is its own org domain");
	is_str(O(p, "x.uk.com"), "x.uk.com",
	    "the longest rule wins; words after a rule ignored");
	is_str(O(p, "www.Example.CO.UK"), "example.co.uk",
	    "case does not matter, the answer is lower case");
	is_str(O(p, "a.b.c.ck"), "b.c.ck", "a wildcard: one label more");
	is_str(O(p, "c.ck"), "c.ck", "a wildcard's match is a suffix");
	is_str(O(p, "a.www.ck"), "www.ck", "an exception to a wildcard");
	is_str(O(p, "www.ck"), "www.ck", "the exception itself");
	is_str(O(p, "x.city.kobe.jp"), "city.kobe.jp",
	    "an exception under a wildcard");
	is_str(O(p, "x.y.kobe.jp"), "x.y.kobe.jp", "the wildcard beside it");
	is_str(O(p, "example"), "example", "one label: itself");
	is_str(O(p, "a.b.example"), "b.example",
	    "an unlisted TLD takes the default rule *");
	is_str(O(p, "www.\xe9\xa3\x9f\xe7\x8b\xae.\xe5\x85\xac\xe5\x8f\xb8.cn"),
	    "\xe9\xa3\x9f\xe7\x8b\xae.\xe5\x85\xac\xe5\x8f\xb8.cn",
	    "a UTF-8 rule matches a UTF-8 name");
	is_str(O(p, "www.shishi.xn--55qx5d.cn"), "shishi.xn--55qx5d.cn",
	    "and the same rule in A-label form (Punycode of 公司)");
	is_str(O(p, "a.b.xn--bcher-kva.de"), "b.xn--bcher-kva.de",
	    "a mixed label: bücher is xn--bcher-kva (RFC 3492)");
	is_str(O(p, "x.y.example.net"), "y.example.net",
	    "an upper-case rule; a CRLF line");
	is_str(O(p, "WWW.DE"), "www.de", "after a CRLF line too");
	is_str(O(p, ".example.com"), "(error)", "a leading dot");
	is_str(O(p, "a..com"), "(error)", "an empty label");
	is_str(O(p, "example.com."), "(error)", "a trailing dot");
	is_str(O(p, ""), "(error)", "empty");
	is_str(O(p, "a b.com"), "(error)", "a space");
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	is_str(O(p, big), "(error)", "over 253 octets");
	ok(psl_org(p, "www.example.com", out, 11) == -1 &&
	    psl_org(p, "www.example.com", out, 12) == 0,
	    "out too small fails, just big enough works");
	psl_free(p);

	ok(L("com\n*.x.*.com\n", &why) == NULL && errno == EINVAL &&
	    why && strcmp(why, "line 2: a wildcard that is not the first "
	    "label") == 0, "a wildcard elsewhere: the line and why");
	ok(L("!com\n", &why) == NULL && why != NULL,
	    "an exception of one label");
	ok(L("a..b\n", &why) == NULL && why != NULL, "an empty label");
	ok(L("a.b.\n", &why) == NULL && why != NULL, "a trailing dot");
	ok(L("a/b\n", &why) == NULL && why != NULL, "a slash");
	ok(L("\xff.cn\n", &why) == NULL && why && strstr(why, "UTF-8"),
	    "a rule that is not UTF-8");
	ok((p = L("", &why)) != NULL && strcmp(O(p, "a.b.c"), "b.c") == 0,
	    "an empty list: the default rule");
	psl_free(p);
	ok((p = L("// only\n\n  indented is no rule\nnet", &why)) != NULL &&
	    strcmp(O(p, "a.b.net"), "b.net") == 0 &&
	    strcmp(O(p, "x.indented"), "x.indented") == 0,
	    "no newline at the end; a line starting with a blank");
	psl_free(p);
	ok(psl_load(&p, "/nonexistent/list", &why) == -1 && errno == ENOENT
	    && p == NULL, "a missing file: errno");
	{
		FILE *f = fopen(path, "w");
		ok(f && ftruncate(fileno(f), PSL_SIZE_MAX + 1) == 0 &&
		    fclose(f) == 0 && psl_load(&p, path, &why) == -1 &&
		    errno == EFBIG, "a file over PSL_SIZE_MAX: EFBIG");
	}

	/* psl_path: which list */
	{
		char got[512], want[512], conf[128];
		FILE *f;

		setenv("POSTEL_ROOT", dir, 1);
		snprintf(conf, sizeof conf, "%s/conf", dir);
		snprintf(want, sizeof want, "%s/conf/l", dir);
		ok(psl_path(got, sizeof got, "/x/list") == 0 &&
		    strcmp(got, "/x/list") == 0 &&
		    psl_path(got, sizeof got, "l") == 0 &&
		    strcmp(got, want) == 0, "psl_path: the list named");
		ok(psl_path(got, sizeof got, NULL) == 0 &&
		    strcmp(got, access(PSL_SYSTEM, F_OK) == 0 ? PSL_SYSTEM :
		    POSTEL_SHARE "/conf/public-suffix-list.dat") == 0,
		    "psl_path: no list in the instance: Debian's, else ours");
		snprintf(want, sizeof want, "%s/public-suffix-list.dat", conf);
		ok(mkdir(conf, 0700) == 0 && (f = fopen(want, "w")) != NULL &&
		    fclose(f) == 0 && psl_path(got, sizeof got, NULL) == 0 &&
		    strcmp(got, want) == 0 && unlink(want) == 0 &&
		    rmdir(conf) == 0, "psl_path: the instance's list first");
	}

	/* the shipped list: the one in the source tree, found from the
	 * working directory or from this program's path (build/t/unit) */
	snprintf(full, sizeof full, "conf/public-suffix-list.dat");
	if (access(full, R_OK) == -1 && argc > 0) {
		char a[2048];
		snprintf(a, sizeof a, "%s", argv[0]);
		snprintf(full, sizeof full, "%s/../../../conf/"
		    "public-suffix-list.dat", dirname(a));
	}
	if (psl_load(&p, full, &why) == -1) {
		printf("# %s: %s\n", full, why ? why : strerror(errno));
		for (i = 0; i < 7; i++)
			skip("the shipped list was not found");
	} else {
		ok(1, "the shipped list loads");
		is_str(O(p, "mail.example.co.uk"), "example.co.uk",
		    "shipped: co.uk");
		is_str(O(p, "a.b.example.com"), "example.com",
		    "shipped: com");
		is_str(O(p, "foo.bar.github.io"), "bar.github.io",
		    "shipped: a private-domain rule (github.io)");
		is_str(O(p, "x.y.z.kawasaki.jp"), "y.z.kawasaki.jp",
		    "shipped: a wildcard");
		is_str(O(p, "test.city.kawasaki.jp"), "city.kawasaki.jp",
		    "shipped: its exception");
		vectors(p, vec);
		psl_free(p);
	}
	unlink(path);
	rmdir(dir);
	{
		char a[256];
		ok(psl_alabels("ceo.b\xc3\xa4nk.test", a, sizeof a) == 0 &&
		    strcmp(a, "ceo.xn--bnk-qla.test") == 0,
		    "psl_alabels: a UTF-8 label as its A-label");
		ok(psl_alabels("b\xc3.test", a, sizeof a) == -1,
		    "psl_alabels: not UTF-8");
	}
	return done();
}
