/* unit tests for cmd/remote/smtpreply.c */
#include <string.h>

#include "remote/smtpreply.h"
#include "../tap.h"

int
main(void)
{
	struct smtpreply r;
	struct smtpehlo e;
	char dsn[16];
	size_t used;
	int fin;
	const char *m = "250-mx.example.net hello\r\n250-PIPELINING\r\n"
	    "250-SIZE 1000\r\n250-AUTH LOGIN PLAIN\r\n250 STARTTLS\r\nNEXT";

	plan(25);
	ok(smtpreply_parse(&r, "250 2.0.0 ok\r\n", 14, &used) == NULL,
	    "one-line reply");
	is_int(r.code, 250, "code");
	is_str(r.dsn, "2.0.0", "enhanced code");
	is_str(r.text, "250 2.0.0 ok", "text kept");
	is_int((long long)used, 14, "all bytes used");

	ok(smtpreply_parse(&r, "550-5.1.1 no such\r\n550 5.1.1 user\r\nx",
	    37, &used) == NULL, "multi-line reply");
	is_str(r.text, "550 5.1.1 no such user", "lines joined, repeats dropped");
	is_int((long long)used, 35, "stops after the last line");
	is_int(smtpreply_class(&r), 5, "class 5");

	ok(smtpreply_parse(&r, "250-a\r\n251 b\r\n", 14, &used) != NULL,
	    "code change inside a reply is an error");
	ok(smtpreply_parse(&r, "hello\r\n", 7, &used) != NULL, "no code");
	ok(smtpreply_parse(&r, "2500 x\r\n", 8, &used) != NULL,
	    "four digits");
	ok(smtpreply_parse(&r, "199 x\r\n", 7, &used) != NULL, "1xx refused");
	is_str(smtpreply_parse(&r, "250-a\r\n250", 10, &used), "incomplete",
	    "incomplete reply");

	ok(smtpreply_parse(&r, "451 busy\r\n", 10, &used) == NULL, "no dsn");
	is_str(smtpreply_dsn(&r, dsn, sizeof dsn), "4.0.0",
	    "dsn from the class");
	ok(smtpreply_parse(&r, "550 4.1.1 odd\r\n", 15, &used) == NULL &&
	    strcmp(smtpreply_dsn(&r, dsn, sizeof dsn), "5.0.0") == 0,
	    "dsn of another class is not trusted");
	smtpreply_init(&r);
	ok(smtpreply_line(&r, "220", 3, &fin) == NULL && fin,
	    "bare code ends the reply");
	smtpreply_init(&r);
	ok(smtpreply_line(&r, "220 \x01\xff", 6, &fin) == NULL &&
	    strcmp(r.text, "220 ??") == 0, "control and 8-bit bytes filtered");

	memset(&e, 0, sizeof e);
	ok(smtpreply_parse(&r, m, strlen(m), &used) == NULL, "EHLO reply");
	{
		for (const char *l = m; l < m + used;) {
			const char *end = strstr(l, "\r\n");
			if (l != m)
				smtpehlo_line(&e, l + 4, (size_t)(end - l - 4));
			l = end + 2;
		}
	}
	ok(e.ext & EHLO_PIPELINING, "PIPELINING");
	is_int((long long)e.size, 1000, "SIZE value");
	ok((e.ext & (EHLO_AUTH_LOGIN | EHLO_AUTH_PLAIN)) ==
	    (EHLO_AUTH_LOGIN | EHLO_AUTH_PLAIN), "AUTH mechanisms");
	ok(e.ext & EHLO_STARTTLS, "STARTTLS");
	ok(!(e.ext & EHLO_SMTPUTF8), "no SMTPUTF8 when not offered");
	return done();
}
