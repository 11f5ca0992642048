/* unit tests for lib/sasl.c: base64, PLAIN, LOGIN, xtext, users file */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sasl.h"
#include "../tap.h"

static int
dec(const char *s, char *out, size_t size, size_t *len)
{
	return sasl_b64_decode(out, size, len, s, strlen(s));
}

int
main(void)
{
	char out[64], enc[64], path[64];
	size_t len;
	struct sasl_cred c;
	FILE *f;
	int fd;

	plan(33);
	ok(dec("", out, sizeof out, &len) == 0 && len == 0, "empty decodes");
	ok(dec("Zm9vYmFy", out, sizeof out, &len) == 0 && len == 6 &&
	    memcmp(out, "foobar", 6) == 0, "foobar");
	ok(dec("Zm9vYg==", out, sizeof out, &len) == 0 && len == 4 &&
	    memcmp(out, "foob", 4) == 0, "two pads");
	ok(dec("Zm9vYmE=", out, sizeof out, &len) == 0 && len == 5 &&
	    memcmp(out, "fooba", 5) == 0, "one pad");
	ok(dec("Zm9vYg", out, sizeof out, &len) == -1 && errno == EINVAL,
	    "missing padding refused");
	ok(dec("Zm9v Yg==", out, sizeof out, &len) == -1, "blank refused");
	ok(dec("Zm=vYg==", out, sizeof out, &len) == -1, "pad inside refused");
	ok(dec("Zm9vYh==", out, sizeof out, &len) == -1,
	    "non-zero bits under padding refused");
	ok(dec("Zg=a", out, sizeof out, &len) == -1, "= then data refused");
	ok(dec("Zm9vYmFy", out, 5, &len) == -1 && errno == EMSGSIZE,
	    "too long for the buffer");
	ok(dec("Zm9vYmFy", out, 6, &len) == 0, "exactly fits");
	ok(sasl_b64_encode(enc, sizeof enc, "Username:", 9) == 0 &&
	    strcmp(enc, "VXNlcm5hbWU6") == 0, "encode Username:");
	ok(sasl_b64_encode(enc, sizeof enc, "foob", 4) == 0 &&
	    strcmp(enc, "Zm9vYg==") == 0, "encode with padding");
	ok(sasl_b64_encode(enc, 8, "foobar", 6) == -1, "encode overflow");
	ok(sasl_b64_encode(enc, 9, "foobar", 6) == 0, "encode exact");

	ok(sasl_plain(&c, "\0alice\0secret", 13) == NULL &&
	    strcmp(c.user, "alice") == 0 && strcmp(c.pass, "secret") == 0 &&
	    c.ulen == 5 && c.plen == 6, "PLAIN without authzid");
	ok(sasl_plain(&c, "alice\0alice\0pw", 14) == NULL,
	    "PLAIN with authzid = authcid");
	ok(sasl_plain(&c, "bob\0alice\0pw", 12) != NULL &&
	    c.user[0] == '\0' && c.pass[0] == '\0',
	    "other authzid refused and wiped");
	ok(sasl_plain(&c, "\0alice", 6) != NULL, "one NUL refused");
	ok(sasl_plain(&c, "\0\0pw", 4) != NULL, "empty user refused");
	ok(sasl_plain(&c, "\0alice\0", 7) != NULL, "empty password refused");
	ok(sasl_plain(&c, "\0alice\0p\0w", 10) != NULL, "NUL in password");
	ok(sasl_plain(&c, "", 0) != NULL, "empty message");
	{
		char big[300];
		memset(big, 'a', sizeof big);
		big[0] = '\0';
		big[1] = 'u';
		big[2] = '\0';
		ok(sasl_plain(&c, big, sizeof big) != NULL,
		    "password over 255 refused");
		ok(sasl_login(c.user, &len, big + 3, 255) == NULL && len == 255,
		    "LOGIN takes 255");
	}
	ok(sasl_xtext_ok("<>", 2) && sasl_xtext_ok("a+2Bb@x.org", 11),
	    "xtext");
	ok(!sasl_xtext_ok("a=b", 3) && !sasl_xtext_ok("a+2b", 4) &&
	    !sasl_xtext_ok("a b", 3) && !sasl_xtext_ok("a+2", 3) &&
	    !sasl_xtext_ok("", 0), "bad xtext");

	snprintf(path, sizeof path, "/tmp/sasl-unit.%ld", (long)getpid());
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	fprintf(f, "# users\n\nbob:*\nalice:%s\n",
	    "$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG.");
	fclose(f);
	sasl_plain(&c, "\0alice\0secret", 13);
	is_int(sasl_users_check(path, &c), 1, "good password");
	sasl_plain(&c, "\0alice\0Secret", 13);
	is_int(sasl_users_check(path, &c), 0, "bad password");
	sasl_plain(&c, "\0bob\0secret", 11);
	is_int(sasl_users_check(path, &c), 0, "locked user");
	sasl_plain(&c, "\0carol\0secret", 13);
	is_int(sasl_users_check(path, &c), 0, "unknown user");
	unlink(path);
	errno = 0;
	ok(sasl_users_check(path, &c) == -1 && errno == ENOENT,
	    "missing file is -1");
	sasl_wipe(&c);
	for (fd = 0, len = 0; len < sizeof c; len++)
		fd |= ((unsigned char *)&c)[len];
	ok(fd == 0, "sasl_wipe clears everything");
	return done();
}
